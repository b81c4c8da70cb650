/*
 * views.c -- the view model of every document, as cJSON trees.
 *
 * Design: views_new indexes what the builders look up repeatedly (the
 * values every list shows about a service or datastore, as small rows;
 * the findings about each service; who depends on whom) so that building
 * one runbook costs time proportional to that service, not to the plan.
 * After views_new the struct is never written again, which is what makes
 * the builders safe to call from several threads.
 *
 * What results.json says about one service, datastore or drill is read
 * from an entry results.c builds for the occasion and the view frees at
 * once (the same builder writes results.json), so no document holds the
 * whole of results.json; its small parts (tiers, cost, waves, controls,
 * changes) come from the summary tree.  Keys are literals (added with the
 * ...CS calls) and values are always copies.
 * Nothing here decides policy: statuses come from results.json or the
 * rules; the only judgements made are facts ("every store is within its
 * RPO") and presentation (the 25 worst rows of a chart).
 */
#include "views_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "build_format.h"
#include "chart_svg.h"
#include "dates.h"
#include "markdown.h"
#include "mustache.h"
#include "track.h"
#include "util.h"

/* Rows shown by a chart before it says how many it left out. */
#define CHART_MAX_ROWS 25
/* Evidence lists longer than this collapse on screen (all items are listed). */
#define CONTROL_SHORT_EVIDENCE 3
/* Findings of one cause the executive summary names (a larger group: its count). */
#define SUMMARY_NAMED 5

const char *const views_severity_names[VIEWS_N_SEVERITIES] = {"critical", "high", "medium",
							       "low", "info"};

/* ---- small helpers ------------------------------------------------------ */

const cJSON *views_get(const cJSON *o, const char *key)
{
	return o ? mustache_member(o, key) : NULL;
}

const char *views_get_str(const cJSON *o, const char *key)
{
	const cJSON *x = views_get(o, key);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

double views_get_num(const cJSON *o, const char *key)
{
	const cJSON *x = views_get(o, key);
	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

bool views_jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(views_get(o, key));
}

bool views_jbool_known(const cJSON *o, const char *key)
{
	return cJSON_IsBool(views_get(o, key));
}

void views_put_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
}

void views_put_num(cJSON *o, const char *key, double x)
{
	if (!isnan(x) && !isinf(x))
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateNumber(x));
}

void views_put_bool(cJSON *o, const char *key, bool b)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateBool(b));
}

void views_put_fmt(cJSON *o, const char *key, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

cJSON *views_put_obj(cJSON *o, const char *key)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObjectCS(o, key, x);
	return x;
}

cJSON *views_put_arr(cJSON *o, const char *key)
{
	cJSON *x = cJSON_CreateArray();
	cJSON_AddItemToObjectCS(o, key, x);
	return x;
}

cJSON *views_push_obj(cJSON *a)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToArray(a, x);
	return x;
}

/* Puts the string s with every '_' turned into a space ("full simulation"). */
void views_put_words(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return;
	char *t = xstrdup(s);
	for (char *p = t; *p; p++) {
		if (*p == '_')
			*p = ' ';
	}
	views_put_str(o, key, t);
	free(t);
}

/* Puts s in capitals (status words shown as text beside the colour). */
void views_put_upper(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return;
	char *t = xstrdup(s);
	for (char *p = t; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (*p == '_')
			*p = ' ';
	}
	views_put_str(o, key, t);
	free(t);
}

/* A CSS class: prefix + s with anything outside [a-z0-9-] as '-'. */
void views_put_class(cJSON *o, const char *key, const char *prefix, const char *s)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, prefix);
	for (const char *p = s ? s : "none"; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf_putc(&b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
	}
	views_put_str(o, key, b.data);
	buf_free(&b);
}

/* Joins the strings of a JSON array with ", ". */
void views_put_joined(cJSON *o, const char *key, const cJSON *arr)
{
	struct buf b = BUF_INIT;
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		if (!cJSON_IsString(x))
			continue;
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, x->valuestring);
	}
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

static double round_to(double x, int decimals)
{
	double p = pow(10, decimals);
	double r = round(fabs(x) * p) / p;
	return x < 0 ? -r : r;
}

