/*
 * results.c -- results.json, built with cJSON and printed by our own writer.
 *
 * The tree is built in a fixed key order from arrays that are already in a
 * fixed order (plan order, model order of drills, findings sorted by id), so
 * insertion order is output order.  cJSON's own printer is not used: it
 * writes numbers with %1.15g and only knows integers up to INT_MAX, so the
 * writer below decides number text itself (integral values below 2^53 as
 * integers, others in the shortest %.15g..%.17g form that reads back the
 * same double) and prints NaN and infinities as null.
 *
 * Absent values are JSON null, never a sentinel: DATE_NONE, NAN and "never"
 * ages become null here and nowhere else.
 */
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compliance.h"
#include "dates.h"
#include "rules.h"
#include "track.h"
#include "util.h"

double results_round(double x, int decimals)
{
	double scale = pow(10.0, decimals);

	if (!isfinite(x))
		return x;
	return round(x * scale) / scale;
}

/* ---- what the rules decided ---------------------------------------------
 * One adapter between struct rules_results and the document, so the
 * builders below never depend on how the rules module stores its tables.
 * Without rule results every rule-made value is absent (null).
 */
struct results {
	const struct model *m;
	const struct facts *f;
	const struct rules_results *r;
	size_t *finding_order;     /* findings sorted by id; NULL when none */
	const struct track *track; /* owners, due dates, statuses; or NULL */
};

struct rules_view_service {
	int tier;                 /* 0: unknown */
	const char *tier_name;
	const char *tier_reason;
	bool overridden, unclassified;
	double rpo_minutes, rto_minutes;
	const char *strategy;
	double dr_monthly_cost, dr_infrastructure, dr_storage;
};

struct rules_view_drill {
	bool known;
	bool passed;
	const char *status;
};

struct rules_view_result {
	bool known;
	bool passed;
	const char *status, *reason;
	double target_rto_minutes, target_rpo_minutes;
	double rto_achievement, rpo_achievement;
};

struct rules_view_cost {
	double monthly_total;
	double by_tier[RULES_TIERS];
	double backup_storage;
};

/* Findings go out in id order: sort (id, index) keys, no global state. */
struct finding_key {
	const char *id;
	size_t index;
};

static int finding_cmp(const void *a, const void *b)
{
	const struct finding_key *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct results *results_new(const struct model *m, const struct facts *f,
			    const struct rules_results *r)
{
	struct results *rv = xcalloc(1, sizeof(*rv));
	struct finding_key *keys;

	rv->m = m;
	rv->f = f;
	rv->r = r;
	rv->finding_order = NULL;
	if (!r || !r->n_findings)
		return rv;
	keys = xmalloc(r->n_findings * sizeof(*keys));
	for (size_t i = 0; i < r->n_findings; i++)
		keys[i] = (struct finding_key){r->findings[i].id ? r->findings[i].id : "", i};
	qsort(keys, r->n_findings, sizeof(*keys), finding_cmp);
	rv->finding_order = xmalloc(r->n_findings * sizeof(size_t));
	for (size_t i = 0; i < r->n_findings; i++)
		rv->finding_order[i] = keys[i].index;
	free(keys);
	return rv;
}

void results_free(struct results *rv)
{
	if (!rv)
		return;
	free(rv->finding_order);
	free(rv);
}

static void rules_view_service(const struct results *rv, size_t i,
			       struct rules_view_service *v)
{
	const struct service_facts *sf = &rv->f->services[i];
	const struct rules_results *r = rv->r;

	*v = (struct rules_view_service){0, NULL, NULL, rv->m->services[i].tier != 0, false,
					 NAN, NAN, NULL, NAN, NAN, NAN};
	if (rv->f->objectives_set) {
		v->tier = sf->tier;
		v->rpo_minutes = sf->rpo_minutes;
	}
	if (r && r->tiers && i < r->n_tiers) {
		const struct service_tier *t = &r->tiers[i];
		v->tier = t->tier;
		v->tier_name = t->tier_name;
		v->tier_reason = t->reason;
		v->overridden = t->overridden;
		v->unclassified = t->unclassified;
		v->rpo_minutes = t->rpo_minutes;
		v->rto_minutes = t->rto_minutes;
		v->strategy = t->strategy;
	}
	if (r && r->costs) {
		v->dr_monthly_cost = r->costs[i].dr_monthly_cost;
		v->dr_infrastructure = r->costs[i].infrastructure;
		v->dr_storage = r->costs[i].storage;
	}
}

static void rules_view_drill(const struct results *rv, size_t i,
			     struct rules_view_drill *v)
{
	*v = (struct rules_view_drill){false, false, NULL};
	if (rv->r && rv->r->drills) {
		v->known = true;
		v->passed = rv->r->drills[i].passed;
		v->status = rv->r->drills[i].status;
	}
}

static void rules_view_result(const struct results *rv, size_t drill,
			      size_t k, struct rules_view_result *v)
{
	*v = (struct rules_view_result){false, false, NULL, NULL, NAN, NAN, NAN, NAN};
	if (rv->r && rv->r->drills && k < rv->r->drills[drill].n_results) {
		const struct drill_result_score *sc = &rv->r->drills[drill].results[k];
		*v = (struct rules_view_result){true, sc->passed, sc->status, sc->reason,
			sc->target_rto_minutes, sc->target_rpo_minutes,
			sc->rto_achievement, sc->rpo_achievement};
	}
}

size_t results_finding_count(const struct results *rv)
{
	return rv->r ? rv->r->n_findings : 0;
}

const struct finding *results_finding_at(const struct results *rv, size_t i)
{
	return &rv->r->findings[rv->finding_order[i]];
}

static void rules_view_cost(const struct results *rv, struct rules_view_cost *c)
{
	const struct rules_results *r = rv->r;

	*c = (struct rules_view_cost){NAN, {NAN, NAN, NAN, NAN}, NAN};
	if (!r || !r->costs)
		return;
	c->monthly_total = r->cost_total;
	c->backup_storage = 0;
	for (int t = 0; t < RULES_TIERS; t++)
		c->by_tier[t] = r->cost_by_tier[t];
	for (size_t i = 0; i < rv->m->n_services; i++) {
		if (!isnan(r->costs[i].storage))
			c->backup_storage += r->costs[i].storage;
	}
}

/* ---- building ----------------------------------------------------------
 * Every key is a string with static storage (a literal or a model_*_names
 * entry), so it is added with cJSON's "constant string" variant: the tree
 * borrows the key instead of copying it, halving the allocations.
 */

static void add_null(cJSON *o, const char *key)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateNull());
}

