/*
 * compliance.c -- runs the compliance rules and checks what they say.
 *
 * Nothing here judges a control: the Lua rules decide every status, reason
 * and evidence reference.  This module owns the contract between them and
 * results.json.  For each framework NAME of compliance.frameworks, the
 * engine compliance/evidence.lua (which loads compliance/NAME.lua, the
 * framework's controls) is called with {framework = NAME, phase = "start"}
 * and returns
 *
 *   { framework = "iso27001", name = "...", scope = "...", regime = "...",
 *     warnings = { "..." }, count = N }
 *
 * then with {framework = NAME, control = i} for i = 1..N, each returning
 * one control
 *
 *   { control, title, baselines?, status, reason, evidence = { "text" |
 *     { key = scalar, ... } }, ask?, checks?, attestations?, exception? }
 *
 * (baselines: the SP 800-53B baselines selecting a NIST control) and every
 * control is copied into a fresh object with its keys in a fixed order
 * (framework, control, title, baselines, status, reason, evidence, then
 * the optional ones), so results.json does not depend on how a rule built its
 * tables.  A framework's controls are appended only when all of them are
 * valid, so `out` never holds half a framework.
 */
#include "compliance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const compliance_status_names[COMPLIANCE_STATUS_COUNT] = {
	[COMPLIANCE_PASS] = "pass",
	[COMPLIANCE_PARTIAL] = "partial",
	[COMPLIANCE_FAIL] = "fail",
	[COMPLIANCE_NO_DATA] = "no_data",
	[COMPLIANCE_ATTEST] = "attest",
	[COMPLIANCE_WAIVED] = "waived",
	[COMPLIANCE_ALTERNATIVE] = "alternative",
	[COMPLIANCE_NA] = "n/a",
};

int compliance_status_find(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < COMPLIANCE_STATUS_COUNT; i++) {
		if (strcmp(name, compliance_status_names[i]) == 0)
			return i;
	}
	return -1;
}

bool compliance_status_at_or_below(enum compliance_status s, enum compliance_level level)
{
	switch (s) {
	case COMPLIANCE_FAIL:
	case COMPLIANCE_NO_DATA:
		return true;
	case COMPLIANCE_PARTIAL:
	case COMPLIANCE_ATTEST:
		return level == COMPLIANCE_LEVEL_PARTIAL;
	default:
		return false;
	}
}

size_t compliance_count_at_or_below(const cJSON *controls, enum compliance_level level)
{
	size_t n = 0;
	const cJSON *c;

	cJSON_ArrayForEach(c, controls) {
		int s = compliance_status_find(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "status")));
		if (s >= 0 && compliance_status_at_or_below((enum compliance_status)s, level))
			n++;
	}
	return n;
}

void compliance_init(struct compliance *c)
{
	memset(c, 0, sizeof(*c));
	c->controls = cJSON_CreateArray();
	c->frameworks = cJSON_CreateArray();
}

void compliance_free(struct compliance *c)
{
	cJSON_Delete(c->controls);
	cJSON_Delete(c->frameworks);
	memset(c, 0, sizeof(*c));
}

/* ---- shape checks -------------------------------------------------------- */

static const cJSON *member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A string member: required, or absent (NULL returned, *ok kept). */
static const char *get_string(const cJSON *o, const char *key, bool required,
			      const char *path, struct buf *err, bool *ok)
{
	const cJSON *v = member(o, key);

	if (!v || cJSON_IsNull(v)) {
		if (required && *ok) {
			buf_printf(err, "%s%s: missing (a string is required)", path, key);
			*ok = false;
		}
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		if (*ok)
			buf_printf(err, "%s%s: must be a string", path, key);
		*ok = false;
		return NULL;
	}
	return v->valuestring;
}