void views_format_number(double x, int decimals, char *out, size_t size)
{
	char num[64];
	size_t o = 0;
	const char *p, *dot;
	size_t intlen;

	if (size == 0)
		return;
	out[0] = '\0';
	if (isnan(x) || isinf(x) || fabs(x) >= 1e18)
		return;
	snprintf(num, sizeof(num), "%.*f", decimals, round_to(x, decimals));
	p = num;
	if (*p == '-') {
		p++;
		if (strspn(p, "0.") != strlen(p) && o + 1 < size)
			out[o++] = '-';
	}
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (size_t i = 0; i < intlen && o + 2 < size; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	for (const char *q = dot; q && *q && o + 1 < size; q++)
		out[o++] = *q;
	out[o] = '\0';
}

/* The shortest decimal form with at most `max` places: 1.5, 2, 0.125. */
void views_format_short(double x, int max, char *out, size_t size)
{
	views_format_number(x, max, out, size);
	if (strchr(out, '.')) {
		size_t n = strlen(out);
		while (n > 0 && out[n - 1] == '0')
			out[--n] = '\0';
		if (n > 0 && out[n - 1] == '.')
			out[--n] = '\0';
	}
}

/* A JSON scalar as text: strings as they are, numbers shortest, else JSON. */
void views_put_scalar(struct buf *b, const cJSON *x)
{
	char n[64];
	if (cJSON_IsString(x)) {
		buf_puts(b, x->valuestring);
	} else if (cJSON_IsNumber(x)) {
		views_format_short(x->valuedouble, 4, n, sizeof(n));
		buf_puts(b, n);
	} else if (cJSON_IsBool(x)) {
		buf_puts(b, cJSON_IsTrue(x) ? "true" : "false");
	} else if (!cJSON_IsNull(x)) {
		char *t = cJSON_PrintUnformatted(x);
		buf_puts(b, t ? t : "");
		free(t);
	}
}

void views_format_objective(double minutes, char *out, size_t size)
{
	char n[24];
	if (size)
		out[0] = '\0';
	if (isnan(minutes) || isinf(minutes) || minutes < 0)
		return;
	if (minutes < 60) {
		views_format_short(minutes, 1, n, sizeof(n));
		snprintf(out, size, "%s min", n);
	} else {
		views_format_short(minutes / 60, 1, n, sizeof(n));
		snprintf(out, size, "%s h", n);
	}
}

void views_format_age(double minutes, char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	if (isnan(minutes) || isinf(minutes) || minutes < 0)
		return;
	long long m = (long long)floor(minutes + 0.5);
	if (minutes < 1)
		snprintf(out, size, "< 1 min");
	else if (m < 60)
		snprintf(out, size, "%lld min", m);
	else if (m < 48 * 60)
		snprintf(out, size, m % 60 ? "%lld h %lld min" : "%lld h", m / 60, m % 60);
	else
		snprintf(out, size, (m / 60) % 24 ? "%lld d %lld h" : "%lld d",
			 m / 1440, (m / 60) % 24);
}

void views_put_objective(cJSON *o, const char *key, double minutes)
{
	char s[48];
	if (isnan(minutes))
		return;
	views_format_objective(minutes, s, sizeof(s));
	views_put_str(o, key, s);
}

static void put_age(cJSON *o, const char *key, double minutes)
{
	char s[48];
	if (isnan(minutes) || minutes < 0)
		return;
	views_format_age(minutes, s, sizeof(s));
	views_put_str(o, key, s);
}

/* A fraction 0..1 as "87.5 %". */
static void put_percent(cJSON *o, const char *key, double frac)
{
	char s[48];
	if (isnan(frac))
		return;
	views_format_short(frac * 100, 1, s, sizeof(s));
	views_put_fmt(o, key, "%s %%", s);
}

/*
 * An RFC 3339 time from results.json for people: "2026-10-06" at
 * midnight, else "2026-10-06 14:30 UTC".
 */
static void put_when(cJSON *o, const char *key, const char *rfc3339)
{
	if (!rfc3339)
		return;
	size_t n = strlen(rfc3339);
	if (n == 20 && rfc3339[10] == 'T' && rfc3339[19] == 'Z') {
		if (strcmp(rfc3339 + 11, "00:00:00Z") == 0)
			views_put_fmt(o, key, "%.10s", rfc3339);
		else
			views_put_fmt(o, key, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
	} else {
		views_put_str(o, key, rfc3339);
	}
}

/* A timestamp from results.json, always with its time: "2026-10-31 23:07 UTC". */
void views_put_stamp(cJSON *o, const char *key, const char *rfc3339)
{
	if (!rfc3339)
		return;
	if (strlen(rfc3339) == 20 && rfc3339[10] == 'T' && rfc3339[19] == 'Z')
		views_put_fmt(o, key, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
	else
		views_put_str(o, key, rfc3339);
}

void views_put_time(cJSON *o, const char *key, int64_t t)
{
	char s[DATE_RFC3339_SIZE];
	if (t == DATE_NONE)
		return;
	date_format_rfc3339(t, s);
	put_when(o, key, s);
}

void views_put_time_day(cJSON *o, const char *key, int64_t t)
{
	char s[11];
	if (t == DATE_NONE)
		return;
	date_format_day(t, s);
	views_put_str(o, key, s);
}

/* "+353 1 555 0100" as a tel: target (digits and a leading +). */
static void put_tel(cJSON *o, const char *key, const char *phone)
{
	struct buf b = BUF_INIT;
	if (!phone || phone[strspn(phone, "0123456789 +-().")] != '\0')
		return;  /* only a plain phone number becomes a link */
	buf_puts(&b, "tel:");
	for (const char *p = phone; *p; p++) {
		if ((*p >= '0' && *p <= '9') || (*p == '+' && b.len == 4))
			buf_putc(&b, *p);
	}
	if (b.len > 4)
		views_put_str(o, key, b.data);
	buf_free(&b);
}

/* An e-mail address as a mailto: target, only when it looks like one. */
static void put_mailto(cJSON *o, const char *key, const char *email)
{
	if (!email || !strchr(email, '@') || strpbrk(email, " <>\"'():;,\\\t\r\n"))
		return;
	views_put_fmt(o, key, "mailto:%s", email);
}

/* ---- preparing --------------------------------------------------------- */

size_t views_severity_rank(const char *sev)
{
	for (size_t i = 0; sev && i < ARRAY_LEN(views_severity_names); i++) {
		if (strcmp(sev, views_severity_names[i]) == 0)
			return i;
	}
	return ARRAY_LEN(views_severity_names);
}

/*
 * Findings most severe first, keeping their order (results.json's, by id)
 * within a severity: one stable pass per severity.
 */
void views_sort_by_severity(const void **items, size_t n,
			    const char *(*severity_of)(const void *item))
{
	const void **tmp = xcalloc(n + 1, sizeof(*tmp));
	size_t k = 0;
	for (size_t r = 0; r <= ARRAY_LEN(views_severity_names); r++) {
		for (size_t i = 0; i < n; i++) {
			if (views_severity_rank(severity_of(items[i])) == r)
				tmp[k++] = items[i];
		}
	}
	memcpy(items, tmp, n * sizeof(*items));
	free(tmp);
}

static const char *finding_severity(const void *item)
{
	return ((const struct finding *)item)->severity;
}

const char *views_json_severity(const void *item)
{
	return views_get_str(item, "severity");
}

/* The service a finding is about: its subject is the service or one of its stores. */
static long finding_service(const struct views *v, const struct finding *fnd)
{
	const char *subject = fnd->subject;
	const struct service *s;
	const struct datastore *ds;
	if (!subject)
		return -1;
	s = model_service_find(v->m, subject);
	if (s)
		return (long)(s - v->m->services);
	ds = model_datastore_find(v->m, subject);
	if (ds && ds->service_index < v->m->n_services)
		return (long)ds->service_index;
	return -1;
}

/* Groups pairs (key, value) into offsets and values (a CSR table). */
void views_group(size_t n_keys, const size_t *keys, const size_t *vals, size_t n,
		 size_t **at_out, size_t **vals_out)
{
	size_t *at = xcalloc(n_keys + 1, sizeof(*at));
	size_t *out = xcalloc(n ? n : 1, sizeof(*out));
	size_t *fill = xcalloc(n_keys + 1, sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		at[keys[i] + 1]++;
	for (size_t k = 0; k < n_keys; k++)
		at[k + 1] += at[k];
	for (size_t i = 0; i < n; i++)
		out[at[keys[i]] + fill[keys[i]]++] = vals[i];
	free(fill);
	*at_out = at;
	*vals_out = out;
}

struct views *views_new(const struct render_input *in)
{
	struct views *v = xcalloc(1, sizeof(*v));
	const struct model *m = in->model;
	size_t n = 0;

	v->in = in;
	v->m = m;
	v->f = in->facts;
	v->r = in->rules;
	v->results = in->results;
	v->rs = in->entries;
	v->svc = xcalloc(m->n_services + 1, sizeof(*v->svc));
	for (size_t i = 0; i < m->n_services; i++)
		results_service_row(v->rs, i, &v->svc[i]);
	v->store = xcalloc(m->n_datastores + 1, sizeof(*v->store));
	for (size_t k = 0; k < m->n_datastores; k++)
		results_datastore_row(v->rs, k, &v->store[k]);

	v->n_findings = results_finding_count(v->rs);
	v->finding = xcalloc(v->n_findings + 1, sizeof(*v->finding));
	for (size_t i = 0; i < v->n_findings; i++)
		v->finding[i] = results_finding_at(v->rs, i);
	views_sort_by_severity((const void **)v->finding, v->n_findings, finding_severity);

	/* Findings per service. */
	size_t *keys = xcalloc(v->n_findings + 1, sizeof(*keys));
	size_t *vals = xcalloc(v->n_findings + 1, sizeof(*vals));
	for (size_t i = 0; i < v->n_findings; i++) {
		long s = finding_service(v, v->finding[i]);
		if (s >= 0) {
			keys[n] = (size_t)s;
			vals[n++] = i;
		}
	}
	views_group(m->n_services, keys, vals, n, &v->svc_findings_at, &v->svc_findings);
	free(keys);
	free(vals);

	/* Dependents: who needs each service. */
	n = 0;
	for (size_t i = 0; i < m->n_services; i++)
		n += m->services[i].n_depends_on;
	keys = xcalloc(n + 1, sizeof(*keys));
	vals = xcalloc(n + 1, sizeof(*vals));
	n = 0;
	for (size_t i = 0; i < m->n_services; i++) {
		for (size_t d = 0; d < m->services[i].n_depends_on; d++) {
			keys[n] = m->services[i].depends_on_index[d];
			vals[n++] = i;
		}
	}
	views_group(m->n_services, keys, vals, n, &v->dependents_at, &v->dependents);
	free(keys);
	free(vals);

	date_format_month(m->period_start, v->period);
	date_format_rfc3339(m->as_of, v->as_of);
	snprintf(v->as_of_display, sizeof(v->as_of_display), "%.10s %.5s UTC",
		 v->as_of, v->as_of + 11);
	date_format_day(m->period_start, v->period_first);
	date_format_day(m->period_end - 1, v->period_last);
	return v;
}

void views_free(struct views *v)
{
	if (!v)
		return;
	free(v->svc);
	free(v->store);
	free(v->finding);
	free(v->svc_findings);
	free(v->svc_findings_at);
	free(v->dependents);
	free(v->dependents_at);
	free(v);
}

size_t views_service_count(const struct views *v)
{
	return v->m->n_services;
}

const char *views_service_id(const struct views *v, size_t i)
{
	return v->m->services[i].id;
}

const char *views_period(const struct views *v)
{
	return v->period;
}

/* ---- pieces shared by several documents ---------------------------------- */

struct pctx views_pctx_make(const struct views *v, enum views_format f, int depth)
{
	struct pctx pc = {v, f, depth ? "../" : "", f == VIEWS_HTML ? "html" : "md",
			  f == VIEWS_HTML, false};
	return pc;
}

/* ---- long lists -----------------------------------------------------------
 * A table of thousands of rows (findings, datastores, drills, services) is
 * a lazy Mustache list (mustache.h): the renderer builds each row when it
 * reaches it and frees it after, so the view of a 60,000-finding audit
 * holds one row at a time.  Row r shows item idx[r] (a model index, or a
 * finding's position) as fill() makes it.
 */
struct row_list {
	struct mustache_list list;   /* first: all the renderer sees */
	struct pctx pc;
	fill_row *fill;
	size_t idx[];
};

static cJSON *row_list_item(const struct mustache_list *l, size_t i)
{
	const struct row_list *rl = (const struct row_list *)(const void *)l;
	cJSON *o = cJSON_CreateObject();
	rl->fill(o, &rl->pc, rl->idx[i]);
	return o;
}

/* Puts list `key`: rows fill(idx[0]), ..., fill(idx[n - 1]); idx NULL means 0..n-1. */
void views_put_rows(cJSON *o, const char *key, const struct pctx *pc, fill_row *fill,
		    const size_t *idx, size_t n)
{
	struct row_list *rl = xmalloc(sizeof(*rl) + (n + 1) * sizeof(rl->idx[0]));
	rl->list = (struct mustache_list){n, row_list_item};
	rl->pc = *pc;
	rl->fill = fill;
	for (size_t i = 0; i < n; i++)
		rl->idx[i] = idx ? idx[i] : i;
	cJSON_AddItemToObjectCS(o, key, mustache_list_node(&rl->list));
}

void views_rows_add(struct rows *r, size_t k)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->idx = xrealloc(r->idx, r->cap * sizeof(*r->idx));
	}
	r->idx[r->n++] = k;
}

static bool built(const struct views *v, unsigned bit)
{
	return (v->in->formats & bit) != 0;
}

/* The `page` object every document has. */
cJSON *views_put_page(cJSON *view, const struct pctx *pc, const char *current,
		      const char *self_stem)
{
	const struct views *v = pc->v;
	cJSON *page = views_put_obj(view, "page");
	cJSON *links, *cur, *ev;
	unsigned other = pc->f == VIEWS_HTML ? BUILD_MD : BUILD_HTML;

	views_put_str(page, "org", v->m->org.name ? v->m->org.name : v->m->org.id);
	views_put_str(page, "org_id", v->m->org.id);
	views_put_str(page, "period", v->period);
	views_put_str(page, "period_first", v->period_first);
	views_put_str(page, "period_last", v->period_last);
	views_put_str(page, "as_of", v->as_of_display);
	views_put_str(page, "as_of_rfc3339", v->as_of);
	views_put_str(page, "generated_at", v->in->generated_at);
	views_put_str(page, "version", DRGEN_VERSION);
	views_put_str(page, "root", pc->root);
	views_put_str(page, "ext", pc->ext);
	views_put_bool(page, "html", pc->f == VIEWS_HTML);
	views_put_bool(page, "md", pc->f == VIEWS_MD);
	views_put_str(page, "currency", v->m->org.currency);

	links = views_put_obj(page, "links");
	if (built(v, BUILD_HTML))
		views_put_fmt(links, "index", "%sindex.html", pc->root);
	views_put_fmt(links, "plan", "%splan.%s", pc->root, pc->ext);
	views_put_fmt(links, "audit", "%saudit/%s.%s", pc->root, v->period, pc->ext);
	views_put_fmt(links, "runbooks", "%sindex.html#runbooks", pc->root);
	ev = views_put_obj(links, "evidence");
	views_put_fmt(ev, "results", "%sevidence/results.json", pc->root);
	views_put_fmt(ev, "backups", "%sevidence/backups.csv", pc->root);
	if (built(v, BUILD_JUNIT))
		views_put_fmt(ev, "controls", "%sevidence/controls.xml", pc->root);
	views_put_fmt(ev, "manifest", "%sevidence/manifest.json", pc->root);
	views_put_fmt(ev, "sums", "%sevidence/SHA256SUMS", pc->root);
	if (built(v, BUILD_HTML))
		views_put_fmt(links, "evidence_page", "%sevidence.html", pc->root);
	if (self_stem && built(v, other))
		views_put_fmt(page, "alternate", "%s.%s", self_stem,
			      pc->f == VIEWS_HTML ? "md" : "html");

	cur = views_put_obj(page, "current");
	views_put_bool(cur, current, true);
	return page;
}

cJSON *views_page(cJSON *view, const struct views *v, enum views_format f, const char *current)
{
	struct pctx pc = views_pctx_make(v, f, 0);
	return views_put_page(view, &pc, current, NULL);
}

/* A link to service i's runbook and what every list shows about it. */
void views_fill_service_ref(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	const struct service *s = &v->m->services[i];
	const struct results_service_row *row = &v->svc[i];

	views_put_str(o, "id", s->id);
	views_put_str(o, "name", s->name ? s->name : s->id);
	views_put_fmt(o, "href", "%srunbooks/%s.%s", pc->root, s->id, pc->ext);
	views_put_num(o, "tier", row->tier);
	if (row->tier >= 1 && row->tier <= RULES_TIERS)
		views_put_fmt(o, "tier_class", "tier-%d", (int)row->tier);
	views_put_str(o, "tier_name", row->tier_name);
	views_put_bool(o, "tier_override", row->overridden);
	views_put_bool(o, "unclassified", row->unclassified);
	views_put_objective(o, "rpo", row->rpo_minutes);
	views_put_objective(o, "rto", row->rto_minutes);
	views_put_str(o, "strategy", row->strategy);
	views_put_num(o, "wave", row->recovery_wave);
}

cJSON *views_push_service_ref(cJSON *arr, const struct pctx *pc, size_t i)
{
	cJSON *o = views_push_obj(arr);
	views_fill_service_ref(o, pc, i);
	return o;
}

long views_service_index(const struct views *v, const char *id)
{
	const struct service *s = id ? model_service_find(v->m, id) : NULL;
	return s ? (long)(s - v->m->services) : -1;
}

void views_put_severity(cJSON *o, const char *sev)
{
	views_put_str(o, "severity", sev);
	views_put_upper(o, "severity_label", sev);
	views_put_class(o, "severity_class", "sev-", sev);
}

/* A link to anchor `anchor` of the audit: "#a" inside it, else its path. */
void views_put_audit_href(cJSON *o, const char *key, const struct pctx *pc,
			  const char *anchor)
{
	if (!views_get(o, "anchor"))
		views_put_str(o, "anchor", anchor);
	if (pc->audit)
		views_put_fmt(o, key, "#%s", anchor);
	else
		views_put_fmt(o, key, "%saudit/%s.%s#%s", pc->root, pc->v->period, pc->ext, anchor);
}

const char *views_contact_name(const struct views *v, const char *id)
{
	const struct contact *c = id ? model_contact_find(v->m, id) : NULL;
	return c && c->name ? c->name : id;
}

/* "framework:control" as the control's label and audit link. */
static void put_control_ref(cJSON *o, const struct pctx *pc, const char *key)
{
	const char *colon = key ? strchr(key, ':') : NULL;
	char anchor[256], fw[64];
	if (!colon)
		return;
	snprintf(fw, sizeof(fw), "%.*s", (int)(colon - key < 63 ? colon - key : 63), key);
	track_control_anchor(fw, colon + 1, anchor, sizeof(anchor));
	views_put_str(o, "framework", fw);
	views_put_str(o, "control", colon + 1);
	views_put_str(o, "anchor", anchor);
	views_put_audit_href(o, "href", pc, anchor);
}

/* Status of a tracked finding: "NEW", "OPEN since 2026-09", "OPEN". */
static void put_tracking(cJSON *o, const struct pctx *pc, const struct finding *fj)
{
	const struct views *v = pc->v;
	const struct track_finding *tf;
	if (!v->in->track)
		return;
	tf = track_of(v->in->track, fj);
	views_put_str(o, "anchor", tf->anchor);
	views_put_audit_href(o, "href", pc, tf->anchor);
	views_put_str(o, "owner_id", tf->owner);
	views_put_str(o, "owner", views_contact_name(v, tf->owner));
	views_put_str(o, "status", tf->status);
	views_put_bool(o, "is_new", strcmp(tf->status, "new") == 0);
	views_put_str(o, "open_since", tf->open_since[0] ? tf->open_since : NULL);
	if (strcmp(tf->status, "new") == 0)
		views_put_str(o, "status_label", "NEW this period");
	else if (tf->open_since[0])
		views_put_fmt(o, "status_label", "OPEN since %s", tf->open_since);
	else
		views_put_str(o, "status_label", "OPEN");
	views_put_str(o, "status_class", strcmp(tf->status, "new") == 0 ? "st-fail" : "st-late");
	views_put_time_day(o, "due", tf->due);
	views_put_bool(o, "overdue", tf->overdue);
	cJSON *ctl = views_put_arr(o, "controls");
	for (size_t k = 0; k < tf->n_controls; k++)
		put_control_ref(views_push_obj(ctl), pc, track_control_key(v->in->track, tf->controls[k]));
	views_put_bool(o, "has_controls", tf->n_controls > 0);
	const struct mgmt_response *r = tf->response;
	views_put_bool(o, "has_response", r != NULL);
	if (!r)
		return;
	cJSON *x = views_put_obj(o, "response");
	views_put_str(x, "text", r->response);
	views_put_str(x, "by", views_contact_name(v, r->owner));
	views_put_time_day(x, "target_date", r->target_date);
	views_put_bool(x, "accepts_risk", r->accepts_risk);
	views_put_str(x, "exception", r->exception);
	if (r->exception && r->exception_index < v->m->n_exceptions) {
		const struct exception *e = &v->m->exceptions[r->exception_index];
		bool expired = e->expires != DATE_NONE && e->expires < v->m->as_of;
		views_put_bool(x, "exception_expired", expired);
		views_put_time_day(x, "exception_expires", e->expires);
		char a[256];
		track_anchor("exception", r->exception, a, sizeof(a));
		views_put_str(x, "exception_anchor", a);
		views_put_audit_href(x, "exception_href", pc, a);
	}
}

void views_fill_finding(cJSON *o, const struct pctx *pc, size_t j)
{
	const struct finding *fj = pc->v->finding[j];
	long s = finding_service(pc->v, fj);

	views_put_str(o, "id", fj->id);
	views_put_str(o, "kind", fj->kind);
	views_put_words(o, "kind_label", fj->kind);
	views_put_severity(o, fj->severity);
	views_put_str(o, "subject", fj->subject);
	if (s >= 0)
		views_put_fmt(o, "subject_href", "%srunbooks/%s.%s", pc->root,
			      pc->v->m->services[s].id, pc->ext);
	views_put_str(o, "ref", fj->ref);
	views_put_str(o, "message", fj->message);
	views_put_str(o, "recommendation", fj->recommendation);
	views_put_str(o, "rule", fj->rule);
	put_tracking(o, pc, fj);
}

void views_put_currency(cJSON *o, const char *cur)
{
	views_put_str(o, "currency", cur);
	views_put_upper(o, "currency_label", cur ? cur : "unknown");
	views_put_class(o, "currency_class", "st-", cur ? cur : "none");
}

/* One datastore as the backup tables show it. */
void views_fill_store(cJSON *o, const struct pctx *pc, size_t k)
{
	const struct views *v = pc->v;
	const struct datastore *ds = &v->m->datastores[k];
	cJSON *sj = results_datastore(v->rs, k);
	const cJSON *by = views_get(sj, "by_location");
	cJSON *locs;
	char size[64];

	views_put_str(o, "id", ds->id);
	views_put_str(o, "engine", ds->engine);
	views_put_str(o, "criticality", model_criticality_names[ds->criticality]);
	views_put_upper(o, "criticality_label", model_criticality_names[ds->criticality]);
	if (!isnan(ds->size_gb)) {
		views_format_number(ds->size_gb, 0, size, sizeof(size));
		views_put_fmt(o, "size", "%s GB", size);
	}
	if (ds->service_index < v->m->n_services)
		views_fill_service_ref(views_put_obj(o, "service"), pc, ds->service_index);
	views_put_objective(o, "rpo", views_get_num(sj, "rpo_minutes"));
	{
		/* RPO 0 is judged with the lag tolerance: say so next to the 0. */
		double rpo = views_get_num(sj, "rpo_minutes");
		double tol = v->f->lag_tolerance_minutes;
		if ((isnan(rpo) || rpo <= 0) && !isnan(tol))
			views_put_objective(o, "rpo_tolerance", tol);
	}
	views_put_currency(o, views_get_str(sj, "currency"));
	views_put_stamp(o, "newest_success", views_get_str(sj, "newest_success"));
	views_put_str(o, "newest_location", views_get_str(sj, "newest_location"));
	views_put_str(o, "newest_success_id", views_get_str(sj, "newest_success_id"));
	put_age(o, "age", views_get_num(sj, "age_minutes"));
	views_put_joined(o, "locations", views_get(sj, "locations"));
	views_put_bool(o, "offsite", views_jtrue(sj, "offsite"));
	views_put_bool(o, "encrypted", views_jtrue(sj, "encrypted"));
	views_put_bool(o, "immutable", views_jtrue(sj, "immutable"));
	views_put_stamp(o, "last_restore_test", views_get_str(sj, "last_restore_test"));
	views_put_bool(o, "restore_test_failing", views_jtrue(sj, "restore_test_failing"));
	views_put_stamp(o, "last_restore_test_failed", views_get_str(sj, "last_restore_test_failed"));
	views_put_num(o, "failures_in_period", views_get_num(sj, "failures_in_period"));
	views_put_str(o, "policy", views_get_str(sj, "policy"));

	locs = views_put_arr(o, "by_location");
	for (int l = 0; l < LOC_COUNT; l++) {
		const cJSON *lj = views_get(by, model_location_names[l]);
		cJSON *x = views_push_obj(locs);
		double succ = views_get_num(lj, "successes");
		views_put_str(x, "location", model_location_names[l]);
		views_put_bool(x, "has_copy", succ > 0 && views_get_str(lj, "newest_success"));
		views_put_stamp(x, "newest_success", views_get_str(lj, "newest_success"));
		put_age(x, "age", views_get_num(lj, "age_minutes"));
		views_put_bool(x, "encrypted", views_jtrue(lj, "encrypted"));
		views_put_bool(x, "immutable", views_jtrue(lj, "immutable"));
		views_put_num(x, "failures_in_period", views_get_num(lj, "failures_in_period"));
	}
	cJSON_Delete(sj);
}

/*
 * Pass/fail of a drill or result: "PASSED", "FAILED", "NO DATA" (it
 * measured nothing) or "NOT SCORED".
 */
static void put_outcome(cJSON *o, const cJSON *src)
{
	const char *st = views_get_str(src, "status");

	if (st && strcmp(st, "no_data") == 0) {
		views_put_bool(o, "passed", false);
		views_put_bool(o, "scored", true);
		views_put_str(o, "status_label", "NO DATA");
		views_put_str(o, "status_class", "st-none");
	} else if (views_jbool_known(src, "passed")) {
		bool p = views_jtrue(src, "passed");
		views_put_bool(o, "passed", p);
		views_put_bool(o, "scored", true);
		views_put_str(o, "status_label", p ? "PASSED" : "FAILED");
		views_put_str(o, "status_class", p ? "st-pass" : "st-fail");
	} else {
		views_put_bool(o, "scored", false);
		views_put_str(o, "status_label", "NOT SCORED");
		views_put_str(o, "status_class", "st-none");
	}
}

static void fill_drill_result(cJSON *x, const struct pctx *pc, const cJSON *rj)
{
	long s = views_service_index(pc->v, views_get_str(rj, "service"));
	char n[48];

	if (s >= 0)
		views_fill_service_ref(views_put_obj(x, "service"), pc, (size_t)s);
	else
		views_put_obj(x, "service");
	views_put_objective(x, "target_rto", views_get_num(rj, "target_rto_minutes"));
	views_put_objective(x, "recovery", views_get_num(rj, "recovery_minutes"));
	put_percent(x, "rto_achievement", views_get_num(rj, "rto_achievement"));
	views_put_objective(x, "target_rpo", views_get_num(rj, "target_rpo_minutes"));
	views_put_objective(x, "data_loss", views_get_num(rj, "data_loss_minutes"));
	put_percent(x, "rpo_achievement", views_get_num(rj, "rpo_achievement"));
	views_put_bool(x, "recovered", views_jtrue(rj, "recovered"));
	if (!isnan(views_get_num(rj, "data_integrity"))) {
		views_format_short(views_get_num(rj, "data_integrity") * 100, 2, n, sizeof(n));
		views_put_fmt(x, "data_integrity", "%s %%", n);
	}
	views_put_str(x, "failure", views_get_str(rj, "failure"));
	put_outcome(x, rj);
}

/* Open drill actions past their due date (a fact: due < as-of). */
bool views_issue_overdue(const struct views *v, const struct drill_issue *is)
{
	return is->open && is->due != DATE_NONE && is->due < v->m->as_of;
}

/* Drill di; dj is its results.json entry. */
static void fill_drill_from(cJSON *o, const struct pctx *pc, size_t di, const cJSON *dj,
			    bool with_results)
{
	const struct drill *d = &pc->v->m->drills[di];
	char n[48];

	views_put_str(o, "id", d->id);
	views_put_str(o, "type", model_drill_type_names[d->type]);
	views_put_words(o, "type_label", model_drill_type_names[d->type]);
	put_when(o, "date", views_get_str(dj, "date"));
	views_put_time_day(o, "day", d->date);
	views_put_str(o, "source", d->source);
	put_outcome(o, dj);
	if (!isnan(d->availability)) {
		views_format_short(d->availability * 100, 3, n, sizeof(n));
		views_put_fmt(o, "availability", "%s %%", n);
	}
	if (!isnan(d->traffic_percent)) {
		views_format_short(d->traffic_percent, 1, n, sizeof(n));
		views_put_fmt(o, "traffic", "%s %%", n);
	}
	views_put_num(o, "results_count", (double)d->n_results);
	views_put_num(o, "issues_count", (double)d->n_issues);
	if (with_results) {
		cJSON *res = views_put_arr(o, "results");
		const cJSON *rj;
		cJSON_ArrayForEach(rj, views_get(dj, "results")) {
			fill_drill_result(views_push_obj(res), pc, rj);
		}
		views_put_bool(o, "has_results", cJSON_GetArraySize(res) > 0);
	}
}

static void fill_drill(cJSON *o, const struct pctx *pc, size_t di, bool with_results)
{
	cJSON *dj = results_drill(pc->v->rs, di);
	fill_drill_from(o, pc, di, dj, with_results);
	cJSON_Delete(dj);
}

void views_fill_drill_full(cJSON *o, const struct pctx *pc, size_t di)
{
	fill_drill(o, pc, di, true);
}

void views_fill_drill_brief(cJSON *o, const struct pctx *pc, size_t di)
{
	fill_drill(o, pc, di, false);
}

/*
 * `last_drill`: the newest drill that concerned service i, with the
 * service's own result in it; `outcome` is that result's status when it
 * was scored, else the drill's.
 */
void views_put_last_drill(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	long ld = v->f->services[i].last_drill;
	const cJSON *mine = NULL, *rj;

	views_put_bool(o, "has_last_drill", ld >= 0);
	if (ld < 0)
		return;
	cJSON *d = views_put_obj(o, "last_drill");
	cJSON *dj = results_drill(v->rs, (size_t)ld);
	fill_drill_from(d, pc, (size_t)ld, dj, false);
	cJSON_ArrayForEach(rj, views_get(dj, "results")) {
		const char *sid = views_get_str(rj, "service");
		if (sid && strcmp(sid, v->m->services[i].id) == 0) {
			mine = rj;
			break;
		}
	}
	if (mine)
		fill_drill_result(views_put_obj(d, "result"), pc, mine);
	views_put_bool(d, "has_result", mine != NULL);
	put_outcome(views_put_obj(d, "outcome"), mine && views_jbool_known(mine, "passed") ? mine : dj);
	cJSON_Delete(dj);
}

/* A count of a total, as a readiness card. */
static void put_kpi(cJSON *kpis, const char *key, size_t count, size_t total)
{
	cJSON *k = views_put_obj(kpis, key);
	views_put_num(k, "count", (double)count);
	views_put_num(k, "total", (double)total);
	if (total > 0)
		put_percent(k, "percent", (double)count / (double)total);
	views_put_str(k, "class", total == 0 ? "kpi-none" : count == total ? "kpi-good"
		      : count == 0 ? "kpi-bad" : "kpi-warn");
}

/* Results of drills dated within the last 12 months, newest first (indices). */
bool views_drill_in_12m(const struct views *v, size_t di)
{
	int64_t t = v->m->drills[di].date;
	return t != DATE_NONE && t >= v->f->window_12m_start && t <= v->m->as_of;
}

/* A time field of a results.json object, or DATE_NONE. */
static int64_t json_time(const cJSON *o, const char *key)
{
	const char *s = views_get_str(o, key);
	int64_t t;
	return s && date_parse_any(s, strlen(s), &t) ? t : DATE_NONE;
}

/*
 * The same four counts as the cards, from a previous results.json (its
 * own as-of and 12-month window): NAN where it does not say.
 */
struct kpi_counts {
	double within_rpo, restore_tested, drills_passed, findings;
};

static struct kpi_counts previous_kpis(const cJSON *prev)
{
	struct kpi_counts k = {NAN, NAN, NAN, NAN};
	int64_t as_of = json_time(prev, "as_of"), since;
	const cJSON *x;

	k.within_rpo = views_get_num(views_get(views_get(prev, "summary"), "currency"), "ok");
	if (cJSON_IsArray(views_get(prev, "findings")))
		k.findings = (double)cJSON_GetArraySize(views_get(prev, "findings"));
	if (as_of == DATE_NONE)
		return k;
	since = analyze_months_before(as_of, 12);
	if (cJSON_IsArray(views_get(prev, "datastores"))) {
		k.restore_tested = 0;
		cJSON_ArrayForEach(x, views_get(prev, "datastores")) {
			int64_t t = json_time(x, "last_restore_test");
			k.restore_tested += t != DATE_NONE && t >= since;
		}
	}
	if (cJSON_IsArray(views_get(prev, "drills"))) {
		k.drills_passed = 0;
		cJSON_ArrayForEach(x, views_get(prev, "drills")) {
			int64_t t = json_time(x, "date");
			k.drills_passed += t != DATE_NONE && t >= since && t <= as_of &&
					   cJSON_IsTrue(views_get(x, "passed"));
		}
	}
	return k;
}

/*
 * `delta` of a card, with --previous: {text "+2" / "-1" / "no change",
 * since (the previous period), direction better|worse|same, class}.
 */
static void put_delta(cJSON *kpi, double from, double to, bool higher_is_better,
		      const char *since)
{
	if (isnan(from) || isnan(to) || !kpi)
		return;
	cJSON *d = views_put_obj(kpi, "delta");
	double diff = to - from;
	const char *dir = diff == 0 ? "same" : (diff > 0) == higher_is_better ? "better" : "worse";
	if (diff == 0)
		views_put_str(d, "text", "no change");
	else
		views_put_fmt(d, "text", "%s%.0f", diff > 0 ? "+" : "\xE2\x88\x92", fabs(diff));
	views_put_str(d, "since", since ? since : "the previous build");
	views_put_str(d, "direction", dir);
	views_put_bool(d, "changed", diff != 0);
	views_put_fmt(d, "class", "delta-%s", dir);
}

static void put_kpi_deltas(cJSON *kpis, const struct views *v, const struct kpi_counts *now)
{
	const cJSON *prev = v->in->previous;
	if (!prev)
		return;
	struct kpi_counts was = previous_kpis(prev);
	const char *since = views_get_str(prev, "period");
	put_delta(cJSON_GetObjectItem(kpis, "stores_within_rpo"), was.within_rpo, now->within_rpo,
		  true, since);
	put_delta(cJSON_GetObjectItem(kpis, "restore_tested"), was.restore_tested,
		  now->restore_tested, true, since);
	put_delta(cJSON_GetObjectItem(kpis, "drills_passed"), was.drills_passed, now->drills_passed,
		  true, since);
	put_delta(cJSON_GetObjectItem(kpis, "findings"), was.findings, now->findings, false, since);
}

/* The readiness cards of the dashboard and the audit. */
void views_put_readiness(cJSON *view, const struct views *v)
{
	cJSON *kpis = views_put_obj(view, "kpis");
	size_t ok = 0, tested = 0, passed = 0, scored = 0;
	size_t sev[ARRAY_LEN(views_severity_names)] = {0};

	for (size_t k = 0; k < v->m->n_datastores; k++) {
		const char *cur = v->store[k].currency;
		int64_t rt = v->store[k].last_restore_test;
		if (cur && strcmp(cur, "ok") == 0)
			ok++;
		if (rt != DATE_NONE && rt >= v->f->window_12m_start)
			tested++;
	}
	for (size_t d = 0; d < v->m->n_drills; d++) {
		int p = results_drill_passed(v->rs, d);
		if (!views_drill_in_12m(v, d) || p < 0)
			continue;
		scored++;
		passed += p == 1;
	}
	put_kpi(kpis, "stores_within_rpo", ok, v->m->n_datastores);
	put_kpi(kpis, "restore_tested", tested, v->m->n_datastores);
	put_kpi(kpis, "drills_passed", passed, scored);

	for (size_t j = 0; j < v->n_findings; j++) {
		const char *s = v->finding[j]->severity;
		for (size_t i = 0; s && i < ARRAY_LEN(views_severity_names); i++) {
			if (strcmp(s, views_severity_names[i]) == 0)
				sev[i]++;
		}
	}
	cJSON *fk = views_put_obj(kpis, "findings");
	views_put_num(fk, "total", (double)v->n_findings);
	views_put_num(fk, "critical", (double)sev[0]);
	views_put_num(fk, "high", (double)sev[1]);
	views_put_str(fk, "class", sev[0] ? "kpi-bad" : sev[1] ? "kpi-warn" : "kpi-good");
	struct kpi_counts now = {(double)ok, (double)tested, (double)passed, (double)v->n_findings};
	put_kpi_deltas(kpis, v, &now);

	cJSON *bysev = views_put_arr(view, "findings_by_severity");
	for (size_t i = 0; i < ARRAY_LEN(views_severity_names); i++) {
		cJSON *x = views_push_obj(bysev);
		views_put_severity(x, views_severity_names[i]);
		views_put_num(x, "count", (double)sev[i]);
	}
	views_put_num(view, "findings_total", (double)v->n_findings);
	views_put_bool(view, "has_findings", v->n_findings > 0);
}

/* ---- charts ------------------------------------------------------------ */

void views_chart_services(cJSON *view, const struct pctx *pc, const size_t *per_tier)
{
	struct chart_bar bars[RULES_TIERS];
	char labels[RULES_TIERS][16], texts[RULES_TIERS][32], status[RULES_TIERS][16];
	struct buf desc = BUF_INIT, svg = BUF_INIT;

	if (!pc->charts)
		return;
	buf_puts(&desc, "Services per tier:");
	for (int t = 0; t < RULES_TIERS; t++) {
		snprintf(labels[t], sizeof(labels[t]), "Tier %d", t + 1);
		snprintf(texts[t], sizeof(texts[t]), "%zu", per_tier[t]);
		snprintf(status[t], sizeof(status[t]), "tier-%d", t + 1);
		bars[t] = (struct chart_bar){labels[t], (double)per_tier[t], NAN, texts[t], status[t],
					     NULL, false};
		buf_printf(&desc, "%s tier %d, %zu", t ? ";" : "", t + 1, per_tier[t]);
	}
	buf_putc(&desc, '.');
	chart_svg_columns(&svg, "chart-tiers", "Services per tier", desc.data, bars, RULES_TIERS);
	views_put_str(view, "chart_tiers", svg.data);
	buf_free(&desc);
	buf_free(&svg);
}

/* How far over its RPO a store is (never first, then by age over RPO). */
struct store_rank {
	size_t k;
	double score;
};

static int store_rank_cmp(const void *a, const void *b)
{
	const struct store_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static double effective_rpo(const struct views *v, double rpo)
{
	double tol = v->f->lag_tolerance_minutes;
	if (isnan(rpo))
		rpo = 0;
	if (rpo > 0)
		return rpo;
	return isnan(tol) || tol < 0 ? 0 : tol;
}

/*
 * Backup age against RPO for stores[0..n) (model indices; NULL: all), the worst
 * CHART_MAX_ROWS of them.  The target shown is the RPO currency is judged
 * against (the RPO, or the lag tolerance for RPO 0, docs/analysis.md).
 */
void views_chart_backups(cJSON *view, const struct pctx *pc, const size_t *stores, size_t n,
			 const char *id)
{
	const struct views *v = pc->v;
	struct store_rank *rank;
	struct chart_bar *bars;
	char (*texts)[48];
	struct buf desc = BUF_INIT, svg = BUF_INIT;
	size_t shown;

	if (!pc->charts || n == 0)
		return;
	rank = xcalloc(n, sizeof(*rank));
	for (size_t i = 0; i < n; i++) {
		size_t k = stores ? stores[i] : i;
		const struct results_datastore_row *sj = &v->store[k];
		double age = sj->age_minutes;
		double rpo = effective_rpo(v, sj->rpo_minutes);
		rank[i].k = k;
		rank[i].score = isnan(age) ? INFINITY : rpo > 0 ? age / rpo : age;
	}
	qsort(rank, n, sizeof(*rank), store_rank_cmp);
	shown = n < CHART_MAX_ROWS ? n : CHART_MAX_ROWS;
	bars = xcalloc(shown, sizeof(*bars));
	texts = xcalloc(shown, sizeof(*texts));
	buf_printf(&desc, "Age of the newest successful backup of each datastore against "
		   "its recovery point objective%s:", n > shown ? ", worst first" : "");
	for (size_t i = 0; i < shown; i++) {
		const struct results_datastore_row *sj = &v->store[rank[i].k];
		double age = sj->age_minutes;
		double rpo = effective_rpo(v, sj->rpo_minutes);
		char rpo_s[48];
		const char *cur = sj->currency;
		if (isnan(age))
			snprintf(texts[i], sizeof(texts[i]), "never backed up");
		else
			views_format_age(age, texts[i], sizeof(texts[i]));
		views_format_objective(rpo, rpo_s, sizeof(rpo_s));
		bars[i] = (struct chart_bar){v->m->datastores[rank[i].k].id,
					     isnan(age) ? 0 : age, rpo, texts[i], cur, NULL,
					     isnan(age)};
		if (isnan(sj->rpo_minutes) || sj->rpo_minutes <= 0)
			buf_printf(&desc, "%s %s: %s old, RPO 0 min, judged with the %s "
				   "replication-lag tolerance, %s", i ? ";" : "",
				   v->m->datastores[rank[i].k].id, texts[i], rpo_s,
				   cur ? cur : "unknown");
		else
			buf_printf(&desc, "%s %s: %s old, RPO %s, %s", i ? ";" : "",
				   v->m->datastores[rank[i].k].id, texts[i], rpo_s,
				   cur ? cur : "unknown");
	}
	buf_putc(&desc, '.');
	chart_svg_bars(&svg, id, "Backup age against RPO", desc.data, bars, shown,
		       "age of the newest good copy", 1);
	views_put_str(view, "chart_backups", svg.data);
	views_put_num(view, "chart_backups_shown", (double)shown);
	views_put_num(view, "chart_backups_total", (double)n);
	views_put_bool(view, "chart_backups_capped", n > shown);
	free(rank);
	free(bars);
	free(texts);
	buf_free(&desc);
	buf_free(&svg);
}

/* Drill results with a measured recovery time, in the last 12 months. */
struct result_rank {
	size_t drill;
	int result;        /* index in the drill's results */
	double score;      /* RTO achievement; lower is worse */
	size_t order;
};

static int result_rank_cmp(const void *a, const void *b)
{
	const struct result_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Why a drill result failed, in words ("RTO", "integrity", "RPO, availability"),
 * from the findings the drill rules raised about it (kind, subject service,
 * ref drill; availability is about the drill as a whole, subject the drill).
 * The rules decide what fails; this only names it.
 */
static void drill_fail_reasons(const struct views *v, const char *drill, const char *svc,
			       char *out, size_t size)
{
	static const struct { const char *kind, *word; } reasons[] = {
		{"not_recovered", "not recovered"}, {"rto_missed", "RTO"}, {"rpo_missed", "RPO"},
		{"integrity_failed", "integrity"}, {"availability_missed", "availability"},
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t r = 0; r < ARRAY_LEN(reasons); r++) {
		bool whole = strcmp(reasons[r].kind, "availability_missed") == 0;
		for (size_t j = 0; j < v->n_findings; j++) {
			const struct finding *f = v->finding[j];
			if (!f->kind || strcmp(f->kind, reasons[r].kind) != 0)
				continue;
			if (whole ? !f->subject || strcmp(f->subject, drill) != 0
				  : !f->ref || strcmp(f->ref, drill) != 0 || !svc || !f->subject ||
				    strcmp(f->subject, svc) != 0)
				continue;
			int k = snprintf(out + len, size - len, "%s%s", len ? ", " : "",
					 reasons[r].word);
			if (k > 0 && (size_t)k < size - len)
				len += (size_t)k;
			break;
		}
	}
}

void views_chart_drills(cJSON *view, const struct pctx *pc)
{
	const struct views *v = pc->v;
	struct result_rank *rank = NULL;
	size_t n = 0, cap = 0, shown;
	struct chart_bar *bars;
	char (*labels)[160], (*texts)[48], (*notes)[80];
	struct buf desc = BUF_INIT, svg = BUF_INIT;

	if (!pc->charts)
		return;
	for (size_t d = v->m->n_drills; d-- > 0;) {
		if (!views_drill_in_12m(v, d) || v->m->drills[d].n_results == 0)
			continue;
		cJSON *dj = results_drill(v->rs, d);
		const cJSON *rj;
		int k = 0;
		cJSON_ArrayForEach(rj, views_get(dj, "results")) {
			k++;
			if (isnan(views_get_num(rj, "recovery_minutes")) || isnan(views_get_num(rj, "target_rto_minutes")))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				rank = xrealloc(rank, cap * sizeof(*rank));
			}
			double a = views_get_num(rj, "rto_achievement");
			rank[n] = (struct result_rank){d, k - 1, isnan(a) ? 1 : a, n};
			n++;
		}
		cJSON_Delete(dj);
	}
	if (n == 0) {
		free(rank);
		return;
	}
	qsort(rank, n, sizeof(*rank), result_rank_cmp);
	shown = n < CHART_MAX_ROWS ? n : CHART_MAX_ROWS;
	bars = xcalloc(shown, sizeof(*bars));
	labels = xcalloc(shown, sizeof(*labels));
	texts = xcalloc(shown, sizeof(*texts));
	notes = xcalloc(shown, sizeof(*notes));
	buf_printf(&desc, "Recovery time against the RTO target in drills of the last 12 months%s:",
		   n > shown ? ", worst first" : "");
	for (size_t i = 0; i < shown; i++) {
		cJSON *dj = results_drill(v->rs, rank[i].drill);
		const cJSON *rj = cJSON_GetArrayItem(views_get(dj, "results"), rank[i].result);
		const char *svc = views_get_str(rj, "service");
		char target[48];
		bool known = views_jbool_known(rj, "passed");
		const char *status = !known ? NULL : views_jtrue(rj, "passed") ? "pass" : "fail";
		char date[11];
		date_format_day(v->m->drills[rank[i].drill].date, date);
		snprintf(labels[i], sizeof(labels[i]), "%s %s", svc ? svc : "?", date);
		views_format_objective(views_get_num(rj, "recovery_minutes"), texts[i], sizeof(texts[i]));
		views_format_objective(views_get_num(rj, "target_rto_minutes"), target, sizeof(target));
		if (status && strcmp(status, "fail") == 0)
			drill_fail_reasons(v, v->m->drills[rank[i].drill].id, svc, notes[i],
					   sizeof(notes[i]));
		bars[i] = (struct chart_bar){labels[i], views_get_num(rj, "recovery_minutes"),
					     views_get_num(rj, "target_rto_minutes"), texts[i], status,
					     notes[i], false};
		buf_printf(&desc, "%s %s in drill %s: recovered in %s, target %s%s%s%s%s", i ? ";" : "",
			   svc ? svc : "?", v->m->drills[rank[i].drill].id, texts[i], target,
			   status ? ", " : "", status ? status : "", notes[i][0] ? ": " : "",
			   notes[i]);
		cJSON_Delete(dj);
	}
	buf_putc(&desc, '.');
	chart_svg_bars(&svg, "chart-drills", "Drill recovery time against RTO target", desc.data,
		       bars, shown, "recovery time", 1);
	views_put_str(view, "chart_drills", svg.data);
	views_put_num(view, "chart_drills_shown", (double)shown);
	views_put_num(view, "chart_drills_total", (double)n);
	views_put_bool(view, "chart_drills_capped", n > shown);
	free(rank);
	free(bars);
	free(labels);
	free(texts);
	free(notes);
	buf_free(&desc);
	buf_free(&svg);
}

/* ---- compliance (results.json `controls`, filled by the compliance rules) */

static const char *const control_statuses[] = {
	"pass", "partial", "fail", "no_data", "attest", "waived", "alternative", "n/a",
};

/* A control status as shown: upper case; "alternative" in full (issue 13). */
static void put_status_label(cJSON *o, const char *key, const char *st)
{
	if (st && strcmp(st, "alternative") == 0)
		views_put_str(o, key, "ALTERNATIVE MEASURE DOCUMENTED");
	else
		views_put_upper(o, key, st);
}

static size_t status_index(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_LEN(control_statuses); i++) {
		if (strcmp(s, control_statuses[i]) == 0)
			return i;
	}
	return ARRAY_LEN(control_statuses);  /* other */
}

/* One evidence item of a control: a string, or "key: value, key: value". */
/*
 * "baselines" of a NIST control as text ("moderate, high"; "none" when no
 * SP 800-53B baseline selects it); nothing for other frameworks' controls.
 */
static void put_baselines(cJSON *x, const cJSON *list)
{
	struct buf b = BUF_INIT;
	const cJSON *v;

	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(v, list) {
		if (!cJSON_IsString(v))
			continue;
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, v->valuestring);
	}
	views_put_str(x, "baselines", b.len ? b.data : "none");
	buf_free(&b);
}

static void put_evidence_item(struct buf *b, const cJSON *e)
{
	const cJSON *kv;
	size_t k = 0;
	if (!cJSON_IsObject(e)) {
		views_put_scalar(b, e);
		return;
	}
	cJSON_ArrayForEach(kv, e) {
		buf_printf(b, "%s%s: ", k++ ? ", " : "", kv->string ? kv->string : "");
		views_put_scalar(b, kv);
	}
}

/* The summary of framework `name` in results.json `compliance`, or NULL. */
static const cJSON *framework_summary(const struct views *v, const char *name)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, views_get(views_get(v->results, "compliance"), "frameworks")) {
		const char *fw = views_get_str(x, "framework");
		if (fw && strcmp(fw, name) == 0)
			return x;
	}
	return NULL;
}

