/*
 * load_plan.c -- plan.json into the model, with precise diagnostics.
 *
 * Three passes over one parsed document:
 *   1. load: each JSON object is read against a table of its keys
 *      (struct field): type, required or not, range, where it goes in the
 *      C struct.  One generic function, load_object, checks unknown and
 *      duplicate keys, types and missing keys for every object kind, so
 *      adding a key is adding a table row.
 *   2. resolve: ids go into the model's maps (duplicates are errors) and
 *      every reference (owner, contact, dependency, region, exception
 *      service) becomes an index; dependency cycles are found with an
 *      iterative Tarjan (a chain of 10,000 services must not recurse).
 *   3. runbooks: each service's prose is read through the source module.
 *
 * Positions come from jsonpos, whose index is walked beside the cJSON tree
 * (children are in the same order in both), so a diagnostic costs nothing
 * until it is made.  ctx.ptr always holds the JSON pointer of the value
 * being loaded; it becomes the diagnostic's `where`.
 */
#include "load_plan.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "currency.h"
#include "dates.h"
#include "jsonpos.h"
#include "load_plan_accountability.h"

#define UNRESOLVED SIZE_MAX

struct ctx {
	struct model *m;
	struct source_set *src;
	struct diags *d;
	const char *file;          /* plan.json as shown to the user (arena) */
	struct jsonpos *pos;
	struct buf ptr;            /* JSON pointer of the value being loaded */
	size_t service;            /* index of the service being loaded */
	char quoted[4][128];       /* scratch for messages, used round-robin */
	unsigned qi;
	unsigned suggestions;      /* "did you mean" searches over ids so far */
};

/* ---- pointers, quoting, diagnostics ---- */

static const char *ptr_where(const struct ctx *c)
{
	return c->ptr.len ? c->ptr.data : NULL;
}

static char *slot(struct ctx *c);

/*
 * s in double quotes for a message: control characters escaped, long
 * strings cut (at a character boundary) with "...".  Valid until four
 * more calls.
 */
static const char *quote(struct ctx *c, const char *s)
{
	return diag_quote(slot(c), sizeof(c->quoted[0]), s, 72);
}

static char *slot(struct ctx *c)
{
	return c->quoted[c->qi++ % ARRAY_LEN(c->quoted)];
}

/* "string \"x\"", "number 2.5", "an object", ... for "found ..." */
static const char *describe(struct ctx *c, const cJSON *j)
{
	const char *q = cJSON_IsString(j) ? quote(c, j->valuestring) : NULL;
	char *out = slot(c);
	size_t size = sizeof(c->quoted[0]);
	if (q)
		snprintf(out, size, "string %s", q);
	else if (cJSON_IsNumber(j))
		snprintf(out, size, "number %.15g", j->valuedouble);
	else if (cJSON_IsTrue(j))
		snprintf(out, size, "true");
	else if (cJSON_IsFalse(j))
		snprintf(out, size, "false");
	else if (cJSON_IsNull(j))
		snprintf(out, size, "null");
	else if (cJSON_IsArray(j))
		snprintf(out, size, "an array");
	else
		snprintf(out, size, "an object");
	return out;
}

/* A problem with the value n, whose pointer is ctx.ptr (at its key if asked). */
static void report(struct ctx *c, enum diag_severity sev, jsonpos_node n,
		   bool at_key, const char *fmt, ...) PRINTF_LIKE(5, 6);

static void report(struct ctx *c, enum diag_severity sev, jsonpos_node n,
		   bool at_key, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;
	if (!at_key || !jsonpos_key_pos(c->pos, n, &line, &col))
		jsonpos_value_pos(c->pos, n, &line, &col);
	va_start(ap, fmt);
	diag_vadd(c->d, sev, c->file, line, col, ptr_where(c), fmt, ap);
	va_end(ap);
}

/* A problem with the value at pointer (built by the resolve pass). */
static void report_at(struct ctx *c, enum diag_severity sev, const char *pointer,
		      const char *fmt, ...) PRINTF_LIKE(4, 5);

static void report_at(struct ctx *c, enum diag_severity sev, const char *pointer,
		      const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;
	jsonpos_find(c->pos, pointer, &line, &col);
	va_start(ap, fmt);
	diag_vadd(c->d, sev, c->file, line, col, pointer, fmt, ap);
	va_end(ap);
}

static int line_of(struct ctx *c, const char *pointer)
{
	int line = 0, col = 0;
	jsonpos_find(c->pos, pointer, &line, &col);
	return line;
}

/* ", did you mean \"x\"" for a mistyped id, or "" (the search is bounded). */
static const char *suggest_id(struct ctx *c, const char *s, const struct strmap *map)
{
	const char *key, *best = NULL;
	void *value;
	size_t pos = 0, len = strlen(s);
	size_t cap = len >= 8 ? 2 : 1, best_d = cap + 1;
	if (c->suggestions++ >= 64 || strmap_count(map) > 100000)
		return "";
	while (strmap_next(map, &pos, &key, &value)) {
		size_t dist = util_edit_distance(s, key, cap);
		if (dist < best_d || (dist == best_d && best && strcmp(key, best) < 0)) {
			best_d = dist;
			best = key;
		}
	}
	if (!best)
		return "";
	const char *q = quote(c, best);
	char *out = slot(c);
	snprintf(out, sizeof(c->quoted[0]), ", did you mean %s", q);
	return out;
}

/* ---- the key tables ---- */

enum kind {
	K_STRING,     /* const char * */
	K_TEXT,       /* const char *, from a string or a number */
	K_INT,        /* int, in [min, max] */
	K_NUMBER,     /* double, finite */
	K_BOOL,       /* bool */
	K_DATE,       /* int64_t: YYYY-MM-DD or RFC 3339 with offset */
	K_ENUM,       /* an enum, stored as int, one of names */
	K_STRINGS,    /* const char **, with a size_t count at count_off */
	K_CUSTOM,     /* load() does it */
	K_IGNORED,    /* allowed and ignored ("$schema") */
};

enum {
	F_REQUIRED = 1,
	F_NONNEG = 2,      /* numbers: >= 0 */
	F_NONEMPTY = 4,    /* strings: not "" */
	F_SERVICE_ID = 8,  /* strings: a service id */
};

struct field {
	const char *key;
	enum kind kind;
	unsigned flags;
	size_t off;
	size_t count_off;
	const char *const *names;
	size_t n_names;
	double min, max;
	void (*load)(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj);
};

#define FSTR(k, fl, T, m) {.key = k, .kind = K_STRING, .flags = fl, .off = offsetof(T, m)}
#define FTEXT(k, fl, T, m) {.key = k, .kind = K_TEXT, .flags = fl, .off = offsetof(T, m)}
#define FINT(k, fl, T, m, lo, hi) \
	{.key = k, .kind = K_INT, .flags = fl, .off = offsetof(T, m), .min = lo, .max = hi}
#define FNUM(k, fl, T, m, hi) \
	{.key = k, .kind = K_NUMBER, .flags = fl, .off = offsetof(T, m), .max = hi}
#define FBOOL(k, fl, T, m) {.key = k, .kind = K_BOOL, .flags = fl, .off = offsetof(T, m)}
#define FDATE(k, fl, T, m) {.key = k, .kind = K_DATE, .flags = fl, .off = offsetof(T, m)}
#define FENUM(k, fl, T, m, names_) \
	{.key = k, .kind = K_ENUM, .flags = fl, .off = offsetof(T, m), \
	 .names = names_, .n_names = ARRAY_LEN(names_)}
#define FSTRS(k, fl, T, m, nm) \
	{.key = k, .kind = K_STRINGS, .flags = fl, .off = offsetof(T, m), \
	 .count_off = offsetof(T, nm)}
#define FCUSTOM(k, fl, fn) {.key = k, .kind = K_CUSTOM, .flags = fl, .load = fn}

_Static_assert(sizeof(enum region_role) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum criticality) == sizeof(int), "enums are stored as int");

#define MAX_FIELDS 32

