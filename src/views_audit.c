/*
 * views_audit.c -- the view of the audit report (audit/<period>.html, .md).
 *
 * The audit lists everything in full, where the dashboard shows the worst
 * few: every finding (and those resolved since the previous report),
 * every datastore, the drills of the period and of the last 12 months,
 * overdue drill actions, exceptions, attestations, every control, and
 * who signs the plan off.  Its long tables are lazy row lists, so the
 * view of a large plan holds one row at a time.  It is the one page whose
 * audit anchors are "#..." links (pctx.audit).
 */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

#include "track.h"

/* Whether drill di is dated within the report period (and not after as-of). */
static bool drill_in_period(const struct views *v, size_t di)
{
	int64_t t = v->m->drills[di].date;
	return t >= v->m->period_start && t < v->m->period_end && t <= v->m->as_of;
}

/*
 * `findings_resolved`: the findings of the previous report that this one
 * no longer raises (results.json changes), most severe first.
 */
static void put_resolved_findings(cJSON *view, const struct pctx *pc)
{
	const cJSON *ch = views_get(pc->v->results, "changes");
	const cJSON *src = views_get(ch, "findings_resolved"), *x;
	const char *prev = views_get_str(views_get(ch, "previous"), "period");
	size_t n = (size_t)cJSON_GetArraySize(src), k = 0;
	const cJSON **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	cJSON *arr = views_put_arr(view, "findings_resolved");
	cJSON_ArrayForEach(x, src) {
		sorted[k++] = x;
	}
	views_sort_by_severity((const void **)sorted, n, views_json_severity);
	for (k = 0; k < n; k++) {
		cJSON *o = views_push_obj(arr);
		views_put_str(o, "id", views_get_str(sorted[k], "id"));
		views_put_words(o, "kind_label", views_get_str(sorted[k], "kind"));
		views_put_severity(o, views_get_str(sorted[k], "severity"));
		views_put_str(o, "subject", views_get_str(sorted[k], "subject"));
		views_put_str(o, "message", views_get_str(sorted[k], "message"));
		views_put_str(o, "owner", views_contact_name(pc->v, views_get_str(sorted[k], "owner")));
		views_put_fmt(o, "status_label", "RESOLVED since %s", prev ? prev : "the previous report");
	}
	free(sorted);
	views_put_bool(view, "has_findings_resolved", n > 0);
	views_put_bool(view, "has_findings_or_resolved", n > 0 || pc->v->n_findings > 0);
}