/*
 * One row of the control matrix: its anchor, every evidence item (a list
 * on paper, collapsible on screen when long), and links to the findings
 * that affect it (track.h).  ci is its index in results.json `controls`.
 */
static void fill_control(cJSON *x, const struct pctx *pc, const cJSON *c, size_t ci)
{
	const struct views *v = pc->v;
	const char *st = views_get_str(c, "status");
	char anchor[256];

	views_put_str(x, "control", views_get_str(c, "control"));
	views_put_str(x, "title", views_get_str(c, "title"));
	views_put_str(x, "status", st);
	put_status_label(x, "status_label", st);
	views_put_class(x, "status_class", "st-", st);
	views_put_str(x, "reason", views_get_str(c, "reason"));
	views_put_str(x, "ask", views_get_str(c, "ask"));
	put_baselines(x, views_get(c, "baselines"));
	track_control_anchor(views_get_str(c, "framework"), views_get_str(c, "control"),
			     anchor, sizeof(anchor));
	views_put_str(x, "anchor", anchor);

	struct buf ev = BUF_INIT, item = BUF_INIT;
	const cJSON *e;
	cJSON *items = views_put_arr(x, "evidence_items");
	size_t n_ev = 0;
	cJSON_ArrayForEach(e, views_get(c, "evidence")) {
		n_ev++;
		buf_reset(&item);
		put_evidence_item(&item, e);
		cJSON *it = views_push_obj(items);
		views_put_str(it, "text", item.data ? item.data : "");
		if (ev.len)
			buf_puts(&ev, "; ");
		buf_puts(&ev, item.data ? item.data : "");
		/* the record or file the item names (records.csv, evidence/inputs/) */
		buf_reset(&item);
		if (records_href(v->in->records, e, pc->root, &item))
			views_put_str(it, "href", item.data);
	}
	views_put_str(x, "evidence", ev.data ? ev.data : "");
	views_put_num(x, "evidence_count", (double)n_ev);
	views_put_bool(x, "has_evidence", n_ev > 0);
	views_put_bool(x, "evidence_long", n_ev > CONTROL_SHORT_EVIDENCE);
	buf_free(&ev);
	buf_free(&item);

	cJSON *fl = views_put_arr(x, "findings");
	size_t n = 0;
	const size_t *fi = v->in->track ? track_control_findings(v->in->track, ci, &n) : NULL;
	for (size_t k = 0; k < n; k++) {
		const struct finding *f = &v->r->findings[fi[k]];
		const struct track_finding *tf = track_of(v->in->track, f);
		cJSON *y = views_push_obj(fl);
		views_put_str(y, "id", f->id);
		views_put_str(y, "anchor", tf->anchor);
		views_put_audit_href(y, "href", pc, tf->anchor);
		views_put_severity(y, f->severity);
		views_put_words(y, "kind_label", f->kind);
		views_put_str(y, "subject", f->subject);
		if (f->ref)
			views_put_fmt(y, "label", "%s (%s)", f->subject, f->ref);
		else
			views_put_str(y, "label", f->subject);
	}
	views_put_bool(x, "has_findings", n > 0);
}

