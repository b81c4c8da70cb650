/*
 * views_index.c -- the view of the dashboard (index.html).
 *
 * The dashboard answers "are we ready?" on one screen: the readiness
 * cards, what changed since the previous report, services per tier, the
 * charts, the worst findings (INDEX_TOP_FINDINGS; the audit lists all),
 * the compliance summary and the services table, in recovery order and
 * sorted other ways.  Whether a service meets its objectives is read from
 * what the rules already decided (service_meets), not decided here.
 */
#include "views_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Findings listed on the dashboard (the full list is in the audit). */
#define INDEX_TOP_FINDINGS 10

/* The worst currency of a service's stores, for the service tables. */
static const char *service_currency(const struct views *v, size_t i)
{
	static const char *const order[] = {"never", "stale", "late", "ok"};
	const struct service *s = &v->m->services[i];
	size_t best = ARRAY_LEN(order);
	for (size_t k = 0; k < s->n_datastores; k++) {
		const char *cur = v->store[s->datastore_index[k]].currency;
		for (size_t o = 0; cur && o < ARRAY_LEN(order); o++) {
			if (o < best && strcmp(cur, order[o]) == 0)
				best = o;
		}
	}
	return best < ARRAY_LEN(order) ? order[best] : NULL;
}

/*
 * Whether service i meets its RTO and RPO, from what the rules and the
 * currency rule already decided: "no" when a datastore is late, stale or
 * never backed up, when its result in its last drill failed, or when a
 * finding about it (or one of its stores) says an objective was missed;
 * else "unknown" when it has no datastore or no scored drill result; else
 * "yes".  why gets the reasons in words ("backups stale; last drill
 * failed").  Returns 0 no, 1 unknown, 2 yes (the sort order: worst first).
 */
static int service_meets(const struct views *v, size_t i, struct buf *why)
{
	static const char *const objective_kinds[] = {
		"rto_missed", "rpo_missed", "not_recovered", "backup_stale", "backup_never",
		"runbook_exceeds_rto",
	};
	const char *cur = service_currency(v, i);
	bool no = false, unknown = false;
	const char *sep = "";

	buf_reset(why);
	if (!cur) {
		unknown = true;
		buf_puts(why, "no datastore with backups");
		sep = "; ";
	} else if (strcmp(cur, "ok") != 0) {
		no = true;
		buf_printf(why, "backups %s", strcmp(cur, "never") == 0 ? "never made" : cur);
		sep = "; ";
	}
	long ld = v->f->services[i].last_drill;
	int outcome = -1;
	if (ld >= 0) {
		cJSON *dj = results_drill(v->rs, (size_t)ld);
		const cJSON *rj;
		cJSON_ArrayForEach(rj, views_get(dj, "results")) {
			const char *sid = views_get_str(rj, "service");
			if (sid && strcmp(sid, v->m->services[i].id) == 0 && views_jbool_known(rj, "passed")) {
				outcome = views_jtrue(rj, "passed");
				break;
			}
		}
		cJSON_Delete(dj);
	}
	if (outcome == 0) {
		no = true;
		buf_printf(why, "%slast drill failed", sep);
		sep = "; ";
	} else if (outcome < 0) {
		unknown = true;
		buf_printf(why, "%sno scored drill result", sep);
		sep = "; ";
	}
	for (size_t k = v->svc_findings_at[i]; k < v->svc_findings_at[i + 1]; k++) {
		const struct finding *f = v->finding[v->svc_findings[k]];
		bool hit = false;
		for (size_t j = 0; f->kind && j < ARRAY_LEN(objective_kinds); j++)
			hit = hit || strcmp(f->kind, objective_kinds[j]) == 0;
		if (hit) {
			no = true;
			buf_printf(why, "%sfinding: ", sep);
			for (const char *c = f->kind; *c; c++)
				buf_putc(why, *c == '_' ? ' ' : *c);
			sep = "; ";
			break;
		}
	}
	return no ? 0 : unknown ? 1 : 2;
}

static const char *const meets_words[] = {"no", "unknown", "yes"};

