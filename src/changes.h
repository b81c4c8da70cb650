/*
 * changes.h -- what changed since a previous build (drgen build --previous,
 * SPEC 5): compares two results.json documents.
 *
 * The comparison works on results.json alone, so the previous period's
 * output folder is all it needs (no old plan, no old rules).  The result is
 * the `changes` object of results.json (docs/compliance.md):
 *
 *   previous          {period, as_of, drgen_version} of the older document
 *   has_changes       false when nothing below differs
 *   summary           counts of each list, and the readiness verdict
 *   controls_worse    controls whose status got worse, those that went from
 *                     passing (pass, waived, n/a) to failing (partial,
 *                     attest, fail, no_data) first: {framework, control,
 *                     title, from, to, regression}
 *   controls_better   controls whose status improved
 *   controls_changed  other status changes of the same weight (pass to waived)
 *   controls_added, controls_removed
 *   findings_new, findings_resolved   by finding id
 *   services_changed  {id, name, changes: [{field, from, to}]} for tier,
 *                     rpo_minutes, rto_minutes; services_added/_removed
 *   readiness         [{metric, from, to, direction}]: datastores by
 *                     currency, drills passed in the last 12 months, high
 *                     and critical findings, failing and passing controls
 *
 * Lists keep the order of the current document (the previous one for what
 * was removed or resolved), so the output is deterministic.
 */
#ifndef DRGEN_CHANGES_H
#define DRGEN_CHANGES_H

#include <stdint.h>

#include <cJSON.h>

#include "diag.h"

/*
 * Reads a previous results.json: path is that file, or an output folder
 * (then FOLDER/evidence/results.json).  Returns NULL with an error naming
 * the file when it is missing, unreadable, malformed JSON or not a drgen
 * results document.  sha256 and size (either may be NULL) get the file's
 * hash and length, for the manifest.  Caller frees with cJSON_Delete.
 */
cJSON *changes_read_previous(const char *path, char sha256[65], uint64_t *size,
			     struct diags *d);

/* The `changes` object (see above); caller frees with cJSON_Delete. */
cJSON *changes_compute(const cJSON *previous, const cJSON *current);

#endif