struct cause {
	const char *kind;
	size_t n, rank;     /* findings; the most severe one's rank */
	cJSON *list;
};

static int cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* The changes of framework `name` since the previous report, for its summary. */
static size_t put_framework_changes(cJSON *o, const struct pctx *pc, const char *name)
{
	static const char *const lists[] = {"controls_worse", "controls_better", "controls_changed"};
	const cJSON *ch = views_get(pc->v->results, "changes");
	cJSON *arr = views_put_arr(o, "changed");
	size_t worse = 0;
	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		const cJSON *x;
		cJSON_ArrayForEach(x, views_get(ch, lists[i])) {
			const char *fw = views_get_str(x, "framework");
			char anchor[256];
			if (!fw || strcmp(fw, name) != 0)
				continue;
			cJSON *y = views_push_obj(arr);
			track_control_anchor(fw, views_get_str(x, "control"), anchor, sizeof(anchor));
			views_put_str(y, "control", views_get_str(x, "control"));
			views_put_str(y, "title", views_get_str(x, "title"));
			views_put_audit_href(y, "href", pc, anchor);
			views_put_upper(y, "from_label", views_get_str(x, "from"));
			views_put_class(y, "from_class", "st-", views_get_str(x, "from"));
			views_put_upper(y, "to_label", views_get_str(x, "to"));
			views_put_class(y, "to_class", "st-", views_get_str(x, "to"));
			views_put_bool(y, "worse", i == 0);
			worse += i == 0;
		}
	}
	views_put_bool(o, "has_changed", cJSON_GetArraySize(arr) > 0);
	return worse;
}