static void add_num(cJSON *o, const char *key, double x)
{
	if (isnan(x))
		add_null(o, key);
	else
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateNumber(x));
}

static void add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
	else
		add_null(o, key);
}

static void add_bool(cJSON *o, const char *key, bool b)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateBool(b));
}

/* A verdict a rule may not have given: null when it did not. */
static void add_known_bool(cJSON *o, const char *key, bool known, bool b)
{
	if (known)
		add_bool(o, key, b);
	else
		add_null(o, key);
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char s[DATE_RFC3339_SIZE];

	if (t == DATE_NONE) {
		add_null(o, key);
		return;
	}
	date_format_rfc3339(t, s);
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
}

static cJSON *add_array(cJSON *o, const char *key)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToObjectCS(o, key, a);
	return a;
}

static cJSON *add_object(cJSON *o, const char *key)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObjectCS(o, key, x);
	return x;
}

static void push_str(cJSON *a, const char *s)
{
	cJSON_AddItemToArray(a, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static void add_plan(cJSON *doc, const struct model *m)
{
	cJSON *org = add_object(doc, "organization");
	cJSON *plan = add_object(doc, "plan");

	add_str(org, "id", m->org.id);
	add_str(org, "name", m->org.name);
	add_str(org, "entity_type", m->org.entity_type);
	add_str(org, "currency", m->org.currency);
	add_str(plan, "version", m->meta.version);
	add_str(plan, "owner", m->meta.owner);
	add_str(plan, "approved_by", m->meta.approved_by);
	add_time(plan, "approved_on", m->meta.approved_on);
	add_time(plan, "last_review", m->meta.last_review);
	add_time(plan, "next_review", m->meta.next_review);
	add_str(plan, "directory", m->dir);
}

static void add_drill_counts(cJSON *o, const struct model *m,
			     const struct service_facts *sf)
{
	cJSON *d = add_object(o, "drills");
	cJSON *by12 = NULL, *byp = NULL, *last = NULL;

	add_num(d, "total", (double)sf->n_drills);
	add_num(d, "in_period", (double)sf->n_drills_period);
	add_num(d, "last_12_months", (double)sf->n_drills_12m);
	byp = add_object(d, "in_period_by_type");
	by12 = add_object(d, "last_12_months_by_type");
	last = add_object(d, "last_by_type");
	for (int t = 0; t < DRILL_TYPE_COUNT; t++) {
		const char *name = model_drill_type_names[t];
		add_num(byp, name, (double)sf->drills_period_by_type[t]);
		add_num(by12, name, (double)sf->drills_12m_by_type[t]);
		add_time(last, name, sf->last_drill_by_type[t]);
	}
	if (sf->last_drill >= 0) {
		const struct drill *dr = &m->drills[sf->last_drill];
		add_str(d, "last_id", dr->id);
		add_time(d, "last_date", dr->date);
	} else {
		add_null(d, "last_id");
		add_null(d, "last_date");
	}
}

void results_service_row(const struct results *rv, size_t i,
			 struct results_service_row *row)
{
	struct rules_view_service v;
	int wave = rv->f->services[i].recovery_wave;

	rules_view_service(rv, i, &v);
	*row = (struct results_service_row){
		.tier = v.tier >= 1 && v.tier <= RULES_TIERS ? v.tier : NAN,
		.tier_name = v.tier_name, .tier_reason = v.tier_reason,
		.overridden = v.overridden, .unclassified = v.unclassified,
		.rpo_minutes = v.rpo_minutes,
		.rto_minutes = v.rto_minutes, .strategy = v.strategy,
		.recovery_wave = wave > 0 ? wave : NAN,
	};
}

cJSON *results_service(const struct results *rv, size_t i)
{
	const struct model *m = rv->m;
	const struct facts *f = rv->f;
	const struct service *s = &m->services[i];
	const struct service_facts *sf = &f->services[i];
	struct rules_view_service v;
	struct results_service_row row;
	cJSON *o = cJSON_CreateObject(), *a;

	rules_view_service(rv, i, &v);
	results_service_row(rv, i, &row);
	add_str(o, "id", s->id);
	add_str(o, "name", s->name);
	add_num(o, "tier", row.tier);
	add_str(o, "tier_name", row.tier_name);
	add_str(o, "tier_source", row.overridden ? "override"
				  : row.unclassified ? "unclassified" : "computed");
	add_num(o, "rpo_minutes", row.rpo_minutes);
	add_num(o, "rto_minutes", row.rto_minutes);
	add_str(o, "strategy", row.strategy);
	add_num(o, "dr_monthly_cost", results_round(v.dr_monthly_cost, 2));
	add_str(o, "tier_reason", row.tier_reason);
	add_num(o, "dr_infrastructure_cost", results_round(v.dr_infrastructure, 2));
	add_num(o, "dr_storage_cost", results_round(v.dr_storage, 2));
	add_num(o, "recovery_wave", row.recovery_wave);
	a = add_array(o, "depends_on");
	for (size_t k = 0; k < s->n_depends_on; k++)
		push_str(a, s->depends_on[k]);
	add_str(o, "owner", s->owner);
	add_str(o, "team", s->team);
	a = add_array(o, "regions");
	for (size_t k = 0; k < s->n_regions; k++)
		push_str(a, s->regions[k]);
	a = add_array(o, "datastores");
	for (size_t k = 0; k < s->n_datastores; k++)
		push_str(a, m->datastores[s->datastore_index[k]].id);
	a = add_array(o, "data_scope");
	for (size_t k = 0; k < s->n_data_scope; k++)
		push_str(a, s->data_scope[k]);
	add_num(o, "monthly_cost", s->monthly_cost);
	add_num(o, "revenue_loss_per_hour", s->impact.revenue_loss_per_hour);
	if (f->objectives_set) {
		add_bool(o, "multi_region_required", sf->multi_region_required);
		add_bool(o, "single_region", sf->single_region);
	} else {
		add_null(o, "multi_region_required");
		add_null(o, "single_region");
	}
	add_drill_counts(o, m, sf);
	return o;
}

double results_age_minutes(int64_t age_seconds)
{
	return age_seconds < 0 ? NAN : results_round((double)age_seconds / 60.0, 2);
}

/* Minutes with two decimals: enough to tell one second apart. */
static void add_age(cJSON *o, const char *key, int64_t age_seconds)
{
	add_num(o, key, results_age_minutes(age_seconds));
}

void results_datastore_row(const struct results *rv, size_t i,
			   struct results_datastore_row *row)
{
	const struct facts *f = rv->f;
	const struct store_facts *sf = &f->stores[i];

	*row = (struct results_datastore_row){
		.rpo_minutes = f->objectives_set ? sf->rpo_minutes : NAN,
		.currency = f->objectives_set ? analyze_currency_name(sf->currency) : NULL,
		.age_minutes = results_age_minutes(sf->age_seconds),
		.last_restore_test = sf->last_restore_test,
		.policy = rv->r && rv->r->policies ? rv->r->policies[i].policy : NULL,
	};
}

cJSON *results_datastore(const struct results *rv, size_t i)
{
	const struct model *m = rv->m;
	const struct datastore *d = &m->datastores[i];
	const struct store_facts *sf = &rv->f->stores[i];
	struct results_datastore_row row;
	cJSON *o = cJSON_CreateObject(), *a, *by;

	results_datastore_row(rv, i, &row);
	add_str(o, "id", d->id);
	add_str(o, "service", d->service_index < m->n_services
		? m->services[d->service_index].id : NULL);
	add_str(o, "criticality", model_criticality_names[d->criticality]);
	add_num(o, "rpo_minutes", row.rpo_minutes);
	add_time(o, "newest_success", sf->newest_success);
	add_num(o, "age_minutes", row.age_minutes);
	add_str(o, "currency", row.currency);
	a = add_array(o, "locations");
	for (int l = 0; l < LOC_COUNT; l++) {
		if (sf->locations_ok[l])
			push_str(a, model_location_names[l]);
	}
	add_bool(o, "offsite", sf->offsite);
	add_bool(o, "encrypted", sf->encrypted);
	add_bool(o, "immutable", sf->immutable);
	add_time(o, "last_restore_test", sf->last_restore_test);
	add_num(o, "failures_in_period", (double)sf->failures_in_period);
	/* beyond the fixed keys */
	add_str(o, "engine", d->engine);
	add_num(o, "size_gb", d->size_gb);
	add_str(o, "newest_location", sf->newest_location >= 0
		? model_location_names[sf->newest_location] : NULL);
	add_str(o, "newest_success_id", sf->newest_location >= 0
		? sf->at[sf->newest_location].newest_success_id : NULL);
	add_num(o, "successes", (double)sf->successes);
	add_num(o, "unencrypted_successes", (double)sf->successes_unencrypted);
	add_num(o, "immutable_successes", (double)sf->successes_immutable);
	add_bool(o, "continuous", sf->continuous);
	add_num(o, "bytes_retained", (double)sf->bytes_retained);
	add_str(o, "last_restore_test_id", sf->last_restore_test_id);
	add_time(o, "last_restore_test_failed", sf->last_restore_test_failed);
	add_str(o, "last_restore_test_failed_id", sf->last_restore_test_failed_id);
	add_bool(o, "restore_test_failing", sf->restore_test_failing);
	add_str(o, "last_restore_test_tested_backup", sf->last_restore_test_tested_backup);
	add_time(o, "last_restore_test_tested_time", sf->last_restore_test_tested_time);
	add_str(o, "last_restore_test_location", sf->last_restore_test_location >= 0
		? model_location_names[sf->last_restore_test_location] : NULL);
	add_num(o, "restore_tests", (double)sf->restore_tests);
	add_time(o, "last_integrity_check", sf->last_integrity_check);
	add_str(o, "last_integrity_check_id", sf->last_integrity_check_id);
	add_time(o, "last_integrity_check_failed", sf->last_integrity_check_failed);
	add_str(o, "last_integrity_check_failed_id", sf->last_integrity_check_failed_id);
	add_num(o, "integrity_checks", (double)sf->integrity_checks);
	add_num(o, "restore_test_records", (double)d->backups.restore_test_records);
	add_num(o, "records", (double)d->backups.records);
	add_str(o, "policy", row.policy);
	by = add_object(o, "by_location");
	for (int l = 0; l < LOC_COUNT; l++) {
		const struct location_facts *lf = &sf->at[l];
		cJSON *x = add_object(by, model_location_names[l]);
		add_time(x, "newest_success", lf->newest_success);
		add_age(x, "age_minutes", lf->age_seconds);
		add_num(x, "successes", (double)lf->successes);
		add_bool(x, "encrypted", lf->successes && !lf->successes_unencrypted);
		add_bool(x, "immutable", lf->successes_immutable > 0);
		add_num(x, "failures_in_period", (double)lf->failures_in_period);
		add_num(x, "bytes_retained", (double)lf->bytes_retained);
		add_time(x, "last_restore_test", lf->last_restore_test);
	}
	return o;
}

int results_drill_passed(const struct results *rv, size_t i)
{
	struct rules_view_drill v;

	rules_view_drill(rv, i, &v);
	return v.known ? v.passed : -1;
}

cJSON *results_drill(const struct results *rv, size_t i)
{
	const struct drill *d = &rv->m->drills[i];
	struct rules_view_drill v;
	cJSON *o = cJSON_CreateObject(), *a, *scope;

	rules_view_drill(rv, i, &v);
	add_str(o, "id", d->id);
	add_str(o, "type", model_drill_type_names[d->type]);
	add_time(o, "date", d->date);
	add_str(o, "source", d->source);
	add_known_bool(o, "passed", v.known, v.passed);
	add_str(o, "status", v.status);
	add_num(o, "availability", d->availability);
	scope = add_object(o, "scope");
	a = add_array(scope, "services");
	for (size_t k = 0; k < d->n_scope_services; k++)
		push_str(a, d->scope_services[k]);
	add_num(scope, "traffic_percent", d->traffic_percent);
	a = add_array(o, "results");
	for (size_t k = 0; k < d->n_results; k++) {
		const struct drill_result *r = &d->results[k];
		struct rules_view_result rr;
		cJSON *x = cJSON_CreateObject();

		rules_view_result(rv, i, k, &rr);
		cJSON_AddItemToArray(a, x);
		add_str(x, "service", r->service);
		add_num(x, "target_rto_minutes", rr.known
			? rr.target_rto_minutes : r->target_rto_minutes);
		add_num(x, "recovery_minutes", r->recovery_minutes);
		add_num(x, "rto_achievement", results_round(rr.rto_achievement, 4));
		add_num(x, "rto_shortfall_percent",
			results_round((1 - rr.rto_achievement) * 100, 1));
		add_num(x, "target_rpo_minutes", rr.known
			? rr.target_rpo_minutes : r->target_rpo_minutes);
		add_num(x, "data_loss_minutes", r->data_loss_minutes);
		add_num(x, "rpo_achievement", results_round(rr.rpo_achievement, 4));
		add_num(x, "rpo_shortfall_percent",
			results_round((1 - rr.rpo_achievement) * 100, 1));
		add_bool(x, "recovered", r->recovered);
		add_num(x, "data_integrity", r->data_integrity);
		add_known_bool(x, "passed", rr.known, rr.passed);
		add_str(x, "status", rr.status);
		add_str(x, "reason", rr.reason);
		add_str(x, "failure", r->failure);
	}
	a = add_array(o, "issues");
	for (size_t k = 0; k < d->n_issues; k++) {
		const struct drill_issue *is = &d->issues[k];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToArray(a, x);
		add_str(x, "id", is->id);
		add_str(x, "title", is->title);
		add_str(x, "severity", is->severity);
		add_str(x, "owner", is->owner);
		add_time(x, "due", is->due);
		add_str(x, "status", is->open ? "open" : "closed");
		if (is->n_services) {
			cJSON *sv = add_array(x, "services");
			for (size_t j = 0; j < is->n_services; j++)
				push_str(sv, is->services[j]);
		}
	}
	return o;
}

static void add_graph(cJSON *doc, const struct model *m, const struct facts *f)
{
	cJSON *waves = add_array(doc, "recovery_waves");
	cJSON *inv = add_array(doc, "tier_inversions");
	cJSON *single = add_array(doc, "single_region_services");
	cJSON *wave = NULL, *ids = NULL;
	int current = -1;

	for (size_t k = 0; k < f->n_recovery_order; k++) {
		size_t s = f->recovery_order[k];
		int w = f->services[s].recovery_wave;
		if (w == 0)
			break;  /* in a cycle: the loader reports it */
		if (w != current) {
			wave = cJSON_CreateObject();
			cJSON_AddItemToArray(waves, wave);
			add_num(wave, "wave", w);
			ids = add_array(wave, "services");
			current = w;
		}
		push_str(ids, m->services[s].id);
	}
	for (size_t k = 0; k < f->n_inversions; k++) {
		const struct tier_inversion *t = &f->inversions[k];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToArray(inv, x);
		add_str(x, "service", m->services[t->service].id);
		add_num(x, "service_tier", t->service_tier);
		add_str(x, "dependency", m->services[t->dependency].id);
		add_num(x, "dependency_tier", t->dependency_tier);
	}
	for (size_t k = 0; k < f->n_single_region; k++)
		push_str(single, m->services[f->single_region[k]].id);
}

cJSON *results_finding(const struct results *rv, size_t i)
{
	const struct finding *v = results_finding_at(rv, i);
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", v->id);
	add_str(o, "kind", v->kind);
	add_str(o, "severity", v->severity);
	add_str(o, "subject", v->subject);
	add_str(o, "message", v->message);
	add_str(o, "recommendation", v->recommendation);
	add_str(o, "ref", v->ref);
	add_str(o, "rule", v->rule);
	if (rv->track)
		track_put_finding(rv->track, rv->m, v, o);
	return o;
}

void results_set_track(struct results *rv, const struct track *t)
{
	rv->track = t;
}

static void add_cost(cJSON *doc, const struct results *rv)
{
	cJSON *cost = add_object(doc, "cost");
	cJSON *by = NULL;
	struct rules_view_cost c;
	static const char *const tier_keys[RULES_TIERS] = {"1", "2", "3", "4"};

	rules_view_cost(rv, &c);
	add_num(cost, "monthly_total", results_round(c.monthly_total, 2));
	by = add_object(cost, "by_tier");
	for (int t = 0; t < RULES_TIERS; t++) {
		add_num(by, tier_keys[t], results_round(c.by_tier[t], 2));
	}
	add_num(cost, "backup_storage", results_round(c.backup_storage, 2));
}

static void add_summary(cJSON *doc, const struct model *m, const struct facts *f)
{
	cJSON *s = add_object(doc, "summary");
	cJSON *cur = NULL;

	add_num(s, "services", (double)m->n_services);
	add_num(s, "datastores", (double)m->n_datastores);
	add_num(s, "drills", (double)m->n_drills);
	add_num(s, "drills_after_as_of", (double)m->n_drills_after_as_of);
	add_num(s, "backup_records", (double)m->backup_records);
	add_num(s, "restore_test_records", (double)m->restore_test_records);
	add_num(s, "recovery_waves", f->n_waves);
	cur = add_object(s, "currency");
	for (int c = 0; c < CURRENCY_COUNT; c++) {
		if (f->objectives_set)
			add_num(cur, analyze_currency_name(c), (double)f->currency_count[c]);
		else
			add_null(cur, analyze_currency_name(c));
	}
}

/* The objectives of each tier as tiers.lua defined them. */
static void add_tiers(cJSON *doc, const struct facts *f, const struct results *rv)
{
	cJSON *arr = add_array(doc, "tiers");

	if (f->objectives_set)
		add_num(doc, "lag_tolerance_minutes", f->lag_tolerance_minutes);
	else
		add_null(doc, "lag_tolerance_minutes");
	if (!rv->r)
		return;
	for (int t = 0; t < RULES_TIERS; t++) {
		const struct tier_level *l = &rv->r->levels[t];
		cJSON *o;
		if (l->tier < 1 || l->tier > RULES_TIERS)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		add_num(o, "tier", l->tier);
		add_str(o, "name", l->name);
		add_str(o, "criterion", l->criterion);
		add_num(o, "rpo_minutes", l->rpo_minutes);
		add_num(o, "rto_minutes", l->rto_minutes);
		add_str(o, "strategy", l->strategy);
		add_num(o, "dr_multiplier", l->dr_multiplier);
		add_bool(o, "multi_region", l->multi_region);
	}
}

static void add_unknown(cJSON *doc, const struct model *m)
{
	cJSON *unk = add_array(doc, "unknown_datastores");

	for (size_t i = 0; i < m->n_unknown_datastores; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToArray(unk, x);
		add_str(x, "id", m->unknown_datastores[i].id);
		add_num(x, "records", (double)m->unknown_datastores[i].records);
	}
}

/*
 * The long arrays: the keys results_write fills entry by entry, and how
 * to build their entries and count them.
 */
struct long_array {
	const char *key;
	cJSON *(*entry)(const struct results *rv, size_t i);
	size_t (*count)(const struct results *rv);
};

static size_t count_services(const struct results *rv) { return rv->m->n_services; }
static size_t count_datastores(const struct results *rv) { return rv->m->n_datastores; }
static size_t count_drills(const struct results *rv) { return rv->m->n_drills; }

static const struct long_array long_arrays[] = {
	{"services", results_service, count_services},
	{"datastores", results_datastore, count_datastores},
	{"drills", results_drill, count_drills},
	{"findings", results_finding, results_finding_count},
};

static const struct long_array *long_array_of(const char *key)
{
	for (size_t k = 0; key && k < ARRAY_LEN(long_arrays); k++) {
		if (strcmp(long_arrays[k].key, key) == 0)
			return &long_arrays[k];
	}
	return NULL;
}

cJSON *results_summary(const struct results *rv)
{
	const struct model *m = rv->m;
	const struct facts *f = rv->f;
	cJSON *doc = cJSON_CreateObject();
	char month[8];

	add_str(doc, "drgen_version", DRGEN_VERSION);
	add_time(doc, "as_of", f->as_of);
	if (f->period_start != DATE_NONE) {
		date_format_month(f->period_start, month);
		add_str(doc, "period", month);
	} else {
		add_null(doc, "period");
	}
	add_time(doc, "period_start", f->period_start);
	add_time(doc, "period_end", f->period_end);
	add_plan(doc, m);
	add_summary(doc, m, f);
	add_tiers(doc, f, rv);
	add_array(doc, "services");
	add_array(doc, "datastores");
	add_graph(doc, m, f);
	add_array(doc, "drills");
	add_array(doc, "findings");
	cJSON_AddItemToObjectCS(doc, "controls", cJSON_CreateArray());
	add_cost(doc, rv);
	add_unknown(doc, m);
	return doc;
}

cJSON *results_build(const struct model *m, const struct facts *f,
		     const struct rules_results *r)
{
	struct results *rv = results_new(m, f, r);
	cJSON *doc = results_summary(rv);

	for (size_t k = 0; k < ARRAY_LEN(long_arrays); k++) {
		const struct long_array *la = &long_arrays[k];
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, la->key);
		size_t n = la->count(rv);
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, la->entry(rv, i));
	}
	results_free(rv);
	return doc;
}

