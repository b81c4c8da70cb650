/*
 * rules.h -- the Lua rules stage: policy written in Lua, run in a sandbox.
 *
 * Every policy number of drgen (tier thresholds, RPO/RTO, prices, pass
 * thresholds, drill frequencies, finding wording) lives in a rule file
 * (lua/NAME.lua, replaceable per plan); this module runs those files
 * confined (SPEC 3.7, docs/rules.md) and turns what they return into the C
 * structs below, after checking shapes and ranges.  A rule never sees a C
 * pointer: it gets read-only views of the model, the facts and earlier
 * results, and returns plain tables.
 *
 * One build uses one struct rules:
 *
 *   r = rules_new(dirs, ndirs, d);           rule directories, in priority order
 *   res = rules_results_new(m);
 *   rules_run_tiers(r, m, f, res, d);        tiers.lua: tier, RPO, RTO ... per service
 *   rules_objectives(res, &obj);
 *   analyze_objectives(f, m, &obj);          currency, inversions (C)
 *   rules_run_policy(r, m, f, res, d);       cost, backup_policy, drills,
 *                                            then the findings of every rule file
 *   rules_call_json(r, ...);                 compliance (compliance.h)
 *   rules_run_runbooks(r, m, f, res, d);     runbook.lua, in a fresh interpreter
 *   rules_finish(r);                         no more rule calls
 *   ... render from res ...
 *   rules_results_free(res); rules_free(r);
 *
 * The views read the model, facts and results live, so they must stay
 * valid (and unmoved) until rules_free.  A struct rules serves one build
 * (one model): never reuse it with another.
 *
 * Errors in rule files (syntax, runtime, budget, memory, a bad return
 * value) become diagnostics "lua/tiers.lua:12: message" in d; the run
 * functions then return false and the build must stop.
 */
#ifndef DRGEN_RULES_H
#define DRGEN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "analyze.h"
#include "diag.h"
#include "model.h"

#define RULES_TIERS 4

/* Sandbox limits (mechanism, not policy: see docs/rules.md). */
#define RULES_CALL_INSTRUCTIONS 20000000L  /* VM instructions per rule call */
#define RULES_CALL_MEMORY (64u << 20)      /* growth of the Lua heap per call */
#define RULES_MEMORY_MAX (1024u << 20)     /* the whole Lua heap of a build */
#define RULES_CALL_SECONDS 10              /* wall-clock backstop per call */
#define RULES_RESULTS_MAX (512u << 20)     /* what rules may return, in total */

/* One rule file the build used (loaded, or pulled in with require). */
struct rules_file {
	const char *name;      /* logical name: "tiers", "compliance/evidence" */
	const char *path;      /* as shown to the user: "lua/tiers.lua" */
	char sha256[65];       /* lowercase hex of the file's bytes */
	uint64_t size;
};

/* One row of tiers.lua's `levels`: the objectives of a tier. */
struct tier_level {
	int tier;                  /* 1..4 */
	const char *name;          /* "critical" */
	const char *criterion;     /* "revenue loss above 100,000 per hour" */
	double rpo_minutes;
	double rto_minutes;
	const char *strategy;      /* "active-active multi-region" */
	double dr_multiplier;
	bool multi_region;         /* the strategy spans regions */
};

/* What tiers.lua decided for one service. */
struct service_tier {
	int tier;                  /* 1..4 */
	const char *tier_name;
	bool overridden;           /* the plan's explicit tier was used */
	const char *reason;        /* one line: why this tier */
	double rpo_minutes;
	double rto_minutes;
	const char *strategy;
	double dr_multiplier;
	bool multi_region;
	bool unclassified;         /* no impact data: judged as `tier` until classified */
};

/* cost.lua, per service (monthly, in the plan's currency). */
struct service_cost {
	double dr_monthly_cost;    /* the estimate; summed into the totals */
	double infrastructure;     /* monthly_cost x (multiplier - 1); NAN if not given */
	double storage;            /* backup storage; NAN if not given */
};

/* backup_policy.lua, per datastore. */
struct datastore_policy {
	const char *policy;        /* key of the required policy: "critical" */
	size_t n_gaps;             /* findings the rule raised about the store */
};

/* drills.lua, per result of a drill (parallel to drill.results). */
struct drill_result_score {
	double target_rto_minutes; /* the target used: explicit, else the tier's */
	double target_rpo_minutes;
	double rto_achievement;    /* 0..1, 4 decimals; NAN when not measured */
	double rpo_achievement;
	bool passed;               /* == status is "pass" */
	const char *status;        /* "pass", "fail" or "no_data" (measured nothing) */
	const char *reason;        /* why no_data, or NULL */
};

struct drill_score {
	bool passed;               /* == status is "pass" */
	const char *status;        /* "pass", "fail" or "no_data" */
	struct drill_result_score *results;  /* drill.n_results entries */
	size_t n_results;
};

/*
 * A finding (SPEC 5.1).  Kinds include tier_inversion, single_region,
 * backup_stale, backup_never, no_offsite_copy, unencrypted_backup,
 * no_restore_test, rto_missed, rpo_missed, not_recovered, drill_overdue,
 * action_overdue, plan_review_overdue, exception_expired.
 * Severity is one of critical, high, medium, low, info.
 */
struct finding {
	const char *id;            /* "rto_missed/payments-api/dr-2026-03" */
	const char *kind;
	const char *severity;
	const char *subject;       /* service, datastore, drill id, or "plan" */
	const char *message;
	const char *recommendation;
	const char *ref;           /* optional second key (drill, issue); or NULL */
	const char *rule;          /* the rule file that raised it ("drills") */
};