/* A status member, one of compliance_status_names. */
static int get_status(const cJSON *o, const char *path, struct buf *err, bool *ok)
{
	const char *s = get_string(o, "status", true, path, err, ok);
	int st;

	if (!s)
		return -1;
	st = compliance_status_find(s);
	if (st < 0 && *ok) {
		buf_printf(err, "%sstatus: \"%s\" is not one of pass, partial, fail, no_data, "
			   "attest, waived, alternative, n/a", path, s);
		*ok = false;
	}
	return st;
}

/* An object whose members are strings, numbers, booleans or null. */
static bool flat_object(const cJSON *o)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return false;
	cJSON_ArrayForEach(v, o) {
		if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v) &&
		    !cJSON_IsNull(v))
			return false;
	}
	return true;
}

static bool check_evidence(const cJSON *ev, const char *path, struct buf *err)
{
	const cJSON *e;
	size_t i = 0;

	if (!cJSON_IsArray(ev)) {
		buf_printf(err, "%sevidence: must be a list", path);
		return false;
	}
	cJSON_ArrayForEach(e, ev) {
		if (!cJSON_IsString(e) && !flat_object(e)) {
			char *text = cJSON_PrintUnformatted(e);
			buf_printf(err, "%sevidence[%zu]: must be a string or an object of "
				   "strings and numbers, not %.60s", path, i + 1,
				   text ? text : "?");
			free(text);
			return false;
		}
		i++;
	}
	return true;
}

/* A list of strings (a control's baselines, e.g. NIST SP 800-53B). */
static bool string_list(const cJSON *l)
{
	const cJSON *v;

	if (!cJSON_IsArray(l))
		return false;
	cJSON_ArrayForEach(v, l) {
		if (!cJSON_IsString(v))
			return false;
	}
	return true;
}

/* subjects = { {type, id, status} }: the subjects a check judged */
static bool check_subjects(const cJSON *list, const char *path, struct buf *err)
{
	const cJSON *x;
	size_t i = 0;
	bool ok = true;

	if (!cJSON_IsArray(list)) {
		buf_printf(err, "%ssubjects: must be a list", path);
		return false;
	}
	cJSON_ArrayForEach(x, list) {
		char sub[128];
		i++;
		snprintf(sub, sizeof(sub), "%ssubjects[%zu].", path, i);
		if (!cJSON_IsObject(x)) {
			buf_printf(err, "%ssubjects[%zu]: must be a table", path, i);
			return false;
		}
		get_string(x, "type", true, sub, err, &ok);
		get_string(x, "id", true, sub, err, &ok);
		get_status(x, sub, err, &ok);
		if (!ok)
			return false;
	}
	return true;
}

/* A count: a whole number, 0 or more. */
static bool is_count(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	       v->valuedouble == floor(v->valuedouble);
}

/* subject_counts = { status = count } */
static bool check_subject_counts(const cJSON *o, const char *path, struct buf *err)
{
	const cJSON *v;
	bool ok = cJSON_IsObject(o);

	cJSON_ArrayForEach(v, o) {
		if (!ok || compliance_status_find(v->string) < 0 || !is_count(v))
			ok = false;
	}
	if (!ok)
		buf_printf(err, "%ssubject_counts: must be a table of statuses and counts", path);
	return ok;
}

/* checks = { {check, status, reason, informational?, subjects?,
 * subjects_total?, subject_counts?} } */
static bool check_checks(const cJSON *list, const char *path, struct buf *err)
{
	const cJSON *c;
	size_t i = 0;
	bool ok = true;

	if (!cJSON_IsArray(list)) {
		buf_printf(err, "%schecks: must be a list", path);
		return false;
	}
	cJSON_ArrayForEach(c, list) {
		char sub[96];
		i++;
		snprintf(sub, sizeof(sub), "%schecks[%zu].", path, i);
		if (!cJSON_IsObject(c)) {
			buf_printf(err, "%schecks[%zu]: must be a table", path, i);
			return false;
		}
		get_string(c, "check", true, sub, err, &ok);
		get_status(c, sub, err, &ok);
		get_string(c, "reason", false, sub, err, &ok);
		if (!ok)
			return false;
		const cJSON *opt = member(c, "subjects");
		if (opt && !check_subjects(opt, sub, err))
			return false;
		opt = member(c, "subjects_total");
		if (opt && !is_count(opt)) {
			buf_printf(err, "%ssubjects_total: must be a count", sub);
			return false;
		}
		opt = member(c, "subject_counts");
		if (opt && !check_subject_counts(opt, sub, err))
			return false;
	}
	return true;
}

