/*
 * rules_view.c -- read-only views of C data for the rules, and the
 * conversions between Lua values and JSON.
 *
 * A view is a small userdata {address, count, class, type} over a C struct
 * or array of the model, the facts or the rule results; its fields are read
 * from C on each access through one table of field descriptors per struct
 * type, so nothing is copied up front and 10,000 services cost nothing
 * until a rule looks at them.  Views are made on access and never cached:
 * a cache kept hundreds of thousands of objects alive, and the garbage
 * collector walks the live heap on every cycle, which made rules several
 * times slower.  __eq compares what views show instead.  Each struct type
 * (and each list class) has one metatable, hidden by __metatable, whose
 * __newindex raises an error; userdata cannot be rawset.  Reading a field
 * a struct does not have is an error (a typo should not read as nil).
 *
 * Plain data handed to rules (the context, compliance.profile, JSON
 * arguments) is frozen instead: a Lua table behind an empty proxy whose
 * metatable forwards reads and refuses writes; the proxies are listed in a
 * weak registry table so the sandbox's rawset and next know them.
 *
 * Conversion back to JSON uses raw access only (no rule code runs), sorts
 * object keys, and attaches each node to its parent as it is made, so a
 * Lua memory error in the middle leaves one tree to free (pending_json).
 */
#include "rules_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "dates.h"
#include "source.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_NODES 2000000

enum vclass { VC_OBJ, VC_ARRAY, VC_IDXLIST, VC_STRLIST, VC_EMAP, VC_COUNT };

enum vtype {
	T_MODEL, T_ORG, T_PLAN, T_REGION, T_CONTACT, T_ESCALATION, T_SERVICE,
	T_IMPACT, T_HEALTH, T_DATASTORE, T_BSUMMARY, T_BLOC, T_ATTEST,
	T_EXCEPTION, T_MWINDOW, T_DRILL, T_DRESULT, T_DISSUE, T_COMPLIANCE,
	T_UNKNOWN, T_FACTS, T_SFACTS, T_LFACTS, T_SVFACTS, T_INVERSION,
	T_TIER, T_LEVEL, T_COUNT
};

enum fkind {
	F_STR, F_CHARS, F_NUM, F_NUM_NONNEG, F_INT, F_INT_POS, F_DATE, F_I64,
	F_I64_NONNEG, F_U64, F_SIZE, F_BOOL, F_ENUM, F_STRLIST, F_OBJ, F_ARRAY,
	F_IDXLIST, F_IDX, F_IDX_OPT, F_EMAP, F_GET
};

enum enum_names { EN_ROLE, EN_CRIT, EN_BTYPE, EN_LOC, EN_DTYPE, EN_CURRENCY };

enum emap_id { EM_BLOC, EM_BTYPE_U64, EM_LFACTS, EM_LOC_BOOL, EM_DTYPE_SIZE,
	       EM_DTYPE_DATE, EM_CUR_SIZE };

enum parallel { P_NONE, P_SERVICES, P_DATASTORES, P_CONTACTS, P_REGIONS };

struct view {
	const void *p;
	size_t n;
	unsigned char cls;
	unsigned char type;
};

struct vfield {
	const char *name;
	unsigned char kind;
	unsigned char arg;        /* vtype, enum_names or emap_id */
	unsigned short off;
	unsigned short off_n;     /* offset of the count, for lists */
	void (*get)(struct rules *r, const void *obj);
};

struct vtype_desc {
	const char *name;
	size_t size;
	const struct vfield *fields;
	size_t n_fields;
	unsigned char parallel;
};

struct emap_desc {
	unsigned char names;
	unsigned char kind;       /* F_OBJ, F_U64, F_SIZE, F_DATE, F_BOOL */
	unsigned char type;       /* for F_OBJ */
	size_t size;
};

static const char *currency_names[CURRENCY_COUNT];

static const struct {
	const char *const *names;
	size_t n;
} enums[] = {
	[EN_ROLE] = {model_region_role_names, 3},
	[EN_CRIT] = {model_criticality_names, CRIT_COUNT},
	[EN_BTYPE] = {model_backup_type_names, BTYPE_COUNT},
	[EN_LOC] = {model_location_names, LOC_COUNT},
	[EN_DTYPE] = {model_drill_type_names, DRILL_TYPE_COUNT},
	[EN_CURRENCY] = {currency_names, CURRENCY_COUNT},
};

static const struct emap_desc emaps[] = {
	[EM_BLOC] = {EN_LOC, F_OBJ, T_BLOC, sizeof(struct backup_location_summary)},
	[EM_BTYPE_U64] = {EN_BTYPE, F_U64, 0, sizeof(uint64_t)},
	[EM_LFACTS] = {EN_LOC, F_OBJ, T_LFACTS, sizeof(struct location_facts)},
	[EM_LOC_BOOL] = {EN_LOC, F_BOOL, 0, sizeof(bool)},
	[EM_DTYPE_SIZE] = {EN_DTYPE, F_SIZE, 0, sizeof(size_t)},
	[EM_DTYPE_DATE] = {EN_DTYPE, F_DATE, 0, sizeof(int64_t)},
	[EM_CUR_SIZE] = {EN_CURRENCY, F_SIZE, 0, sizeof(size_t)},
};

static void push_obj(struct rules *r, unsigned type, const void *p);
static void push_view(struct rules *r, unsigned cls, unsigned type,
		      const void *p, size_t n);

/* ---- getters (fields computed on access) -------------------------------- */

static void g_period(struct rules *r, const void *obj)
{
	const struct model *m = obj;
	char out[8];

	if (m->period_start == DATE_NONE) {
		lua_pushnil(r->L);
		return;
	}
	date_format_month(m->period_start, out);
	lua_pushstring(r->L, out);
}

static void g_owner_contact(struct rules *r, const void *obj)
{
	const struct service *s = obj;

	if (!s->owner || s->owner_index >= r->m->n_contacts)
		lua_pushnil(r->L);
	else
		push_obj(r, T_CONTACT, &r->m->contacts[s->owner_index]);
}

static void g_escalation(struct rules *r, const void *obj)
{
	size_t n;
	const struct escalation_step *e = model_service_escalation(r->m, obj, &n);

	push_view(r, VC_ARRAY, T_ESCALATION, e, n);
}

static void g_has_runbook(struct rules *r, const void *obj)
{
	const struct service *s = obj;

	lua_pushboolean(r->L, s->runbook_text != NULL);
}

/* The team's procedure as plain read-only data (JSON as in plan.json), or nil. */
static void push_procedure(struct rules *r, const struct procedure *p)
{
	cJSON *j = p->json ? cJSON_Parse(p->json) : NULL;
	if (!j) {
		lua_pushnil(r->L);
		return;
	}
	rules_view_push_json(r->L, j);
	cJSON_Delete(j);
}

static void g_service_procedure(struct rules *r, const void *obj)
{
	push_procedure(r, &((const struct service *)obj)->procedure);
}

static void g_store_procedure(struct rules *r, const void *obj)
{
	push_procedure(r, &((const struct datastore *)obj)->procedure);
}

static void g_service_facts(struct rules *r, const void *obj)
{
	size_t i = (size_t)((const struct service *)obj - r->m->services);

	if (!r->f || i >= r->f->n_services)
		lua_pushnil(r->L);
	else
		push_obj(r, T_SVFACTS, &r->f->services[i]);
}

static void g_store_service(struct rules *r, const void *obj)
{
	const struct datastore *ds = obj;

	if (ds->service_index >= r->m->n_services)
		lua_pushnil(r->L);
	else
		lua_pushstring(r->L, r->m->services[ds->service_index].id);
}

static void g_store_facts(struct rules *r, const void *obj)
{
	size_t i = (size_t)((const struct datastore *)obj - r->m->datastores);

	if (!r->f || i >= r->f->n_stores)
		lua_pushnil(r->L);
	else
		push_obj(r, T_SFACTS, &r->f->stores[i]);
}

static void g_contact_info(struct rules *r, const void *obj)
{
	const struct escalation_step *e = obj;

	if (!e->contact || e->contact_index >= r->m->n_contacts)
		lua_pushnil(r->L);
	else
		push_obj(r, T_CONTACT, &r->m->contacts[e->contact_index]);
}

static void g_profile(struct rules *r, const void *obj)
{
	const struct compliance_settings *c = obj;
	lua_State *L = r->L;

	if (r->ref_profile == LUA_NOREF) {
		cJSON *j = c->profile_json ? cJSON_Parse(c->profile_json) : NULL;
		rules_view_push_json(L, j);
		cJSON_Delete(j);
		r->ref_profile = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_profile);
}

