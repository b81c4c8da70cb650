/*
 * results.h -- evidence/results.json: everything a build computed, as one
 * machine-readable document (SPEC section 5.1; schema/results.schema.json).
 *
 * results_build assembles a cJSON tree from the model, the facts and the
 * rule results; results_print serialises it deterministically (2-space
 * indentation, keys in insertion order, integers without a fraction,
 * other numbers in the shortest form that reads back exactly, NaN and
 * absent values as null).  The same inputs give the same bytes.
 *
 * Order of arrays: services and datastores in plan order, drills by date
 * then id (model order), findings by id, recovery waves ascending.
 */
#ifndef DRGEN_RESULTS_H
#define DRGEN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "analyze.h"
#include "model.h"

struct rules_results;
struct compliance;

/*
 * The sources of the document: builds any part of it on demand, so that
 * its four long arrays (services, datastores, drills, findings: most of
 * its 4 million values on a 10,000-service plan) never need to be held
 * as a tree.  f must have been through analyze_objectives for currency
 * and RPOs to be present (else they are null).  r may be NULL: the parts
 * that only rules know (tier names, RTO, strategy, cost, achievements,
 * findings) are then null or empty.  m, f and r are borrowed and must
 * outlive the result.  Read-only after results_new: any number of
 * threads may build entries at once.
 */
struct results;

struct results *results_new(const struct model *m, const struct facts *f,
			    const struct rules_results *r);
void results_free(struct results *rs);

/*
 * The document without the entries of the long arrays (they are present
 * and empty): the small parts the documents read as a tree.  Caller frees
 * with cJSON_Delete.
 */
cJSON *results_summary(const struct results *rs);

/*
 * One entry of a long array, exactly as results.json has it (i in plan
 * order; findings in id order).  Caller frees with cJSON_Delete.
 */
cJSON *results_service(const struct results *rs, size_t i);
cJSON *results_datastore(const struct results *rs, size_t i);
cJSON *results_drill(const struct results *rs, size_t i);
cJSON *results_finding(const struct results *rs, size_t i);

size_t results_finding_count(const struct results *rs);

/*
 * Findings' entries then carry what track.h adds (owner, status, due date,
 * controls, management response).  Call before any entry is built; t is
 * borrowed and must outlive rs.
 */
struct track;
void results_set_track(struct results *rs, const struct track *t);
/* The i-th finding in id order (borrowed from the rule results). */
const struct finding *results_finding_at(const struct results *rs, size_t i);

/*
 * The values of an entry that other documents list for many services or
 * stores at once, without building the entry (the same derivation).
 * Absent values are NAN and NULL, as null is in the document.
 */
struct results_service_row {
	double tier;               /* 1..4 */
	const char *tier_name;
	const char *tier_reason;
	bool overridden;           /* tier_source "override" */
	bool unclassified;         /* tier_source "unclassified" (issue 13 item 8) */
	double rpo_minutes, rto_minutes;
	const char *strategy;
	double recovery_wave;      /* NAN for a service in a cycle */
};

struct results_datastore_row {
	double rpo_minutes;
	const char *currency;      /* "ok", "late", "stale", "never" */
	double age_minutes;        /* of the newest success anywhere */
	int64_t last_restore_test; /* DATE_NONE when never */
	const char *policy;        /* backup_policy.lua's key */
};

void results_service_row(const struct results *rs, size_t i,
			 struct results_service_row *row);
void results_datastore_row(const struct results *rs, size_t i,
			   struct results_datastore_row *row);
/* Whether drill i passed: 1, 0, or -1 when the drill rule did not score it. */
int results_drill_passed(const struct results *rs, size_t i);
/* An age in seconds as the document gives it: minutes, 2 places; NAN if < 0. */
double results_age_minutes(int64_t age_seconds);

/*
 * The whole document as one tree (tests, and comparing with a previous
 * build).  Caller frees with cJSON_Delete.
 */
cJSON *results_build(const struct model *m, const struct facts *f,
		     const struct rules_results *r);

/*
 * Puts the compliance stage's results into doc: `controls` (replacing the
 * empty list results_build leaves) and `compliance`: {total, counts:
 * {status: n}, frameworks: [per-framework summaries]} (compliance.h).
 * The arrays are copied; c stays the caller's.
 */
void results_add_compliance(cJSON *doc, const struct compliance *c);

/*
 * Adds `changes` (changes.h: what changed since a previous results.json);
 * doc takes ownership of changes.
 */
void results_add_changes(cJSON *doc, cJSON *changes);

/*
 * The document as JSON text ending in a newline; *len (if not NULL) gets
 * its length.  Caller frees with free().
 */
char *results_print(const cJSON *doc, size_t *len);

/*
 * Writes the document whose small parts are `summary` (results_summary,
 * with compliance and changes added) in pieces of about 1 MiB, building
 * the entries of the long arrays one at a time: the same bytes as
 * results_print of the whole tree, in constant memory.  Returns false as
 * soon as write does.
 */
typedef bool results_write_fn(void *ctx, const void *data, size_t len);
bool results_write(const struct results *rs, const cJSON *summary,
		   results_write_fn *write, void *ctx);

/* Rounds x to `decimals` places (half away from zero); NaN stays NaN. */
double results_round(double x, int decimals);

#endif
