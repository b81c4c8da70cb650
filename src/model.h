/*
 * model.h -- the plan directory as C structs.
 *
 * The loaders (load_plan, load_backups, load_drills) fill one struct model;
 * after load_plan_dir returns it is read-only: later stages (analyze, rules,
 * render) put what they compute beside it, never into it.  Every string and
 * array lives in the model's arena and is freed by model_free.
 *
 * Lists are <pointer, count> pairs.  Absent numbers are NAN, absent times
 * DATE_NONE, absent strings NULL.  References between objects are resolved
 * by the loader into indices (so later stages never look ids up again);
 * an unresolved reference is a load error, so indices are always valid.
 */
#ifndef DRGEN_MODEL_H
#define DRGEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MODEL_FORMAT_VERSION 1

enum region_role { ROLE_PRIMARY, ROLE_SECONDARY, ROLE_TERTIARY };
enum criticality { CRIT_CRITICAL, CRIT_IMPORTANT, CRIT_STANDARD, CRIT_COUNT };
enum backup_type { BTYPE_FULL, BTYPE_INCREMENTAL, BTYPE_SNAPSHOT,
		   BTYPE_CONTINUOUS, BTYPE_COUNT };
enum backup_status { BSTATUS_SUCCESS, BSTATUS_FAILED, BSTATUS_PARTIAL,
		     BSTATUS_RUNNING, BSTATUS_COUNT };
enum backup_location { LOC_PRIMARY, LOC_SECONDARY, LOC_OFFSITE, LOC_COUNT };
enum verification { VERIFY_NONE, VERIFY_SIZE_CHECK, VERIFY_CHECKSUM,
		    VERIFY_RESTORE_TEST, VERIFY_COUNT };
enum record_kind { RKIND_BACKUP, RKIND_RESTORE_TEST, RKIND_COUNT };
enum restore_method { RMETHOD_RESTORE, RMETHOD_INTEGRITY_CHECK, RMETHOD_COUNT };
enum drill_type { DRILL_TABLETOP, DRILL_PARTIAL_FAILOVER,
		  DRILL_FULL_SIMULATION, DRILL_CHAOS, DRILL_TYPE_COUNT };

/* Names as they appear in the input formats ("critical", "offsite", ...). */
extern const char *const model_region_role_names[3];
extern const char *const model_criticality_names[CRIT_COUNT];
extern const char *const model_backup_type_names[BTYPE_COUNT];
extern const char *const model_backup_status_names[BSTATUS_COUNT];
extern const char *const model_location_names[LOC_COUNT];
extern const char *const model_verification_names[VERIFY_COUNT];
extern const char *const model_record_kind_names[RKIND_COUNT];
extern const char *const model_restore_method_names[RMETHOD_COUNT];
extern const char *const model_drill_type_names[DRILL_TYPE_COUNT];

/* Index of name in names[0..n), or -1. */
int model_enum_find(const char *const *names, size_t n, const char *name);

struct source_pos {          /* where an object was written, for diagnostics */
	const char *file;    /* user-visible path */
	int line;
	const char *pointer; /* JSON pointer or XML path; may be NULL */
};

struct organization {
	const char *id;
	const char *name;
	const char *entity_type;   /* free text; rules decide what it means */
	const char *currency;      /* ISO 4217 code of every amount, or NULL */
	const char *classification; /* marking printed on every page, or NULL */
};

struct plan_meta {
	const char *version;
	const char *owner;         /* contact id */
	const char *approved_by;
	int64_t approved_on;
	int64_t last_review;
	int64_t next_review;
};

struct region {
	const char *id;
	enum region_role role;
};

struct contact {
	const char *id;
	const char *name;
	const char *role;
	const char *email;
	const char *phone;
	const char *team;
	int64_t last_verified;
};

struct escalation_step {
	int level;
	const char *contact;       /* contact id */
	size_t contact_index;      /* into model.contacts */
	double after_minutes;
};