/*
 * Upper bounds of plan numbers (docs/plan-format.md, "Limits").  They keep
 * every value, and what the shipped rules derive from it (monthly_cost x 2.5
 * for the standby, sums over 10,000s of services), well inside what the
 * rules' results accept (1e15) and what a document prints exactly, so a
 * plan's data fails here, at plan.json:L:C, and never inside a rule.
 */
#define LIMIT_MONEY   1e12  /* monthly_cost, revenue_loss_per_hour */
#define LIMIT_COUNT   1e12  /* customers_affected */
#define LIMIT_HOURS   1e6   /* mtpd_hours: about 114 years */
#define LIMIT_MINUTES 1e6   /* after_minutes: about 694 days */
#define LIMIT_SIZE_GB 1e9   /* size_gb: an exabyte */

/* ---- values ---- */

static void wrong_type(struct ctx *c, const cJSON *j, jsonpos_node n,
		       const char *label, const char *expected)
{
	report(c, DIAG_ERROR, n, false, "wrong type for %s: expected %s, found %s",
	       label, expected, describe(c, j));
}

/* "[a-z0-9][a-z0-9-]*", at most PLAN_SERVICE_ID_MAX bytes. */
bool load_plan_service_id_valid(const char *id)
{
	size_t len = strlen(id);
	if (len == 0 || len > PLAN_SERVICE_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = id[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			  (ch == '-' && i > 0);
		if (!ok)
			return false;
	}
	return true;
}

/* Checks a string value; returns its arena copy, or NULL after a report. */
static const char *string_value(struct ctx *c, const cJSON *j, jsonpos_node n,
				const char *label, unsigned flags)
{
	if (!cJSON_IsString(j)) {
		wrong_type(c, j, n, label, "a string");
		return NULL;
	}
	const char *s = j->valuestring;
	if ((flags & (F_NONEMPTY | F_SERVICE_ID)) && s[0] == '\0') {
		report(c, DIAG_ERROR, n, false, "empty string for %s", label);
		return NULL;
	}
	if ((flags & F_SERVICE_ID) && !load_plan_service_id_valid(s)) {
		if (strlen(s) > PLAN_SERVICE_ID_MAX)
			report(c, DIAG_ERROR, n, false,
			       "service id too long: %zu bytes, the limit is %d",
			       strlen(s), PLAN_SERVICE_ID_MAX);
		else
			report(c, DIAG_ERROR, n, false,
			       "invalid service id %s: expected lowercase letters, "
			       "digits and '-', starting with a letter or digit",
			       quote(c, s));
		/* kept, so that references to it do not cascade */
	}
	return arena_strdup(c->m->arena, s);
}

static bool digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A date; on a defect, says whether it is malformed or impossible. */
static void date_value(struct ctx *c, const cJSON *j, jsonpos_node n,
		       const char *label, int64_t *out)
{
	if (!cJSON_IsString(j)) {
		wrong_type(c, j, n, label,
			   "a date (YYYY-MM-DD or an RFC 3339 time with offset)");
		return;
	}
	const char *s = j->valuestring;
	size_t len = strlen(s);
	if (date_parse_any(s, len, out))
		return;
	unsigned y, mo, d;
	if (len >= 10 && digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &mo) &&
	    s[7] == '-' && digits(s + 8, 2, &d)) {
		if (mo < 1 || mo > 12) {
			report(c, DIAG_ERROR, n, false,
			       "impossible date %s for %s: there is no month %u",
			       quote(c, s), label, mo);
			return;
		}
		int64_t first = date_days_from_civil(y, mo, 1);
		int64_t next = mo == 12 ? date_days_from_civil((int64_t)y + 1, 1, 1)
					: date_days_from_civil(y, mo + 1, 1);
		if (d < 1 || (int64_t)d > next - first) {
			report(c, DIAG_ERROR, n, false,
			       "impossible date %s for %s: %04u-%02u has %d days",
			       quote(c, s), label, y, mo, (int)(next - first));
			return;
		}
	}
	report(c, DIAG_ERROR, n, false,
	       "invalid date %s for %s: expected YYYY-MM-DD or an RFC 3339 time "
	       "with offset (2026-10-01T09:30:00Z)",
	       quote(c, s), label);
}

static void number_value(struct ctx *c, const cJSON *j, jsonpos_node n,
			 const char *label, unsigned flags, double max, double *out)
{
	if (!cJSON_IsNumber(j)) {
		wrong_type(c, j, n, label, "a number");
		return;
	}
	double v = j->valuedouble;
	if (!isfinite(v)) {
		report(c, DIAG_ERROR, n, false,
		       "invalid value for %s: number too large", label);
		return;
	}
	if ((flags & F_NONNEG) && v < 0) {
		report(c, DIAG_ERROR, n, false,
		       "invalid value for %s: expected a number of 0 or more, found %.15g",
		       label, v);
		return;
	}
	if (max > 0 && v > max) {
		report(c, DIAG_ERROR, n, false,
		       "invalid value for %s: expected a number from 0 to %.15g, found %.15g",
		       label, max, v);
		return;
	}
	*out = v;
}

static void int_value(struct ctx *c, const cJSON *j, jsonpos_node n,
		      const char *label, double min, double max, int *out)
{
	if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble) ||
	    j->valuedouble != floor(j->valuedouble)) {
		wrong_type(c, j, n, label, "an integer");
		return;
	}
	double v = j->valuedouble;
	if (v < min || v > max) {
		if (max >= INT32_MAX)
			report(c, DIAG_ERROR, n, false,
			       "invalid value for %s: expected an integer of %.0f or more, "
			       "found %.15g", label, min, v);
		else
			report(c, DIAG_ERROR, n, false,
			       "invalid value for %s: expected an integer from %.0f to %.0f, "
			       "found %.15g", label, min, max, v);
		return;
	}
	*out = (int)v;
}

static void enum_value(struct ctx *c, const cJSON *j, jsonpos_node n,
		       const char *label, const struct field *f, int *out)
{
	if (!cJSON_IsString(j)) {
		wrong_type(c, j, n, label, "a string");
		return;
	}
	int v = model_enum_find(f->names, f->n_names, j->valuestring);
	if (v >= 0) {
		*out = v;
		return;
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < f->n_names; i++) {
		if (i)
			buf_puts(&b, i + 1 == f->n_names ? " or " : ", ");
		buf_printf(&b, "\"%s\"", f->names[i]);
	}
	report(c, DIAG_ERROR, n, false, "invalid value for %s: expected %s, found %s",
	       label, b.data, quote(c, j->valuestring));
	buf_free(&b);
}

/* An array of strings into arena memory. */
static void strings_value(struct ctx *c, const cJSON *j, jsonpos_node n,
			  const char *key, unsigned flags, const char ***out,
			  size_t *count)
{
	char label[80];
	if (!cJSON_IsArray(j)) {
		snprintf(label, sizeof(label), "\"%s\"", key);
		wrong_type(c, j, n, label, "an array of strings");
		return;
	}
	snprintf(label, sizeof(label), "an element of \"%s\"", key);
	size_t len = (size_t)cJSON_GetArraySize(j), i = 0, k = 0;
	const char **v = arena_calloc(c->m->arena, len ? len : 1, sizeof(*v));
	const cJSON *e;
	cJSON_ArrayForEach(e, j) {
		size_t old = jsonpos_ptr_push_index(&c->ptr, i);
		const char *s = string_value(c, e, jsonpos_child(c->pos, n, i), label,
					     flags | F_NONEMPTY);
		/* keep positions aligned with the JSON: an unusable element stays */
		v[k++] = s ? s : "";
		jsonpos_ptr_pop(&c->ptr, old);
		i++;
	}
	*out = v;
	*count = k;
}

