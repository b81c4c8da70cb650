/*
 * model.c -- the model's lifetime, enum names and id look-ups.
 *
 * The loaders allocate everything from m->arena; model_free releases it in
 * one call.  The id maps hold borrowed arena keys.
 */
#include "model.h"

#include <string.h>

#include "dates.h"

const char *const model_region_role_names[3] = {"primary", "secondary", "tertiary"};
const char *const model_procedure_step_names[PROC_STEP_COUNT] = {
	"detect", "fence", "promote", "restore", "deploy", "redirect", "verify", "rollback",
};
const char *const model_criticality_names[CRIT_COUNT] = {"critical", "important",
							 "standard"};
const char *const model_backup_type_names[BTYPE_COUNT] = {"full", "incremental",
							  "snapshot", "continuous"};
const char *const model_backup_status_names[BSTATUS_COUNT] = {"success", "failed",
							      "partial", "running"};
const char *const model_location_names[LOC_COUNT] = {"primary", "secondary",
						     "offsite"};
const char *const model_verification_names[VERIFY_COUNT] = {
	"none", "size_check", "checksum", "restore_test"};
const char *const model_record_kind_names[RKIND_COUNT] = {"backup", "restore_test"};
const char *const model_restore_method_names[RMETHOD_COUNT] = {"restore",
							       "integrity_check"};
const char *const model_drill_type_names[DRILL_TYPE_COUNT] = {
	"tabletop", "partial_failover", "full_simulation", "chaos"};

int model_enum_find(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

struct model *model_new(void)
{
	struct arena *a = arena_new();
	struct model *m = arena_alloc(a, sizeof(*m));
	m->arena = a;
	m->as_of = DATE_NONE;
	m->period_start = DATE_NONE;
	m->period_end = DATE_NONE;
	m->meta.approved_on = DATE_NONE;
	m->meta.last_review = DATE_NONE;
	m->meta.next_review = DATE_NONE;
	m->service_by_id = strmap_new(64);
	m->datastore_by_id = strmap_new(64);
	m->contact_by_id = strmap_new(16);
	m->region_by_id = strmap_new(8);
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	strmap_free(m->service_by_id);
	strmap_free(m->datastore_by_id);
	strmap_free(m->contact_by_id);
	strmap_free(m->region_by_id);
	arena_free(m->arena);  /* m itself lives in the arena */
}

const struct service *model_service_find(const struct model *m, const char *id)
{
	return strmap_get(m->service_by_id, id);
}

const struct datastore *model_datastore_find(const struct model *m, const char *id)
{
	return strmap_get(m->datastore_by_id, id);
}

const struct contact *model_contact_find(const struct model *m, const char *id)
{
	return strmap_get(m->contact_by_id, id);
}

const struct region *model_region_find(const struct model *m, const char *id)
{
	return strmap_get(m->region_by_id, id);
}

const struct escalation_step *model_service_escalation(const struct model *m,
						      const struct service *s,
						      size_t *n)
{
	if (s->n_escalation) {
		*n = s->n_escalation;
		return s->escalation;
	}
	*n = m->n_escalation;
	return m->escalation;
}