/* ---- field tables ------------------------------------------------------- */

#define FLD(n, k, a, s, m) {n, k, a, offsetof(struct s, m), 0, NULL}
#define LST(n, k, a, s, m, c) \
	{n, k, a, offsetof(struct s, m), offsetof(struct s, c), NULL}
#define GET(n, fn) {n, F_GET, 0, 0, 0, fn}

static const struct vfield model_fields[] = {
	FLD("dir", F_STR, 0, model, dir),
	FLD("format_version", F_INT, 0, model, format_version),
	FLD("organization", F_OBJ, T_ORG, model, org),
	FLD("plan", F_OBJ, T_PLAN, model, meta),
	LST("regions", F_ARRAY, T_REGION, model, regions, n_regions),
	LST("contacts", F_ARRAY, T_CONTACT, model, contacts, n_contacts),
	LST("escalation", F_ARRAY, T_ESCALATION, model, escalation, n_escalation),
	LST("services", F_ARRAY, T_SERVICE, model, services, n_services),
	LST("datastores", F_ARRAY, T_DATASTORE, model, datastores, n_datastores),
	FLD("compliance", F_OBJ, T_COMPLIANCE, model, compliance),
	LST("attestations", F_ARRAY, T_ATTEST, model, attestations, n_attestations),
	LST("exceptions", F_ARRAY, T_EXCEPTION, model, exceptions, n_exceptions),
	LST("maintenance_windows", F_ARRAY, T_MWINDOW, model,
	    maintenance_windows, n_maintenance_windows),
	LST("drills", F_ARRAY, T_DRILL, model, drills, n_drills),
	LST("unknown_datastores", F_ARRAY, T_UNKNOWN, model,
	    unknown_datastores, n_unknown_datastores),
	FLD("backup_records", F_U64, 0, model, backup_records),
	FLD("as_of", F_DATE, 0, model, as_of),
	FLD("period_start", F_DATE, 0, model, period_start),
	FLD("period_end", F_DATE, 0, model, period_end),
	GET("period", g_period),
};

static const struct vfield org_fields[] = {
	FLD("id", F_STR, 0, organization, id),
	FLD("name", F_STR, 0, organization, name),
	FLD("entity_type", F_STR, 0, organization, entity_type),
	FLD("currency", F_STR, 0, organization, currency),
};

static const struct vfield plan_fields[] = {
	FLD("version", F_STR, 0, plan_meta, version),
	FLD("owner", F_STR, 0, plan_meta, owner),
	FLD("approved_by", F_STR, 0, plan_meta, approved_by),
	FLD("approved_on", F_DATE, 0, plan_meta, approved_on),
	FLD("last_review", F_DATE, 0, plan_meta, last_review),
	FLD("next_review", F_DATE, 0, plan_meta, next_review),
};

static const struct vfield region_fields[] = {
	FLD("id", F_STR, 0, region, id),
	FLD("role", F_ENUM, EN_ROLE, region, role),
};

static const struct vfield contact_fields[] = {
	FLD("id", F_STR, 0, contact, id),
	FLD("name", F_STR, 0, contact, name),
	FLD("role", F_STR, 0, contact, role),
	FLD("email", F_STR, 0, contact, email),
	FLD("phone", F_STR, 0, contact, phone),
	FLD("team", F_STR, 0, contact, team),
	FLD("last_verified", F_DATE, 0, contact, last_verified),
};

static const struct vfield escalation_fields[] = {
	FLD("level", F_INT, 0, escalation_step, level),
	FLD("contact", F_STR, 0, escalation_step, contact),
	FLD("after_minutes", F_NUM, 0, escalation_step, after_minutes),
	GET("contact_info", g_contact_info),
};

static const struct vfield service_fields[] = {
	FLD("id", F_STR, 0, service, id),
	FLD("name", F_STR, 0, service, name),
	FLD("description", F_STR, 0, service, description),
	FLD("owner", F_STR, 0, service, owner),
	GET("owner_contact", g_owner_contact),
	FLD("team", F_STR, 0, service, team),
	FLD("impact", F_OBJ, T_IMPACT, service, impact),
	LST("data_scope", F_STRLIST, 0, service, data_scope, n_data_scope),
	FLD("tier", F_INT_POS, 0, service, tier),
	LST("depends_on", F_STRLIST, 0, service, depends_on, n_depends_on),
	LST("dependencies", F_IDXLIST, T_SERVICE, service, depends_on_index,
	    n_depends_on),
	LST("regions", F_STRLIST, 0, service, regions, n_regions),
	LST("datastores", F_IDXLIST, T_DATASTORE, service, datastore_index,
	    n_datastores),
	FLD("monthly_cost", F_NUM, 0, service, monthly_cost),
	LST("health_checks", F_ARRAY, T_HEALTH, service, health_checks,
	    n_health_checks),
	FLD("runbook_path", F_STR, 0, service, runbook_path),
	GET("has_runbook", g_has_runbook),
	GET("escalation", g_escalation),
	GET("procedure", g_service_procedure),
	GET("facts", g_service_facts),
};

static const struct vfield impact_fields[] = {
	FLD("revenue_loss_per_hour", F_NUM, 0, impact, revenue_loss_per_hour),
	FLD("customers_affected", F_NUM, 0, impact, customers_affected),
	FLD("regulatory", F_BOOL, 0, impact, regulatory),
	FLD("mtpd_hours", F_NUM, 0, impact, mtpd_hours),
	FLD("notes", F_STR, 0, impact, notes),
};

static const struct vfield health_fields[] = {
	FLD("name", F_STR, 0, health_check, name),
	FLD("endpoint", F_STR, 0, health_check, endpoint),
	FLD("expected_status", F_INT, 0, health_check, expected_status),
};

static const struct vfield datastore_fields[] = {
	FLD("id", F_STR, 0, datastore, id),
	FLD("engine", F_STR, 0, datastore, engine),
	FLD("criticality", F_ENUM, EN_CRIT, datastore, criticality),
	FLD("size_gb", F_NUM, 0, datastore, size_gb),
	GET("service", g_store_service),
	FLD("backups", F_OBJ, T_BSUMMARY, datastore, backups),
	GET("procedure", g_store_procedure),
	GET("facts", g_store_facts),
};

static const struct vfield bsummary_fields[] = {
	FLD("at", F_EMAP, EM_BLOC, backup_summary, at),
	FLD("records", F_U64, 0, backup_summary, records),
	FLD("future", F_U64, 0, backup_summary, future),
	FLD("restore_test_records", F_U64, 0, backup_summary, restore_test_records),
};

static const struct vfield bloc_fields[] = {
	FLD("records", F_U64, 0, backup_location_summary, records),
	FLD("successes", F_U64, 0, backup_location_summary, successes),
	FLD("failures_in_period", F_U64, 0, backup_location_summary,
	    failures_in_period),
	FLD("newest_success", F_DATE, 0, backup_location_summary, newest_success),
	FLD("newest_success_id", F_CHARS, 0, backup_location_summary,
	    newest_success_id),
	FLD("newest_success_region", F_CHARS, 0, backup_location_summary,
	    newest_success_region),
	FLD("newest_encryption", F_CHARS, 0, backup_location_summary,
	    newest_encryption),
	FLD("newest_compression", F_CHARS, 0, backup_location_summary,
	    newest_compression),
	FLD("bytes_retained", F_U64, 0, backup_location_summary, bytes_retained),
	FLD("successes_unencrypted", F_U64, 0, backup_location_summary,
	    successes_unencrypted),
	FLD("successes_immutable", F_U64, 0, backup_location_summary,
	    successes_immutable),
	FLD("successes_by_type", F_EMAP, EM_BTYPE_U64, backup_location_summary,
	    successes_by_type),
	FLD("newest_verified", F_DATE, 0, backup_location_summary,
	    newest_verified),
	FLD("verification_failures", F_U64, 0, backup_location_summary,
	    verification_failures),
	FLD("max_retention_days", F_I64, 0, backup_location_summary,
	    max_retention_days),
};