struct health_check {
	const char *name;
	const char *endpoint;
	int expected_status;
};

struct impact {
	double revenue_loss_per_hour;
	double customers_affected;
	bool regulatory;
	double mtpd_hours;
	const char *notes;
};

/*
 * What the backup log says about one datastore at one location, summarised
 * while streaming (the log itself is never held).  "Success" means status
 * success; running, failed and partial jobs are not successes.  Only
 * records whose finish (or start, if unfinished) is at or before the as-of
 * time count; later ones are counted in `future` and otherwise ignored.
 */
#define BACKUP_ID_LIMIT 512            /* bytes of an id; longer is an error */
#define BACKUP_ID_MAX (BACKUP_ID_LIMIT + 1)
#define BACKUP_NAME_MAX 32

struct backup_location_summary {
	uint64_t records;
	uint64_t successes;
	uint64_t failures_in_period;   /* failed or partial, finished in period */
	int64_t newest_success;        /* finished time, or DATE_NONE */
	char newest_success_id[BACKUP_ID_MAX];
	char newest_success_region[BACKUP_NAME_MAX];
	char newest_encryption[BACKUP_NAME_MAX];  /* of the newest success */
	char newest_compression[BACKUP_NAME_MAX];
	uint64_t bytes_retained;       /* successes still within retention */
	uint64_t successes_unencrypted;
	uint64_t successes_immutable;
	uint64_t successes_by_type[BTYPE_COUNT];
	int64_t newest_verified;             /* any verification that came out ok
						(a backup's own "verification",
						restore_test included) */
	uint64_t verification_failures;      /* verified_ok false */
	int64_t max_retention_days;
};

/*
 * The restore tests of one datastore by one method (records of "kind"
 * "restore_test", docs/backup-format.md).  A test's time is its finished
 * time; only finished tests at or before the as-of time count.  Status
 * success is a passed test; failed and partial are failed ones.  Ties of
 * equal times are broken by comparing everything stored (greater id first),
 * so the result does not depend on the order of folding.
 */
struct restore_test_summary {
	uint64_t tests;                /* finished, at or before as-of */
	uint64_t failures_in_period;   /* failed or partial, finished in period */
	int64_t newest_ok;             /* DATE_NONE when none */
	char newest_ok_id[BACKUP_ID_MAX];
	char newest_ok_tested_backup[BACKUP_ID_MAX];  /* "" when not given */
	int64_t newest_ok_tested_time; /* DATE_NONE when not given */
	int newest_ok_location;        /* enum backup_location, or -1 */
	int64_t newest_ok_at[LOC_COUNT];  /* newest passed test of that copy */
	int64_t newest_failed;         /* DATE_NONE when none */
	char newest_failed_id[BACKUP_ID_MAX];
};

struct backup_summary {
	struct backup_location_summary at[LOC_COUNT];
	struct restore_test_summary tests[RMETHOD_COUNT];
	uint64_t records;              /* backup records for this datastore */
	uint64_t restore_test_records; /* restore-test records, future ones too */
	uint64_t future;               /* records of either kind after as-of */
};

/*
 * The team's own recovery procedure (plan.json "procedure", on a service or
 * a datastore): commands and expected minutes per kind of step.  Kept as
 * checked structs and, for the rules, re-serialised as JSON.
 */
enum procedure_step {
	PROC_DETECT, PROC_FENCE, PROC_PROMOTE, PROC_RESTORE, PROC_DEPLOY,
	PROC_REDIRECT, PROC_VERIFY, PROC_ROLLBACK, PROC_STEP_COUNT
};

struct procedure_step_data {
	const char **commands;
	size_t n_commands;
	double minutes;                /* NAN when not given */
};

struct procedure {
	const char *json;              /* the object as given, or NULL (absent) */
	const char *target_region;     /* service: the region to recover into */
	const char **replica_regions;  /* datastore: regions holding a replica */
	size_t n_replica_regions;
	bool promotion_fences;         /* datastore: promotion fences the old primary */
	struct procedure_step_data steps[PROC_STEP_COUNT];
};

