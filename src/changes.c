/*
 * changes.c -- the differences between two results.json documents.
 *
 * Everything is keyed: controls by (framework, control), findings by id,
 * services by id.  A control's status falls in one of three weights:
 * passing (pass, waived, alternative, n/a), short (partial, attest) and failing (fail,
 * no_data); a move to a heavier weight is "worse", to a lighter one
 * "better", within a weight "changed".  Nothing here interprets a status
 * further: the rules decided them.  Lookups go through string maps built
 * once per document, so the comparison is linear in the documents' size.
 */
#include "changes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "jsonpos.h"
#include "source.h"
#include "util.h"

#define DAY 86400

/* ---- reading ----------------------------------------------------------------- */

cJSON *changes_read_previous(const char *path, char sha256[65], uint64_t *size,
			     struct diags *d)
{
	struct stat st;
	struct source_file sf;
	struct jsonpos *index = NULL;
	struct jsonpos_error err;
	cJSON *doc = NULL;
	char *file;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		file = xasprintf("%s%sevidence/results.json", path,
				 path[strlen(path) - 1] == '/' ? "" : "/");
	else
		file = xstrdup(path);
	if (!source_read_unlinked(file, SOURCE_MAX_JSON, &sf, d)) {
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "--previous expects an earlier output folder or its "
			 "evidence/results.json");
		goto out;
	}
	if (sha256)
		source_sha256_hex(sf.data, sf.len, sha256);
	if (size)
		*size = sf.len;
	if (!jsonpos_parse(sf.data, sf.len, JSONPOS_MAX_DEPTH, &doc, &index, &err)) {
		diag_add(d, DIAG_ERROR, file, err.line, err.col, NULL,
			 "malformed previous results: %s", err.message);
		doc = NULL;
		goto out_free;
	}
	if (!cJSON_IsObject(doc) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "drgen_version")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "as_of"))) {
		diag_add(d, DIAG_ERROR, file, 1, 1, NULL,
			 "not a drgen results.json: expected an object with drgen_version "
			 "and as_of");
		cJSON_Delete(doc);
		doc = NULL;
		goto out_free;
	}
	static const char *const lists[] = {"controls", "findings", "services",
					    "datastores", "drills"};
	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, lists[i]);
		if (v && !cJSON_IsArray(v)) {
			diag_add(d, DIAG_ERROR, file, 0, 0, lists[i],
				 "not a drgen results.json: %s must be a list", lists[i]);
			cJSON_Delete(doc);
			doc = NULL;
			goto out_free;
		}
	}
out_free:
	jsonpos_free(index);
	source_file_free(&sf);
out:
	free(file);
	return doc;
}

/* ---- helpers ------------------------------------------------------------------ */

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(get(o, key));
}

static void put_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static void put_copy(cJSON *o, const char *key, const cJSON *v)
{
	cJSON_AddItemToObject(o, key, v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
}

/* Elements of the array doc[key] by a key built from each element. */
typedef char *(*key_fn)(const cJSON *item);

struct index {
	struct strmap *map;
	char **keys;          /* owned */
	size_t n;
};

static void index_build(struct index *ix, const cJSON *arr, key_fn fn)
{
	const cJSON *x;
	size_t cap = (size_t)cJSON_GetArraySize(arr);

	ix->map = strmap_new(cap ? cap : 1);
	ix->keys = xcalloc(cap ? cap : 1, sizeof(*ix->keys));
	ix->n = 0;
	cJSON_ArrayForEach(x, arr) {
		char *k = fn(x);
		if (!k)
			continue;
		if (strmap_get(ix->map, k)) {
			free(k);
			continue;
		}
		ix->keys[ix->n++] = k;
		strmap_put(ix->map, k, (void *)x);
	}
}

static void index_free(struct index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->keys[i]);
	free(ix->keys);
	strmap_free(ix->map);
}

static char *control_key(const cJSON *c)
{
	const char *fw = str(c, "framework"), *id = str(c, "control");
	return fw && id ? xasprintf("%s\x1f%s", fw, id) : NULL;
}

static char *id_key(const cJSON *x)
{
	const char *id = str(x, "id");
	return id ? xstrdup(id) : NULL;
}