/*
 * Everything the rules decided.  Arrays named after a model list are
 * parallel to it (tiers[i] is model->services[i]).  Strings and arrays live
 * in `arena`.  The cJSON trees are owned too, but their keys and string
 * values are stored in `arena` and only referenced by the nodes
 * (cJSON_StringIsConst, cJSON_IsReference): read them, or copy what must
 * outlive rules_results_free; do not add to or edit these trees.  Free
 * everything with rules_results_free.  A stage that did not run (or
 * failed) leaves its arrays NULL.
 */
struct rules_results {
	struct arena *arena;

	/* tiers.lua */
	struct tier_level levels[RULES_TIERS];   /* levels[t - 1] is tier t */
	double lag_tolerance_minutes;
	struct service_tier *tiers;              /* parallel to services */
	size_t n_tiers;
	int *tier_of;                            /* the same, as plain arrays */
	double *rpo_of;                          /*  (for struct objectives) */
	bool *multi_region_of;
	cJSON *levels_json;                      /* `levels` as written, for the plan */

	/* cost.lua */
	struct service_cost *costs;              /* parallel to services */
	double cost_total;                       /* sums, rounded to cents */
	double cost_by_tier[RULES_TIERS];        /* [t - 1] */
	cJSON *cost_prices;                      /* `prices`, for the plan */

	/* backup_policy.lua */
	struct datastore_policy *policies;       /* parallel to datastores */
	cJSON *backup_policies;                  /* `policies`: required policy by criticality */
	cJSON *backup_programme;                 /* `programme`: restore tests, DR drills */

	/* drills.lua */
	struct drill_score *drills;              /* parallel to model drills */
	cJSON *test_programme;                   /* `programme`, for the plan */

	/* runbook.lua: one object per service ({"sections": [...]}) */
	cJSON **runbooks;                        /* parallel to services */
	size_t n_runbooks;

	/* Every rule's findings, sorted (severity, kind, subject, ref), ids unique. */
	struct finding *findings;
	size_t n_findings;

	/* Rule files used, in the order they were first loaded. */
	struct rules_file *files;
	size_t n_files;
};

struct rules;

/*
 * A rules engine that looks up NAME.lua in dirs[0], then dirs[1], ...
 * (typically: the plan's rules/, the --rules directory, the shipped lua/).
 * The strings are copied.  Never NULL; problems show at the first run.
 * Free with rules_free.
 */
struct rules *rules_new(const char *const *dirs, size_t ndirs);

/*
 * A rule file found in dirs[i] is read only when its real path, through
 * symbolic links, lies inside dirs[i] (refused unread otherwise).  This
 * widens that folder to root: the plan's rules/ may link to any file of the
 * plan directory.  The string is copied.
 */
void rules_confine(struct rules *r, size_t i, const char *root);
void rules_free(struct rules *r);

/*
 * Closes the interpreter once the build makes no more rule calls, so its
 * heap (the compliance evidence caches: tens of MB on a large plan) is
 * not held while documents render.  rules_files stays valid.  Only
 * rules_run_runbooks may follow (it starts a fresh interpreter); any
 * other run or call fails with an internal-error diagnostic.
 */
void rules_finish(struct rules *r);

/* Empty results for model m; free with rules_results_free. */
struct rules_results *rules_results_new(const struct model *m);
void rules_results_free(struct rules_results *res);

/*
 * Runs tiers.lua over every service (f may be NULL: the facts view is then
 * absent).  Fills levels, tiers and the plain arrays.  Returns false with
 * diagnostics when the rule fails or returns something invalid.
 */
bool rules_run_tiers(struct rules *r, const struct model *m,
		     const struct facts *f, struct rules_results *res,
		     struct diags *d);

/* The tier decisions as analyze_objectives wants them (borrowed from res). */
void rules_objectives(const struct rules_results *res, struct objectives *out);

/*
 * Runs cost.lua, backup_policy.lua and drills.lua, then the `findings`
 * function of every loaded rule file; sorts the findings and assigns their
 * ids.  Needs rules_run_tiers first and f after analyze_objectives.
 * Returns false with diagnostics on any rule error.
 */
bool rules_run_policy(struct rules *r, const struct model *m,
		      const struct facts *f, struct rules_results *res,
		      struct diags *d);

/*
 * Runs runbook.lua for every service (res->runbooks), after the policy
 * rules (and, in a build, after compliance).  It closes the interpreter
 * (unless rules_finish already has) and starts a fresh one, so that what
 * earlier rules keep in their modules (the compliance checks' caches:
 * tens of MB on a large plan) is not held while 10,000 runbooks are
 * built.  Returns false with diagnostics.
 */
bool rules_run_runbooks(struct rules *r, const struct model *m,
			const struct facts *f, struct rules_results *res,
			struct diags *d);

/*
 * Generic call for later stages (compliance): loads rule file `name` (as
 * require would: "compliance/iso22301"), calls its function `fn` with
 * (arg, ctx), where arg is the JSON value converted to a read-only table
 * (nil when arg is NULL) and ctx the usual context, and returns the result
 * converted to JSON (see docs/rules.md for the conversion).  Returns NULL
 * with diagnostics on failure; caller frees with cJSON_Delete.  The model,
 * facts and res must be those of the earlier runs; res is only read (files
 * loaded here are listed by rules_files, not copied into res).
 */
cJSON *rules_call_json(struct rules *r, const struct model *m,
		       const struct facts *f, const struct rules_results *res,
		       const char *name, const char *fn, const cJSON *arg,
		       struct diags *d);

/*
 * The rule files used so far (also copied into res by the run functions).
 * Borrowed until rules_free.
 */
size_t rules_files(const struct rules *r, const struct rules_file **out);

/* Lua heap in use (bytes), for tests and memory reports. */
size_t rules_memory(const struct rules *r);

#endif