static void load_field(struct ctx *c, const struct field *f, const cJSON *j,
		       jsonpos_node n, void *obj)
{
	char label[80];
	void *at = (char *)obj + f->off;
	snprintf(label, sizeof(label), "\"%s\"", f->key);
	if (cJSON_IsNull(j) && !(f->flags & F_REQUIRED) && f->kind != K_IGNORED)
		return;  /* null is "not given" for optional keys */
	switch (f->kind) {
	case K_STRING: {
		const char *s = string_value(c, j, n, label, f->flags);
		if (s)
			*(const char **)at = s;
		break;
	}
	case K_TEXT:
		if (cJSON_IsNumber(j) && isfinite(j->valuedouble))
			*(const char **)at = arena_printf(c->m->arena, "%.15g",
							  j->valuedouble);
		else if (cJSON_IsString(j))
			*(const char **)at = string_value(c, j, n, label, f->flags);
		else
			wrong_type(c, j, n, label, "a string");
		break;
	case K_INT:
		int_value(c, j, n, label, f->min, f->max, (int *)at);
		break;
	case K_NUMBER:
		number_value(c, j, n, label, f->flags, f->max, (double *)at);
		break;
	case K_BOOL:
		if (cJSON_IsBool(j))
			*(bool *)at = cJSON_IsTrue(j);
		else
			wrong_type(c, j, n, label, "true or false");
		break;
	case K_DATE:
		date_value(c, j, n, label, (int64_t *)at);
		break;
	case K_ENUM:
		enum_value(c, j, n, label, f, (int *)at);
		break;
	case K_STRINGS:
		strings_value(c, j, n, f->key, f->flags, (const char ***)at,
			      (size_t *)(void *)((char *)obj + f->count_off));
		break;
	case K_CUSTOM:
		f->load(c, j, n, obj);
		break;
	case K_IGNORED:
		break;
	}
}

/*
 * Loads the object j (index node n, pointer ctx.ptr) into obj following
 * fields[].  `what` names the object kind in messages ("service").
 * Returns false when j is not an object.
 */
static bool load_object(struct ctx *c, const cJSON *j, jsonpos_node n,
			const char *what, const struct field *fields, size_t nf,
			void *obj)
{
	bool seen[MAX_FIELDS] = {false};
	const char *names[MAX_FIELDS];
	if (!cJSON_IsObject(j)) {
		/* a member is named by its key, an array element by its kind */
		const char *label = j->string ? quote(c, j->string) : what;
		report(c, DIAG_ERROR, n, false, "wrong type for %s: expected an object, found %s",
		       label, describe(c, j));
		return false;
	}
	for (size_t i = 0; i < nf; i++)
		names[i] = fields[i].key;
	size_t i = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, j) {
		jsonpos_node mn = jsonpos_child(c->pos, n, i++);
		size_t old = jsonpos_ptr_push_key(&c->ptr, m->string);
		size_t k = 0;
		while (k < nf && strcmp(fields[k].key, m->string) != 0)
			k++;
		if (k == nf) {
			/* An error (issue 13 item 9): a typo such as "depend_on"
			 * would otherwise silently change the recovery order. */
			const char *near = util_closest(m->string, names, nf);
			if (near)
				report(c, DIAG_ERROR, mn, true,
				       "unknown key %s in %s, did you mean \"%s\"",
				       quote(c, m->string), what, near);
			else
				report(c, DIAG_ERROR, mn, true, "unknown key %s in %s",
				       quote(c, m->string), what);
		} else if (seen[k]) {
			report(c, DIAG_ERROR, mn, true, "duplicate key %s in %s",
			       quote(c, m->string), what);
		} else {
			seen[k] = true;
			load_field(c, &fields[k], m, mn, obj);
		}
		jsonpos_ptr_pop(&c->ptr, old);
	}
	for (size_t k = 0; k < nf; k++) {
		if ((fields[k].flags & F_REQUIRED) && !seen[k])
			report(c, DIAG_ERROR, n, false, "missing required key \"%s\" in %s",
			       fields[k].key, what);
	}
	return true;
}

typedef void (*elem_fn)(struct ctx *c, const cJSON *j, jsonpos_node n,
			void *elem, size_t i);

/* An array of objects: arena array of elem_size elements, fn fills each. */
static void *load_array(struct ctx *c, const cJSON *j, jsonpos_node n,
			const char *key, size_t elem_size, size_t *count, elem_fn fn)
{
	*count = 0;
	if (!cJSON_IsArray(j)) {
		char label[64];
		snprintf(label, sizeof(label), "\"%s\"", key);
		wrong_type(c, j, n, label, "an array");
		return NULL;
	}
	size_t len = (size_t)cJSON_GetArraySize(j), i = 0;
	if (len == 0)
		return NULL;
	char *v = arena_calloc(c->m->arena, len, elem_size);
	const cJSON *e;
	cJSON_ArrayForEach(e, j) {
		size_t old = jsonpos_ptr_push_index(&c->ptr, i);
		fn(c, e, jsonpos_child(c->pos, n, i), v + i * elem_size, i);
		jsonpos_ptr_pop(&c->ptr, old);
		i++;
	}
	*count = len;
	return v;
}

static struct source_pos here(struct ctx *c, jsonpos_node n)
{
	int line, col;
	jsonpos_value_pos(c->pos, n, &line, &col);
	return (struct source_pos){c->file, line,
				   arena_strdup(c->m->arena, c->ptr.data ? c->ptr.data : "")};
}

/* ---- the objects of plan.json ---- */

static const struct field organization_fields[] = {
	FSTR("id", F_REQUIRED | F_NONEMPTY, struct organization, id),
	FSTR("name", F_REQUIRED | F_NONEMPTY, struct organization, name),
	FSTR("entity_type", 0, struct organization, entity_type),
	FSTR("currency", F_NONEMPTY, struct organization, currency),
	FSTR("classification", F_NONEMPTY, struct organization, classification),
};

static const struct field plan_fields[] = {
	FTEXT("version", 0, struct plan_meta, version),
	FSTR("owner", F_NONEMPTY, struct plan_meta, owner),
	FSTR("approved_by", 0, struct plan_meta, approved_by),
	FDATE("approved_on", 0, struct plan_meta, approved_on),
	FDATE("last_review", 0, struct plan_meta, last_review),
	FDATE("next_review", 0, struct plan_meta, next_review),
};

static const struct field region_fields[] = {
	FSTR("id", F_REQUIRED | F_NONEMPTY, struct region, id),
	FENUM("role", F_REQUIRED, struct region, role, model_region_role_names),
};

static const struct field contact_fields[] = {
	FSTR("id", F_REQUIRED | F_NONEMPTY, struct contact, id),
	FSTR("name", F_REQUIRED | F_NONEMPTY, struct contact, name),
	FSTR("role", 0, struct contact, role),
	FSTR("email", 0, struct contact, email),
	FSTR("phone", 0, struct contact, phone),
	FSTR("team", 0, struct contact, team),
	FDATE("last_verified", 0, struct contact, last_verified),
};

static const struct field escalation_fields[] = {
	FINT("level", F_REQUIRED, struct escalation_step, level, 1, 100),
	FSTR("contact", F_REQUIRED | F_NONEMPTY, struct escalation_step, contact),
	FNUM("after_minutes", F_NONNEG, struct escalation_step, after_minutes, LIMIT_MINUTES),
};

static const struct field impact_fields[] = {
	FNUM("revenue_loss_per_hour", F_NONNEG, struct impact, revenue_loss_per_hour, LIMIT_MONEY),
	FNUM("customers_affected", F_NONNEG, struct impact, customers_affected, LIMIT_COUNT),
	FBOOL("regulatory", 0, struct impact, regulatory),
	FNUM("mtpd_hours", F_NONNEG, struct impact, mtpd_hours, LIMIT_HOURS),
	FSTR("notes", 0, struct impact, notes),
};

static void load_datastore_procedure(struct ctx *c, const cJSON *j, jsonpos_node n,
				     void *obj);
static void load_service_procedure(struct ctx *c, const cJSON *j, jsonpos_node n,
				   void *obj);

static const struct field datastore_fields[] = {
	FSTR("id", F_REQUIRED | F_NONEMPTY, struct datastore, id),
	FSTR("engine", 0, struct datastore, engine),
	FENUM("criticality", F_REQUIRED, struct datastore, criticality,
	      model_criticality_names),
	FNUM("size_gb", F_NONNEG, struct datastore, size_gb, LIMIT_SIZE_GB),
	FCUSTOM("procedure", 0, load_datastore_procedure),
	FSTRS("sources", 0, struct datastore, sources, n_sources),
};