static void add_copy(cJSON *dst, const char *key, const cJSON *src)
{
	if (src && !cJSON_IsNull(src))
		cJSON_AddItemToObject(dst, key, cJSON_Duplicate(src, true));
}

/*
 * Validates control c (the i-th, 1-based) and returns a fresh copy with
 * ordered keys, or NULL with err filled.
 */
static cJSON *copy_control(const char *framework, const cJSON *c, size_t i,
			   struct buf *err)
{
	char path[64];
	bool ok = true;
	const char *fw, *id, *title, *reason, *ask;
	const cJSON *ev, *opt;
	int st;
	cJSON *out;

	snprintf(path, sizeof(path), "controls[%zu].", i);
	if (!cJSON_IsObject(c)) {
		buf_printf(err, "controls[%zu]: must be a table", i);
		return NULL;
	}
	fw = get_string(c, "framework", false, path, err, &ok);
	id = get_string(c, "control", true, path, err, &ok);
	title = get_string(c, "title", true, path, err, &ok);
	st = get_status(c, path, err, &ok);
	reason = get_string(c, "reason", true, path, err, &ok);
	ask = get_string(c, "ask", false, path, err, &ok);
	if (!ok)
		return NULL;
	if (!*id) {
		buf_printf(err, "%scontrol: must not be empty", path);
		return NULL;
	}
	if (fw && strcmp(fw, framework) != 0) {
		buf_printf(err, "%sframework: \"%s\" in the rule file of \"%s\"", path, fw,
			   framework);
		return NULL;
	}
	ev = member(c, "evidence");
	if (!ev) {
		buf_printf(err, "%sevidence: missing (a list is required)", path);
		return NULL;
	}
	if (!check_evidence(ev, path, err))
		return NULL;
	opt = member(c, "checks");
	if (opt && !check_checks(opt, path, err))
		return NULL;
	opt = member(c, "attestations");
	if (opt && !cJSON_IsArray(opt)) {
		buf_printf(err, "%sattestations: must be a list", path);
		return NULL;
	}
	opt = member(c, "baselines");
	if (opt && !string_list(opt)) {
		buf_printf(err, "%sbaselines: must be a list of strings", path);
		return NULL;
	}
	opt = member(c, "exception");
	if (opt && !flat_object(opt)) {
		buf_printf(err, "%sexception: must be a table of strings", path);
		return NULL;
	}
	/* every exception applied (issue 13 item 11); `exception` is the first */
	opt = member(c, "exceptions");
	if (opt) {
		const cJSON *x;
		bool flat = cJSON_IsArray(opt);
		cJSON_ArrayForEach(x, opt) flat = flat && flat_object(x);
		if (!flat) {
			buf_printf(err, "%sexceptions: must be a list of tables of strings", path);
			return NULL;
		}
	}

	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "framework", framework);
	cJSON_AddStringToObject(out, "control", id);
	cJSON_AddStringToObject(out, "title", title);
	add_copy(out, "baselines", member(c, "baselines"));
	cJSON_AddStringToObject(out, "status", compliance_status_names[st]);
	cJSON_AddStringToObject(out, "reason", reason);
	add_copy(out, "evidence", ev);
	if (ask)
		cJSON_AddStringToObject(out, "ask", ask);
	add_copy(out, "checks", member(c, "checks"));
	add_copy(out, "attestations", member(c, "attestations"));
	add_copy(out, "exception", member(c, "exception"));
	add_copy(out, "exceptions", member(c, "exceptions"));
	return out;
}