/* 0 passing, 1 short of passing, 2 failing; -1 unknown. */
static int weight(const char *status)
{
	static const struct {
		const char *name;
		int w;
	} w[] = {
		{"pass", 0}, {"waived", 0}, {"alternative", 0}, {"n/a", 0}, {"partial", 1},
		{"attest", 1},
		{"fail", 2}, {"no_data", 2},
	};
	for (size_t i = 0; status && i < ARRAY_LEN(w); i++) {
		if (strcmp(status, w[i].name) == 0)
			return w[i].w;
	}
	return -1;
}

static cJSON *control_entry(const cJSON *c, const char *from, const char *to)
{
	cJSON *o = cJSON_CreateObject();

	put_str(o, "framework", str(c, "framework"));
	put_str(o, "control", str(c, "control"));
	put_str(o, "title", str(c, "title"));
	if (from)
		put_str(o, "from", from);
	put_str(o, "to", to);
	return o;
}

/* ---- controls ---------------------------------------------------------------- */

static void diff_controls(cJSON *out, const cJSON *prev, const cJSON *cur)
{
	struct index pi, ci;
	const cJSON *c;
	cJSON *worse = cJSON_AddArrayToObject(out, "controls_worse");
	cJSON *better = cJSON_AddArrayToObject(out, "controls_better");
	cJSON *changed = cJSON_AddArrayToObject(out, "controls_changed");
	cJSON *added = cJSON_AddArrayToObject(out, "controls_added");
	cJSON *removed = cJSON_AddArrayToObject(out, "controls_removed");
	cJSON *later = cJSON_CreateArray();   /* worse, but not from passing */

	index_build(&pi, get(prev, "controls"), control_key);
	index_build(&ci, get(cur, "controls"), control_key);
	cJSON_ArrayForEach(c, get(cur, "controls")) {
		char *k = control_key(c);
		const cJSON *p = k ? strmap_get(pi.map, k) : NULL;
		const char *to = str(c, "status");
		free(k);
		if (!p) {
			cJSON *e = control_entry(c, NULL, to);
			cJSON_AddItemToArray(added, e);
			continue;
		}
		const char *from = str(p, "status");
		if (!from || !to || strcmp(from, to) == 0)
			continue;
		int wf = weight(from), wt = weight(to);
		cJSON *e = control_entry(c, from, to);
		if (wf < 0 || wt < 0 || wf == wt) {
			cJSON_AddItemToArray(changed, e);
		} else if (wt > wf) {
			bool regression = wf == 0;
			cJSON_AddBoolToObject(e, "regression", regression);
			cJSON_AddItemToArray(regression ? worse : later, e);
		} else {
			cJSON_AddItemToArray(better, e);
		}
	}
	while (cJSON_GetArraySize(later) > 0)
		cJSON_AddItemToArray(worse, cJSON_DetachItemFromArray(later, 0));
	cJSON_Delete(later);
	cJSON_ArrayForEach(c, get(prev, "controls")) {
		char *k = control_key(c);
		if (k && !strmap_get(ci.map, k))
			cJSON_AddItemToArray(removed, control_entry(c, NULL, str(c, "status")));
		free(k);
	}
	index_free(&pi);
	index_free(&ci);
}

/* ---- findings ----------------------------------------------------------------- */

static cJSON *finding_entry(const cJSON *f)
{
	cJSON *o = cJSON_CreateObject();
	static const char *const keys[] = {"id", "kind", "severity", "subject", "message"};

	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		put_str(o, keys[i], str(f, keys[i]));
	return o;
}

static void diff_findings(cJSON *out, const cJSON *prev, const cJSON *cur)
{
	struct index pi, ci;
	const cJSON *f;
	cJSON *added = cJSON_AddArrayToObject(out, "findings_new");
	cJSON *resolved = cJSON_AddArrayToObject(out, "findings_resolved");

	index_build(&pi, get(prev, "findings"), id_key);
	index_build(&ci, get(cur, "findings"), id_key);
	cJSON_ArrayForEach(f, get(cur, "findings")) {
		const char *id = str(f, "id");
		if (id && !strmap_get(pi.map, id))
			cJSON_AddItemToArray(added, finding_entry(f));
	}
	cJSON_ArrayForEach(f, get(prev, "findings")) {
		const char *id = str(f, "id");
		if (id && !strmap_get(ci.map, id))
			cJSON_AddItemToArray(resolved, finding_entry(f));
	}
	index_free(&pi);
	index_free(&ci);
}