extern const char *const model_procedure_step_names[PROC_STEP_COUNT];

struct datastore {
	const char *id;
	const char *engine;
	enum criticality criticality;
	double size_gb;
	const char **sources;          /* names other tools use (drgen import) */
	size_t n_sources;
	size_t service_index;          /* the service that declares it */
	struct procedure procedure;
	struct backup_summary backups; /* filled by load_backups */
	struct source_pos pos;
};

struct service {
	const char *id;
	const char *name;
	const char *description;
	const char *owner;             /* contact id, or NULL */
	size_t owner_index;            /* valid when owner != NULL */
	const char *team;
	struct impact impact;
	const char **data_scope;
	size_t n_data_scope;
	int tier;                      /* 1-4 explicit override, 0 = computed */
	const char **depends_on;
	size_t *depends_on_index;      /* into model.services */
	size_t n_depends_on;
	const char **regions;
	size_t *region_index;          /* into model.regions */
	size_t n_regions;
	size_t *datastore_index;       /* into model.datastores */
	size_t n_datastores;
	double monthly_cost;
	struct health_check *health_checks;
	size_t n_health_checks;
	const char *runbook_path;      /* relative to the plan directory */
	const char *runbook_text;      /* the Markdown, NUL-terminated, or NULL */
	size_t runbook_len;
	struct escalation_step *escalation;  /* NULL: use model.escalation */
	size_t n_escalation;
	struct procedure procedure;
	struct source_pos pos;
};

/*
 * An attestation (docs/compliance.md, "Attestations"): the attester is a
 * contact, whose name and role the loader copies here; alternative_measure
 * and approved_by document a HIPAA addressable specification declared not
 * implemented (topic "addressable_rationale:<control>").
 */
struct attestation {
	const char *topic;
	const char *statement;
	const char *attester;          /* contact id */
	const char *attester_name;     /* the contact's name and role (may be NULL) */
	const char *attester_role;
	int64_t date;
	const char *time;              /* the date as written when it is a time
					* with its offset ("2026-03-12T14:05:00+01:00"),
					* else NULL (a calendar day) */
	int64_t expires;               /* DATE_NONE: does not expire */
	const char *evidence;
	const char *alternative_measure;
	const char *approved_by;       /* contact id, or NULL */
	const char *approved_by_name;
	struct source_pos pos;
};

/*
 * An exception (a waiver): approved by a contact for a limited time; the
 * rules check the duration, the approver and the control it names.
 * Empty lists do not narrow the scope.
 */
struct exception {
	const char *id;
	const char *control;           /* "iso27001:A.8.13" */
	const char **services;         /* empty: every service */
	size_t n_services;
	const char **datastores;       /* empty: every datastore of the services */
	size_t n_datastores;
	const char **checks;           /* empty: every check of the control */
	size_t n_checks;
	const char *justification;
	const char *approved_by;       /* contact id */
	const char *approved_by_name;  /* the contact's name */
	int64_t approved_on;
	int64_t expires;
	struct source_pos pos;
};

/*
 * The management response to one finding (plan.json management_responses,
 * keyed by finding id; docs/audit.md).  A response that accepts the risk
 * names the exception that records the acceptance.
 */
struct mgmt_response {
	const char *finding;           /* the finding id (the key) */
	const char *response;
	const char *owner;             /* contact id, or NULL */
	int64_t target_date;           /* DATE_NONE when absent */
	bool accepts_risk;
	const char *exception;         /* exception id, or NULL */
	size_t exception_index;        /* valid when exception resolved */
	struct source_pos pos;
};

struct maintenance_window {
	const char *start;             /* RFC 3339 time, or a cron-like string */
	const char *end;
};

