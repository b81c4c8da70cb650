/*
 * views_compliance.c -- the compliance section of the dashboard, the plan
 * and the audit (results.json `controls` and `compliance`, filled by the
 * compliance rules).
 *
 * Statuses are the rules'; this file groups the controls by framework,
 * counts them (with a chart in HTML), and for the audit lists each
 * control with its evidence, with an executive summary per framework: the
 * findings that affect its controls, grouped by kind, and its changes
 * since the previous report.
 */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

#include "chart_svg.h"
#include "track.h"

/* Evidence lists longer than this collapse on screen (all items are listed). */
#define CONTROL_SHORT_EVIDENCE 3
/* Findings of one cause the executive summary names (a larger group: its count). */
#define SUMMARY_NAMED 5

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

/* A control's identity and verdict: what its matrix row and its page show. */
static void fill_control_head(cJSON *x, const cJSON *c)
{
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
	views_control_anchor(c, anchor, sizeof(anchor));
	views_put_str(x, "anchor", anchor);
}

/*
 * A control's lists: every evidence item (a list on paper, collapsible on
 * screen when long) and links to the findings that affect it (track.h).
 * ci is its index in results.json `controls`.
 */
static void fill_control_lists(cJSON *x, const struct pctx *pc, const cJSON *c, size_t ci)
{
	const struct views *v = pc->v;
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
	views_put_num(x, "findings_count", (double)n);
}

/*
 * `check_outcomes`: per check, its status and how many subjects it judged
 * had each outcome ("1,347 fail, 1,979 partial, 11 waived of 3,337
 * judged"), in place of a reason too long for the matrix.
 */
static void put_check_outcomes(cJSON *x, const cJSON *c)
{
	cJSON *list = views_put_arr(x, "check_outcomes");
	const cJSON *k;
	cJSON_ArrayForEach(k, views_get(c, "checks")) {
		const char *st = views_get_str(k, "status");
		cJSON *o = views_push_obj(list);
		views_put_words(o, "check", views_get_str(k, "check"));
		put_status_label(o, "status_label", st);
		views_put_class(o, "status_class", "st-", st);
		struct buf b = BUF_INIT;
		char n[32];
		const cJSON *counts = views_get(k, "subject_counts"), *cnt;
		for (size_t s = 0; s < ARRAY_LEN(control_statuses); s++) {
			cnt = views_get(counts, control_statuses[s]);
			if (!cJSON_IsNumber(cnt) || cnt->valuedouble <= 0)
				continue;
			views_format_number(cnt->valuedouble, 0, n, sizeof(n));
			buf_printf(&b, "%s%s %s", b.len ? ", " : "", n, control_statuses[s]);
		}
		const cJSON *total = views_get(k, "subjects_total");
		if (cJSON_IsNumber(total)) {
			views_format_number(total->valuedouble, 0, n, sizeof(n));
			buf_printf(&b, "%sof %s judged", b.len ? " " : "", n);
		}
		views_put_str(o, "counts", b.data ? b.data : "");
		buf_free(&b);
	}
	views_put_bool(x, "reason_on_page", true);
}

/*
 * One row of the control matrix: the control and its lists, or, when they
 * are too long for the report (VIEWS_CONTROL_PAGE_ITEMS), their counts and
 * a link to the page that holds them.
 */
static void fill_control(cJSON *x, const struct pctx *pc, const cJSON *c, size_t ci)
{
	const struct views *v = pc->v;
	fill_control_head(x, c);
	if (!v->control_paged[ci]) {
		fill_control_lists(x, pc, c, ci);
		return;
	}
	size_t n = 0;
	if (v->in->track)
		track_control_findings(v->in->track, ci, &n);
	views_put_bool(x, "paged", true);
	views_put_num(x, "findings_count", (double)n);
	views_put_bool(x, "has_findings", n > 0);
	views_put_num(x, "evidence_count",
		      (double)cJSON_GetArraySize(views_get(c, "evidence")));
	views_put_fmt(x, "page_href", "%s/%s.%s", v->period, views_get_str(x, "anchor"),
		      pc->ext);
	const char *reason = views_get_str(c, "reason");
	if (reason && strlen(reason) > VIEWS_CONTROL_REASON_MAX)
		put_check_outcomes(x, c);
}

/*
 * The page of one control whose lists are too long for the audit's matrix
 * (audit/PERIOD/ANCHOR.html): its verdict, every finding that affects it
 * and every evidence item, with a link back to its row.
 */
cJSON *views_control(const struct views *v, size_t item, enum views_format f)
{
	struct pctx pc = views_pctx_make(v, f, 2);
	size_t ci = v->control_pages[item];
	const cJSON *c = v->controls[ci];
	cJSON *view = cJSON_CreateObject();
	char anchor[256];
	views_control_anchor(c, anchor, sizeof(anchor));
	views_put_page(view, &pc, "audit", anchor);
	cJSON *x = views_put_obj(view, "control");
	fill_control_head(x, c);
	const char *fw = views_get_str(c, "framework");
	const cJSON *sum = framework_summary(v, fw ? fw : "");
	views_put_str(x, "framework", fw);
	views_put_str(x, "framework_name", views_get_str(sum, "name") ? views_get_str(sum, "name")
								   : fw);
	views_put_fmt(x, "row_href", "../%s.%s#%s", v->period, pc.ext,
		      views_get_str(x, "anchor"));
	fill_control_lists(x, &pc, c, ci);
	return view;
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