cJSON *views_audit(const struct views *v, size_t item, enum views_format f)
{
	struct pctx pc = views_pctx_make(v, f, 1);
	const struct model *m = v->m;
	cJSON *view = cJSON_CreateObject();
	cJSON *x;
	(void)item;

	pc.audit = true;
	views_put_page(view, &pc, "audit", v->period);
	views_put_readiness(view, v);
	views_changes_put(view, &pc);

	cJSON *scope = views_put_obj(view, "scope");
	char n[64];
	views_put_num(scope, "services", (double)m->n_services);
	views_put_num(scope, "datastores", (double)m->n_datastores);
	views_format_number((double)m->backup_records, 0, n, sizeof(n));
	views_put_str(scope, "backup_records", n);
	views_put_num(scope, "drills", (double)m->n_drills);
	size_t in_period = 0;
	for (size_t d = 0; d < m->n_drills; d++)
		in_period += drill_in_period(v, d);
	views_put_num(scope, "drills_in_period", (double)in_period);
	views_put_num(scope, "drills_after_as_of", (double)m->n_drills_after_as_of);
	views_put_bool(scope, "has_drills_after_as_of", m->n_drills_after_as_of > 0);
	views_put_str(scope, "plan_version", m->meta.version);
	views_put_time(scope, "last_review", m->meta.last_review);
	views_put_time(scope, "next_review", m->meta.next_review);
	cJSON *unknown = views_put_arr(scope, "unknown_datastores");
	for (size_t k = 0; k < m->n_unknown_datastores; k++) {
		cJSON *u = views_push_obj(unknown);
		views_put_str(u, "id", m->unknown_datastores[k].id);
		views_format_number((double)m->unknown_datastores[k].records, 0, n, sizeof(n));
		views_put_str(u, "records", n);
	}
	views_put_bool(scope, "has_unknown_datastores", m->n_unknown_datastores > 0);
	struct buf ul = BUF_INIT;
	for (size_t k = 0; k < m->n_unknown_datastores; k++) {
		views_format_number((double)m->unknown_datastores[k].records, 0, n, sizeof(n));
		buf_printf(&ul, "%s%s (%s)", k ? ", " : "", m->unknown_datastores[k].id, n);
	}
	views_put_str(scope, "unknown_list", ul.data ? ul.data : "");
	buf_free(&ul);
	/* Unknown keys of backup records, ignored (issue 13 item 9). */
	struct buf kl = BUF_INIT;
	for (size_t k = 0; k < m->n_backup_unknown_keys; k++) {
		views_format_number((double)m->backup_unknown_keys[k].records, 0, n, sizeof(n));
		buf_printf(&kl, "%s\"%s\" (%s record%s)", k ? ", " : "",
			   m->backup_unknown_keys[k].name, n,
			   util_plural(m->backup_unknown_keys[k].records));
	}
	if (m->backup_unknown_keys_other) {
		views_format_number((double)m->backup_unknown_keys_other, 0, n, sizeof(n));
		buf_printf(&kl, "%sothers in %s records", kl.len ? ", " : "", n);
	}
	views_put_bool(scope, "has_backup_unknown_keys", kl.len > 0);
	views_put_str(scope, "backup_unknown_keys", kl.data ? kl.data : "");
	buf_free(&kl);
	/* Services without impact data, judged as tier 1 (issue 13 item 8). */
	struct buf uc = BUF_INIT;
	for (size_t i = 0; i < m->n_services; i++) {
		if (v->svc[i].unclassified)
			buf_printf(&uc, "%s%s", uc.len ? ", " : "", m->services[i].id);
	}
	views_put_bool(scope, "has_unclassified", uc.len > 0);
	views_put_str(scope, "unclassified_list", uc.data ? uc.data : "");
	buf_free(&uc);

	/* Findings, all of them, in results order (severity first). */
	views_put_rows(view, "findings", &pc, views_fill_finding, NULL, v->n_findings);
	put_resolved_findings(view, &pc);

	/* Backup readiness per store. */
	views_put_rows(view, "datastores", &pc, views_fill_store, NULL, m->n_datastores);
	views_put_bool(view, "has_datastores", m->n_datastores > 0);
	views_chart_backups(view, &pc, NULL, m->n_datastores, "chart-backups");

	/* Drills: those of the period in full, the last 12 months listed. */
	struct rows period = {0}, year = {0};
	for (size_t d = 0; d < m->n_drills; d++) {
		if (drill_in_period(v, d))
			views_rows_add(&period, d);
		if (views_drill_in_12m(v, d))
			views_rows_add(&year, d);
	}
	views_put_rows(view, "drills_period", &pc, views_fill_drill_full, period.idx, period.n);
	views_put_rows(view, "drills_12m", &pc, views_fill_drill_brief, year.idx, year.n);
	views_put_bool(view, "has_drills_period", period.n > 0);
	views_put_bool(view, "has_drills_12m", year.n > 0);
	free(period.idx);
	free(year.idx);
	views_chart_drills(view, &pc);

	/* Drill actions open past their due date. */
	x = views_put_arr(view, "overdue_actions");
	for (size_t d = 0; d < m->n_drills; d++) {
		const struct drill *dr = &m->drills[d];
		for (size_t k = 0; k < dr->n_issues; k++) {
			const struct drill_issue *is = &dr->issues[k];
			if (!views_issue_overdue(v, is))
				continue;
			cJSON *o = views_push_obj(x);
			views_put_action(o, dr, is);
			views_put_str(o, "owner", is->owner);
			views_put_num(o, "days_overdue", (double)((m->as_of - is->due) / 86400));
			if (is->n_services) {  /* else: every service of the drill */
				struct buf b = {0};
				for (size_t j = 0; j < is->n_services; j++)
					buf_printf(&b, "%s%s", j ? ", " : "", is->services[j]);
				views_put_str(o, "services", b.data);
				buf_free(&b);
			}
		}
	}
	views_put_bool(view, "has_overdue_actions", cJSON_GetArraySize(x) > 0);

	/* Exceptions (waivers): active or expired at the as-of time. */
	x = views_put_arr(view, "exceptions");
	for (size_t k = 0; k < m->n_exceptions; k++) {
		const struct exception *e = &m->exceptions[k];
		cJSON *o = views_push_obj(x);
		struct buf sv = BUF_INIT;
		bool expired = e->expires != DATE_NONE && e->expires < m->as_of;
		views_put_str(o, "id", e->id);
		if (e->id) {
			char a[256];
			track_anchor("exception", e->id, a, sizeof(a));
			views_put_str(o, "anchor", a);
		}
		views_put_str(o, "control", e->control);
		for (size_t j = 0; j < e->n_services; j++)
			buf_printf(&sv, "%s%s", j ? ", " : "", e->services[j]);
		views_put_str(o, "services", sv.data ? sv.data : "");
		views_put_bool(o, "all_services", e->n_services == 0);
		buf_free(&sv);
		views_put_str(o, "id", e->id);
		views_put_str(o, "justification", e->justification);
		views_put_str(o, "approved_by", e->approved_by_name ? e->approved_by_name : e->approved_by);
		views_put_time(o, "approved_on", e->approved_on);
		views_put_time(o, "expires", e->expires);
		views_put_bool(o, "expired", expired);
		views_put_str(o, "status_label", expired ? "EXPIRED" : "ACTIVE");
		views_put_str(o, "status_class", expired ? "st-fail" : "st-waived");
	}
	views_put_bool(view, "has_exceptions", m->n_exceptions > 0);

	/* Attestations on record. */
	x = views_put_arr(view, "attestations");
	for (size_t k = 0; k < m->n_attestations; k++) {
		const struct attestation *a = &m->attestations[k];
		cJSON *o = views_push_obj(x);
		bool expired = a->expires != DATE_NONE && a->expires < m->as_of;
		views_put_str(o, "topic", a->topic);
		views_put_str(o, "statement", a->statement);
		views_put_str(o, "attester", a->attester_name ? a->attester_name : a->attester);
		views_put_str(o, "role", a->attester_role);
		views_put_str(o, "alternative_measure", a->alternative_measure);
		views_put_str(o, "approved_by", a->approved_by_name ? a->approved_by_name : a->approved_by);
		views_put_time(o, "date", a->date);
		views_put_str(o, "time", a->time);  /* as signed, with its offset */
		views_put_time(o, "expires", a->expires);
		views_put_bool(o, "expired", expired);
		views_put_str(o, "status_label", expired ? "EXPIRED" : "CURRENT");
		views_put_str(o, "status_class", expired ? "st-fail" : "st-pass");
	}
	views_put_bool(view, "has_attestations", m->n_attestations > 0);

	views_compliance_put(view, &pc, true);

	/* Sign-off: who owns and approves the plan. */
	cJSON *sign = views_put_obj(view, "sign_off");
	const struct contact *owner = m->meta.owner ? model_contact_find(m, m->meta.owner) : NULL;
	const struct contact *appr = m->meta.approved_by ? model_contact_find(m, m->meta.approved_by)
							 : NULL;
	if (owner)
		views_put_contact(views_put_obj(sign, "owner"), owner);
	if (appr)
		views_put_contact(views_put_obj(sign, "approver"), appr);
	return view;
}