static const struct vfield attest_fields[] = {
	FLD("topic", F_STR, 0, attestation, topic),
	FLD("statement", F_STR, 0, attestation, statement),
	FLD("attester", F_STR, 0, attestation, attester),
	FLD("attester_name", F_STR, 0, attestation, attester_name),
	FLD("role", F_STR, 0, attestation, attester_role),
	FLD("date", F_DATE, 0, attestation, date),
	FLD("time", F_STR, 0, attestation, time),
	FLD("expires", F_DATE, 0, attestation, expires),
	FLD("evidence", F_STR, 0, attestation, evidence),
	FLD("alternative_measure", F_STR, 0, attestation, alternative_measure),
	FLD("approved_by", F_STR, 0, attestation, approved_by),
	FLD("approved_by_name", F_STR, 0, attestation, approved_by_name),
};

static const struct vfield exception_fields[] = {
	FLD("id", F_STR, 0, exception, id),
	FLD("control", F_STR, 0, exception, control),
	LST("services", F_STRLIST, 0, exception, services, n_services),
	LST("datastores", F_STRLIST, 0, exception, datastores, n_datastores),
	LST("checks", F_STRLIST, 0, exception, checks, n_checks),
	FLD("justification", F_STR, 0, exception, justification),
	FLD("approved_by", F_STR, 0, exception, approved_by),
	FLD("approved_by_name", F_STR, 0, exception, approved_by_name),
	FLD("approved_on", F_DATE, 0, exception, approved_on),
	FLD("expires", F_DATE, 0, exception, expires),
};

static const struct vfield mwindow_fields[] = {
	FLD("start", F_STR, 0, maintenance_window, start),
	FLD("end", F_STR, 0, maintenance_window, end),
};

static const struct vfield drill_fields[] = {
	FLD("id", F_STR, 0, drill, id),
	FLD("date", F_DATE, 0, drill, date),
	FLD("type", F_ENUM, EN_DTYPE, drill, type),
	LST("scope_services", F_STRLIST, 0, drill, scope_services,
	    n_scope_services),
	FLD("traffic_percent", F_NUM, 0, drill, traffic_percent),
	LST("results", F_ARRAY, T_DRESULT, drill, results, n_results),
	FLD("availability", F_NUM, 0, drill, availability),
	LST("issues", F_ARRAY, T_DISSUE, drill, issues, n_issues),
	LST("participants", F_STRLIST, 0, drill, participants, n_participants),
	FLD("notes", F_STR, 0, drill, notes),
	FLD("source", F_STR, 0, drill, source),
};

static const struct vfield dresult_fields[] = {
	FLD("service", F_STR, 0, drill_result, service),
	FLD("target_rto_minutes", F_NUM, 0, drill_result, target_rto_minutes),
	FLD("target_rpo_minutes", F_NUM, 0, drill_result, target_rpo_minutes),
	FLD("recovery_minutes", F_NUM, 0, drill_result, recovery_minutes),
	FLD("data_loss_minutes", F_NUM, 0, drill_result, data_loss_minutes),
	FLD("recovered", F_BOOL, 0, drill_result, recovered),
	FLD("data_integrity", F_NUM, 0, drill_result, data_integrity),
	FLD("restored_from_backup", F_BOOL, 0, drill_result, restored_from_backup),
	FLD("failure", F_STR, 0, drill_result, failure),
};

static const struct vfield dissue_fields[] = {
	FLD("id", F_STR, 0, drill_issue, id),
	FLD("title", F_STR, 0, drill_issue, title),
	FLD("severity", F_STR, 0, drill_issue, severity),
	FLD("owner", F_STR, 0, drill_issue, owner),
	FLD("due", F_DATE, 0, drill_issue, due),
	FLD("open", F_BOOL, 0, drill_issue, open),
	LST("services", F_STRLIST, 0, drill_issue, services, n_services),
};

static const struct vfield compliance_fields[] = {
	LST("frameworks", F_STRLIST, 0, compliance_settings, frameworks,
	    n_frameworks),
	GET("profile", g_profile),
};

static const struct vfield unknown_fields[] = {
	FLD("id", F_STR, 0, unknown_datastore, id),
	FLD("records", F_U64, 0, unknown_datastore, records),
};

static const struct vfield facts_fields[] = {
	FLD("as_of", F_DATE, 0, facts, as_of),
	FLD("period_start", F_DATE, 0, facts, period_start),
	FLD("period_end", F_DATE, 0, facts, period_end),
	FLD("window_12m_start", F_DATE, 0, facts, window_12m_start),
	LST("stores", F_ARRAY, T_SFACTS, facts, stores, n_stores),
	LST("services", F_ARRAY, T_SVFACTS, facts, services, n_services),
	LST("recovery_order", F_IDXLIST, T_SERVICE, facts, recovery_order,
	    n_recovery_order),
	FLD("n_waves", F_INT, 0, facts, n_waves),
	FLD("objectives_set", F_BOOL, 0, facts, objectives_set),
	FLD("lag_tolerance_minutes", F_NUM, 0, facts, lag_tolerance_minutes),
	LST("inversions", F_ARRAY, T_INVERSION, facts, inversions, n_inversions),
	LST("single_region", F_IDXLIST, T_SERVICE, facts, single_region,
	    n_single_region),
	FLD("currency_count", F_EMAP, EM_CUR_SIZE, facts, currency_count),
};

static const struct vfield sfacts_fields[] = {
	FLD("at", F_EMAP, EM_LFACTS, store_facts, at),
	FLD("newest_success", F_DATE, 0, store_facts, newest_success),
	FLD("newest_location", F_ENUM, EN_LOC, store_facts, newest_location),
	FLD("age_seconds", F_I64_NONNEG, 0, store_facts, age_seconds),
	FLD("age_minutes", F_NUM_NONNEG, 0, store_facts, age_minutes),
	FLD("locations_ok", F_EMAP, EM_LOC_BOOL, store_facts, locations_ok),
	FLD("n_locations_ok", F_INT, 0, store_facts, n_locations_ok),
	FLD("offsite", F_BOOL, 0, store_facts, offsite),
	FLD("encrypted", F_BOOL, 0, store_facts, encrypted),
	FLD("successes", F_U64, 0, store_facts, successes),
	FLD("successes_unencrypted", F_U64, 0, store_facts,
	    successes_unencrypted),
	FLD("immutable", F_BOOL, 0, store_facts, immutable),
	FLD("successes_immutable", F_U64, 0, store_facts, successes_immutable),
	FLD("continuous", F_BOOL, 0, store_facts, continuous),
	FLD("failures_in_period", F_U64, 0, store_facts, failures_in_period),
	FLD("bytes_retained", F_U64, 0, store_facts, bytes_retained),
	FLD("last_restore_test", F_DATE, 0, store_facts, last_restore_test),
	FLD("last_restore_test_id", F_STR, 0, store_facts, last_restore_test_id),
	FLD("last_restore_test_failed", F_DATE, 0, store_facts,
	    last_restore_test_failed),
	FLD("last_restore_test_failed_id", F_STR, 0, store_facts,
	    last_restore_test_failed_id),
	FLD("restore_test_failing", F_BOOL, 0, store_facts, restore_test_failing),
	FLD("last_restore_test_tested_backup", F_STR, 0, store_facts,
	    last_restore_test_tested_backup),
	FLD("last_restore_test_tested_time", F_DATE, 0, store_facts,
	    last_restore_test_tested_time),
	FLD("last_restore_test_location", F_ENUM, EN_LOC, store_facts,
	    last_restore_test_location),
	FLD("restore_tests", F_U64, 0, store_facts, restore_tests),
	FLD("last_integrity_check", F_DATE, 0, store_facts, last_integrity_check),
	FLD("last_integrity_check_id", F_STR, 0, store_facts, last_integrity_check_id),
	FLD("last_integrity_check_failed", F_DATE, 0, store_facts,
	    last_integrity_check_failed),
	FLD("last_integrity_check_failed_id", F_STR, 0, store_facts,
	    last_integrity_check_failed_id),
	FLD("integrity_checks", F_U64, 0, store_facts, integrity_checks),
	FLD("rpo_minutes", F_NUM, 0, store_facts, rpo_minutes),
	FLD("currency", F_ENUM, EN_CURRENCY, store_facts, currency),
};

static const struct vfield lfacts_fields[] = {
	FLD("has_success", F_BOOL, 0, location_facts, has_success),
	FLD("newest_success", F_DATE, 0, location_facts, newest_success),
	FLD("age_seconds", F_I64_NONNEG, 0, location_facts, age_seconds),
	FLD("newest_success_id", F_STR, 0, location_facts, newest_success_id),
	FLD("newest_encrypted", F_BOOL, 0, location_facts, newest_encrypted),
	FLD("successes", F_U64, 0, location_facts, successes),
	FLD("successes_unencrypted", F_U64, 0, location_facts,
	    successes_unencrypted),
	FLD("successes_immutable", F_U64, 0, location_facts,
	    successes_immutable),
	FLD("failures_in_period", F_U64, 0, location_facts, failures_in_period),
	FLD("bytes_retained", F_U64, 0, location_facts, bytes_retained),
	FLD("last_restore_test", F_DATE, 0, location_facts, last_restore_test),
};

