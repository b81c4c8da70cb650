/*
 * views_plan.c -- the view of the DR plan (plan.html, plan.md).
 *
 * The plan is the reference document: every service's classification,
 * objectives and owner, the recovery waves, contacts and escalation, the
 * cost of DR, the backup policy per criticality (backup_policy.lua), the
 * test programme (drills.lua), and the compliance summary without the
 * controls (those are in the audit).
 */
#include "views_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An amount with the plan's currency: "12,400 EUR" (organization.currency). */
static void put_money(const struct views *v, cJSON *o, const char *key, double x, int decimals)
{
	char s[64];
	const char *cur = v->m->org.currency;
	if (isnan(x))
		return;
	if (decimals > 0)
		views_format_short(x, decimals, s, sizeof(s));
	else
		views_format_number(x, 0, s, sizeof(s));
	if (cur)
		views_put_fmt(o, key, "%s %s", s, cur);
	else
		views_put_str(o, key, s);
}

/* The required backup policy per criticality, from backup_policy.lua. */
static void put_backup_policies(cJSON *view, const struct pctx *pc)
{
	const struct views *v = pc->v;
	cJSON *arr = views_put_arr(view, "backup_policies");
	const cJSON *pol = v->r ? v->r->backup_policies : NULL;
	const cJSON *p;

	cJSON_ArrayForEach(p, pol) {
		if (!p->string || !cJSON_IsObject(p))
			continue;
		cJSON *x = views_push_obj(arr);
		views_put_str(x, "criticality", p->string);
		views_put_upper(x, "criticality_label", p->string);
		static const char *const fields[] = {
			"method", "encryption", "compression", "verification", "schedule", "retention",
		};
		for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
			const cJSON *fv = views_get(p, fields[i]);
			if (cJSON_IsString(fv))
				views_put_str(x, fields[i], fv->valuestring);
		}
		views_put_joined(x, "copies_at", views_get(p, "copies_at"));
		struct rows stores = {0};
		for (size_t k = 0; k < v->m->n_datastores; k++) {
			const char *sp = v->store[k].policy;
			if (sp && strcmp(sp, p->string) == 0)
				views_rows_add(&stores, k);
		}
		views_put_rows(x, "stores", pc, views_fill_store, stores.idx, stores.n);
		views_put_num(x, "store_count", (double)stores.n);
		free(stores.idx);
	}
	views_put_bool(view, "has_backup_policies", cJSON_GetArraySize(arr) > 0);

	cJSON *prog = views_put_arr(view, "backup_programme");
	const cJSON *bprog = v->r ? v->r->backup_programme : NULL;
	cJSON_ArrayForEach(p, bprog) {
		cJSON *x = views_push_obj(prog);
		views_put_str(x, "activity", views_get_str(p, "activity"));
		views_put_str(x, "frequency", views_get_str(p, "frequency"));
		views_put_str(x, "scope", views_get_str(p, "scope"));
		views_put_str(x, "criterion", views_get_str(p, "criterion"));
	}
}

/* The test programme of drills.lua, with when each drill type last ran. */
static void put_test_programme(cJSON *view, const struct pctx *pc)
{
	const struct views *v = pc->v;
	const cJSON *prog = v->r ? v->r->test_programme : NULL;
	cJSON *arr = views_put_arr(view, "test_programme");
	const cJSON *p;
	char n[48];

	cJSON_ArrayForEach(p, views_get(prog, "drills")) {
		cJSON *x = views_push_obj(arr);
		const char *type = views_get_str(p, "type");
		double every = views_get_num(p, "every_months");
		int64_t last = DATE_NONE;
		int t = type ? model_enum_find(model_drill_type_names, DRILL_TYPE_COUNT, type) : -1;

		views_put_str(x, "type", type);
		views_put_words(x, "type_label", type);
		views_put_str(x, "frequency", views_get_str(p, "frequency"));
		views_put_objective(x, "duration", views_get_num(p, "duration_hours") * 60);
		if (!isnan(views_get_num(p, "traffic_percent"))) {
			views_format_short(views_get_num(p, "traffic_percent"), 1, n, sizeof(n));
			views_put_fmt(x, "traffic", "%s %%", n);
		}
		views_put_str(x, "scope", views_get_str(p, "scope"));
		views_put_str(x, "rollback", views_get_str(p, "rollback"));
		for (size_t d = 0; t >= 0 && d < v->m->n_drills; d++) {
			const struct drill *dr = &v->m->drills[d];
			if ((int)dr->type == t && dr->date <= v->m->as_of)
				last = dr->date;
		}
		views_put_time_day(x, "last", last);
		bool scheduled = !isnan(every) && every >= 1 && every < 1200;
		bool overdue = scheduled && last == DATE_NONE;
		if (scheduled && last != DATE_NONE) {
			int64_t due = analyze_months_before(last, -(int)every);
			views_put_time_day(x, "next_due", due);
			overdue = due < v->m->as_of;
		}
		views_put_bool(x, "scheduled", scheduled);
		views_put_bool(x, "overdue", overdue);
		views_put_bool(x, "never", last == DATE_NONE);
	}
	cJSON *crit = views_put_arr(view, "pass_criteria");
	cJSON_ArrayForEach(p, views_get(prog, "pass_criteria")) {
		cJSON *x = views_push_obj(crit);
		views_put_words(x, "name", p->string);
		if (cJSON_IsString(p))
			views_put_str(x, "value", p->valuestring);
		else if (cJSON_IsNumber(p)) {
			views_format_short(p->valuedouble, 4, n, sizeof(n));
			views_put_str(x, "value", n);
		}
	}
}