bool compliance_add_framework(struct compliance *out, const char *framework,
			      const cJSON *ret, cJSON *warnings, struct buf *err)
{
	bool ok = true;
	const char *fw, *name, *scope, *regime;
	const cJSON *controls, *c, *w;
	cJSON *copies = NULL, *summary, *counts;
	size_t n[COMPLIANCE_STATUS_COUNT] = {0}, i = 0;
	struct strmap *seen = NULL;

	if (!cJSON_IsObject(ret)) {
		buf_puts(err, "evaluate must return a table");
		return false;
	}
	fw = get_string(ret, "framework", true, "", err, &ok);
	name = get_string(ret, "name", false, "", err, &ok);
	scope = get_string(ret, "scope", false, "", err, &ok);
	regime = get_string(ret, "regime", false, "", err, &ok);
	if (!ok)
		return false;
	if (strcmp(fw, framework) != 0) {
		buf_printf(err, "framework: \"%s\", expected \"%s\"", fw, framework);
		return false;
	}
	w = member(ret, "warnings");
	if (w && !cJSON_IsArray(w)) {
		buf_puts(err, "warnings: must be a list of strings");
		return false;
	}
	cJSON_ArrayForEach(c, w) {
		if (!cJSON_IsString(c)) {
			buf_puts(err, "warnings: must be a list of strings");
			return false;
		}
	}
	controls = member(ret, "controls");
	if (!cJSON_IsArray(controls)) {
		buf_puts(err, "controls: must be a list");
		return false;
	}

	copies = cJSON_CreateArray();
	seen = strmap_new(64);
	cJSON_ArrayForEach(c, controls) {
		cJSON *x = copy_control(framework, c, ++i, err);
		if (!x) {
			ok = false;
			break;
		}
		const char *id = cJSON_GetStringValue(member(x, "control"));
		if (strmap_get(seen, id)) {
			buf_printf(err, "controls[%zu].control: \"%s\" appears twice", i, id);
			cJSON_Delete(x);
			ok = false;
			break;
		}
		strmap_put(seen, cJSON_GetStringValue(member(x, "control")), x);
		n[compliance_status_find(cJSON_GetStringValue(member(x, "status")))]++;
		cJSON_AddItemToArray(copies, x);
	}
	strmap_free(seen);
	if (!ok) {
		cJSON_Delete(copies);
		return false;
	}

	/* Commit: controls, summary, totals, warnings. */
	while (cJSON_GetArraySize(copies) > 0)
		cJSON_AddItemToArray(out->controls, cJSON_DetachItemFromArray(copies, 0));
	cJSON_Delete(copies);
	summary = cJSON_CreateObject();
	cJSON_AddStringToObject(summary, "framework", framework);
	cJSON_AddStringToObject(summary, "name", name ? name : framework);
	if (scope)
		cJSON_AddStringToObject(summary, "scope", scope);
	if (regime)
		cJSON_AddStringToObject(summary, "regime", regime);
	cJSON_AddNumberToObject(summary, "total", (double)i);
	counts = cJSON_AddObjectToObject(summary, "counts");
	for (int s = 0; s < COMPLIANCE_STATUS_COUNT; s++) {
		cJSON_AddNumberToObject(counts, compliance_status_names[s], (double)n[s]);
		out->counts[s] += n[s];
	}
	cJSON_AddItemToArray(out->frameworks, summary);
	if (warnings) {
		cJSON_ArrayForEach(c, w) {
			cJSON_AddItemToArray(warnings, cJSON_CreateString(c->valuestring));
		}
	}
	return true;
}

/* ---- the stage -------------------------------------------------------------- */

/* A framework name is a rule file name under compliance/: [a-z0-9_-]. */
static bool framework_name_valid(const char *s)
{
	if (!s || !*s || strlen(s) > 48)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return false;
	}
	return true;
}

/* The user-visible path of a rule file the rules engine loaded. */
static const char *rule_path(const struct rules *r, const char *name)
{
	const struct rules_file *files;
	size_t n = rules_files(r, &files);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(files[i].name, name) == 0)
			return files[i].path;
	}
	return name;
}