void results_add_compliance(cJSON *doc, const struct compliance *c)
{
	cJSON *comp = cJSON_CreateObject();
	cJSON *counts;
	double total = 0;

	cJSON_ReplaceItemInObjectCaseSensitive(doc, "controls",
					       cJSON_Duplicate(c->controls, true));
	for (int s = 0; s < COMPLIANCE_STATUS_COUNT; s++)
		total += (double)c->counts[s];
	add_num(comp, "total", total);
	counts = add_object(comp, "counts");
	for (int s = 0; s < COMPLIANCE_STATUS_COUNT; s++)
		add_num(counts, compliance_status_names[s], (double)c->counts[s]);
	cJSON_AddItemToObject(comp, "frameworks", cJSON_Duplicate(c->frameworks, true));
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "compliance");
	cJSON_AddItemToObject(doc, "compliance", comp);
}

void results_add_changes(cJSON *doc, cJSON *changes)
{
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "changes");
	cJSON_AddItemToObject(doc, "changes", changes);
}

/* ---- printing ----------------------------------------------------------
 * About 4 million small pieces for a 10,000-service plan, so appends are
 * inline: room() grows the buffer only when a piece does not fit, and the
 * terminating NUL is written once at the end.
 */

static inline char *room(struct buf *b, size_t n)
{
	if (b->len + n >= b->cap)
		buf_grow(b, n);
	return b->data + b->len;
}