/*
 * The executive summary of one framework (the audit): its main causes (the
 * findings that affect its controls, grouped by kind, the largest group
 * first), its changes since the previous report and one sentence that
 * says what the data supports.
 */
static void put_framework_summary(cJSON *o, const struct pctx *pc, const char *name,
				  const char *label, const size_t *counts)
{
	const struct views *v = pc->v;
	const struct track *tr = v->in->track;
	size_t nf = v->r ? v->r->n_findings : 0;
	bool *hit = xcalloc(nf + 1, sizeof(*hit));
	const cJSON *c;
	size_t ci = 0;

	cJSON_ArrayForEach(c, views_get(v->results, "controls")) {
		const char *fw = views_get_str(c, "framework");
		size_t n = 0;
		const size_t *fi = tr && fw && strcmp(fw, name) == 0 ?
			track_control_findings(tr, ci, &n) : NULL;
		for (size_t k = 0; k < n; k++)
			hit[fi[k]] = true;
		ci++;
	}
	struct cause *cause = xcalloc(nf + 1, sizeof(*cause));
	size_t n_cause = 0, n_hit = 0;
	cJSON *holder = cJSON_CreateObject();
	for (size_t j = 0; j < v->n_findings; j++) {   /* most severe first */
		const struct finding *f = v->finding[j];
		size_t idx = (size_t)(f - v->r->findings), k;
		if (!hit[idx])
			continue;
		n_hit++;
		for (k = 0; k < n_cause && strcmp(cause[k].kind, f->kind) != 0; k++)
			;
		if (k == n_cause) {
			cause[k] = (struct cause){f->kind, 0, views_severity_rank(f->severity),
						  cJSON_CreateArray()};
			cJSON_AddItemToArray(holder, cause[k].list);
			n_cause++;
		}
		cause[k].n++;
		cJSON *y = views_push_obj(cause[k].list);
		views_put_str(y, "subject", f->subject);
		if (f->ref)
			views_put_fmt(y, "label", "%s (%s)", f->subject, f->ref);
		else
			views_put_str(y, "label", f->subject);
		views_put_str(y, "id", f->id);
		views_put_audit_href(y, "href", pc, track_of(tr, f)->anchor);
		views_put_severity(y, f->severity);
	}
	qsort(cause, n_cause, sizeof(*cause), cause_cmp);
	cJSON *causes = views_put_arr(o, "causes");
	for (size_t k = 0; k < n_cause; k++) {
		cJSON *y = views_push_obj(causes);
		views_put_str(y, "kind", cause[k].kind);
		views_put_words(y, "kind_label", cause[k].kind);
		views_put_num(y, "count", (double)cause[k].n);
		views_put_severity(y, views_severity_names[cause[k].rank < ARRAY_LEN(views_severity_names) ?
					       cause[k].rank : ARRAY_LEN(views_severity_names) - 1]);
		/* a small group by name; a large one by its count (all are listed below) */
		bool named = cause[k].n <= SUMMARY_NAMED;
		views_put_bool(y, "named", named);
		const cJSON *first = cJSON_GetArrayItem(cause[k].list, 0);
		views_put_str(y, "first_anchor", views_get_str(first, "anchor"));
		views_put_str(y, "first_href", views_get_str(first, "href"));
		if (named)
			cJSON_AddItemToObjectCS(y, "findings", cJSON_Duplicate(cause[k].list, true));
	}
	views_put_bool(o, "has_causes", n_cause > 0);
	views_put_num(o, "findings_linked", (double)n_hit);
	size_t worse = put_framework_changes(o, pc, name);

	size_t fail = counts[status_index("fail")], partial = counts[status_index("partial")],
	       no_data = counts[status_index("no_data")], attest = counts[status_index("attest")],
	       waived = counts[status_index("waived")], pass = counts[status_index("pass")],
	       na = counts[status_index("n/a")];
	size_t judged = fail + partial + no_data + attest + waived + pass;
	size_t short_of = fail + partial + no_data;
	const char *prev = views_get_str(views_get(views_get(v->results, "changes"), "previous"),
					 "period");
	struct buf b = BUF_INIT;
	if (judged == 0) {
		buf_printf(&b, "None of the %zu controls of %s applies to this plan, so the report "
			   "gives no basis for reliance on them.", na, label);
	} else if (short_of > 0) {
		buf_printf(&b, "The data does not support reliance on %zu of the %zu applicable "
			   "controls of %s (%zu fail, %zu partly met, %zu without data)",
			   short_of, judged, label, fail, partial, no_data);
		if (n_cause > 0)
			buf_printf(&b, "; the main cause is %s (%zu finding%s)",
				   views_get_str(cJSON_GetArrayItem(causes, 0), "kind_label"),
				   cause[0].n, util_plural(cause[0].n));
		if (attest)
			buf_printf(&b, "; %zu other control%s an attestation", attest,
				   attest == 1 ? " needs" : "s need");
		if (worse && prev)
			buf_printf(&b, "; %zu got worse since %s", worse, prev);
		buf_putc(&b, '.');
	} else if (attest > 0) {
		buf_printf(&b, "The data supports every control of %s that it can judge (%zu pass%s); "
			   "%zu control%s an attestation by a person before reliance.", label, pass,
			   waived ? ", the others under an active exception" : "", attest,
			   attest == 1 ? " needs" : "s need");
	} else {
		buf_printf(&b, "The data supports reliance on every applicable control of %s "
			   "(%zu pass%s).", label, pass,
			   waived ? ", the others under an active exception" : "");
	}
	views_put_str(o, "conclusion", b.data);
	buf_free(&b);
	cJSON_Delete(holder);
	free(cause);
	free(hit);
}