/* One row of the dashboard's service table. */
static void fill_service_status(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	const char *cur = service_currency(v, i);
	struct buf why = BUF_INIT;
	int meets = service_meets(v, i, &why);
	static const char *const meets_class[] = {"st-fail", "st-none", "st-pass"};

	views_put_str(o, "meets", meets_words[meets]);
	views_put_upper(o, "meets_label", meets_words[meets]);
	views_put_str(o, "meets_class", meets_class[meets]);
	views_put_num(o, "meets_rank", meets);
	views_put_str(o, "meets_why", why.data ? why.data : "");
	buf_free(&why);
	views_put_num(o, "rpo_minutes", v->svc[i].rpo_minutes);
	views_put_num(o, "rto_minutes", v->svc[i].rto_minutes);

	views_fill_service_ref(o, pc, i);
	views_put_str(o, "team", v->m->services[i].team);
	if (cur)
		views_put_currency(o, cur);
	views_put_bool(o, "has_stores", cur != NULL);
	views_put_last_drill(o, pc, i);
	views_put_num(o, "findings", (double)(v->svc_findings_at[i + 1] - v->svc_findings_at[i]));
}

/* Rows of each other order of the services table (the recovery order has
 * them all): the worst are what those orders are read for, and the page
 * stays small at scale. */
#define SERVICE_ORDER_MAX_ROWS 200

/* Sorting a permutation of the recovery order by one key, ties in recovery order. */
struct order_key {
	size_t service;
	size_t position;   /* in the recovery order */
	double key;        /* ascending */
};

static int order_key_cmp(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->position < y->position ? -1 : x->position > y->position;
}

/*
 * `service_orders`: the services table in each order it can be read in,
 * sorted here so that sorting needs no script: {key, label, default,
 * sorted.cN (the sorted column, N its index), direction, services (rows as
 * in `services`), shown, total, capped}; the orders other than the first
 * hold at most SERVICE_ORDER_MAX_ROWS rows.  The page shows one at a time
 * (radio buttons and CSS).
 * `meets_counts`: how many services have each verdict, for the filter.
 */
static void put_service_orders(cJSON *view, const struct pctx *pc)
{
	const struct views *v = pc->v;
	size_t n = v->f->n_recovery_order;
	struct order_key *k = xcalloc(n ? n : 1, sizeof(*k));
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	int *meets = xcalloc(v->m->n_services ? v->m->n_services : 1, sizeof(*meets));
	size_t meets_n[ARRAY_LEN(meets_words)] = {0};
	struct buf why = BUF_INIT;
	static const struct {
		const char *key, *label, *direction;
		const char *column;  /* the sorted column: "c" and its index */
	} orders[] = {
		{"recovery", "recovery order", "ascending", "c5"},
		{"meets", "meets RTO/RPO, no first", "ascending", "c1"},
		{"findings", "findings, most first", "descending", "c8"},
	};

	for (size_t i = 0; i < v->m->n_services; i++) {
		meets[i] = service_meets(v, i, &why);
		meets_n[meets[i]]++;
	}
	buf_free(&why);
	cJSON *mc = views_put_obj(view, "meets_counts");
	for (size_t j = 0; j < ARRAY_LEN(meets_words); j++)
		views_put_num(mc, meets_words[j], (double)meets_n[j]);

	cJSON *arr = views_put_arr(view, "service_orders");
	for (size_t o = 0; o < ARRAY_LEN(orders); o++) {
		for (size_t p = 0; p < n; p++) {
			size_t i = v->f->recovery_order[p];
			double nf = (double)(v->svc_findings_at[i + 1] - v->svc_findings_at[i]);
			k[p] = (struct order_key){i, p, o == 0 ? (double)p : o == 1 ? meets[i] : -nf};
		}
		qsort(k, n, sizeof(*k), order_key_cmp);
		for (size_t p = 0; p < n; p++)
			idx[p] = k[p].service;
		cJSON *x = views_push_obj(arr);
		views_put_str(x, "key", orders[o].key);
		views_put_str(x, "label", orders[o].label);
		views_put_bool(x, "default", o == 0);
		views_put_str(x, "direction", orders[o].direction);
		cJSON *cols = views_put_obj(x, "sorted");
		views_put_bool(cols, orders[o].column, true);
		size_t shown = o == 0 || n < SERVICE_ORDER_MAX_ROWS ? n : SERVICE_ORDER_MAX_ROWS;
		views_put_num(x, "shown", (double)shown);
		views_put_num(x, "total", (double)n);
		views_put_bool(x, "capped", shown < n);
		views_put_rows(x, "services", pc, fill_service_status, idx, shown);
	}
	free(k);
	free(idx);
	free(meets);
}