static const struct field health_check_fields[] = {
	FSTR("name", F_REQUIRED | F_NONEMPTY, struct health_check, name),
	FSTR("endpoint", F_REQUIRED | F_NONEMPTY, struct health_check, endpoint),
	FINT("expected_status", 0, struct health_check, expected_status, 100, 599),
};

/*
 * Attestations and exceptions (issue 13, items 10-12): who attests and who
 * approves are contacts (resolved in resolve_accountability), a statement
 * is required, an exception has an id, an approval date and an expiry, and
 * may be narrowed to datastores and checks.  The rules judge the rest
 * (maximum ages and durations, independence, control ids).
 */
/* An attestation's date; a time is also kept as written, so that the
 * evidence says when it was signed in the attester's own zone. */
static void load_attestation_date(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct attestation *a = obj;
	date_value(c, j, n, "\"date\"", &a->date);
	if (a->date != DATE_NONE && strpbrk(j->valuestring, "Tt"))
		a->time = arena_strdup(c->m->arena, j->valuestring);
}

static const struct field attestation_fields[] = {
	FSTR("topic", F_REQUIRED | F_NONEMPTY, struct attestation, topic),
	FSTR("statement", F_REQUIRED | F_NONEMPTY, struct attestation, statement),
	FSTR("attester", F_REQUIRED | F_NONEMPTY, struct attestation, attester),
	FCUSTOM("date", F_REQUIRED, load_attestation_date),
	FDATE("expires", 0, struct attestation, expires),
	FSTR("evidence", 0, struct attestation, evidence),
	FSTR("alternative_measure", F_NONEMPTY, struct attestation, alternative_measure),
	FSTR("approved_by", F_NONEMPTY, struct attestation, approved_by),
};

static const struct field exception_fields[] = {
	FSTR("id", F_REQUIRED | F_NONEMPTY, struct exception, id),
	FSTR("control", F_REQUIRED | F_NONEMPTY, struct exception, control),
	FSTRS("services", 0, struct exception, services, n_services),
	FSTRS("datastores", 0, struct exception, datastores, n_datastores),
	FSTRS("checks", 0, struct exception, checks, n_checks),
	FSTR("justification", F_REQUIRED | F_NONEMPTY, struct exception, justification),
	FSTR("approved_by", F_REQUIRED | F_NONEMPTY, struct exception, approved_by),
	FDATE("approved_on", F_REQUIRED, struct exception, approved_on),
	FDATE("expires", F_REQUIRED, struct exception, expires),
};

static const struct field response_fields[] = {
	FSTR("response", F_REQUIRED | F_NONEMPTY, struct mgmt_response, response),
	FSTR("owner", F_NONEMPTY, struct mgmt_response, owner),
	FDATE("target_date", 0, struct mgmt_response, target_date),
	FBOOL("accepts_risk", 0, struct mgmt_response, accepts_risk),
	FSTR("exception", F_NONEMPTY, struct mgmt_response, exception),
};

static const struct field window_fields[] = {
	FSTR("start", F_REQUIRED | F_NONEMPTY, struct maintenance_window, start),
	FSTR("end", F_REQUIRED | F_NONEMPTY, struct maintenance_window, end),
};

/* ---- procedure (the team's commands and minutes per kind of step) ---- */

static const struct field procedure_step_fields[] = {
	FSTRS("commands", 0, struct procedure_step_data, commands, n_commands),
	FNUM("minutes", F_NONNEG, struct procedure_step_data, minutes, LIMIT_MINUTES),
};

static void load_step(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj,
		      enum procedure_step k)
{
	struct procedure *p = obj;
	load_object(c, j, n, "procedure step", procedure_step_fields,
		    ARRAY_LEN(procedure_step_fields), &p->steps[k]);
}

#define STEP_LOADER(name, k) \
	static void load_step_##name(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj) \
	{ \
		load_step(c, j, n, obj, k); \
	}
STEP_LOADER(detect, PROC_DETECT)
STEP_LOADER(fence, PROC_FENCE)
STEP_LOADER(promote, PROC_PROMOTE)
STEP_LOADER(restore, PROC_RESTORE)
STEP_LOADER(deploy, PROC_DEPLOY)
STEP_LOADER(redirect, PROC_REDIRECT)
STEP_LOADER(verify, PROC_VERIFY)
STEP_LOADER(rollback, PROC_ROLLBACK)
#undef STEP_LOADER

#define STEP_FIELDS \
	FCUSTOM("detect", 0, load_step_detect), \
	FCUSTOM("fence", 0, load_step_fence), \
	FCUSTOM("promote", 0, load_step_promote), \
	FCUSTOM("restore", 0, load_step_restore), \
	FCUSTOM("deploy", 0, load_step_deploy), \
	FCUSTOM("redirect", 0, load_step_redirect), \
	FCUSTOM("verify", 0, load_step_verify), \
	FCUSTOM("rollback", 0, load_step_rollback)

static const struct field service_procedure_fields[] = {
	FSTR("target_region", F_NONEMPTY, struct procedure, target_region),
	STEP_FIELDS,
};

static const struct field datastore_procedure_fields[] = {
	FSTRS("replica_regions", 0, struct procedure, replica_regions, n_replica_regions),
	FBOOL("promotion_fences", 0, struct procedure, promotion_fences),
	STEP_FIELDS,
};
#undef STEP_FIELDS

static void procedure_init(struct procedure *p)
{
	for (size_t k = 0; k < PROC_STEP_COUNT; k++)
		p->steps[k].minutes = NAN;
}

static void load_procedure(struct ctx *c, const cJSON *j, jsonpos_node n,
			   struct procedure *p, const char *what,
			   const struct field *fields, size_t nf)
{
	procedure_init(p);
	if (!load_object(c, j, n, what, fields, nf, p))
		return;
	char *text = cJSON_PrintUnformatted(j);
	if (text) {
		p->json = arena_strdup(c->m->arena, text);
		cJSON_free(text);
	}
}

static void load_service_procedure(struct ctx *c, const cJSON *j, jsonpos_node n,
				   void *obj)
{
	struct service *s = obj;
	load_procedure(c, j, n, &s->procedure, "service procedure",
		       service_procedure_fields, ARRAY_LEN(service_procedure_fields));
}

static void load_datastore_procedure(struct ctx *c, const cJSON *j, jsonpos_node n,
				     void *obj)
{
	struct datastore *ds = obj;
	load_procedure(c, j, n, &ds->procedure, "datastore procedure",
		       datastore_procedure_fields, ARRAY_LEN(datastore_procedure_fields));
}

static void load_impact(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct service *s = obj;
	load_object(c, j, n, "impact", impact_fields, ARRAY_LEN(impact_fields),
		    &s->impact);
}

static void load_datastore(struct ctx *c, const cJSON *j, jsonpos_node n,
			   void *elem, size_t i)
{
	struct model *m = c->m;
	struct service *s = elem;  /* the service; the datastore goes to m */
	(void)i;
	struct datastore *ds = &m->datastores[m->n_datastores];
	ds->size_gb = NAN;
	ds->criticality = CRIT_STANDARD;
	ds->service_index = c->service;
	ds->pos = here(c, n);
	procedure_init(&ds->procedure);
	load_object(c, j, n, "datastore", datastore_fields,
		    ARRAY_LEN(datastore_fields), ds);
	s->datastore_index[s->n_datastores++] = m->n_datastores++;
}

static void load_datastores(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct service *s = obj;
	if (!cJSON_IsArray(j)) {
		wrong_type(c, j, n, "\"datastores\"", "an array");
		return;
	}
	size_t len = (size_t)cJSON_GetArraySize(j), i = 0;
	s->datastore_index = arena_calloc(c->m->arena, len ? len : 1, sizeof(size_t));
	const cJSON *e;
	cJSON_ArrayForEach(e, j) {
		size_t old = jsonpos_ptr_push_index(&c->ptr, i);
		load_datastore(c, e, jsonpos_child(c->pos, n, i), s, i);
		jsonpos_ptr_pop(&c->ptr, old);
		i++;
	}
}

