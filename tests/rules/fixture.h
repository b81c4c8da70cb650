/*
 * fixture.h -- small models built in C for the rules tests (test_rules.c,
 * test_sandbox.c), so they do not depend on the loaders.  Capacities are
 * fixed at creation so pointers into the arrays stay valid.
 *
 * Times: the build's as-of is 2026-11-01T00:00:00Z, the period 2026-10.
 */
#ifndef DRGEN_TESTS_RULES_FIXTURE_H
#define DRGEN_TESTS_RULES_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "dates.h"
#include "diag.h"
#include "model.h"
#include "restore_tests.h"
#include "rules.h"
#include "util.h"

#define FX_DAY 86400
#define FX_AS_OF 1793491200   /* 2026-11-01T00:00:00Z */
#define FX_PERIOD_START 1790812800  /* 2026-10-01T00:00:00Z */

struct fx {
	struct model *m;
	size_t cap_services, cap_stores, cap_drills;
};

static inline void fx_init(struct fx *x, size_t services, size_t stores,
			   size_t drills)
{
	struct model *m = model_new();

	x->m = m;
	x->cap_services = services;
	x->cap_stores = stores;
	x->cap_drills = drills;
	m->format_version = 1;
	m->dir = "fixture";
	m->as_of = FX_AS_OF;
	m->period_start = FX_PERIOD_START;
	m->period_end = FX_AS_OF;
	m->org.id = "acme";
	m->org.name = "Acme";
	m->meta.version = "1.0";
	m->meta.last_review = FX_AS_OF - 100 * FX_DAY;
	m->meta.next_review = FX_AS_OF + 200 * FX_DAY;
	m->services = arena_calloc(m->arena, services ? services : 1,
				   sizeof(*m->services));
	m->datastores = arena_calloc(m->arena, stores ? stores : 1,
				     sizeof(*m->datastores));
	m->drills = arena_calloc(m->arena, drills ? drills : 1, sizeof(*m->drills));
	m->regions = arena_calloc(m->arena, 3, sizeof(*m->regions));
	static const char *const ids[3] = {"eu-west-1", "eu-central-1", "eu-north-1"};
	for (int i = 0; i < 3; i++) {
		m->regions[i].id = ids[i];
		m->regions[i].role = (enum region_role)i;
		strmap_put(m->region_by_id, ids[i], &m->regions[i]);
	}
	m->n_regions = 3;
}

static inline struct service *fx_service(struct fx *x, const char *id,
					 double revenue)
{
	struct model *m = x->m;
	struct service *s;

	if (m->n_services >= x->cap_services)
		abort();
	s = &m->services[m->n_services++];
	s->id = arena_strdup(m->arena, id);
	s->name = s->id;
	s->impact.revenue_loss_per_hour = revenue;
	s->impact.customers_affected = NAN;
	s->impact.mtpd_hours = NAN;
	s->monthly_cost = NAN;
	s->regions = arena_calloc(m->arena, 2, sizeof(*s->regions));
	s->region_index = arena_calloc(m->arena, 2, sizeof(*s->region_index));
	s->regions[0] = "eu-west-1";
	s->regions[1] = "eu-central-1";
	s->region_index[0] = 0;
	s->region_index[1] = 1;
	s->n_regions = 2;
	strmap_put(m->service_by_id, s->id, s);
	return s;
}

/* s depends on dep (both already added). */
static inline void fx_depends(struct fx *x, struct service *s, struct service *dep)
{
	struct model *m = x->m;
	const char **ids = arena_calloc(m->arena, s->n_depends_on + 1, sizeof(*ids));
	size_t *idx = arena_calloc(m->arena, s->n_depends_on + 1, sizeof(*idx));

	for (size_t i = 0; i < s->n_depends_on; i++) {
		ids[i] = s->depends_on[i];
		idx[i] = s->depends_on_index[i];
	}
	ids[s->n_depends_on] = dep->id;
	idx[s->n_depends_on] = (size_t)(dep - m->services);
	s->depends_on = ids;
	s->depends_on_index = idx;
	s->n_depends_on++;
}

static inline void fx_location_empty(struct backup_location_summary *l)
{
	memset(l, 0, sizeof(*l));
	l->newest_success = DATE_NONE;
	l->newest_verified = DATE_NONE;
}