static const struct vfield svfacts_fields[] = {
	FLD("recovery_wave", F_INT, 0, service_facts, recovery_wave),
	LST("drills", F_IDXLIST, T_DRILL, service_facts, drills, n_drills),
	FLD("n_drills_period", F_SIZE, 0, service_facts, n_drills_period),
	FLD("n_drills_12m", F_SIZE, 0, service_facts, n_drills_12m),
	FLD("drills_12m_by_type", F_EMAP, EM_DTYPE_SIZE, service_facts,
	    drills_12m_by_type),
	FLD("drills_period_by_type", F_EMAP, EM_DTYPE_SIZE, service_facts,
	    drills_period_by_type),
	FLD("last_drill_by_type", F_EMAP, EM_DTYPE_DATE, service_facts,
	    last_drill_by_type),
	FLD("last_drill", F_IDX_OPT, T_DRILL, service_facts, last_drill),
	FLD("tier", F_INT_POS, 0, service_facts, tier),
	FLD("rpo_minutes", F_NUM, 0, service_facts, rpo_minutes),
	FLD("multi_region_required", F_BOOL, 0, service_facts,
	    multi_region_required),
	FLD("n_distinct_regions", F_SIZE, 0, service_facts, n_distinct_regions),
	FLD("single_region", F_BOOL, 0, service_facts, single_region),
};

static const struct vfield inversion_fields[] = {
	FLD("service", F_IDX, T_SERVICE, tier_inversion, service),
	FLD("dependency", F_IDX, T_SERVICE, tier_inversion, dependency),
	FLD("service_tier", F_INT, 0, tier_inversion, service_tier),
	FLD("dependency_tier", F_INT, 0, tier_inversion, dependency_tier),
};

static const struct vfield tier_fields[] = {
	FLD("tier", F_INT, 0, service_tier, tier),
	FLD("tier_name", F_STR, 0, service_tier, tier_name),
	FLD("overridden", F_BOOL, 0, service_tier, overridden),
	FLD("unclassified", F_BOOL, 0, service_tier, unclassified),
	FLD("reason", F_STR, 0, service_tier, reason),
	FLD("rpo_minutes", F_NUM, 0, service_tier, rpo_minutes),
	FLD("rto_minutes", F_NUM, 0, service_tier, rto_minutes),
	FLD("strategy", F_STR, 0, service_tier, strategy),
	FLD("dr_multiplier", F_NUM, 0, service_tier, dr_multiplier),
	FLD("multi_region", F_BOOL, 0, service_tier, multi_region),
};

static const struct vfield level_fields[] = {
	FLD("tier", F_INT, 0, tier_level, tier),
	FLD("name", F_STR, 0, tier_level, name),
	FLD("criterion", F_STR, 0, tier_level, criterion),
	FLD("rpo_minutes", F_NUM, 0, tier_level, rpo_minutes),
	FLD("rto_minutes", F_NUM, 0, tier_level, rto_minutes),
	FLD("strategy", F_STR, 0, tier_level, strategy),
	FLD("dr_multiplier", F_NUM, 0, tier_level, dr_multiplier),
	FLD("multi_region", F_BOOL, 0, tier_level, multi_region),
};

#define TYPE(n, s, f, par) {n, sizeof(struct s), f, ARRAY_LEN(f), par}

static const struct vtype_desc types[T_COUNT] = {
	[T_MODEL] = TYPE("model", model, model_fields, P_NONE),
	[T_ORG] = TYPE("organization", organization, org_fields, P_NONE),
	[T_PLAN] = TYPE("plan", plan_meta, plan_fields, P_NONE),
	[T_REGION] = TYPE("region", region, region_fields, P_REGIONS),
	[T_CONTACT] = TYPE("contact", contact, contact_fields, P_CONTACTS),
	[T_ESCALATION] = TYPE("escalation step", escalation_step,
			      escalation_fields, P_NONE),
	[T_SERVICE] = TYPE("service", service, service_fields, P_SERVICES),
	[T_IMPACT] = TYPE("impact", impact, impact_fields, P_NONE),
	[T_HEALTH] = TYPE("health check", health_check, health_fields, P_NONE),
	[T_DATASTORE] = TYPE("datastore", datastore, datastore_fields,
			     P_DATASTORES),
	[T_BSUMMARY] = TYPE("backup summary", backup_summary, bsummary_fields,
			    P_NONE),
	[T_BLOC] = TYPE("backup location summary", backup_location_summary,
			bloc_fields, P_NONE),
	[T_ATTEST] = TYPE("attestation", attestation, attest_fields, P_NONE),
	[T_EXCEPTION] = TYPE("exception", exception, exception_fields, P_NONE),
	[T_MWINDOW] = TYPE("maintenance window", maintenance_window,
			   mwindow_fields, P_NONE),
	[T_DRILL] = TYPE("drill", drill, drill_fields, P_NONE),
	[T_DRESULT] = TYPE("drill result", drill_result, dresult_fields, P_NONE),
	[T_DISSUE] = TYPE("drill issue", drill_issue, dissue_fields, P_NONE),
	[T_COMPLIANCE] = TYPE("compliance", compliance_settings,
			      compliance_fields, P_NONE),
	[T_UNKNOWN] = TYPE("unknown datastore", unknown_datastore,
			   unknown_fields, P_NONE),
	[T_FACTS] = TYPE("facts", facts, facts_fields, P_NONE),
	[T_SFACTS] = TYPE("store facts", store_facts, sfacts_fields,
			  P_DATASTORES),
	[T_LFACTS] = TYPE("location facts", location_facts, lfacts_fields,
			  P_NONE),
	[T_SVFACTS] = TYPE("service facts", service_facts, svfacts_fields,
			   P_SERVICES),
	[T_INVERSION] = TYPE("tier inversion", tier_inversion,
			     inversion_fields, P_NONE),
	[T_TIER] = TYPE("service tier", service_tier, tier_fields, P_SERVICES),
	[T_LEVEL] = TYPE("tier level", tier_level, level_fields, P_NONE),
};

/* ---- pushing values ----------------------------------------------------- */

/* The model array a type indexes into (for index lists), and its length. */
static const void *base_of(const struct rules *r, unsigned type, size_t *n)
{
	const struct model *m = r->m;

	switch (type) {
	case T_SERVICE:
		*n = m->n_services;
		return m->services;
	case T_DATASTORE:
		*n = m->n_datastores;
		return m->datastores;
	case T_DRILL:
		*n = m->n_drills;
		return m->drills;
	default:
		*n = 0;
		return NULL;
	}
}

/* Addresses used as private keys in view metatables. */
static const char view_mark = 'v';
static const char view_iter = 'i';

/* Metatable slot: one per struct type for objects, one per list class. */
static lua_Integer meta_slot(unsigned cls, unsigned type)
{
	return cls == VC_OBJ ? (lua_Integer)type + 1 : (lua_Integer)(T_COUNT + cls + 1);
}

/*
 * Pushes a new view.  Views are not cached: a cache would keep hundreds of
 * thousands of objects alive, and every garbage-collection cycle walks the
 * live heap, which made allocation-heavy rules several times slower.
 * __eq makes two views of the same thing compare equal instead.
 */
static void push_view(struct rules *r, unsigned cls, unsigned type,
		      const void *p, size_t n)
{
	lua_State *L = r->L;
	struct view *v = lua_newuserdatauv(L, sizeof(*v), 0);

	v->p = p;
	v->n = n;
	v->cls = (unsigned char)cls;
	v->type = (unsigned char)type;
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_metas);
	lua_rawgeti(L, -1, meta_slot(cls, type));
	lua_remove(L, -2);
	lua_setmetatable(L, -2);
}

static void push_obj(struct rules *r, unsigned type, const void *p)
{
	if (!p)
		lua_pushnil(r->L);
	else
		push_view(r, VC_OBJ, type, p, 1);
}

static void push_enum(lua_State *L, unsigned names, int v)
{
	if (v < 0 || (size_t)v >= enums[names].n || !enums[names].names[v])
		lua_pushnil(L);
	else
		lua_pushstring(L, enums[names].names[v]);
}