static void load_health_check(struct ctx *c, const cJSON *j, jsonpos_node n,
			      void *elem, size_t i)
{
	(void)i;
	load_object(c, j, n, "health check", health_check_fields,
		    ARRAY_LEN(health_check_fields), elem);
}

static void load_health_checks(struct ctx *c, const cJSON *j, jsonpos_node n,
			       void *obj)
{
	struct service *s = obj;
	s->health_checks = load_array(c, j, n, "health_checks",
				      sizeof(struct health_check),
				      &s->n_health_checks, load_health_check);
}

static void load_escalation_step(struct ctx *c, const cJSON *j, jsonpos_node n,
				 void *elem, size_t i)
{
	struct escalation_step *e = elem;
	(void)i;
	e->after_minutes = NAN;
	e->contact_index = UNRESOLVED;
	load_object(c, j, n, "escalation step", escalation_fields,
		    ARRAY_LEN(escalation_fields), e);
}

static void load_service_escalation(struct ctx *c, const cJSON *j, jsonpos_node n,
				    void *obj)
{
	struct service *s = obj;
	s->escalation = load_array(c, j, n, "escalation",
				   sizeof(struct escalation_step), &s->n_escalation,
				   load_escalation_step);
}

static const struct field service_fields[] = {
	FSTR("id", F_REQUIRED | F_SERVICE_ID, struct service, id),
	FSTR("name", F_REQUIRED | F_NONEMPTY, struct service, name),
	FSTR("description", 0, struct service, description),
	FSTR("owner", F_NONEMPTY, struct service, owner),
	FSTR("team", 0, struct service, team),
	FCUSTOM("impact", 0, load_impact),
	FSTRS("data_scope", 0, struct service, data_scope, n_data_scope),
	FINT("tier", 0, struct service, tier, 1, 4),
	FSTRS("depends_on", 0, struct service, depends_on, n_depends_on),
	FSTRS("regions", 0, struct service, regions, n_regions),
	FCUSTOM("datastores", 0, load_datastores),
	FNUM("monthly_cost", F_NONNEG, struct service, monthly_cost, LIMIT_MONEY),
	FCUSTOM("health_checks", 0, load_health_checks),
	FSTR("runbook", F_NONEMPTY, struct service, runbook_path),
	FCUSTOM("escalation", 0, load_service_escalation),
	FCUSTOM("procedure", 0, load_service_procedure),
};

static void load_service(struct ctx *c, const cJSON *j, jsonpos_node n,
			 void *elem, size_t i)
{
	struct service *s = elem;
	s->impact.revenue_loss_per_hour = NAN;
	s->impact.customers_affected = NAN;
	s->impact.mtpd_hours = NAN;
	s->monthly_cost = NAN;
	s->pos = here(c, n);
	procedure_init(&s->procedure);
	c->service = i;
	load_object(c, j, n, "service", service_fields, ARRAY_LEN(service_fields), s);
}

static void load_region(struct ctx *c, const cJSON *j, jsonpos_node n, void *elem,
			size_t i)
{
	(void)i;
	load_object(c, j, n, "region", region_fields, ARRAY_LEN(region_fields), elem);
}

static void load_contact(struct ctx *c, const cJSON *j, jsonpos_node n, void *elem,
			 size_t i)
{
	struct contact *ct = elem;
	(void)i;
	ct->last_verified = DATE_NONE;
	load_object(c, j, n, "contact", contact_fields, ARRAY_LEN(contact_fields), ct);
}

static void load_attestation(struct ctx *c, const cJSON *j, jsonpos_node n,
			     void *elem, size_t i)
{
	struct attestation *a = elem;
	(void)i;
	a->date = DATE_NONE;
	a->expires = DATE_NONE;
	a->pos = here(c, n);
	load_object(c, j, n, "attestation", attestation_fields,
		    ARRAY_LEN(attestation_fields), a);
}

static void load_exception(struct ctx *c, const cJSON *j, jsonpos_node n,
			   void *elem, size_t i)
{
	struct exception *e = elem;
	(void)i;
	e->expires = e->approved_on = DATE_NONE;
	e->pos = here(c, n);
	load_object(c, j, n, "exception", exception_fields,
		    ARRAY_LEN(exception_fields), e);
}

/* A window bound that looks like a date must be one; others are cron-like. */
static bool looks_like_date(const char *s)
{
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return s[4] == '-';
}

static void load_window(struct ctx *c, const cJSON *j, jsonpos_node n, void *elem,
			size_t i)
{
	struct maintenance_window *w = elem;
	(void)i;
	if (!load_object(c, j, n, "maintenance window", window_fields,
			 ARRAY_LEN(window_fields), w))
		return;
	int64_t t[2] = {DATE_NONE, DATE_NONE};
	const char *keys[2] = {"start", "end"};
	const char *vals[2] = {w->start, w->end};
	for (int k = 0; k < 2; k++) {
		if (!vals[k] || !looks_like_date(vals[k]))
			continue;
		size_t old = jsonpos_ptr_push_key(&c->ptr, keys[k]);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
		char label[16];
		snprintf(label, sizeof(label), "\"%s\"", keys[k]);
		date_value(c, v, jsonpos_member(c->pos, n, keys[k], strlen(keys[k])),
			   label, &t[k]);
		jsonpos_ptr_pop(&c->ptr, old);
	}
	if (t[0] != DATE_NONE && t[1] != DATE_NONE && t[1] <= t[0]) {
		size_t old = jsonpos_ptr_push_key(&c->ptr, "end");
		report(c, DIAG_ERROR, jsonpos_member(c->pos, n, "end", 3), false,
		       "maintenance window ends before it starts");
		jsonpos_ptr_pop(&c->ptr, old);
	}
}

static void load_organization(struct ctx *c, const cJSON *j, jsonpos_node n,
			      void *obj)
{
	struct model *m = obj;
	load_object(c, j, n, "organization", organization_fields,
		    ARRAY_LEN(organization_fields), &m->org);
	if (m->org.currency && !currency_known(m->org.currency)) {
		size_t old = jsonpos_ptr_push_key(&c->ptr, "currency");
		report(c, DIAG_ERROR, jsonpos_member(c->pos, n, "currency", 8), false,
		       "unknown currency %s: expected an ISO 4217 code such as \"EUR\" or \"USD\"",
		       quote(c, m->org.currency));
		jsonpos_ptr_pop(&c->ptr, old);
	}
}

/* management_responses: {finding id: {response, owner, target_date, ...}} */
static void load_responses(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	if (!cJSON_IsObject(j)) {
		wrong_type(c, j, n, "\"management_responses\"", "an object");
		return;
	}
	size_t len = (size_t)cJSON_GetArraySize(j), i = 0;
	if (len == 0)
		return;
	m->responses = arena_calloc(m->arena, len, sizeof(*m->responses));
	const cJSON *e;
	cJSON_ArrayForEach(e, j) {
		struct mgmt_response *r = &m->responses[i];
		jsonpos_node en = jsonpos_child(c->pos, n, i++);
		size_t old = jsonpos_ptr_push_key(&c->ptr, e->string);
		r->finding = arena_strdup(m->arena, e->string);
		r->target_date = DATE_NONE;
		r->exception_index = UNRESOLVED;
		r->pos = here(c, en);
		load_object(c, e, en, "management response", response_fields,
			    ARRAY_LEN(response_fields), r);
		jsonpos_ptr_pop(&c->ptr, old);
	}
	m->n_responses = len;
}

static void load_meta(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	load_object(c, j, n, "plan", plan_fields, ARRAY_LEN(plan_fields), &m->meta);
}

static void load_version(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	int v = 0;
	int_value(c, j, n, "\"drgen\"", INT32_MIN, INT32_MAX, &v);
	m->format_version = v;
}

static void load_regions(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->regions = load_array(c, j, n, "regions", sizeof(*m->regions),
				&m->n_regions, load_region);
}