/* A datastore of service s with no backups at all. */
static inline struct datastore *fx_store(struct fx *x, struct service *s,
					 const char *id, enum criticality crit)
{
	struct model *m = x->m;
	struct datastore *ds;
	size_t *idx;

	if (m->n_datastores >= x->cap_stores)
		abort();
	ds = &m->datastores[m->n_datastores++];
	ds->id = arena_strdup(m->arena, id);
	ds->engine = "postgresql";
	ds->criticality = crit;
	ds->size_gb = 10;
	ds->service_index = (size_t)(s - m->services);
	for (int l = 0; l < LOC_COUNT; l++)
		fx_location_empty(&ds->backups.at[l]);
	for (int k = 0; k < RMETHOD_COUNT; k++)
		restore_tests_init(&ds->backups.tests[k]);
	idx = arena_calloc(m->arena, s->n_datastores + 1, sizeof(*idx));
	for (size_t i = 0; i < s->n_datastores; i++)
		idx[i] = s->datastore_index[i];
	idx[s->n_datastores] = (size_t)(ds - m->datastores);
	s->datastore_index = idx;
	s->n_datastores++;
	strmap_put(m->datastore_by_id, ds->id, ds);
	return ds;
}

/* A successful copy at loc finished `age` seconds before as-of. */
static inline void fx_backup(struct datastore *ds, enum backup_location loc,
			     int64_t age, const char *enc, bool immutable,
			     enum backup_type type, uint64_t bytes)
{
	struct backup_location_summary *l = &ds->backups.at[loc];

	l->records++;
	l->successes++;
	ds->backups.records++;
	l->newest_success = FX_AS_OF - age;
	snprintf(l->newest_success_id, sizeof(l->newest_success_id), "%s-%d",
		 ds->id, (int)loc);
	snprintf(l->newest_success_region, sizeof(l->newest_success_region), "r");
	snprintf(l->newest_encryption, sizeof(l->newest_encryption), "%s", enc);
	snprintf(l->newest_compression, sizeof(l->newest_compression), "zstd");
	l->bytes_retained += bytes;
	if (strcmp(enc, "none") == 0)
		l->successes_unencrypted++;
	if (immutable)
		l->successes_immutable++;
	l->successes_by_type[type]++;
}

static inline struct drill *fx_drill(struct fx *x, const char *id,
				     enum drill_type type, int64_t date,
				     size_t n_results)
{
	struct model *m = x->m;
	struct drill *d;

	if (m->n_drills >= x->cap_drills)
		abort();
	d = &m->drills[m->n_drills++];
	d->id = arena_strdup(m->arena, id);
	d->type = type;
	d->date = date;
	d->traffic_percent = NAN;
	d->availability = NAN;
	d->source = "drills/fixture.json";
	d->results = arena_calloc(m->arena, n_results ? n_results : 1,
				  sizeof(*d->results));
	d->n_results = n_results;
	d->scope_services = NULL;
	return d;
}

static inline void fx_result(struct fx *x, struct drill *d, size_t k,
			     const char *service, double target_rto,
			     double target_rpo, double recovery, double loss,
			     bool recovered, double integrity)
{
	struct drill_result *r = &d->results[k];
	const struct service *s = model_service_find(x->m, service);

	r->service = s->id;
	r->service_index = (size_t)(s - x->m->services);
	r->target_rto_minutes = target_rto;
	r->target_rpo_minutes = target_rpo;
	r->recovery_minutes = recovery;
	r->data_loss_minutes = loss;
	r->recovered = recovered;
	r->data_integrity = integrity;
}

/* The directory of the shipped rules (tests run from the repository root). */
static inline const char *fx_lua_dir(void)
{
	static char path[4096];
	const char *root = getenv("DRGEN_ROOT");

	snprintf(path, sizeof(path), "%s/lua", root && *root ? root : ".");
	return path;
}

/* tests/rules/SUB; four results stay valid at a time. */
static inline const char *fx_rules_dir(const char *sub)
{
	static char paths[4][4096];
	static unsigned next;
	char *path = paths[next++ % 4];
	const char *root = getenv("DRGEN_ROOT");

	snprintf(path, sizeof(paths[0]), "%s/tests/rules/%s",
		 root && *root ? root : ".", sub);
	return path;
}

/* Runs the whole rules stage the way build does; returns true on success. */
static inline bool fx_run(struct model *m, const char *const *dirs, size_t ndirs,
			  struct facts **f, struct rules **r,
			  struct rules_results **res, struct diags *d)
{
	struct objectives obj;

	*f = analyze_model(m);
	*r = rules_new(dirs, ndirs);
	*res = rules_results_new(m);
	if (!rules_run_tiers(*r, m, *f, *res, d))
		return false;
	rules_objectives(*res, &obj);
	analyze_objectives(*f, m, &obj);
	return rules_run_policy(*r, m, *f, *res, d) &&
	       rules_run_runbooks(*r, m, *f, *res, d);
}

/* All diagnostics as one string (for assertion messages); caller frees. */
static inline char *fx_diags(const struct diags *d)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < diags_len(d); i++) {
		diag_format(diags_get(d, i), &b);
		buf_putc(&b, '\n');
	}
	if (!b.data)
		buf_puts(&b, "");
	return buf_detach(&b, NULL);
}

#endif