static inline void put(struct buf *b, const char *s, size_t n)
{
	memcpy(room(b, n), s, n);
	b->len += n;
}

static inline void put_char(struct buf *b, char c)
{
	*room(b, 1) = c;
	b->len++;
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void put_number(struct buf *b, double x)
{
	char s[40];
	int n;

	if (!isfinite(x)) {
		PUT_LIT(b, "null");
		return;
	}
	if (x == 0) {
		put_char(b, '0');  /* also for -0 */
		return;
	}
	if (x == floor(x) && fabs(x) < 9007199254740992.0) {
		/* Digits by hand: most numbers are counts and minutes. */
		unsigned long long v = (unsigned long long)(x < 0 ? -x : x);
		char *e = s + sizeof(s), *p = e;
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (x < 0)
			*--p = '-';
		put(b, p, (size_t)(e - p));
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(s, sizeof(s), "%.*g", prec, x);
		if (strtod(s, NULL) == x)
			break;
	}
	put(b, s, (size_t)n);
}

/* Copies runs of plain bytes at once; escapes quotes, backslashes, controls. */
static void put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run;
	char esc[7] = "\\u00";

	put_char(b, '"');
	for (;;) {
		run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		put(b, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"': PUT_LIT(b, "\\\""); break;
		case '\\': PUT_LIT(b, "\\\\"); break;
		case '\n': PUT_LIT(b, "\\n"); break;
		case '\r': PUT_LIT(b, "\\r"); break;
		case '\t': PUT_LIT(b, "\\t"); break;
		case '\b': PUT_LIT(b, "\\b"); break;
		case '\f': PUT_LIT(b, "\\f"); break;
		default:
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			put(b, esc, 6);
		}
		p++;
	}
	put_char(b, '"');
}