static void load_contacts(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->contacts = load_array(c, j, n, "contacts", sizeof(*m->contacts),
				 &m->n_contacts, load_contact);
}

static void load_escalation(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->escalation = load_array(c, j, n, "escalation", sizeof(*m->escalation),
				   &m->n_escalation, load_escalation_step);
}

/* Datastores live in one model-wide array: count them before loading. */
static void load_services(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	size_t total = 0;
	const cJSON *s;
	if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(s, j) {
			const cJSON *ds = cJSON_IsObject(s)
				? cJSON_GetObjectItemCaseSensitive(s, "datastores") : NULL;
			if (cJSON_IsArray(ds))
				total += (size_t)cJSON_GetArraySize(ds);
		}
	}
	m->datastores = arena_calloc(m->arena, total ? total : 1, sizeof(*m->datastores));
	m->services = load_array(c, j, n, "services", sizeof(*m->services),
				 &m->n_services, load_service);
}

static void load_attestations(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->attestations = load_array(c, j, n, "attestations", sizeof(*m->attestations),
				     &m->n_attestations, load_attestation);
}

static void load_exceptions(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->exceptions = load_array(c, j, n, "exceptions", sizeof(*m->exceptions),
				   &m->n_exceptions, load_exception);
}

static void load_windows(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	m->maintenance_windows = load_array(c, j, n, "maintenance_windows",
					    sizeof(*m->maintenance_windows),
					    &m->n_maintenance_windows, load_window);
}

static void load_profile(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct compliance_settings *cs = obj;
	if (!cJSON_IsObject(j)) {
		wrong_type(c, j, n, "\"profile\"", "an object");
		return;
	}
	char *text = cJSON_PrintUnformatted(j);
	if (text) {
		cs->profile_json = arena_strdup(c->m->arena, text);
		cJSON_free(text);
	}
}

static const struct field compliance_fields[] = {
	FSTRS("frameworks", 0, struct compliance_settings, frameworks, n_frameworks),
	FCUSTOM("profile", 0, load_profile),
};

static void load_compliance(struct ctx *c, const cJSON *j, jsonpos_node n, void *obj)
{
	struct model *m = obj;
	load_object(c, j, n, "compliance", compliance_fields,
		    ARRAY_LEN(compliance_fields), &m->compliance);
}

static const struct field plan_json_fields[] = {
	{.key = "$schema", .kind = K_IGNORED},
	FCUSTOM("drgen", F_REQUIRED, load_version),
	FCUSTOM("organization", F_REQUIRED, load_organization),
	FCUSTOM("plan", F_REQUIRED, load_meta),
	FCUSTOM("regions", 0, load_regions),
	FCUSTOM("contacts", 0, load_contacts),
	FCUSTOM("escalation", 0, load_escalation),
	FCUSTOM("services", F_REQUIRED, load_services),
	FCUSTOM("compliance", 0, load_compliance),
	FCUSTOM("attestations", 0, load_attestations),
	FCUSTOM("exceptions", 0, load_exceptions),
	FCUSTOM("maintenance_windows", 0, load_windows),
	FCUSTOM("management_responses", 0, load_responses),
};

/* ---- resolve: ids and references ---- */

/* Puts id into map; a duplicate is reported at pointer fmt % i. */
static void register_id(struct ctx *c, struct strmap *map, const char *id,
			void *value, const char *kind, const char *ptr_fmt,
			size_t i, size_t (*index_of)(struct ctx *, const void *))
{
	char ptr[96];
	if (!id)
		return;
	void *first = strmap_get(map, id);
	if (!first) {
		strmap_put(map, id, value);
		return;
	}
	snprintf(ptr, sizeof(ptr), ptr_fmt, i);
	char first_ptr[96];
	snprintf(first_ptr, sizeof(first_ptr), ptr_fmt, index_of(c, first));
	report_at(c, DIAG_ERROR, ptr, "duplicate %s id %s (first defined on line %d)",
		  kind, quote(c, id), line_of(c, first_ptr));
}

static size_t region_index(struct ctx *c, const void *p)
{
	return (size_t)((const struct region *)p - c->m->regions);
}

static size_t contact_index(struct ctx *c, const void *p)
{
	return (size_t)((const struct contact *)p - c->m->contacts);
}

static size_t service_index(struct ctx *c, const void *p)
{
	return (size_t)((const struct service *)p - c->m->services);
}

/* Datastore pointers differ per service, so duplicates report via pos. */
static void register_datastores(struct ctx *c)
{
	struct model *m = c->m;
	for (size_t i = 0; i < m->n_datastores; i++) {
		struct datastore *ds = &m->datastores[i];
		if (!ds->id)
			continue;
		struct datastore *first = strmap_get(m->datastore_by_id, ds->id);
		if (!first) {
			strmap_put(m->datastore_by_id, ds->id, ds);
			continue;
		}
		char ptr[160];
		snprintf(ptr, sizeof(ptr), "%s/id", ds->pos.pointer);
		report_at(c, DIAG_ERROR, ptr,
			  "duplicate datastore id %s (first defined on line %d, "
			  "in service %s)", quote(c, ds->id), first->pos.line,
			  quote(c, m->services[first->service_index].id
				   ? m->services[first->service_index].id : "?"));
	}
}

static size_t resolve(struct ctx *c, struct strmap *map, const char *kind,
		      const char *id, const char *pointer, const void *base,
		      size_t elem_size)
{
	void *v = strmap_get(map, id);
	if (v)
		return (size_t)((const char *)v - (const char *)base) / elem_size;
	report_at(c, DIAG_ERROR, pointer, "unknown %s %s%s", kind, quote(c, id),
		  suggest_id(c, id, map));
	return UNRESOLVED;
}

static size_t resolve_contact(struct ctx *c, const char *id, const char *pointer)
{
	return resolve(c, c->m->contact_by_id, "contact", id, pointer,
		       c->m->contacts, sizeof(struct contact));
}

static void resolve_chain(struct ctx *c, struct escalation_step *steps, size_t n,
			  const char *prefix)
{
	char ptr[160];
	for (size_t i = 0; i < n; i++) {
		if (steps[i].contact) {
			snprintf(ptr, sizeof(ptr), "%s/%zu/contact", prefix, i);
			steps[i].contact_index = resolve_contact(c, steps[i].contact, ptr);
		}
		if (i > 0 && steps[i].level && steps[i - 1].level &&
		    steps[i].level <= steps[i - 1].level) {
			snprintf(ptr, sizeof(ptr), "%s/%zu/level", prefix, i);
			report_at(c, DIAG_ERROR, ptr,
				  "escalation levels out of order: level %d follows level %d",
				  steps[i].level, steps[i - 1].level);
		}
	}
}

