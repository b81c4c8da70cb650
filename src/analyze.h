/*
 * analyze.h -- facts computed in C from the model, before and after the
 * tier rule (SPEC section 4; exact definitions in docs/analysis.md).
 *
 * Two calls, because the tier of a service comes from Lua (tiers.lua) and
 * data flows one way:
 *
 *   f = analyze_model(m);             tier-independent facts: newest backups
 *                                     and ages, recovery waves, drill counts
 *   ... tiers.lua gives tier, RPO and strategy per service ...
 *   analyze_objectives(f, m, &obj);   currency against RPO, tier
 *                                     inversions, single-region services
 *   ... other rules, render ...
 *   analyze_free(f);
 *
 * The facts never point into Lua; strings are borrowed from the model (or
 * its backup summaries) and stay valid until model_free.  Every array below
 * is owned by the facts and freed by analyze_free.  Arrays named after a
 * model list are parallel to it (stores[i] is model->datastores[i]).
 * Nothing here reads files, prints or allocates per backup record.
 */
#ifndef DRGEN_ANALYZE_H
#define DRGEN_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

enum currency {
	CURRENCY_OK,      /* age <= RPO */
	CURRENCY_LATE,    /* RPO < age <= 2 x RPO */
	CURRENCY_STALE,   /* age > 2 x RPO */
	CURRENCY_NEVER,   /* no successful copy at any location */
	CURRENCY_COUNT
};

/* "ok", "late", "stale", "never" (the names results.json uses). */
const char *analyze_currency_name(enum currency c);

/*
 * The one currency rule, for every store and every report.  The RPO used is
 * rpo_minutes when above zero, else lag_tolerance_minutes: no copy is ever
 * zero minutes old, so a zero RPO (tier 1, continuous replication) is judged
 * against the replication-lag tolerance, a policy number that tiers.lua
 * supplies; the tolerance never loosens an RPO above zero.
 * age_seconds < 0 means never.  A NAN rpo_minutes counts as 0.
 */
enum currency analyze_currency(int64_t age_seconds, double rpo_minutes,
			       double lag_tolerance_minutes);

/* One datastore at one location (a view of its backup_location_summary). */
struct location_facts {
	bool has_success;
	int64_t newest_success;        /* finished time, or DATE_NONE */
	int64_t age_seconds;           /* as_of - newest_success; -1 never */
	const char *newest_success_id; /* borrowed from the model; NULL never */
	bool newest_encrypted;         /* the newest success's encryption != none */
	uint64_t successes;
	uint64_t successes_unencrypted;
	uint64_t successes_immutable;
	uint64_t failures_in_period;
	uint64_t bytes_retained;
	int64_t last_restore_test;     /* newest passed restore (method restore)
					  of this copy, or DATE_NONE */
};

struct store_facts {
	struct location_facts at[LOC_COUNT];
	/* Over every location. */
	int64_t newest_success;        /* DATE_NONE when never */
	int newest_location;           /* enum backup_location, or -1 */
	int64_t age_seconds;           /* -1 when never */
	double age_minutes;            /* age_seconds / 60; -1 when never */
	bool locations_ok[LOC_COUNT];  /* a successful copy exists there */
	int n_locations_ok;
	bool offsite;                  /* == locations_ok[LOC_OFFSITE] */
	/*
	 * encrypted: at least one success, and no successful copy at any
	 * location was unencrypted (encryption "none").  One plain copy makes
	 * the store unencrypted; the count says how many.
	 */
	bool encrypted;
	uint64_t successes;
	uint64_t successes_unencrypted;
	bool immutable;                /* an immutable successful copy exists */
	uint64_t successes_immutable;
	bool continuous;               /* a continuous-replication success exists */
	uint64_t failures_in_period;
	uint64_t bytes_retained;       /* sum over locations */
	/*
	 * Restore tests, from restore-test records only: last_restore_test is
	 * the newest of method "restore" that came out ok (only those are
	 * evidence), with the backup it tested.  A failed one is reported
	 * separately; it is "failing" when no successful test is newer than
	 * it.  Integrity checks (method "integrity_check": the stored data
	 * read back and verified, nothing restored) are kept apart.
	 */
	int64_t last_restore_test;     /* DATE_NONE when none */
	const char *last_restore_test_id;
	const char *last_restore_test_tested_backup;  /* NULL when not given */
	int64_t last_restore_test_tested_time;        /* DATE_NONE when not given */
	int last_restore_test_location;               /* -1 when not given */
	int64_t last_restore_test_failed;
	const char *last_restore_test_failed_id;
	bool restore_test_failing;
	uint64_t restore_tests;        /* finished, at or before as-of */
	int64_t last_integrity_check;  /* DATE_NONE when none */
	const char *last_integrity_check_id;
	int64_t last_integrity_check_failed;
	const char *last_integrity_check_failed_id;
	uint64_t integrity_checks;
	/* Set by analyze_objectives. */
	double rpo_minutes;            /* the owning service's RPO; NAN before */
	enum currency currency;        /* CURRENCY_NEVER before objectives */
};