static void indent(struct buf *b, int depth)
{
	static const char spaces[] = "\n                                        ";
	size_t n = 1 + 2 * (size_t)depth;

	if (n < sizeof(spaces)) {
		put(b, spaces, n);
		return;
	}
	put(b, spaces, sizeof(spaces) - 1);
	n -= sizeof(spaces) - 1;
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 2 ? n : sizeof(spaces) - 2;
		put(b, spaces + 1, k);
		n -= k;
	}
}

static void put_value(struct buf *b, const cJSON *v, int depth)
{
	const cJSON *c;

	if (cJSON_IsNull(v) || !v) {
		PUT_LIT(b, "null");
	} else if (cJSON_IsTrue(v)) {
		PUT_LIT(b, "true");
	} else if (cJSON_IsFalse(v)) {
		PUT_LIT(b, "false");
	} else if (cJSON_IsNumber(v)) {
		put_number(b, v->valuedouble);
	} else if (cJSON_IsString(v)) {
		put_string(b, v->valuestring);
	} else if (cJSON_IsRaw(v)) {
		put(b, v->valuestring, strlen(v->valuestring));
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		bool obj = cJSON_IsObject(v);
		put_char(b, obj ? '{' : '[');
		if (!v->child) {
			put_char(b, obj ? '}' : ']');
			return;
		}
		for (c = v->child; c; c = c->next) {
			indent(b, depth + 1);
			if (obj) {
				put_string(b, c->string ? c->string : "");
				PUT_LIT(b, ": ");
			}
			put_value(b, c, depth + 1);
			if (c->next)
				put_char(b, ',');
		}
		indent(b, depth);
		put_char(b, obj ? '}' : ']');
	} else {
		PUT_LIT(b, "null");
	}
}