/* Typed reads of a field at b (memcpy: no aliasing or alignment questions). */
#define READER(name, type) \
	static type name(const void *b) { type v; memcpy(&v, b, sizeof(v)); return v; }
READER(rd_double, double)
READER(rd_int, int)
READER(rd_i64, int64_t)
READER(rd_u64, uint64_t)
READER(rd_size, size_t)
READER(rd_bool, bool)
READER(rd_long, long)
READER(rd_ptr, const void *)
#undef READER

/* Field f of the struct at obj. */
static void push_field(struct rules *r, const void *obj, const struct vfield *f)
{
	lua_State *L = r->L;
	const char *b = (const char *)obj + f->off;
	size_t n = f->off_n ? rd_size((const char *)obj + f->off_n) : 0;

	switch (f->kind) {
	case F_STR: {
		const char *s = rd_ptr(b);
		if (s)
			lua_pushstring(L, s);
		else
			lua_pushnil(L);
		break;
	}
	case F_CHARS:
		if (b[0])
			lua_pushstring(L, b);
		else
			lua_pushnil(L);
		break;
	case F_NUM:
	case F_NUM_NONNEG: {
		double v = rd_double(b);
		if (isnan(v) || (f->kind == F_NUM_NONNEG && v < 0))
			lua_pushnil(L);
		else
			lua_pushnumber(L, v);
		break;
	}
	case F_INT:
		lua_pushinteger(L, rd_int(b));
		break;
	case F_INT_POS:
		if (rd_int(b) > 0)
			lua_pushinteger(L, rd_int(b));
		else
			lua_pushnil(L);
		break;
	case F_DATE:
		if (rd_i64(b) == DATE_NONE)
			lua_pushnil(L);
		else
			lua_pushinteger(L, (lua_Integer)rd_i64(b));
		break;
	case F_I64:
	case F_I64_NONNEG:
		if (f->kind == F_I64_NONNEG && rd_i64(b) < 0)
			lua_pushnil(L);
		else
			lua_pushinteger(L, (lua_Integer)rd_i64(b));
		break;
	case F_U64:
		lua_pushinteger(L, (lua_Integer)rd_u64(b));
		break;
	case F_SIZE:
		lua_pushinteger(L, (lua_Integer)rd_size(b));
		break;
	case F_BOOL:
		lua_pushboolean(L, rd_bool(b));
		break;
	case F_ENUM:
		push_enum(L, f->arg, rd_int(b));
		break;
	case F_STRLIST:
		push_view(r, VC_STRLIST, 0, rd_ptr(b), n);
		break;
	case F_OBJ:
		push_view(r, VC_OBJ, f->arg, b, 1);
		break;
	case F_ARRAY:
		push_view(r, VC_ARRAY, f->arg, rd_ptr(b), n);
		break;
	case F_IDXLIST:
		push_view(r, VC_IDXLIST, f->arg, rd_ptr(b), n);
		break;
	case F_IDX:
	case F_IDX_OPT: {
		size_t nb, i;
		const char *base = base_of(r, f->arg, &nb);
		if (f->kind == F_IDX_OPT) {
			long li = rd_long(b);
			i = li < 0 ? nb : (size_t)li;
		} else {
			i = rd_size(b);
		}
		if (i >= nb)
			lua_pushnil(L);
		else
			push_obj(r, f->arg, base + i * types[f->arg].size);
		break;
	}
	case F_EMAP:
		push_view(r, VC_EMAP, f->arg, b, enums[emaps[f->arg].names].n);
		break;
	case F_GET:
		f->get(r, obj);
		break;
	default:
		lua_pushnil(L);
	}
}

/* Element k (0-based) of the list view v. */
static void push_element(struct rules *r, const struct view *v, size_t k)
{
	lua_State *L = r->L;

	switch (v->cls) {
	case VC_ARRAY:
		push_obj(r, v->type, (const char *)v->p + k * types[v->type].size);
		break;
	case VC_IDXLIST: {
		size_t nb, i = ((const size_t *)v->p)[k];
		const char *base = base_of(r, v->type, &nb);
		if (i < nb)
			push_obj(r, v->type, base + i * types[v->type].size);
		else
			lua_pushnil(L);
		break;
	}
	case VC_STRLIST: {
		const char *s = ((const char *const *)v->p)[k];
		if (s)
			lua_pushstring(L, s);
		else
			lua_pushnil(L);
		break;
	}
	case VC_EMAP: {
		const struct emap_desc *e = &emaps[v->type];
		struct vfield f = {NULL, e->kind, e->type, 0, 0, NULL};
		push_field(r, (const char *)v->p + k * e->size, &f);
		break;
	}
	default:
		lua_pushnil(L);
	}
}

/* Index of string key `k` in a view parallel to a model list, or n. */
static size_t parallel_index(struct rules *r, const struct view *v, const char *k)
{
	const struct model *m = r->m;

	switch (types[v->type].parallel) {
	case P_SERVICES: {
		const struct service *s = model_service_find(m, k);
		if (s && v->n == m->n_services)
			return (size_t)(s - m->services);
		break;
	}
	case P_DATASTORES: {
		const struct datastore *ds = model_datastore_find(m, k);
		if (ds && v->n == m->n_datastores)
			return (size_t)(ds - m->datastores);
		break;
	}
	case P_CONTACTS: {
		const struct contact *c = model_contact_find(m, k);
		if (c && v->n == m->n_contacts)
			return (size_t)(c - m->contacts);
		break;
	}
	case P_REGIONS: {
		const struct region *g = model_region_find(m, k);
		if (g && v->n == m->n_regions)
			return (size_t)(g - m->regions);
		break;
	}
	default:
		break;
	}
	return v->n;
}

static size_t emap_index(const struct view *v, const char *k)
{
	const struct emap_desc *e = &emaps[v->type];

	for (size_t i = 0; i < enums[e->names].n; i++) {
		if (enums[e->names].names[i] && strcmp(enums[e->names].names[i], k) == 0)
			return i;
	}
	return v->n;
}

/* The view at idx, or NULL when idx holds something else. */
static const struct view *to_view(lua_State *L, int idx)
{
	const struct view *v = NULL;

	if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
		return NULL;
	if (lua_rawgetp(L, -1, &view_mark) != LUA_TNIL)
		v = lua_touserdata(L, idx);
	lua_pop(L, 2);
	return v;
}

/* ---- the view metatables ------------------------------------------------ */

/*
 * Metamethods receive the view itself as argument 1 (the metatables are
 * out of reach of rules), so they use it without checks.  The iterators are
 * reachable through pairs, so they check what they are given.
 */

/* __index of objects; upvalue 1 is the field map of the type. */
static int obj_index(lua_State *L)
{
	const struct view *v = lua_touserdata(L, 1);

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER)
		return luaL_error(L, "%s has no field '%s'", types[v->type].name,
				  lua_type(L, 2) == LUA_TSTRING ?
				  lua_tostring(L, 2) : luaL_typename(L, 2));
	lua_Integer i = lua_tointeger(L, -1);
	push_field(rules_of(L), v->p, &types[v->type].fields[i]);
	return 1;
}

static int list_index(lua_State *L)
{
	struct rules *r = rules_of(L);
	const struct view *v = lua_touserdata(L, 1);
	int isint;
	lua_Integer k = lua_tointegerx(L, 2, &isint);

	if (isint && lua_type(L, 2) == LUA_TNUMBER) {
		if (k >= 1 && (lua_Unsigned)k <= v->n && v->cls != VC_EMAP)
			push_element(r, v, (size_t)k - 1);
		else
			lua_pushnil(L);
		return 1;
	}
	if (lua_type(L, 2) == LUA_TSTRING) {
		size_t i = v->cls == VC_EMAP ? emap_index(v, lua_tostring(L, 2)) :
			   v->cls == VC_ARRAY ?
			   parallel_index(r, v, lua_tostring(L, 2)) : v->n;
		if (i < v->n) {
			push_element(r, v, i);
			return 1;
		}
	}
	lua_pushnil(L);
	return 1;
}

static int view_newindex(lua_State *L)
{
	const struct view *v = lua_touserdata(L, 1);

	if (lua_type(L, 2) == LUA_TSTRING)
		return luaL_error(L, "attempt to write field '%s' of a read-only %s view",
				  lua_tostring(L, 2), types[v->type].name);
	return luaL_error(L, "attempt to modify a read-only view");
}

static int view_len(lua_State *L)
{
	const struct view *v = lua_touserdata(L, 1);

	lua_pushinteger(L, v->cls == VC_OBJ || v->cls == VC_EMAP ? 0 :
			(lua_Integer)v->n);
	return 1;
}