/* ---- services ------------------------------------------------------------------ */

static bool same_value(const cJSON *a, const cJSON *b)
{
	if (!a || cJSON_IsNull(a))
		return !b || cJSON_IsNull(b);
	if (!b)
		return false;
	return cJSON_Compare(a, b, true);
}

static void diff_services(cJSON *out, const cJSON *prev, const cJSON *cur)
{
	static const char *const fields[] = {"tier", "rpo_minutes", "rto_minutes"};
	struct index pi, ci;
	const cJSON *s;
	cJSON *changed = cJSON_AddArrayToObject(out, "services_changed");
	cJSON *added = cJSON_AddArrayToObject(out, "services_added");
	cJSON *removed = cJSON_AddArrayToObject(out, "services_removed");

	index_build(&pi, get(prev, "services"), id_key);
	index_build(&ci, get(cur, "services"), id_key);
	cJSON_ArrayForEach(s, get(cur, "services")) {
		const char *id = str(s, "id");
		const cJSON *p = id ? strmap_get(pi.map, id) : NULL;
		if (!id)
			continue;
		if (!p) {
			cJSON *o = cJSON_CreateObject();
			put_str(o, "id", id);
			put_str(o, "name", str(s, "name"));
			cJSON_AddItemToArray(added, o);
			continue;
		}
		cJSON *list = NULL;
		for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
			const cJSON *a = get(p, fields[i]), *b = get(s, fields[i]);
			if (same_value(a, b))
				continue;
			if (!list)
				list = cJSON_CreateArray();
			cJSON *ch = cJSON_CreateObject();
			cJSON_AddStringToObject(ch, "field", fields[i]);
			put_copy(ch, "from", a);
			put_copy(ch, "to", b);
			cJSON_AddItemToArray(list, ch);
		}
		if (list) {
			cJSON *o = cJSON_CreateObject();
			put_str(o, "id", id);
			put_str(o, "name", str(s, "name"));
			cJSON_AddItemToObject(o, "changes", list);
			cJSON_AddItemToArray(changed, o);
		}
	}
	cJSON_ArrayForEach(s, get(prev, "services")) {
		const char *id = str(s, "id");
		if (id && !strmap_get(ci.map, id)) {
			cJSON *o = cJSON_CreateObject();
			put_str(o, "id", id);
			put_str(o, "name", str(s, "name"));
			cJSON_AddItemToArray(removed, o);
		}
	}
	index_free(&pi);
	index_free(&ci);
}

/* ---- readiness ------------------------------------------------------------------- */

/* Drills dated in the 12 months before the document's as-of: total, passed. */
static void drills_passed(const cJSON *doc, double *total, double *passed)
{
	const char *as_of = str(doc, "as_of");
	int64_t t_as_of, t;
	const cJSON *dr;

	*total = *passed = 0;
	if (!as_of || !date_parse_rfc3339(as_of, strlen(as_of), &t_as_of))
		return;
	cJSON_ArrayForEach(dr, get(doc, "drills")) {
		const char *date = str(dr, "date");
		if (!date || !date_parse_any(date, strlen(date), &t))
			continue;
		if (t > t_as_of || t_as_of - t > 365 * (int64_t)DAY)
			continue;
		(*total)++;
		if (cJSON_IsTrue(get(dr, "passed")))
			(*passed)++;
	}
}

static double count_findings(const cJSON *doc)
{
	const cJSON *f;
	double n = 0;

	cJSON_ArrayForEach(f, get(doc, "findings")) {
		const char *sev = str(f, "severity");
		if (sev && (strcmp(sev, "critical") == 0 || strcmp(sev, "high") == 0))
			n++;
	}
	return n;
}

/* Controls of the given weight (0 passing, 2 failing). */
static double count_controls(const cJSON *doc, int w)
{
	const cJSON *c;
	double n = 0;

	cJSON_ArrayForEach(c, get(doc, "controls")) {
		n += weight(str(c, "status")) == w;
	}
	return n;
}