/* One row of the plan's classification table. */
static void fill_classification(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct model *m = pc->v->m;
	const struct service *s = &m->services[i];
	cJSON *sj = results_service(pc->v->rs, i);

	views_fill_service_ref(o, pc, i);
	views_put_str(o, "reason", views_get_str(sj, "tier_reason"));
	views_put_str(o, "description", s->description);
	put_money(pc->v, o, "revenue_loss_per_hour", s->impact.revenue_loss_per_hour, 0);
	views_put_joined(o, "regions", views_get(sj, "regions"));
	views_put_joined(o, "data_scope", views_get(sj, "data_scope"));
	views_put_joined(o, "depends_on", views_get(sj, "depends_on"));
	views_put_str(o, "team", s->team);
	if (s->owner && s->owner_index < m->n_contacts)
		views_put_contact(views_put_obj(o, "owner"), &m->contacts[s->owner_index]);
	views_put_bool(o, "single_region", views_jtrue(sj, "single_region"));
	put_money(pc->v, o, "monthly_cost", s->monthly_cost, 0);
	put_money(pc->v, o, "dr_cost", views_get_num(sj, "dr_monthly_cost"), 0);
	put_money(pc->v, o, "dr_infrastructure", views_get_num(sj, "dr_infrastructure_cost"), 0);
	put_money(pc->v, o, "dr_storage", views_get_num(sj, "dr_storage_cost"), 0);
	cJSON_Delete(sj);
}