static void resolve_service(struct ctx *c, size_t si, size_t *stamp)
{
	struct model *m = c->m;
	struct service *s = &m->services[si];
	char ptr[160];
	const char *base = s->pos.pointer;

	s->owner_index = UNRESOLVED;
	if (s->owner) {
		snprintf(ptr, sizeof(ptr), "%s/owner", base);
		s->owner_index = resolve_contact(c, s->owner, ptr);
	}
	s->depends_on_index = arena_calloc(m->arena, s->n_depends_on ? s->n_depends_on : 1,
					   sizeof(size_t));
	for (size_t k = 0; k < s->n_depends_on; k++) {
		const char *dep = s->depends_on[k];
		s->depends_on_index[k] = UNRESOLVED;
		if (!dep[0])
			continue;  /* reported as the wrong type already */
		snprintf(ptr, sizeof(ptr), "%s/depends_on/%zu", base, k);
		size_t t = resolve(c, m->service_by_id, "service", dep, ptr,
				   m->services, sizeof(struct service));
		if (t == UNRESOLVED)
			continue;
		if (t == si) {
			report_at(c, DIAG_ERROR, ptr, "service %s depends on itself",
				  quote(c, s->id));
			continue;
		}
		if (stamp[t] == si + 1)
			report_at(c, DIAG_WARNING, ptr, "dependency %s is listed twice",
				  quote(c, dep));
		stamp[t] = si + 1;
		s->depends_on_index[k] = t;
	}
	s->region_index = arena_calloc(m->arena, s->n_regions ? s->n_regions : 1,
				       sizeof(size_t));
	for (size_t k = 0; k < s->n_regions; k++) {
		s->region_index[k] = UNRESOLVED;
		if (!s->regions[k][0])
			continue;
		snprintf(ptr, sizeof(ptr), "%s/regions/%zu", base, k);
		s->region_index[k] = resolve(c, m->region_by_id, "region", s->regions[k],
					     ptr, m->regions, sizeof(struct region));
	}
	snprintf(ptr, sizeof(ptr), "%s/escalation", base);
	resolve_chain(c, s->escalation, s->n_escalation, ptr);
	/* The procedure's regions are the plan's regions. */
	if (s->procedure.target_region) {
		snprintf(ptr, sizeof(ptr), "%s/procedure/target_region", base);
		resolve(c, m->region_by_id, "region", s->procedure.target_region, ptr,
			m->regions, sizeof(struct region));
	}
	for (size_t k = 0; k < s->n_datastores; k++) {
		const struct procedure *p = &m->datastores[s->datastore_index[k]].procedure;
		for (size_t r = 0; r < p->n_replica_regions; r++) {
			if (!p->replica_regions[r][0])
				continue;
			snprintf(ptr, sizeof(ptr), "%s/datastores/%zu/procedure/replica_regions/%zu",
				 base, k, r);
			resolve(c, m->region_by_id, "region", p->replica_regions[r], ptr,
				m->regions, sizeof(struct region));
		}
	}
}

/*
 * Dependency cycles: Tarjan's strongly connected components, iteratively.
 * For each component with more than one service, the shortest cycle
 * through its first service (in plan order) is reported, so the message
 * names every service on one real cycle, in order.
 */
struct tarjan {
	size_t *index, *low, *comp;
	bool *on_stack;
	size_t *stack, sp;
	size_t *call_v, *call_k, csp;
	size_t counter, n_comp;
};

static size_t next_edge(const struct service *s, size_t *k)
{
	while (*k < s->n_depends_on) {
		size_t t = s->depends_on_index[(*k)++];
		if (t != UNRESOLVED)
			return t;
	}
	return UNRESOLVED;
}

static void tarjan_run(const struct model *m, struct tarjan *t)
{
	size_t n = m->n_services;
	for (size_t v0 = 0; v0 < n; v0++) {
		if (t->index[v0] != SIZE_MAX)
			continue;
		t->csp = 0;
		t->call_v[t->csp] = v0;
		t->call_k[t->csp++] = 0;
		t->index[v0] = t->low[v0] = t->counter++;
		t->stack[t->sp++] = v0;
		t->on_stack[v0] = true;
		while (t->csp) {
			size_t v = t->call_v[t->csp - 1];
			size_t w = next_edge(&m->services[v], &t->call_k[t->csp - 1]);
			if (w != UNRESOLVED) {
				if (t->index[w] == SIZE_MAX) {
					t->index[w] = t->low[w] = t->counter++;
					t->stack[t->sp++] = w;
					t->on_stack[w] = true;
					t->call_v[t->csp] = w;
					t->call_k[t->csp++] = 0;
				} else if (t->on_stack[w] && t->index[w] < t->low[v]) {
					t->low[v] = t->index[w];
				}
				continue;
			}
			t->csp--;
			if (t->csp) {
				size_t parent = t->call_v[t->csp - 1];
				if (t->low[v] < t->low[parent])
					t->low[parent] = t->low[v];
			}
			if (t->low[v] == t->index[v]) {
				size_t x;
				do {
					x = t->stack[--t->sp];
					t->on_stack[x] = false;
					t->comp[x] = t->n_comp;
				} while (x != v);
				t->n_comp++;
			}
		}
	}
}

/*
 * BFS from start inside its component until an edge leads back to start.
 * parent[] is all UNRESOLVED on entry and on return; queue and path have
 * room for every service.
 */
static void report_cycle(struct ctx *c, const struct tarjan *t, size_t start,
			 size_t *parent, size_t *queue, size_t *path)
{
	const struct model *m = c->m;
	size_t comp = t->comp[start], head = 0, tail = 0, last = UNRESOLVED;
	queue[tail++] = start;
	parent[start] = start;
	while (head < tail && last == UNRESOLVED) {
		size_t v = queue[head++], k = 0, w;
		while ((w = next_edge(&m->services[v], &k)) != UNRESOLVED) {
			if (t->comp[w] != comp)
				continue;
			if (w == start) {
				last = v;
				break;
			}
			if (parent[w] == UNRESOLVED) {
				parent[w] = v;
				queue[tail++] = w;
			}
		}
	}
	size_t len = 0;
	for (size_t v = last; last != UNRESOLVED && v != start; v = parent[v])
		path[len++] = v;   /* backwards: last ... successor of start */
	for (size_t i = 0; i < tail; i++)
		parent[queue[i]] = UNRESOLVED;
	if (last == UNRESOLVED || len == 0)
		return;  /* cannot happen in a component of two or more */

	struct buf b = BUF_INIT;
	buf_printf(&b, "dependency cycle: %s", m->services[start].id);
	for (size_t i = len; i-- > 0;)
		buf_printf(&b, " -> %s", m->services[path[i]].id);
	buf_printf(&b, " -> %s", m->services[start].id);
	/* Point at start's depends_on entry naming the next service. */
	size_t next = path[len - 1], k = 0;
	const struct service *s = &m->services[start];
	while (k < s->n_depends_on && s->depends_on_index[k] != next)
		k++;
	char ptr[160];
	snprintf(ptr, sizeof(ptr), "%s/depends_on/%zu", s->pos.pointer, k);
	report_at(c, DIAG_ERROR, ptr, "%s", b.data);
	buf_free(&b);
}

static void find_cycles(struct ctx *c)
{
	const struct model *m = c->m;
	size_t n = m->n_services;
	if (n == 0)
		return;
	struct tarjan t = {0};
	t.index = xmalloc(n * sizeof(size_t));
	t.low = xmalloc(n * sizeof(size_t));
	t.comp = xmalloc(n * sizeof(size_t));
	t.on_stack = xcalloc(n, sizeof(bool));
	t.stack = xmalloc(n * sizeof(size_t));
	t.call_v = xmalloc(n * sizeof(size_t));
	t.call_k = xmalloc(n * sizeof(size_t));
	size_t *size = xcalloc(n, sizeof(size_t));
	bool *done = xcalloc(n, sizeof(bool));
	for (size_t v = 0; v < n; v++)
		t.index[v] = SIZE_MAX;
	tarjan_run(m, &t);
	for (size_t v = 0; v < n; v++)
		size[t.comp[v]]++;
	/* After the run, low[], stack[] and call_v[] serve the BFS. */
	for (size_t v = 0; v < n; v++)
		t.low[v] = UNRESOLVED;
	for (size_t v = 0; v < n; v++) {
		size_t comp = t.comp[v];
		if (size[comp] < 2 || done[comp])
			continue;
		done[comp] = true;
		report_cycle(c, &t, v, t.low, t.stack, t.call_v);
	}
	free(done);
	free(size);
	free(t.index);
	free(t.low);
	free(t.comp);
	free(t.on_stack);
	free(t.stack);
	free(t.call_v);
	free(t.call_k);
}