static double currency(const cJSON *doc, const char *name)
{
	const cJSON *v = get(get(get(doc, "summary"), "currency"), name);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Adds one metric; higher_is_better says which way is "better".  Returns
 * -1 worse, 0 same, 1 better. */
static int metric(cJSON *arr, const char *name, double from, double to,
		  bool higher_is_better)
{
	cJSON *o = cJSON_CreateObject();
	int dir = 0;

	cJSON_AddStringToObject(o, "metric", name);
	if (isnan(from))
		cJSON_AddNullToObject(o, "from");
	else
		cJSON_AddNumberToObject(o, "from", from);
	if (isnan(to))
		cJSON_AddNullToObject(o, "to");
	else
		cJSON_AddNumberToObject(o, "to", to);
	if (!isnan(from) && !isnan(to) && from != to)
		dir = ((to > from) == higher_is_better) ? 1 : -1;
	cJSON_AddStringToObject(o, "direction", dir > 0 ? "better" : dir < 0 ? "worse" : "same");
	cJSON_AddItemToArray(arr, o);
	return dir;
}

static const char *diff_readiness(cJSON *out, const cJSON *prev, const cJSON *cur)
{
	cJSON *arr = cJSON_AddArrayToObject(out, "readiness");
	int better = 0, worse = 0, dir;
	double pt, pp, ct, cp;

#define TALLY(x) do { dir = (x); better += dir > 0; worse += dir < 0; } while (0)
	TALLY(metric(arr, "datastores_current", currency(prev, "ok"), currency(cur, "ok"), true));
	TALLY(metric(arr, "datastores_late", currency(prev, "late"), currency(cur, "late"), false));
	TALLY(metric(arr, "datastores_stale", currency(prev, "stale"), currency(cur, "stale"), false));
	TALLY(metric(arr, "datastores_never_backed_up", currency(prev, "never"),
		     currency(cur, "never"), false));
	drills_passed(prev, &pt, &pp);
	drills_passed(cur, &ct, &cp);
	TALLY(metric(arr, "drills_passed_12_months", pp, cp, true));
	TALLY(metric(arr, "drills_failed_12_months", pt - pp, ct - cp, false));
	TALLY(metric(arr, "findings_high_or_critical", count_findings(prev),
		     count_findings(cur), false));
	TALLY(metric(arr, "controls_failing", count_controls(prev, 2), count_controls(cur, 2),
		     false));
	TALLY(metric(arr, "controls_passing", count_controls(prev, 0), count_controls(cur, 0),
		     true));
#undef TALLY
	if (better && worse)
		return "mixed";
	if (better)
		return "better";
	if (worse)
		return "worse";
	return "same";
}

/* ---- the whole ------------------------------------------------------------------ */

cJSON *changes_compute(const cJSON *previous, const cJSON *current)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *prev = cJSON_AddObjectToObject(out, "previous");
	cJSON *summary;
	const char *verdict;
	static const char *const lists[] = {
		"controls_worse", "controls_better", "controls_changed", "controls_added",
		"controls_removed", "findings_new", "findings_resolved", "services_changed",
		"services_added", "services_removed",
	};
	bool any = false;

	put_copy(prev, "period", get(previous, "period"));
	put_copy(prev, "as_of", get(previous, "as_of"));
	put_copy(prev, "drgen_version", get(previous, "drgen_version"));
	cJSON_AddFalseToObject(out, "has_changes");
	summary = cJSON_AddObjectToObject(out, "summary");
	diff_controls(out, previous, current);
	diff_findings(out, previous, current);
	diff_services(out, previous, current);
	verdict = diff_readiness(out, previous, current);
	for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
		int n = cJSON_GetArraySize(get(out, lists[i]));
		cJSON_AddNumberToObject(summary, lists[i], n);
		any |= n > 0;
	}
	const cJSON *w;
	int regressions = 0;
	cJSON_ArrayForEach(w, get(out, "controls_worse")) {
		regressions += cJSON_IsTrue(get(w, "regression"));
	}
	cJSON_AddNumberToObject(summary, "regressions", regressions);
	cJSON_AddStringToObject(summary, "readiness", verdict);
	any |= strcmp(verdict, "same") != 0;
	if (any)
		cJSON_ReplaceItemInObjectCaseSensitive(out, "has_changes", cJSON_CreateTrue());
	return out;
}