cJSON *views_index(const struct views *v, size_t item, enum views_format f)
{
	struct pctx pc = views_pctx_make(v, f, 0);
	cJSON *view = cJSON_CreateObject();
	size_t per_tier[RULES_TIERS] = {0};
	cJSON *tiers, *top;
	(void)item;

	views_put_page(view, &pc, "index", NULL);
	views_put_readiness(view, v);
	views_changes_put(view, &pc);
	cJSON *counts = views_put_obj(view, "counts");
	views_put_num(counts, "services", (double)v->m->n_services);
	views_put_num(counts, "datastores", (double)v->m->n_datastores);
	views_put_num(counts, "drills", (double)v->m->n_drills);
	char recs[64];
	views_format_number((double)v->m->backup_records, 0, recs, sizeof(recs));
	views_put_str(counts, "backup_records", recs);

	/* Services per tier, each tier with its objectives and members. */
	tiers = views_put_arr(view, "tiers");
	cJSON *tier_objs[RULES_TIERS] = {0};
	for (int t = 0; t < RULES_TIERS; t++) {
		const struct tier_level *l = v->r ? &v->r->levels[t] : NULL;
		cJSON *x = views_push_obj(tiers);
		views_put_num(x, "tier", t + 1);
		views_put_fmt(x, "tier_class", "tier-%d", t + 1);
		if (l && l->tier == t + 1) {
			views_put_str(x, "name", l->name);
			views_put_objective(x, "rpo", l->rpo_minutes);
			views_put_objective(x, "rto", l->rto_minutes);
			views_put_str(x, "strategy", l->strategy);
		}
		tier_objs[t] = x;
	}
	struct rows members[RULES_TIERS] = {{0}};
	for (size_t k = 0; k < v->f->n_recovery_order; k++) {
		size_t i = v->f->recovery_order[k];
		int t = isnan(v->svc[i].tier) ? 0 : (int)v->svc[i].tier;
		if (t >= 1 && t <= RULES_TIERS)
			views_rows_add(&members[t - 1], i);
	}
	views_put_rows(view, "services", &pc, fill_service_status, v->f->recovery_order,
		       v->f->n_recovery_order);
	put_service_orders(view, &pc);
	for (int t = 0; t < RULES_TIERS; t++) {
		per_tier[t] = members[t].n;
		views_put_rows(tier_objs[t], "services", &pc, views_fill_service_ref, members[t].idx,
			       members[t].n);
		views_put_num(tier_objs[t], "count", (double)per_tier[t]);
		views_put_bool(tier_objs[t], "has_services", per_tier[t] > 0);
		free(members[t].idx);
	}
	views_chart_services(view, &pc, per_tier);

	views_chart_backups(view, &pc, NULL, v->m->n_datastores, "chart-backups");
	views_chart_drills(view, &pc);

	top = views_put_arr(view, "top_findings");
	for (size_t j = 0; j < v->n_findings && j < INDEX_TOP_FINDINGS; j++)
		views_fill_finding(views_push_obj(top), &pc, j);
	views_put_bool(view, "more_findings", v->n_findings > INDEX_TOP_FINDINGS);
	/* Runbooks whose steps take longer than the RTO (runbook.lua). */
	cJSON *slow = views_put_arr(view, "runbook_budget_findings");
	for (size_t j = 0; j < v->n_findings; j++) {
		if (strcmp(v->finding[j]->kind, "runbook_exceeds_rto") == 0)
			views_fill_finding(views_push_obj(slow), &pc, j);
	}
	views_put_bool(view, "has_runbook_budget_findings", cJSON_GetArraySize(slow) > 0);
	views_compliance_put(view, &pc, false);
	return view;
}