/* A response's owner and exception exist; accepting a risk needs an active exception. */
static void resolve_responses(struct ctx *c)
{
	struct model *m = c->m;
	char ptr[200];
	for (size_t i = 0; i < m->n_responses; i++) {
		struct mgmt_response *r = &m->responses[i];
		if (r->owner) {
			snprintf(ptr, sizeof(ptr), "%s/owner", r->pos.pointer);
			resolve_contact(c, r->owner, ptr);
		}
		if (r->exception) {
			for (size_t k = 0; k < m->n_exceptions; k++) {
				if (m->exceptions[k].id && strcmp(m->exceptions[k].id, r->exception) == 0)
					r->exception_index = k;
			}
			snprintf(ptr, sizeof(ptr), "%s/exception", r->pos.pointer);
			if (r->exception_index == UNRESOLVED) {
				report_at(c, DIAG_ERROR, ptr, "unknown exception %s: no exception has this id",
					  quote(c, r->exception));
				continue;
			}
			const struct exception *ex = &m->exceptions[r->exception_index];
			if (r->accepts_risk && ex->expires != DATE_NONE && m->as_of != 0 &&
			    ex->expires < m->as_of)
				report_at(c, DIAG_WARNING, ptr,
					  "the risk is accepted under exception %s, which expired before the as-of time",
					  quote(c, r->exception));
		} else if (r->accepts_risk) {
			snprintf(ptr, sizeof(ptr), "%s/accepts_risk", r->pos.pointer);
			report_at(c, DIAG_ERROR, ptr,
				  "a response that accepts the risk must name the active exception "
				  "that records it (\"exception\": its id)");
		}
	}
}
static void resolve_all(struct ctx *c)
{
	struct model *m = c->m;
	char ptr[64];

	for (size_t i = 0; i < m->n_regions; i++)
		register_id(c, m->region_by_id, m->regions[i].id, &m->regions[i],
			    "region", "/regions/%zu/id", i, region_index);
	for (size_t i = 0; i < m->n_contacts; i++)
		register_id(c, m->contact_by_id, m->contacts[i].id, &m->contacts[i],
			    "contact", "/contacts/%zu/id", i, contact_index);
	for (size_t i = 0; i < m->n_services; i++)
		register_id(c, m->service_by_id, m->services[i].id, &m->services[i],
			    "service", "/services/%zu/id", i, service_index);
	register_datastores(c);

	if (m->meta.owner)
		resolve_contact(c, m->meta.owner, "/plan/owner");
	resolve_chain(c, m->escalation, m->n_escalation, "/escalation");
	size_t *stamp = xcalloc(m->n_services ? m->n_services : 1, sizeof(size_t));
	for (size_t i = 0; i < m->n_services; i++)
		resolve_service(c, i, stamp);
	free(stamp);
	for (size_t i = 0; i < m->n_exceptions; i++) {
		const struct exception *e = &m->exceptions[i];
		for (size_t k = 0; k < e->n_services; k++) {
			if (!e->services[k][0])
				continue;
			snprintf(ptr, sizeof(ptr), "/exceptions/%zu/services/%zu", i, k);
			resolve(c, m->service_by_id, "service", e->services[k], ptr,
				m->services, sizeof(struct service));
		}
	}
	/* attesters, approvers, exception ids and datastores (issue 13) */
	load_plan_accountability(m, c->pos, c->file, c->d);
	resolve_responses(c);
	find_cycles(c);
}

/* ---- runbooks ---- */

static void read_runbook(struct ctx *c, struct service *s, const char *rel)
{
	struct source_file f;
	if (!source_read(c->src, rel, "runbook", SOURCE_MAX_MD, &f, c->d))
		return;
	s->runbook_path = arena_strdup(c->m->arena, rel);
	s->runbook_text = arena_strndup(c->m->arena, f.data, f.len);
	s->runbook_len = f.len;
	source_file_free(&f);
}

static void load_runbooks(struct ctx *c)
{
	struct model *m = c->m;
	char **names = NULL;
	size_t n = source_list(c->src, "runbooks", ".md", &names, c->d);
	struct strmap *files = strmap_new(n ? n : 1);
	bool *used = xcalloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < n; i++)
		strmap_put(files, names[i], &used[i]);

	for (size_t i = 0; i < m->n_services; i++) {
		struct service *s = &m->services[i];
		char *rel = NULL;
		if (s->runbook_path) {
			char ptr[96];
			snprintf(ptr, sizeof(ptr), "%s/runbook", s->pos.pointer);
			int line = 0, col = 0;
			jsonpos_find(c->pos, ptr, &line, &col);
			const char *given = s->runbook_path;
			s->runbook_path = NULL;
			rel = source_resolve(c->src, NULL, given, c->d, c->file, line, ptr);
		} else if (s->id && load_plan_service_id_valid(s->id)) {
			char *cand = xasprintf("runbooks/%s.md", s->id);
			if (strmap_get(files, cand))
				rel = cand;
			else
				free(cand);
		}
		if (!rel)
			continue;
		bool *u = strmap_get(files, rel);
		if (u)
			*u = true;
		read_runbook(c, s, rel);
		free(rel);
	}
	for (size_t i = 0; i < n; i++) {
		if (used[i])
			continue;
		char *display = source_display_path(c->src, names[i]);
		const char *base = names[i] + strlen("runbooks/");
		char *id = xstrndup(base, strlen(base) - strlen(".md"));
		const struct service *s = strmap_get(m->service_by_id, id);
		if (s && s->runbook_path)
			diag_add(c->d, DIAG_WARNING, display, 0, 0, NULL,
				 "runbook not used: service %s takes its prose from %s",
				 quote(c, id), quote(c, s->runbook_path));
		else if (!s)
			diag_add(c->d, DIAG_WARNING, display, 0, 0, NULL,
				 "runbook matches no service: no service has id %s%s",
				 quote(c, id), suggest_id(c, id, m->service_by_id));
		free(id);
		free(display);
	}
	strmap_free(files);
	free(used);
	source_list_free(names, n);
}

/* ---- entry point ---- */

/* An unsupported version makes every other message noise: stop there. */
static bool version_supported(struct ctx *c, const cJSON *root, jsonpos_node rn)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "drgen");
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble == MODEL_FORMAT_VERSION)
		return true;  /* absent or mistyped: load_version reports it */
	size_t old = jsonpos_ptr_push_key(&c->ptr, "drgen");
	report(c, DIAG_ERROR, jsonpos_member(c->pos, rn, "drgen", 5), false,
	       "unsupported format version %.15g, this drgen reads version %d",
	       v->valuedouble, MODEL_FORMAT_VERSION);
	jsonpos_ptr_pop(&c->ptr, old);
	return false;
}

static void ensure_maps(struct model *m)
{
	if (!m->service_by_id)
		m->service_by_id = strmap_new(64);
	if (!m->datastore_by_id)
		m->datastore_by_id = strmap_new(64);
	if (!m->contact_by_id)
		m->contact_by_id = strmap_new(16);
	if (!m->region_by_id)
		m->region_by_id = strmap_new(8);
}

bool load_plan(struct model *m, struct source_set *src, struct diags *d)
{
	size_t errors_before = diags_count(d, DIAG_ERROR);
	struct ctx c = {.m = m, .src = src, .d = d};
	struct source_file f;
	struct jsonpos_error err;
	cJSON *root = NULL;
	char *display = source_display_path(src, "plan.json");

	c.file = arena_strdup(m->arena, display);
	free(display);
	ensure_maps(m);
	if (!m->dir)
		m->dir = arena_strdup(m->arena, source_root(src));
	m->meta.approved_on = m->meta.last_review = m->meta.next_review = DATE_NONE;

	if (!source_read(src, "plan.json", "plan", SOURCE_MAX_JSON, &f, d))
		goto out;
	if (!jsonpos_parse(f.data, f.len, JSONPOS_MAX_DEPTH, &root, &c.pos, &err)) {
		diag_add(d, DIAG_ERROR, c.file, err.line, err.col, NULL, "%s",
			 err.message);
		goto out_file;
	}
	jsonpos_node rn = jsonpos_root(c.pos);
	if (!cJSON_IsObject(root)) {
		report(&c, DIAG_ERROR, rn, false,
		       "expected an object at the top level of plan.json, found %s",
		       describe(&c, root));
		goto out_json;
	}
	if (!version_supported(&c, root, rn))
		goto out_json;
	load_object(&c, root, rn, "plan.json", plan_json_fields,
		    ARRAY_LEN(plan_json_fields), m);
	resolve_all(&c);
	load_runbooks(&c);
out_json:
	cJSON_Delete(root);
	jsonpos_free(c.pos);
out_file:
	source_file_free(&f);
out:
	buf_free(&c.ptr);
	return diags_count(d, DIAG_ERROR) == errors_before;
}