cJSON *views_plan(const struct views *v, size_t item, enum views_format f)
{
	struct pctx pc = views_pctx_make(v, f, 0);
	const struct model *m = v->m;
	cJSON *view = cJSON_CreateObject();
	const cJSON *x;
	(void)item;

	views_put_page(view, &pc, "plan", "plan");

	cJSON *plan = views_put_obj(view, "plan");
	views_put_str(plan, "version", m->meta.version);
	const struct contact *owner = m->meta.owner ? model_contact_find(m, m->meta.owner) : NULL;
	const struct contact *appr = m->meta.approved_by ? model_contact_find(m, m->meta.approved_by)
							 : NULL;
	if (owner)
		views_put_contact(views_put_obj(plan, "owner"), owner);
	else if (m->meta.owner)
		views_put_str(views_put_obj(plan, "owner"), "name", m->meta.owner);
	if (appr)
		views_put_contact(views_put_obj(plan, "approved_by"), appr);
	else if (m->meta.approved_by)
		views_put_str(views_put_obj(plan, "approved_by"), "name", m->meta.approved_by);
	views_put_time(plan, "approved_on", m->meta.approved_on);
	views_put_time(plan, "last_review", m->meta.last_review);
	views_put_time(plan, "next_review", m->meta.next_review);
	views_put_str(plan, "entity_type", m->org.entity_type);

	/* Recovery objectives per tier (tiers.lua levels, via results.json). */
	cJSON *obj = views_put_arr(view, "objectives");
	cJSON_ArrayForEach(x, views_get(v->results, "tiers")) {
		cJSON *o = views_push_obj(obj);
		double t = views_get_num(x, "tier");
		char mult[48];
		views_put_num(o, "tier", t);
		views_put_fmt(o, "tier_class", "tier-%d", (int)t);
		views_put_str(o, "name", views_get_str(x, "name"));
		views_put_str(o, "criterion", views_get_str(x, "criterion"));
		views_put_objective(o, "rpo", views_get_num(x, "rpo_minutes"));
		views_put_objective(o, "rto", views_get_num(x, "rto_minutes"));
		views_put_str(o, "strategy", views_get_str(x, "strategy"));
		views_format_short(views_get_num(x, "dr_multiplier"), 2, mult, sizeof(mult));
		views_put_fmt(o, "multiplier", "%s×", mult);
		views_put_bool(o, "multi_region", views_jtrue(x, "multi_region"));
		size_t count = 0;
		for (size_t i = 0; i < m->n_services; i++)
			count += v->svc[i].tier == t;
		views_put_num(o, "services", (double)count);
	}
	{
		char lag[48];
		double tol = views_get_num(v->results, "lag_tolerance_minutes");
		if (!isnan(tol)) {
			views_format_objective(tol, lag, sizeof(lag));
			views_put_str(view, "lag_tolerance", lag);
		}
	}

	/* The classification table. */
	views_put_rows(view, "services", &pc, fill_classification, NULL, m->n_services);
	views_put_num(view, "service_count", (double)m->n_services);

	cJSON *inv = views_put_arr(view, "tier_inversions");
	cJSON_ArrayForEach(x, views_get(v->results, "tier_inversions")) {
		cJSON *o = views_push_obj(inv);
		long a = views_service_index(v, views_get_str(x, "service"));
		long b = views_service_index(v, views_get_str(x, "dependency"));
		if (a >= 0)
			views_fill_service_ref(views_put_obj(o, "service"), &pc, (size_t)a);
		if (b >= 0)
			views_fill_service_ref(views_put_obj(o, "dependency"), &pc, (size_t)b);
	}
	views_put_bool(view, "has_tier_inversions", cJSON_GetArraySize(inv) > 0);

	put_backup_policies(view, &pc);
	put_test_programme(view, &pc);

	/* Cost per tier and in total (cost.lua, via results.json). */
	const cJSON *cost = views_get(v->results, "cost");
	cJSON *c = views_put_obj(view, "cost");
	cJSON *bt = views_put_arr(c, "by_tier");
	for (int t = 0; t < RULES_TIERS; t++) {
		char key[12];
		cJSON *o = views_push_obj(bt);
		snprintf(key, sizeof(key), "%d", t + 1);
		views_put_num(o, "tier", t + 1);
		if (v->r && v->r->levels[t].tier == t + 1)
			views_put_str(o, "name", v->r->levels[t].name);
		put_money(v, o, "amount", views_get_num(views_get(cost, "by_tier"), key), 0);
		size_t count = 0;
		for (size_t i = 0; i < m->n_services; i++)
			count += v->svc[i].tier == t + 1;
		views_put_num(o, "services", (double)count);
	}
	put_money(v, c, "total", views_get_num(cost, "monthly_total"), 0);
	put_money(v, c, "backup_storage", views_get_num(cost, "backup_storage"), 0);
	cJSON *prices = views_put_arr(c, "prices");
	const cJSON *price_list = v->r ? v->r->cost_prices : NULL;
	cJSON_ArrayForEach(x, price_list) {
		if (!cJSON_IsNumber(x) || !x->string)
			continue;
		cJSON *o = views_push_obj(prices);
		views_put_str(o, "location", x->string);
		put_money(v, o, "price", x->valuedouble, 6);
	}
	views_put_bool(c, "has_prices", cJSON_GetArraySize(prices) > 0);

	/* Recovery waves. */
	cJSON *waves = views_put_arr(view, "waves");
	cJSON_ArrayForEach(x, views_get(v->results, "recovery_waves")) {
		cJSON *o = views_push_obj(waves);
		const cJSON *id;
		views_put_num(o, "wave", views_get_num(x, "wave"));
		cJSON *list = views_put_arr(o, "services");
		cJSON_ArrayForEach(id, views_get(x, "services")) {
			long s = cJSON_IsString(id) ? views_service_index(v, id->valuestring) : -1;
			if (s >= 0)
				views_push_service_ref(list, &pc, (size_t)s);
		}
	}

	/* People: contacts (those not verified recently flagged, from the
	 * rules' contact_unverified findings) and the default escalation chain. */
	struct strmap *unverified = strmap_new(8);
	for (size_t i = 0; i < v->n_findings; i++) {
		const struct finding *fnd = v->finding[i];
		if (fnd->kind && fnd->subject && strcmp(fnd->kind, "contact_unverified") == 0)
			strmap_put(unverified, fnd->subject, (void *)fnd);
	}
	cJSON *contacts = views_put_arr(view, "contacts");
	for (size_t i = 0; i < m->n_contacts; i++) {
		cJSON *row = views_push_obj(contacts);
		views_put_contact(row, &m->contacts[i]);
		views_put_bool(row, "unverified", strmap_get(unverified, m->contacts[i].id) != NULL);
	}
	strmap_free(unverified);
	views_put_escalation(views_put_arr(view, "escalation"), v, m->escalation, m->n_escalation,
			     m->n_escalation);

	views_compliance_put(view, &pc, false);
	return view;
}