/* next(view, key) of objects: fields in declaration order, nil ones skipped.
 * Upvalue 1 is the field map of the type, upvalue 2 the type. */
static int obj_next(lua_State *L)
{
	const struct view *v = to_view(L, 1);
	lua_Integer type = lua_tointeger(L, lua_upvalueindex(2));
	const struct vtype_desc *t;
	size_t i = 0;

	if (!v || v->cls != VC_OBJ || v->type != type)
		return luaL_argerror(L, 1, "view expected");
	t = &types[v->type];
	lua_settop(L, 2);
	if (!lua_isnil(L, 2)) {
		lua_pushvalue(L, 2);
		if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER)
			return luaL_error(L, "invalid key to 'next'");
		i = (size_t)lua_tointeger(L, -1) + 1;
		lua_pop(L, 1);
	}
	for (; i < t->n_fields; i++) {
		push_field(rules_of(L), v->p, &t->fields[i]);
		if (!lua_isnil(L, -1)) {
			lua_pushstring(L, t->fields[i].name);
			lua_insert(L, -2);
			return 2;
		}
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	return 1;
}

/* next(view, key) of lists (1..n) and maps (names in enum order). */
static int list_next(lua_State *L)
{
	struct rules *r = rules_of(L);
	const struct view *v = to_view(L, 1);
	size_t i = 0;

	if (!v || v->cls == VC_OBJ)
		return luaL_argerror(L, 1, "view expected");
	lua_settop(L, 2);
	if (v->cls == VC_EMAP) {
		const struct emap_desc *e = &emaps[v->type];
		if (!lua_isnil(L, 2)) {
			if (lua_type(L, 2) != LUA_TSTRING)
				return luaL_error(L, "invalid key to 'next'");
			i = emap_index(v, lua_tostring(L, 2)) + 1;
		}
		for (; i < v->n; i++) {
			push_element(r, v, i);
			if (!lua_isnil(L, -1)) {
				lua_pushstring(L, enums[e->names].names[i]);
				lua_insert(L, -2);
				return 2;
			}
			lua_pop(L, 1);
		}
		lua_pushnil(L);
		return 1;
	}
	if (!lua_isnil(L, 2)) {
		lua_Integer k = lua_tointeger(L, 2);
		if (k < 1)
			return luaL_error(L, "invalid key to 'next'");
		i = (size_t)k;
	}
	for (; i < v->n; i++) {
		push_element(r, v, i);
		if (!lua_isnil(L, -1)) {
			lua_pushinteger(L, (lua_Integer)i + 1);
			lua_insert(L, -2);
			return 2;
		}
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	return 1;
}

/* __pairs: (iterator, view, nil); upvalue 1 is the iterator. */
static int view_pairs(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int view_eq(lua_State *L)
{
	const struct view *a = to_view(L, 1), *b = to_view(L, 2);

	lua_pushboolean(L, a && b && a->p == b->p && a->n == b->n &&
			a->cls == b->cls && a->type == b->type);
	return 1;
}

static int view_tostring(lua_State *L)
{
	const struct view *v = lua_touserdata(L, 1);
	static const char *const cls_names[VC_COUNT] = {
		"", " list", " list", "string list", " map"};

	if (v->cls == VC_STRLIST)
		lua_pushliteral(L, "read-only string list");
	else if (v->cls == VC_EMAP)
		lua_pushliteral(L, "read-only map");
	else
		lua_pushfstring(L, "read-only %s%s", types[v->type].name,
				cls_names[v->cls]);
	return 1;
}

/* Leaves the iterator of the view at idx on the stack. */
static void push_iterator(lua_State *L, int idx)
{
	lua_getmetatable(L, idx);
	lua_rawgetp(L, -1, &view_iter);
	lua_remove(L, -2);
}

/* Builds the metatable of slot (cls, type) on the stack. */
static void make_meta(lua_State *L, unsigned cls, unsigned type, int fieldmaps)
{
	lua_createtable(L, 0, 8);
	if (cls == VC_OBJ) {
		lua_rawgeti(L, fieldmaps, (lua_Integer)type + 1);
		lua_pushvalue(L, -1);
		lua_pushcclosure(L, obj_index, 1);
		lua_setfield(L, -3, "__index");
		lua_pushinteger(L, (lua_Integer)type);
		lua_pushcclosure(L, obj_next, 2);
	} else {
		lua_pushcfunction(L, list_index);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, list_next);
	}
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, &view_iter);
	lua_pushcclosure(L, view_pairs, 1);
	lua_setfield(L, -2, "__pairs");
	lua_pushcfunction(L, view_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, view_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, view_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, view_eq);
	lua_setfield(L, -2, "__eq");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pushboolean(L, 1);
	lua_rawsetp(L, -2, &view_mark);
}

/* ---- frozen tables ------------------------------------------------------ */

/* The table behind proxy idx, pushed; returns false (pushing nothing) if idx is no proxy. */
static bool push_frozen_target(lua_State *L, int idx)
{
	struct rules *r = rules_of(L);

	if (lua_type(L, idx) != LUA_TTABLE)
		return false;
	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_roset);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) != LUA_TTABLE) {
		lua_pop(L, 2);
		return false;
	}
	lua_remove(L, -2);
	return true;
}

static int ro_newindex(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TSTRING)
		return luaL_error(L, "attempt to write field '%s' of a read-only table",
				  lua_tostring(L, 2));
	return luaL_error(L, "attempt to modify a read-only table");
}