/*
 * `compliance`: {has_controls, frameworks: [{framework, counts..., controls}]}
 * grouped by framework in order of first appearance.
 */
void views_compliance_put(cJSON *view, const struct pctx *pc, bool with_controls)
{
	const struct views *v = pc->v;
	const cJSON *controls = views_get(v->results, "controls");
	cJSON *comp = views_put_obj(view, "compliance");
	cJSON *fws = views_put_arr(comp, "frameworks");
	cJSON *configured = views_put_arr(comp, "configured");
	size_t n_fw = 0;
	const cJSON *c;

	struct buf list = BUF_INIT;
	for (size_t i = 0; i < v->m->compliance.n_frameworks; i++) {
		cJSON_AddItemToArray(configured, cJSON_CreateString(v->m->compliance.frameworks[i]));
		buf_printf(&list, "%s%s", i ? ", " : "", v->m->compliance.frameworks[i]);
	}
	views_put_str(comp, "configured_list", list.data ? list.data : "");
	buf_free(&list);
	views_put_bool(comp, "has_configured", v->m->compliance.n_frameworks > 0);

	struct fw {
		const char *name;
		const char *label;  /* the framework's name, as the tables show it */
		cJSON *obj, *list;
		size_t counts[ARRAY_LEN(control_statuses) + 1];
	} *fw = NULL;
	size_t cap = 0;

	size_t ci = 0;
	cJSON_ArrayForEach(c, controls) {
		const char *name = views_get_str(c, "framework");
		size_t k;
		ci++;
		if (!name)
			name = "";
		for (k = 0; k < n_fw && strcmp(fw[k].name, name) != 0; k++)
			;
		if (k == n_fw) {
			if (n_fw == cap) {
				cap = cap ? 2 * cap : 8;
				fw = xrealloc(fw, cap * sizeof(*fw));
			}
			memset(&fw[k], 0, sizeof(fw[k]));
			fw[k].name = name;
			fw[k].obj = views_push_obj(fws);
			views_put_str(fw[k].obj, "framework", name);
			const cJSON *sum = framework_summary(v, name);
			fw[k].label = views_get_str(sum, "name") ? views_get_str(sum, "name") : name;
			views_put_str(fw[k].obj, "name", fw[k].label);
			views_put_str(fw[k].obj, "scope", views_get_str(sum, "scope"));
			if (with_controls)
				fw[k].list = views_put_arr(fw[k].obj, "controls");
			n_fw++;
		}
		const char *st = views_get_str(c, "status");
		fw[k].counts[status_index(st)]++;
		if (!with_controls)
			continue;
		fill_control(views_push_obj(fw[k].list), pc, c, ci - 1);
	}

	struct chart_stack *rows = xcalloc(n_fw ? n_fw : 1, sizeof(*rows));
	struct chart_segment *segs = xcalloc((n_fw ? n_fw : 1) * ARRAY_LEN(control_statuses),
					     sizeof(*segs));
	struct buf desc = BUF_INIT;
	buf_puts(&desc, "Control status per framework:");
	for (size_t k = 0; k < n_fw; k++) {
		size_t total = 0, ns = 0;
		cJSON *counts = views_put_arr(fw[k].obj, "counts");
		for (size_t s = 0; s <= ARRAY_LEN(control_statuses); s++)
			total += fw[k].counts[s];
		views_put_num(fw[k].obj, "total", (double)total);
		buf_printf(&desc, "%s %s:", k ? ";" : "", fw[k].label);
		for (size_t s = 0; s < ARRAY_LEN(control_statuses); s++) {
			if (!fw[k].counts[s])
				continue;
			cJSON *x = views_push_obj(counts);
			views_put_str(x, "status", control_statuses[s]);
			put_status_label(x, "status_label", control_statuses[s]);
			views_put_class(x, "status_class", "st-", control_statuses[s]);
			views_put_num(x, "count", (double)fw[k].counts[s]);
			segs[k * ARRAY_LEN(control_statuses) + ns++] =
				(struct chart_segment){control_statuses[s], (double)fw[k].counts[s]};
			buf_printf(&desc, " %zu %s", fw[k].counts[s], control_statuses[s]);
		}
		rows[k] = (struct chart_stack){fw[k].label, &segs[k * ARRAY_LEN(control_statuses)], ns};
		views_put_num(fw[k].obj, "failing", (double)fw[k].counts[status_index("fail")]);
		views_put_fmt(fw[k].obj, "anchor", "framework-%s", fw[k].name);
		if (with_controls)
			put_framework_summary(fw[k].obj, pc, fw[k].name,
					      views_get_str(fw[k].obj, "name"), fw[k].counts);
	}
	buf_putc(&desc, '.');
	views_put_bool(comp, "has_controls", n_fw > 0);
	if (pc->charts && n_fw > 0) {
		struct buf svg = BUF_INIT;
		chart_svg_stacked(&svg, "chart-compliance", "Compliance status per framework",
				  desc.data, rows, n_fw);
		views_put_str(comp, "chart", svg.data);
		buf_free(&svg);
	}
	buf_free(&desc);
	free(rows);
	free(segs);
	free(fw);
}