struct drill_result {
	const char *service;
	size_t service_index;
	double target_rto_minutes;     /* NAN: take the service's tier */
	double target_rpo_minutes;     /* NAN: take the service's tier */
	double recovery_minutes;       /* NAN when not measured */
	double data_loss_minutes;      /* NAN when not measured */
	bool recovered;
	double data_integrity;         /* 0..1; NAN when not reported */
	bool restored_from_backup;     /* data came back from a backup copy (so
					  the drill restore-tested the backups) */
	const char *failure;           /* JUnit failure/error message, or NULL */
};

struct drill_issue {
	const char *id;
	const char *title;
	const char *severity;
	const char *owner;
	int64_t due;
	bool open;
	const char **services;         /* the services it concerns; empty: the drill's scope */
	size_t n_services;
};

struct drill {
	const char *id;
	int64_t date;
	enum drill_type type;
	const char **scope_services;
	size_t n_scope_services;
	double traffic_percent;        /* NAN when absent */
	struct drill_result *results;
	size_t n_results;
	double availability;           /* 0..1, NAN when absent */
	struct drill_issue *issues;
	size_t n_issues;
	const char **participants;
	size_t n_participants;
	const char *notes;             /* Markdown, or NULL */
	const char *source;            /* file it came from, relative to the plan */
	struct source_pos pos;
};

struct compliance_settings {
	const char **frameworks;
	size_t n_frameworks;
	const char *profile_json;      /* compliance.profile re-serialised, or NULL */
};

struct unknown_datastore {         /* backup records naming no plan datastore */
	const char *id;
	uint64_t records;
};

/* Unknown keys in backup records: counted warnings, listed in the audit's
 * scope (issue 13 item 9). */
#define MODEL_UNKNOWN_KEYS_MAX 64
struct unknown_key_count {
	const char *name;
	uint64_t records;
};

struct model {
	struct arena *arena;
	const char *dir;               /* the plan directory as given */
	int format_version;
	struct organization org;
	struct plan_meta meta;
	struct region *regions;
	size_t n_regions;
	struct contact *contacts;
	size_t n_contacts;
	struct escalation_step *escalation;
	size_t n_escalation;
	struct service *services;
	size_t n_services;
	struct datastore *datastores;  /* every service's, in plan order */
	size_t n_datastores;
	struct compliance_settings compliance;
	struct attestation *attestations;
	size_t n_attestations;
	struct exception *exceptions;
	size_t n_exceptions;
	struct maintenance_window *maintenance_windows;
	size_t n_maintenance_windows;
	struct mgmt_response *responses;  /* plan order */
	size_t n_responses;
	struct drill *drills;          /* sorted by date, then id; none after as_of */
	size_t n_drills;
	size_t n_drills_after_as_of;   /* read, valid, dated after as_of: left out */
	struct unknown_datastore *unknown_datastores;  /* sorted by id */
	size_t n_unknown_datastores;
	uint64_t backup_records;       /* every backup record read */
	uint64_t restore_test_records; /* every restore-test record read */
	struct unknown_key_count *backup_unknown_keys;  /* in reading order, by name */
	size_t n_backup_unknown_keys;  /* at most MODEL_UNKNOWN_KEYS_MAX */
	uint64_t backup_unknown_keys_other;  /* records with unknown keys not listed */

	/* The time window the loaders summarise against. */
	int64_t as_of;
	int64_t period_start;          /* inclusive */
	int64_t period_end;            /* exclusive */

	struct strmap *service_by_id;  /* id -> struct service * */
	struct strmap *datastore_by_id;
	struct strmap *contact_by_id;
	struct strmap *region_by_id;
};

struct model *model_new(void);
void model_free(struct model *m);

/* Look-ups by id; NULL when absent.  O(1). */
const struct service *model_service_find(const struct model *m, const char *id);
const struct datastore *model_datastore_find(const struct model *m, const char *id);
const struct contact *model_contact_find(const struct model *m, const char *id);
const struct region *model_region_find(const struct model *m, const char *id);

/* The escalation chain that applies to a service (its own, or the default). */
const struct escalation_step *model_service_escalation(const struct model *m,
						      const struct service *s,
						      size_t *n);

#endif