/*
 * Runs one framework through the engine (compliance/evidence.lua, function
 * evaluate): {framework = NAME, phase = "start"} gives the header with the
 * number of controls, then {framework = NAME, control = i} gives control
 * i.  One call per control keeps each call within the rules' instruction
 * budget on large plans; the engine keeps what the calls share.  Returns
 * the header with `controls` filled in, for compliance_add_framework; NULL
 * on a rule error (diagnostics in d) or a bad header (err filled).
 */
#define COMPLIANCE_ENGINE "compliance/evidence"
#define COMPLIANCE_MAX_CONTROLS 10000

static cJSON *engine_call(struct rules *r, const struct model *m, const struct facts *f,
			  const struct rules_results *res, const char *framework,
			  const char *phase, long control, struct diags *d)
{
	cJSON *arg = cJSON_CreateObject(), *out;

	if (framework)
		cJSON_AddStringToObject(arg, "framework", framework);
	if (phase)
		cJSON_AddStringToObject(arg, "phase", phase);
	else
		cJSON_AddNumberToObject(arg, "control", (double)control);
	out = rules_call_json(r, m, f, res, COMPLIANCE_ENGINE, "evaluate", arg, d);
	cJSON_Delete(arg);
	return out;
}

static cJSON *run_framework(struct rules *r, const struct model *m, const struct facts *f,
			    const struct rules_results *res, const char *framework,
			    struct diags *d, struct buf *err)
{
	cJSON *head, *controls;
	const cJSON *count;
	double n;

	head = engine_call(r, m, f, res, framework, "start", 0, d);
	if (!head)
		return NULL;
	count = cJSON_IsObject(head) ? member(head, "count") : NULL;
	n = cJSON_IsNumber(count) ? count->valuedouble : -1;
	if (n < 0 || n > COMPLIANCE_MAX_CONTROLS || n != (double)(long)n) {
		buf_printf(err, "evaluate{phase = \"start\"} must return a table with count, "
			   "a whole number of controls from 0 to %d", COMPLIANCE_MAX_CONTROLS);
		cJSON_Delete(head);
		return NULL;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(head, "controls");
	controls = cJSON_AddArrayToObject(head, "controls");
	for (long i = 1; i <= (long)n; i++) {
		cJSON *c = engine_call(r, m, f, res, framework, NULL, i, d);
		if (!c) {
			cJSON_Delete(head);
			return NULL;
		}
		cJSON_AddItemToArray(controls, c);
	}
	return head;
}

/*
 * The errors evaluate{phase = "end"} found in the plan's exceptions:
 * { errors = { { exception = i (1-based), key = "control", message,
 * severity = "warning"? } } }, reported at the exception's key in plan.json
 * (issue 13 item 11).  Returns false when there are errors (exit 2).
 */
static bool end_errors(const struct model *m, const cJSON *end, const char *engine,
		       struct diags *d)
{
	const cJSON *errs = cJSON_IsObject(end) ? member(end, "errors") : NULL, *e;
	size_t n = 0;