static int ro_len(lua_State *L)
{
	if (!push_frozen_target(L, 1))
		return luaL_error(L, "not a read-only table");
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

static int ro_next(lua_State *L)
{
	lua_settop(L, 2);
	if (!push_frozen_target(L, 1))
		return luaL_error(L, "not a read-only table");
	lua_pushvalue(L, 2);
	if (lua_next(L, -2))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, ro_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

void rules_view_freeze(lua_State *L)
{
	struct rules *r = rules_of(L);
	int t = lua_gettop(L);

	lua_newtable(L);                         /* the proxy */
	lua_createtable(L, 0, 5);                /* its metatable */
	lua_pushvalue(L, t);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_roset);
	lua_pushvalue(L, -2);
	lua_pushvalue(L, t);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	lua_replace(L, t);
}

bool rules_view_is_readonly(lua_State *L, int idx)
{
	if (to_view(L, idx))
		return true;
	if (push_frozen_target(L, idx)) {
		lua_pop(L, 1);
		return true;
	}
	return false;
}

int rules_view_next(lua_State *L)
{
	lua_settop(L, 2);
	if (to_view(L, 1)) {
		push_iterator(L, 1);
		lua_insert(L, 1);
		lua_call(L, 2, LUA_MULTRET);
		return lua_gettop(L);
	}
	if (push_frozen_target(L, 1))
		lua_replace(L, 1);
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

void rules_view_push_json(lua_State *L, const cJSON *j)
{
	int i = 1;

	if (!j || cJSON_IsNull(j)) {
		lua_pushnil(L);
		return;
	}
	luaL_checkstack(L, 4, "JSON nested too deeply");
	if (cJSON_IsBool(j)) {
		lua_pushboolean(L, cJSON_IsTrue(j));
	} else if (cJSON_IsNumber(j)) {
		double v = j->valuedouble;
		if (v == floor(v) && fabs(v) < 9007199254740992.0)
			lua_pushinteger(L, (lua_Integer)v);
		else
			lua_pushnumber(L, v);
	} else if (cJSON_IsString(j)) {
		lua_pushstring(L, j->valuestring ? j->valuestring : "");
	} else if (cJSON_IsArray(j)) {
		lua_createtable(L, cJSON_GetArraySize(j), 0);
		for (const cJSON *c = j->child; c; c = c->next, i++) {
			rules_view_push_json(L, c);
			lua_rawseti(L, -2, i);
		}
		rules_view_freeze(L);
	} else if (cJSON_IsObject(j)) {
		lua_newtable(L);
		for (const cJSON *c = j->child; c; c = c->next) {
			if (!c->string)
				continue;
			rules_view_push_json(L, c);
			lua_setfield(L, -2, c->string);
		}
		rules_view_freeze(L);
	} else {
		lua_pushnil(L);
	}
}

/* ---- opening and the standard views ------------------------------------- */

void rules_view_open(struct rules *r)
{
	lua_State *L = r->L;
	int fieldmaps;

	for (int c = 0; c < CURRENCY_COUNT; c++)
		currency_names[c] = analyze_currency_name((enum currency)c);

	lua_createtable(L, T_COUNT, 0);
	fieldmaps = lua_gettop(L);
	for (unsigned t = 0; t < T_COUNT; t++) {
		lua_createtable(L, 0, (int)types[t].n_fields);
		for (size_t i = 0; i < types[t].n_fields; i++) {
			lua_pushinteger(L, (lua_Integer)i);
			lua_setfield(L, -2, types[t].fields[i].name);
		}
		lua_rawseti(L, fieldmaps, (lua_Integer)t + 1);
	}

	lua_createtable(L, T_COUNT + VC_COUNT, 0);
	for (unsigned t = 0; t < T_COUNT; t++) {
		make_meta(L, VC_OBJ, t, fieldmaps);
		lua_rawseti(L, -2, meta_slot(VC_OBJ, t));
	}
	for (unsigned c = VC_OBJ + 1; c < VC_COUNT; c++) {
		make_meta(L, c, 0, fieldmaps);
		lua_rawseti(L, -2, meta_slot(c, 0));
	}
	r->ref_metas = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pop(L, 1);   /* the field maps live on in the closures */

	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	r->ref_roset = luaL_ref(L, LUA_REGISTRYINDEX);
	r->ref_profile = LUA_NOREF;
}

void rules_view_push_model(struct rules *r)
{
	push_obj(r, T_MODEL, r->m);
}

void rules_view_push_service(struct rules *r, size_t i)
{
	push_obj(r, T_SERVICE, &r->m->services[i]);
}

void rules_view_push_datastore(struct rules *r, size_t i)
{
	push_obj(r, T_DATASTORE, &r->m->datastores[i]);
}

void rules_view_push_drill(struct rules *r, size_t i)
{
	push_obj(r, T_DRILL, &r->m->drills[i]);
}

void rules_view_push_ctx(struct rules *r)
{
	lua_State *L = r->L;
	const struct model *m = r->m;
	char period[8];

	lua_createtable(L, 0, 8);
	rules_view_push_model(r);
	lua_setfield(L, -2, "model");
	if (r->f) {
		push_obj(r, T_FACTS, r->f);
		lua_setfield(L, -2, "facts");
	}
	if (r->res && r->res->tiers) {
		push_view(r, VC_ARRAY, T_TIER, r->res->tiers, r->res->n_tiers);
		lua_setfield(L, -2, "tiers");
	}
	if (r->res && r->res->levels[0].tier == 1) {
		push_view(r, VC_ARRAY, T_LEVEL, r->res->levels, RULES_TIERS);
		lua_setfield(L, -2, "levels");
	}
	if (m->as_of != DATE_NONE) {
		lua_pushinteger(L, (lua_Integer)m->as_of);
		lua_setfield(L, -2, "as_of");
	}
	if (m->period_start != DATE_NONE) {
		date_format_month(m->period_start, period);
		lua_pushstring(L, period);
		lua_setfield(L, -2, "period");
		lua_pushinteger(L, (lua_Integer)m->period_start);
		lua_setfield(L, -2, "period_start");
	}
	if (m->period_end != DATE_NONE) {
		lua_pushinteger(L, (lua_Integer)m->period_end);
		lua_setfield(L, -2, "period_end");
	}
	rules_view_freeze(L);
}

/* ---- Lua values to JSON ------------------------------------------------- */

struct conv_step {
	const char *key;       /* field name, or NULL for a list position */
	size_t index;
};

struct conv {
	struct rules *r;
	struct buf *err;
	struct conv_step path[JSON_MAX_DEPTH + 2];
	int depth;             /* entries of path in use */
	size_t nodes;
};

static bool conv_value(struct conv *c, int idx, cJSON *parent, const char *key);

/* ---- sharing identical subtrees ---- */

struct share_slot {
	uint64_t hash;
	cJSON *node;               /* NULL: empty slot */
};

struct json_share {
	struct share_slot *slots;
	size_t cap, used;          /* cap is a power of two */
};

struct json_share *rules_share_new(void)
{
	struct json_share *sh = xcalloc(1, sizeof(*sh));
	sh->cap = 1024;
	sh->slots = xcalloc(sh->cap, sizeof(*sh->slots));
	return sh;
}

void rules_share_free(struct json_share *sh)
{
	if (!sh)
		return;
	free(sh->slots);
	free(sh);
}

/* Forgets every subtree (after a conversion failed, its nodes are gone). */
static void share_reset(struct json_share *sh)
{
	memset(sh->slots, 0, sh->cap * sizeof(*sh->slots));
	sh->used = 0;
}

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t hash_text(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return mix(h, 0x2f);
}

/* Content hash: keys, types and values, in order (children are sorted). */
static uint64_t tree_hash(const cJSON *x)
{
	uint64_t h = mix(0xcbf29ce484222325ull, (uint64_t)(x->type & 0xFF));
	uint64_t bits;

	if (cJSON_IsString(x)) {
		h = hash_text(h, x->valuestring);
	} else if (cJSON_IsNumber(x)) {
		memcpy(&bits, &x->valuedouble, sizeof(bits));
		h = mix(h, bits);
	} else if (cJSON_IsArray(x) || cJSON_IsObject(x)) {
		for (const cJSON *c = x->child; c; c = c->next)
			h = mix(hash_text(h, c->string), tree_hash(c));
	}
	return h;
}

static void share_grow(struct json_share *sh)
{
	struct share_slot *old = sh->slots;
	size_t n = sh->cap;

	sh->cap *= 2;
	sh->slots = xcalloc(sh->cap, sizeof(*sh->slots));
	for (size_t i = 0; i < n; i++) {
		if (!old[i].node)
			continue;
		size_t k = old[i].hash & (sh->cap - 1);
		while (sh->slots[k].node)
			k = (k + 1) & (sh->cap - 1);
		sh->slots[k] = old[i];
	}
	free(old);
}

/*
 * node (an array or object just converted, child of parent) becomes a
 * reference to an identical subtree converted before, or is remembered
 * as the first of its kind.
 */
static void share_node(struct json_share *sh, cJSON *parent, cJSON *node)
{
	uint64_t h = tree_hash(node);
	size_t k = h & (sh->cap - 1);

	if (!node->child)
		return;            /* empty: nothing to save */
	for (; sh->slots[k].node; k = (k + 1) & (sh->cap - 1)) {
		cJSON *first = sh->slots[k].node;
		if (sh->slots[k].hash != h || !cJSON_Compare(first, node, true))
			continue;
		cJSON *ref = cJSON_IsArray(node) ? cJSON_CreateArrayReference(first->child)
						 : cJSON_CreateObjectReference(first->child);
		ref->string = node->string;   /* an arena key: const, never freed */
		ref->type |= node->type & cJSON_StringIsConst;
		cJSON_ReplaceItemViaPointer(parent, node, ref);
		return;
	}
	sh->slots[k] = (struct share_slot){h, node};
	if (++sh->used * 2 > sh->cap)
		share_grow(sh);
}

/* The problem, after the path of the value ("sections[2].items[1]: ..."). */
static bool conv_fail(struct conv *c, const char *fmt, const char *what)
{
	for (int i = 0; i < c->depth; i++) {
		if (c->path[i].key)
			buf_printf(c->err, "%s%s", i ? "." : "", c->path[i].key);
		else
			buf_printf(c->err, "[%zu]", c->path[i].index);
	}
	if (c->depth)
		buf_puts(c->err, ": ");
	buf_printf(c->err, fmt, what);
	return false;
}

/*
 * With an arena (the results'), keys and strings are stored there and the
 * nodes only refer to them (cJSON_StringIsConst, cJSON_IsReference): two
 * allocations fewer per node, and keys are shared.  Without one (a tree
 * the caller frees on its own), the tree owns copies.
 */
static void add_node(struct conv *c, cJSON *parent, const char *key, cJSON *node)
{
	struct rules *r = c->r;

	if (!key) {
		cJSON_AddItemToArray(parent, node);
	} else if (r->json_arena) {
		const char *k = strmap_get(r->json_keys, key);
		if (!k) {
			char *copy = arena_strdup(r->json_arena, key);
			strmap_put(r->json_keys, copy, copy);
			k = copy;
		}
		cJSON_AddItemToObjectCS(parent, k, node);
	} else {
		cJSON_AddItemToObject(parent, key, node);
	}
}

static cJSON *make_string(struct conv *c, const char *str, size_t len)
{
	if (c->r->json_arena)
		return cJSON_CreateStringReference(arena_strndup(c->r->json_arena, str, len));
	return cJSON_CreateString(str);
}

/* Converts the value at idx as child `key` (or list item `index`) of parent. */
static bool conv_child(struct conv *c, int idx, cJSON *parent, const char *key,
		       size_t index)
{
	bool ok;

	c->path[c->depth].key = key;
	c->path[c->depth].index = index;
	c->depth++;
	ok = conv_value(c, idx, parent, key);
	c->depth--;
	return ok;
}

#define SMALL_KEYS 32

static int cmp_node_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* Puts the children of an object in key order (the order never depends
 * on Lua's hash order). */
static void sort_children(cJSON *obj, size_t n)
{
	cJSON *small[SMALL_KEYS];
	cJSON **v = n > SMALL_KEYS ? xmalloc(n * sizeof(*v)) : small;
	size_t i = 0;

	for (cJSON *ch = obj->child; ch; ch = ch->next)
		v[i++] = ch;
	if (n > SMALL_KEYS) {
		qsort(v, n, sizeof(*v), cmp_node_key);
	} else {
		for (i = 1; i < n; i++) {
			cJSON *x = v[i];
			size_t j = i;
			for (; j > 0 && strcmp(v[j - 1]->string, x->string) > 0; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	for (i = 0; i < n; i++) {
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
		v[i]->prev = i ? v[i - 1] : v[n - 1];
	}
	obj->child = v[0];
	if (v != small)
		free(v);
}

/*
 * A table: list positions 1..n make an array (checked in a first pass,
 * converted in order); string keys an object, converted in one pass and
 * sorted by key afterwards.
 */
static bool conv_table(struct conv *c, int t, cJSON *parent, const char *key)
{
	lua_State *L = c->r->L;
	cJSON *node;
	size_t n = 0;
	bool ok = true;

	lua_pushnil(L);
	if (!lua_next(L, t)) {
		add_node(c, parent, key, cJSON_CreateArray());
		return true;
	}
	if (lua_type(L, -2) != LUA_TSTRING) {
		size_t len = lua_rawlen(L, t);
		lua_pop(L, 1);                        /* [key] */
		for (;;) {
			int kt = lua_type(L, -1);
			int isint = lua_isinteger(L, -1);
			lua_Integer k = isint ? lua_tointeger(L, -1) : 0;
			const char *tn = luaL_typename(L, -1);  /* static strings */
			if (kt == LUA_TSTRING || !isint || k < 1 || (lua_Unsigned)k > len) {
				lua_pop(L, 1);
				if (kt == LUA_TSTRING)
					return conv_fail(c, "%s",
							 "table mixes list items and named fields");
				if (!isint)
					return conv_fail(c, "table keys must be strings or list positions, not %s",
							 kt == LUA_TNUMBER ? "fractions" : tn);
				return conv_fail(c, "%s", "list has holes (items must be 1..n)");
			}
			n++;
			if (!lua_next(L, t))
				break;
			lua_pop(L, 1);                /* keep the key */
		}
		if (n != len)
			return conv_fail(c, "%s", "list has holes (items must be 1..n)");
		node = cJSON_CreateArray();
		add_node(c, parent, key, node);
		for (size_t i = 1; ok && i <= n; i++) {
			lua_rawgeti(L, t, (lua_Integer)i);
			ok = conv_child(c, -1, node, NULL, i);
			lua_pop(L, 1);
		}
		if (ok && c->r->json_share && c->depth > 0)
			share_node(c->r->json_share, parent, node);
		return ok;
	}

	node = cJSON_CreateObject();
	add_node(c, parent, key, node);
	do {                                          /* [key value] */
		size_t len;
		const char *k;
		if (lua_type(L, -2) != LUA_TSTRING) {
			lua_pop(L, 2);
			return conv_fail(c, "%s", "table mixes list items and named fields");
		}
		k = lua_tolstring(L, -2, &len);
		if (strlen(k) != len) {
			lua_pop(L, 2);
			return conv_fail(c, "%s", "a table key contains a NUL byte");
		}
		ok = conv_child(c, -1, node, k, 0);
		lua_pop(L, 1);
		if (!ok) {
			lua_pop(L, 1);
			return false;
		}
		n++;
	} while (lua_next(L, t));
	if (n > 1)
		sort_children(node, n);
	if (c->r->json_share && c->depth > 0)
		share_node(c->r->json_share, parent, node);
	return true;
}

static bool conv_view(struct conv *c, int idx, const struct view *v,
		      cJSON *parent, const char *key)
{
	lua_State *L = c->r->L;
	bool object = v->cls == VC_OBJ || v->cls == VC_EMAP;
	cJSON *node = object ? cJSON_CreateObject() : cJSON_CreateArray();
	int base;
	bool ok = true;

	add_node(c, parent, key, node);
	push_iterator(L, idx);
	lua_pushnil(L);                          /* [iter key]: the cursor */
	base = lua_gettop(L) - 1;
	for (;;) {
		lua_pushvalue(L, base);
		lua_pushvalue(L, idx);
		lua_pushvalue(L, base + 1);
		lua_call(L, 2, 2);
		if (lua_isnil(L, -2)) {
			lua_pop(L, 2);
			break;
		}
		ok = conv_child(c, -1, node, object ? lua_tostring(L, -2) : NULL,
				object ? 0 : (size_t)lua_tointeger(L, -2));
		lua_pop(L, 1);                   /* value */
		lua_replace(L, base + 1);        /* key becomes the cursor */
		if (!ok)
			break;
	}
	lua_pop(L, 2);
	return ok;
}

static bool conv_value(struct conv *c, int idx, cJSON *parent, const char *key)
{
	lua_State *L = c->r->L;
	const struct view *v;
	bool ok = true;

	idx = lua_absindex(L, idx);
	if (++c->nodes > JSON_MAX_NODES)
		return conv_fail(c, "%s", "result too large (more than 2,000,000 values)");
	c->r->results_bytes += sizeof(cJSON);
	if (c->r->results_bytes > RULES_RESULTS_MAX)
		return conv_fail(c, "rule results exceed %s in total (a rule returns too much)",
				 "512 MiB");
	if (c->depth > JSON_MAX_DEPTH)
		return conv_fail(c, "%s", "result nested too deeply (a cycle?)");
	luaL_checkstack(L, 8, "result nested too deeply");
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		add_node(c, parent, key, cJSON_CreateNull());
		return true;
	case LUA_TBOOLEAN:
		add_node(c, parent, key, cJSON_CreateBool(lua_toboolean(L, idx)));
		return true;
	case LUA_TNUMBER: {
		double d = lua_isinteger(L, idx) ? (double)lua_tointeger(L, idx) :
			   lua_tonumber(L, idx);
		if (isnan(d) || isinf(d))
			return conv_fail(c, "%s", "not a finite number");
		add_node(c, parent, key, cJSON_CreateNumber(d));
		return true;
	}
	case LUA_TSTRING: {
		size_t len, bad;
		const char *str = lua_tolstring(L, idx, &len);
		if (strlen(str) != len)
			return conv_fail(c, "%s", "string contains a NUL byte");
		if (!source_utf8_valid(str, len, &bad))
			return conv_fail(c, "%s", "string is not valid UTF-8");
		c->r->results_bytes += len;
		add_node(c, parent, key, make_string(c, str, len));
		return true;
	}
	case LUA_TTABLE:
		if (push_frozen_target(L, idx)) {
			ok = conv_table(c, lua_gettop(L), parent, key);
			lua_pop(L, 1);
			return ok;
		}
		return conv_table(c, idx, parent, key);
	case LUA_TUSERDATA:
		if ((v = to_view(L, idx)))
			return conv_view(c, idx, v, parent, key);
		break;
	default:
		break;
	}
	return conv_fail(c, "cannot convert a %s value to JSON", luaL_typename(L, idx));
}

cJSON *rules_view_to_json(struct rules *r, int idx, struct buf *err)
{
	lua_State *L = r->L;
	struct conv *c = xcalloc(1, sizeof(*c));
	cJSON *holder = cJSON_CreateArray(), *out = NULL;
	int top = lua_gettop(L);

	c->r = r;
	c->err = err;
	idx = lua_absindex(L, idx);
	r->pending_json = holder;
	r->pending_conv = c;
	if (conv_value(c, idx, holder, NULL))
		out = cJSON_DetachItemFromArray(holder, 0);
	else if (r->json_share)
		share_reset(r->json_share);
	r->pending_json = NULL;
	r->pending_conv = NULL;
	cJSON_Delete(holder);
	free(c);
	lua_settop(L, top);
	return out;
}