/* ---- what changed since a previous build (results.json `changes`) ------- */

static void put_direction(cJSON *o, const char *dir)
{
	views_put_str(o, "direction", dir);
	views_put_upper(o, "direction_label", dir);
	views_put_str(o, "direction_class", !dir ? "st-none" : strcmp(dir, "worse") == 0 ? "st-fail"
			: strcmp(dir, "better") == 0 ? "st-pass" : "st-none");
}

static void put_control_change(cJSON *arr, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *fw = views_get_str(x, "framework");
	views_put_str(o, "framework", fw);
	views_put_str(o, "control", views_get_str(x, "control"));
	views_put_str(o, "title", views_get_str(x, "title"));
	views_put_str(o, "from", views_get_str(x, "from"));
	views_put_upper(o, "from_label", views_get_str(x, "from"));
	views_put_class(o, "from_class", "st-", views_get_str(x, "from"));
	views_put_str(o, "to", views_get_str(x, "to"));
	views_put_upper(o, "to_label", views_get_str(x, "to"));
	views_put_class(o, "to_class", "st-", views_get_str(x, "to"));
	views_put_bool(o, "regression", views_jtrue(x, "regression"));
}

static void put_finding_change(cJSON *arr, const struct pctx *pc, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *subject = views_get_str(x, "subject");
	long s = -1;
	views_put_str(o, "id", views_get_str(x, "id"));
	views_put_str(o, "kind", views_get_str(x, "kind"));
	views_put_words(o, "kind_label", views_get_str(x, "kind"));
	views_put_severity(o, views_get_str(x, "severity"));
	views_put_str(o, "subject", subject);
	views_put_str(o, "message", views_get_str(x, "message"));
	if (subject) {
		const struct datastore *ds = model_datastore_find(pc->v->m, subject);
		s = views_service_index(pc->v, subject);
		if (s < 0 && ds && ds->service_index < pc->v->m->n_services)
			s = (long)ds->service_index;
	}
	if (s >= 0)
		views_put_fmt(o, "subject_href", "%srunbooks/%s.%s", pc->root,
			      pc->v->m->services[s].id, pc->ext);
}