/* Hands the buffer to the writer once it holds this much. */
#define RESULTS_WRITE_CHUNK (1u << 20)

static bool flush(struct buf *b, results_write_fn *write, void *ctx, size_t at_least)
{
	if (b->len == 0 || b->len < at_least)
		return true;
	bool ok = write(ctx, b->data, b->len);
	b->len = 0;
	return ok;
}

/*
 * The same bytes as results_print would give for the whole tree: a long
 * array prints as put_value prints any array, one entry built at a time.
 */
bool results_write(const struct results *rv, const cJSON *summary,
		   results_write_fn *write, void *ctx)
{
	struct buf b = BUF_INIT;
	bool ok = true;

	put_char(&b, '{');
	for (const cJSON *c = summary->child; c && ok; c = c->next) {
		const struct long_array *la = long_array_of(c->string);
		indent(&b, 1);
		put_string(&b, c->string ? c->string : "");
		PUT_LIT(&b, ": ");
		size_t n = la && cJSON_GetArraySize(c) == 0 ? la->count(rv) : 0;
		if (n == 0) {
			put_value(&b, c, 1);
		} else {
			put_char(&b, '[');
			for (size_t i = 0; i < n && ok; i++) {
				cJSON *e = la->entry(rv, i);
				indent(&b, 2);
				put_value(&b, e, 2);
				cJSON_Delete(e);
				if (i + 1 < n)
					put_char(&b, ',');
				ok = flush(&b, write, ctx, RESULTS_WRITE_CHUNK);
			}
			indent(&b, 1);
			put_char(&b, ']');
		}
		if (c->next)
			put_char(&b, ',');
	}
	if (summary->child)
		indent(&b, 0);
	put_char(&b, '}');
	put_char(&b, '\n');
	ok = ok && flush(&b, write, ctx, 0);
	buf_free(&b);
	return ok;
}

char *results_print(const cJSON *doc, size_t *len)
{
	struct buf b = BUF_INIT;
	size_t n;
	char *s;

	put_value(&b, doc, 0);
	put_char(&b, '\n');
	*room(&b, 0) = '\0';
	s = buf_detach(&b, &n);
	if (len)
		*len = n;
	return s;
}