	if (!errs)
		return true;
	if (!cJSON_IsArray(errs)) {
		diag_add(d, DIAG_ERROR, engine, 0, 0, NULL,
			 "evaluate returned a bad value: errors: must be a list");
		return false;
	}
	cJSON_ArrayForEach(e, errs) {
		const cJSON *i = member(e, "exception");
		const char *key = cJSON_GetStringValue(member(e, "key"));
		const char *msg = cJSON_GetStringValue(member(e, "message"));
		const char *sev = cJSON_GetStringValue(member(e, "severity"));
		bool warning = sev && strcmp(sev, "warning") == 0;
		double k = cJSON_IsNumber(i) ? i->valuedouble : 0;
		if (!msg || k < 1 || k > (double)m->n_exceptions || k != (double)(size_t)k) {
			diag_add(d, DIAG_ERROR, engine, 0, 0, NULL,
				 "evaluate returned a bad value: errors[%zu]: expected "
				 "{exception = 1..%zu, key, message}", n + 1, m->n_exceptions);
			return false;
		}
		const struct exception *x = &m->exceptions[(size_t)k - 1];
		char *where = xasprintf("%s%s%s", x->pos.pointer ? x->pos.pointer : "",
					key ? "/" : "", key ? key : "");
		diag_add(d, warning ? DIAG_WARNING : DIAG_ERROR, x->pos.file, x->pos.line, 0,
			 where, "%s", msg);
		free(where);
		n += !warning;
	}
	return n == 0;
}

bool compliance_run(struct rules *r, const struct model *m, const struct facts *f,
		    const struct rules_results *res, struct compliance *out,
		    struct diags *d)
{
	const struct compliance_settings *cs = &m->compliance;
	char *plan = xasprintf("%s/plan.json", m->dir ? m->dir : ".");
	struct strmap *done = strmap_new(16);
	cJSON *all_warnings = cJSON_CreateArray();  /* owns the strings `warned` keys */
	struct strmap *warned = strmap_new(16);
	bool ok = true;

	for (size_t i = 0; i < cs->n_frameworks && ok; i++) {
		const char *fw = cs->frameworks[i];
		struct buf err = BUF_INIT;
		cJSON *ret, *warnings;
		char *name;

		if (!framework_name_valid(fw)) {
			diag_add(d, DIAG_ERROR, plan, 0, 0, NULL,
				 "compliance.frameworks: \"%s\" is not a framework name "
				 "(the name of a rule file in compliance/: lowercase letters, "
				 "digits, '-' and '_')", fw ? fw : "");
			ok = false;
			break;
		}
		if (strmap_get(done, fw)) {
			diag_add(d, DIAG_WARNING, plan, 0, 0, NULL,
				 "compliance.frameworks: \"%s\" is listed twice; it runs once", fw);
			continue;
		}
		strmap_put(done, fw, (void *)fw);
		name = xasprintf("compliance/%s", fw);
		ret = run_framework(r, m, f, res, fw, d, &err);
		if (!ret && err.data) {
			diag_add(d, DIAG_ERROR, rule_path(r, COMPLIANCE_ENGINE), 0, 0, NULL,
				 "evaluate returned a bad value: %s", err.data);
			ok = false;
		} else if (!ret) {
			diag_add(d, DIAG_NOTE, plan, 0, 0, NULL,
				 "compliance.frameworks names \"%s\", whose rules are %s.lua", fw,
				 name);
			ok = false;
		} else {
			warnings = cJSON_CreateArray();
			if (!compliance_add_framework(out, fw, ret, warnings, &err)) {
				diag_add(d, DIAG_ERROR, rule_path(r, name), 0, 0, NULL,
					 "evaluate returned a bad value: %s", err.data);
				ok = false;
			} else {
				/* Settings shared by every framework warn once. */
				while (cJSON_GetArraySize(warnings) > 0) {
					cJSON *w = cJSON_DetachItemFromArray(warnings, 0);
					if (strmap_get(warned, w->valuestring)) {
						cJSON_Delete(w);
						continue;
					}
					cJSON_AddItemToArray(all_warnings, w);
					strmap_put(warned, w->valuestring, w);
					diag_add(d, DIAG_WARNING, plan, 0, 0, NULL, "%s",
						 w->valuestring);
				}
			}
			cJSON_Delete(warnings);
			cJSON_Delete(ret);
		}
		buf_free(&err);
		free(name);
	}
	/* The engine drops what the frameworks shared, and judges the plan's
	 * exceptions as a whole (control ids, approvers, durations). */
	if (ok && (cs->n_frameworks > 0 || m->n_exceptions > 0)) {
		cJSON *end = engine_call(r, m, f, res, NULL, "end", 0, d);
		ok = end != NULL && end_errors(m, end, rule_path(r, COMPLIANCE_ENGINE), d);
		cJSON_Delete(end);
	}
	strmap_free(done);
	strmap_free(warned);
	cJSON_Delete(all_warnings);
	free(plan);
	return ok;
}