/* A changed value of a service: tier as is, objectives in minutes as "5 min". */
static void put_field_value(cJSON *o, const char *key, const char *field, const cJSON *x)
{
	size_t n = strlen(field);
	struct buf b = BUF_INIT;
	if (n > 8 && strcmp(field + n - 8, "_minutes") == 0 && cJSON_IsNumber(x)) {
		views_put_objective(o, key, x->valuedouble);
		return;
	}
	views_put_scalar(&b, x);
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

static void put_service_change(cJSON *arr, const struct pctx *pc, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *id = views_get_str(x, "id");
	long s = views_service_index(pc->v, id);
	const cJSON *c;
	views_put_str(o, "id", id);
	views_put_str(o, "name", views_get_str(x, "name") ? views_get_str(x, "name") : id);
	if (s >= 0)
		views_put_fmt(o, "href", "%srunbooks/%s.%s", pc->root, id, pc->ext);
	cJSON *list = views_put_arr(o, "changes");
	cJSON_ArrayForEach(c, views_get(x, "changes")) {
		const char *field = views_get_str(c, "field");
		cJSON *y = views_push_obj(list);
		if (!field)
			field = "";
		size_t n = strlen(field);
		char *label = xstrndup(field, n > 8 && strcmp(field + n - 8, "_minutes") == 0
				       ? n - 8 : n);
		views_put_str(y, "field", field);
		views_put_upper(y, "field_label", label);
		free(label);
		put_field_value(y, "from", field, views_get(c, "from"));
		put_field_value(y, "to", field, views_get(c, "to"));
	}
}

/*
 * `changes` (index and audit, with --previous): what changed since the
 * previous results.json, as changes.c computed it; `has_previous` false
 * without one.
 */
void views_changes_put(cJSON *view, const struct pctx *pc)
{
	const cJSON *ch = views_get(pc->v->results, "changes");
	const cJSON *x;
	views_put_bool(view, "has_previous", cJSON_IsObject(ch));
	if (!cJSON_IsObject(ch))
		return;
	cJSON *o = views_put_obj(view, "changes");
	const cJSON *prev = views_get(ch, "previous");
	const cJSON *sum = views_get(ch, "summary");
	views_put_str(o, "previous_period", views_get_str(prev, "period"));
	views_put_stamp(o, "previous_as_of", views_get_str(prev, "as_of"));
	views_put_bool(o, "has_changes", views_jtrue(ch, "has_changes"));
	put_direction(o, views_get_str(sum, "readiness"));
	views_put_num(o, "regressions", views_get_num(sum, "regressions"));
	cJSON *sc = views_put_obj(o, "summary_counts");
	static const char *const counted[] = {"findings_new", "findings_resolved",
					      "controls_worse", "controls_better"};
	for (size_t i = 0; i < ARRAY_LEN(counted); i++)
		views_put_num(sc, counted[i], views_get_num(sum, counted[i]));
	views_put_bool(o, "has_regressions", views_get_num(sum, "regressions") > 0);

	static const char *const control_lists[] = {
		"controls_worse", "controls_better", "controls_changed", "controls_added",
		"controls_removed",
	};
	for (size_t i = 0; i < ARRAY_LEN(control_lists); i++) {
		cJSON *arr = views_put_arr(o, control_lists[i]);
		cJSON_ArrayForEach(x, views_get(ch, control_lists[i])) {
			put_control_change(arr, x);
		}
	}
	static const char *const finding_lists[] = {"findings_new", "findings_resolved"};
	for (size_t i = 0; i < ARRAY_LEN(finding_lists); i++) {
		const cJSON *src = views_get(ch, finding_lists[i]);
		size_t n = (size_t)cJSON_GetArraySize(src), k = 0;
		const cJSON **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
		cJSON *arr = views_put_arr(o, finding_lists[i]);
		cJSON_ArrayForEach(x, src) {
			sorted[k++] = x;
		}
		/* most severe first, like every list */
		views_sort_by_severity((const void **)sorted, n, views_json_severity);
		for (k = 0; k < n; k++)
			put_finding_change(arr, pc, sorted[k]);
		free(sorted);
	}
	cJSON *svc = views_put_arr(o, "services_changed");
	cJSON_ArrayForEach(x, views_get(ch, "services_changed")) {
		put_service_change(svc, pc, x);
	}
	static const char *const service_lists[] = {"services_added", "services_removed"};
	for (size_t i = 0; i < ARRAY_LEN(service_lists); i++) {
		cJSON *arr = views_put_arr(o, service_lists[i]);
		cJSON_ArrayForEach(x, views_get(ch, service_lists[i])) {
			cJSON *y = views_push_obj(arr);
			views_put_str(y, "id", views_get_str(x, "id"));
			views_put_str(y, "name", views_get_str(x, "name") ? views_get_str(x, "name") : views_get_str(x, "id"));
		}
	}
	cJSON *rd = views_put_arr(o, "readiness");
	cJSON_ArrayForEach(x, views_get(ch, "readiness")) {
		cJSON *y = views_push_obj(rd);
		views_put_str(y, "metric", views_get_str(x, "metric"));
		views_put_words(y, "metric_label", views_get_str(x, "metric"));
		views_put_num(y, "from", views_get_num(x, "from"));
		views_put_num(y, "to", views_get_num(x, "to"));
		put_direction(y, views_get_str(x, "direction"));
	}
	/* has_<list> for each list, so templates can skip empty ones. */
	static const char *const all[] = {
		"controls_worse", "controls_better", "controls_changed", "controls_added",
		"controls_removed", "findings_new", "findings_resolved", "services_changed",
		"services_added", "services_removed", "readiness",
	};
	static const char *const has[] = {
		"has_controls_worse", "has_controls_better", "has_controls_changed",
		"has_controls_added", "has_controls_removed", "has_findings_new",
		"has_findings_resolved", "has_services_changed", "has_services_added",
		"has_services_removed", "has_readiness",
	};
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		views_put_bool(o, has[i], cJSON_GetArraySize(views_get(o, all[i])) > 0);
}

void views_put_contact(cJSON *o, const struct contact *c)
{
	views_put_str(o, "id", c->id);
	views_put_str(o, "name", c->name ? c->name : c->id);
	views_put_str(o, "role", c->role);
	views_put_str(o, "team", c->team);
	views_put_str(o, "phone", c->phone);
	put_tel(o, "phone_href", c->phone);
	views_put_str(o, "email", c->email);
	put_mailto(o, "email_href", c->email);
	views_put_time(o, "last_verified", c->last_verified);
}

void views_put_escalation(cJSON *arr, const struct views *v,
			  const struct escalation_step *steps, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++) {
		cJSON *x = views_push_obj(arr);
		char after[48];
		views_put_num(x, "level", steps[i].level);
		if (!isnan(steps[i].after_minutes) && steps[i].after_minutes > 0) {
			views_format_objective(steps[i].after_minutes, after, sizeof(after));
			views_put_str(x, "after", after);
		}
		views_put_bool(x, "immediately", isnan(steps[i].after_minutes) ||
			       steps[i].after_minutes <= 0);
		if (steps[i].contact_index < v->m->n_contacts)
			views_put_contact(views_put_obj(x, "contact"), &v->m->contacts[steps[i].contact_index]);
	}
}
