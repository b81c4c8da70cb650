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

#include <stddef.h>

#include <cJSON.h>

#include "analyze.h"
#include "model.h"

struct rules_results;
struct compliance;

/*
 * Builds the document.  f must have been through analyze_objectives for
 * currency and RPOs to be present (else they are null).  r may be NULL:
 * the parts that only rules know (tier names, RTO, strategy, cost,
 * achievements, findings) are then null or empty.  Caller frees with
 * cJSON_Delete.  Borrows nothing: every string is copied into the tree.
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

/* Rounds x to `decimals` places (half away from zero); NaN stays NaN. */
double results_round(double x, int decimals);

#endif
