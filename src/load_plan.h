/*
 * load_plan.h -- plan.json into the model.
 *
 * load_plan reads <plan dir>/plan.json through the source module, checks
 * every key of SPEC.md section 2.1 (types, allowed values, references,
 * unique ids, dependency cycles; docs/plan-format.md is the reference) and
 * fills the model: organization, plan metadata, regions, contacts, the
 * default escalation chain, services with their datastores, health checks,
 * impact and escalation, compliance settings, attestations, exceptions and
 * maintenance windows.  It also reads each service's runbook prose (the
 * service's `runbook` path, or runbooks/<id>.md when that file exists).
 *
 * Every problem is a diagnostic carrying plan.json's path, the line and
 * column of the offending value and its JSON pointer (`where`); loading
 * goes on after a problem so that one run reports all of them.  Unknown
 * keys are errors, with "did you mean" for a near miss (util_closest).
 *
 * After errors the model is incomplete: an unresolved reference has index
 * SIZE_MAX, and callers must not go on past `drgen check` (load.h).
 */
#ifndef DRGEN_LOAD_PLAN_H
#define DRGEN_LOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"
#include "source.h"

/* Service ids name output files: [a-z0-9][a-z0-9-]*, at most this long. */
#define PLAN_SERVICE_ID_MAX 64

/*
 * Fills m (whose arena and id maps model_new created) from plan.json.
 * Every string stored is an m->arena copy.  Returns false when it added an
 * error to d (warnings do not count).
 */
bool load_plan(struct model *m, struct source_set *src, struct diags *d);

/* Whether id is a valid service id (syntax and length). */
bool load_plan_service_id_valid(const char *id);

#endif
