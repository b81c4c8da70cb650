/*
 * load_plan_accountability.h -- the references of attestations and
 * exceptions in plan.json (issue 13, items 10-12).
 *
 * Called by load_plan once every id is registered: attesters and approvers
 * must name contacts (a person's name in their place names the contact's
 * id), whose names and roles are copied beside the ids for the documents
 * and the rules; exception ids are unique; an exception does not expire
 * before its approval; the datastores an exception names exist.  The
 * rules judge the rest (maximum ages and durations, independence, the
 * control ids: compliance/accountability.lua).
 */
#ifndef DRGEN_LOAD_PLAN_ACCOUNTABILITY_H
#define DRGEN_LOAD_PLAN_ACCOUNTABILITY_H

#include "diag.h"
#include "jsonpos.h"
#include "model.h"

/* Diagnostics go to d, at file:line:column of the JSON pointer in pos. */
void load_plan_accountability(struct model *m, const struct jsonpos *pos, const char *file,
			      struct diags *d);

#endif