struct service_facts {
	int recovery_wave;             /* 1 = no dependencies; 0 = in a cycle */
	/* Drills that name the service (in results or scope), dated <= as_of. */
	size_t *drills;                /* indices into model->drills, model order */
	size_t n_drills;
	size_t n_drills_period;        /* dated in [period_start, period_end) */
	size_t n_drills_12m;           /* dated in [as_of - 12 months, as_of] */
	size_t drills_12m_by_type[DRILL_TYPE_COUNT];
	size_t drills_period_by_type[DRILL_TYPE_COUNT];
	int64_t last_drill_by_type[DRILL_TYPE_COUNT];  /* DATE_NONE when none */
	long last_drill;               /* index into model->drills, or -1 */
	/* Set by analyze_objectives. */
	int tier;                      /* 1-4; 0 before objectives */
	double rpo_minutes;            /* NAN before objectives */
	bool multi_region_required;
	size_t n_distinct_regions;
	bool single_region;            /* multi-region required, < 2 regions */
};

/* Service `service` (tier service_tier) depends on a worse-tier service. */
struct tier_inversion {
	size_t service;                /* index into model->services */
	size_t dependency;             /* index into model->services */
	int service_tier;
	int dependency_tier;           /* > service_tier */
};

struct facts {
	int64_t as_of;
	int64_t period_start;          /* inclusive */
	int64_t period_end;            /* exclusive */
	int64_t window_12m_start;      /* as_of moved back 12 calendar months */

	struct store_facts *stores;    /* parallel to model->datastores */
	size_t n_stores;
	struct service_facts *services;  /* parallel to model->services */
	size_t n_services;

	/* Service indices by wave, then id; cycle members (wave 0) last. */
	size_t *recovery_order;
	size_t n_recovery_order;       /* == n_services */
	int n_waves;
	size_t n_in_cycle;             /* defensive: the loader rejects cycles */

	/* Set by analyze_objectives, in service order then depends_on order. */
	bool objectives_set;
	double lag_tolerance_minutes;
	struct tier_inversion *inversions;
	size_t n_inversions;
	size_t *single_region;         /* service indices, model order */
	size_t n_single_region;
	size_t currency_count[CURRENCY_COUNT];
};

/*
 * What tiers.lua decided, per service, as plain arrays parallel to
 * model->services (analyze does not know the rules module).
 */
struct objectives {
	const int *tier;               /* 1-4 */
	const double *rpo_minutes;
	const bool *multi_region;      /* the tier's strategy spans regions */
	double lag_tolerance_minutes;  /* from tiers.lua (see analyze_currency) */
};

/*
 * Tier-independent facts, against m->as_of and m's period.  Linear in
 * services + dependencies + datastores + drill results.  Caller frees with
 * analyze_free; the facts borrow strings from m.
 */
struct facts *analyze_model(const struct model *m);

/* Currency, inversions and single-region services; may be called again. */
void analyze_objectives(struct facts *f, const struct model *m,
			const struct objectives *obj);

void analyze_free(struct facts *f);

/*
 * The time window of a build.  The period is period_arg ("YYYY-MM"), else
 * the newest calendar month that ended at or before as_of_arg (RFC 3339 or
 * a day), else at or before source_date_epoch (decimal seconds, the
 * SOURCE_DATE_EPOCH variable), else now (a run at 2026-11-01T00:00:00Z or
 * later in November reports 2026-10).  as_of is as_of_arg, else the end
 * of the period: without --as-of nothing after the period counts in it.
 * Any argument may be NULL.  Returns false with an error in d
 * when an argument is malformed or as_of precedes the period.
 */
struct time_window {
	int64_t as_of;
	int64_t period_start;
	int64_t period_end;
};

bool analyze_time_window(const char *as_of_arg, const char *period_arg,
			 const char *source_date_epoch, int64_t now,
			 struct time_window *w, struct diags *d);

/* t moved back `months` calendar months (day clamped to the month's end). */
int64_t analyze_months_before(int64_t t, int months);

#endif
