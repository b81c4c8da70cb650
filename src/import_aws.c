/*
 * import_aws.c -- `drgen import aws-backup`: the JSON of `aws backup
 * list-backup-jobs`, `list-copy-jobs` and `list-restore-jobs` (CLI v1 epoch
 * seconds or v2 ISO 8601 times; several pages concatenated in one file).
 *
 * Backup jobs are backups at the vault's place (a logically air-gapped vault
 * is offsite); copy jobs are backups at the destination (another account or
 * an air-gapped vault: offsite; another region: secondary); restore jobs
 * are restore tests of the recovery point they restored.  States follow the
 * service model (service-2.json): an unknown state is an error, never a
 * guess.  Composite parent jobs are skipped: their child jobs are the
 * records, so nothing is counted twice.
 */
#include <string.h>

#include "dates.h"
#include "import.h"

enum aws_list { AWS_NONE, AWS_BACKUP, AWS_COPY, AWS_RESTORE };

struct aws_ctx {
	bool saw_list;
};

static enum aws_list list_of(const char *key)
{
	if (strcmp(key, "BackupJobs") == 0)
		return AWS_BACKUP;
	if (strcmp(key, "CopyJobs") == 0)
		return AWS_COPY;
	if (strcmp(key, "RestoreJobs") == 0)
		return AWS_RESTORE;
	return AWS_NONE;
}

static void aws_begin(struct imp_run *r)
{
	struct aws_ctx *c = imp_ctx(r);
	c->saw_list = false;
}

static void aws_end(struct imp_run *r, bool ok)
{
	struct aws_ctx *c = imp_ctx(r);
	if (ok && !c->saw_list)
		imp_error_file(r, "no \"BackupJobs\", \"CopyJobs\" or \"RestoreJobs\" list: "
			  "not the output of aws backup list-backup-jobs, list-copy-jobs or "
			  "list-restore-jobs");
}

static enum imp_action aws_classify(struct imp_run *r, const struct imp_path *p,
				    enum imp_type type)
{
	struct aws_ctx *c = imp_ctx(r);
	if (p->depth == 0) {
		if (type == IMP_OBJ)
			return IMP_DESCEND;
		imp_error_at_path(r, p, "expected an object with \"BackupJobs\", \"CopyJobs\" "
				  "or \"RestoreJobs\" (aws backup list-... --output json)");
		return IMP_STOP;
	}
	if (p->depth == 1) {
		if (list_of(p->frames[0].key) == AWS_NONE)
			return IMP_SKIP;   /* NextToken and the like */
		if (type != IMP_ARR) {
			imp_error_at_path(r, p, "\"%s\" must be an array", p->frames[0].key);
			return IMP_STOP;
		}
		c->saw_list = true;
		return IMP_DESCEND;
	}
	if (type != IMP_OBJ) {
		imp_error_at_path(r, p, "a job must be an object");
		return IMP_STOP;
	}
	return IMP_RECORD;
}

/* Field idx (0-based, split at ':') of an ARN, or NULL. */
static const char *arn_field(struct imp_run *r, const char *arn, int idx)
{
	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	const char *s = arn;
	for (int i = 0; i < idx; i++) {
		s = strchr(s, ':');
		if (!s)
			return NULL;
		s++;
	}
	size_t len = strcspn(s, ":");
	if (!len)
		return NULL;
	return imp_tmp_strndup(r, s, len);
}

#define ARN_REGION 3
#define ARN_ACCOUNT 4

struct state_map {
	const char *aws;
	const char *status;
};

static const char *map_state(struct imp_run *r, const struct imp_node *rec, const char *key,
			     const struct state_map *m, size_t n)
{
	const struct imp_node *s = imp_get(r, rec, key);
	if (!s) {
		imp_error(r, rec, "missing required key \"%s\"", key);
		return NULL;
	}
	if (s->type != IMP_STR) {
		imp_error(r, s, "\"%s\" must be a string", key);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s->str, m[i].aws) == 0)
			return m[i].status;
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", m[i].aws);
	imp_error(r, s, "unknown %s %s (the service model has %s)", key, imp_quote(r, s->str),
		  b.data);
	buf_free(&b);
	return NULL;
}

static const struct state_map backup_states[] = {
	{"CREATED", "running"}, {"PENDING", "running"}, {"RUNNING", "running"},
	{"ABORTING", "running"}, {"ABORTED", "failed"}, {"COMPLETED", "success"},
	{"FAILED", "failed"}, {"EXPIRED", "failed"}, {"PARTIAL", "partial"},
};

static const struct state_map copy_states[] = {
	{"CREATED", "running"}, {"RUNNING", "running"}, {"COMPLETED", "success"},
	{"FAILED", "failed"}, {"PARTIAL", "partial"},
};

static const struct state_map restore_states[] = {
	{"PENDING", "running"}, {"RUNNING", "running"}, {"COMPLETED", "success"},
	{"ABORTED", "failed"}, {"FAILED", "failed"},
};

static const struct state_map validation_states[] = {
	{"SUCCESSFUL", "success"}, {"FAILED", "failed"}, {"TIMED_OUT", "failed"},
	{"VALIDATING", "running"},
};

static bool is_parent(struct imp_run *r, const struct imp_node *rec)
{
	bool p = false;
	return imp_get_bool(r, rec, "IsParent", &p) && p;
}

/* Optional string members, quietly absent when not strings of the model. */
static const char *opt_str(struct imp_run *r, const struct imp_node *rec, const char *key)
{
	const char *s = NULL;
	imp_get_str(r, rec, key, false, &s);
	return s && *s ? s : NULL;
}

/*
 * A job that failed without starting (EXPIRED: its start window passed;
 * ABORTED before it ran) has no CompletionDate: it ended when its window
 * did (StartBy), else when it was created.
 */
static void times(struct imp_run *r, const struct imp_node *rec, struct imp_rec *o)
{
	imp_get_time(r, rec, "CreationDate", true, NULL, &o->started);
	imp_get_time(r, rec, "CompletionDate", false, NULL, &o->finished);
	if (o->finished != DATE_NONE || !o->status || strcmp(o->status, "failed") != 0 ||
	    o->started == DATE_NONE)
		return;
	int64_t by = DATE_NONE;
	if (imp_get(r, rec, "StartBy"))
		imp_get_time(r, rec, "StartBy", false, NULL, &by);
	o->finished = by != DATE_NONE && by >= o->started ? by : o->started;
	imp_rec_prov(o, "finished_from", by != DATE_NONE && by >= o->started
					       ? "StartBy" : "CreationDate");
}

static void lifecycle(struct imp_run *r, const struct imp_node *rec, const char *key,
		      struct imp_rec *o)
{
	const struct imp_node *l = imp_get(r, rec, key);
	if (!l || l->type != IMP_OBJ)
		return;
	const struct imp_node *days = imp_get(r, l, "DeleteAfterDays");
	if (days && days->type == IMP_NUM && days->str[0] != '-')
		o->has_retention = imp_num_u64(r, days, &o->retention_days);
}

static void size_of(struct imp_run *r, const struct imp_node *rec, struct imp_rec *o)
{
	uint64_t bytes;
	if (!imp_get_u64(r, rec, "BackupSizeInBytes", false, &bytes))
		return;
	/* RDS and Aurora jobs report 0: the size is not known, not zero */
	const char *type = opt_str(r, rec, "ResourceType");
	if (bytes == 0 && type && (strcmp(type, "RDS") == 0 || strcmp(type, "Aurora") == 0))
		return;
	o->has_bytes = true;
	o->bytes = bytes;
}

static void backup_job(struct imp_run *r, const struct imp_node *rec)
{
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	const char *status = map_state(r, rec, "State", backup_states, ARRAY_LEN(backup_states));
	if (!status)
		return;
	if (is_parent(r, rec)) {
		imp_skip(r, rec, "composite parent job (its child jobs are the records)", NULL);
		return;
	}
	imp_get_str(r, rec, "BackupJobId", true, &o.id);
	o.status = status;
	times(r, rec, &o);
	const char *rp = opt_str(r, rec, "RecoveryPointArn");
	o.type = rp && strstr(rp, ":recovery-point:continuous:") ? "continuous" : "snapshot";
	const char *vault_arn = opt_str(r, rec, "BackupVaultArn");
	const char *resource = opt_str(r, rec, "ResourceArn");
	o.region = arn_field(r, vault_arn, ARN_REGION);
	if (!o.region)
		o.region = arn_field(r, resource, ARN_REGION);
	const char *vtype = opt_str(r, rec, "VaultType");
	bool airgap = vtype && strcmp(vtype, "LOGICALLY_AIR_GAPPED_BACKUP_VAULT") == 0;
	if (airgap)
		o.location = "offsite";
	const char *lock = opt_str(r, rec, "VaultLockState");
	if (airgap || (lock && strcmp(lock, "LOCKED") == 0))
		o.immutable = IMP_TRUE;
	bool enc;
	if (imp_get_bool(r, rec, "IsEncrypted", &enc))
		o.encryption = enc ? "kms" : "none";
	size_of(r, rec, &o);
	lifecycle(r, rec, "RecoveryPointLifecycle", &o);
	imp_rec_cand(&o, resource);
	imp_rec_cand(&o, opt_str(r, rec, "ResourceName"));
	imp_rec_prov(&o, "resource_arn", resource);
	imp_rec_prov(&o, "resource_type", opt_str(r, rec, "ResourceType"));
	imp_rec_prov(&o, "vault", opt_str(r, rec, "BackupVaultName"));
	imp_rec_prov(&o, "vault_arn", vault_arn);
	imp_rec_prov(&o, "recovery_point_arn", rp);
	imp_rec_prov(&o, "account_id", opt_str(r, rec, "AccountId"));
	imp_rec_prov(&o, "state", imp_get(r, rec, "State")->str);
	imp_rec_prov(&o, "parent_job_id", opt_str(r, rec, "ParentJobId"));
	imp_rec_prov(&o, "encryption_key_arn", opt_str(r, rec, "EncryptionKeyArn"));
	imp_emit(r, rec, &o);
}

static void copy_job(struct imp_run *r, const struct imp_node *rec)
{
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	const char *status = map_state(r, rec, "State", copy_states, ARRAY_LEN(copy_states));
	if (!status)
		return;
	if (is_parent(r, rec)) {
		imp_skip(r, rec, "composite parent job (its child jobs are the records)", NULL);
		return;
	}
	imp_get_str(r, rec, "CopyJobId", true, &o.id);
	o.status = status;
	times(r, rec, &o);
	o.type = "snapshot";
	const char *src = opt_str(r, rec, "SourceBackupVaultArn");
	const char *dst = opt_str(r, rec, "DestinationBackupVaultArn");
	const char *sreg = arn_field(r, src, ARN_REGION), *dreg = arn_field(r, dst, ARN_REGION);
	const char *sacc = arn_field(r, src, ARN_ACCOUNT), *dacc = arn_field(r, dst, ARN_ACCOUNT);
	const char *vtype = opt_str(r, rec, "DestinationVaultType");
	bool airgap = vtype && strcmp(vtype, "LOGICALLY_AIR_GAPPED_BACKUP_VAULT") == 0;
	if (airgap || (sacc && dacc && strcmp(sacc, dacc) != 0))
		o.location = "offsite";
	else if (sreg && dreg && strcmp(sreg, dreg) != 0)
		o.location = "secondary";
	o.region = dreg;
	const char *lock = opt_str(r, rec, "DestinationVaultLockState");
	if (airgap || (lock && strcmp(lock, "LOCKED") == 0))
		o.immutable = IMP_TRUE;
	size_of(r, rec, &o);
	lifecycle(r, rec, "DestinationRecoveryPointLifecycle", &o);
	const char *resource = opt_str(r, rec, "ResourceArn");
	imp_rec_cand(&o, resource);
	imp_rec_cand(&o, opt_str(r, rec, "ResourceName"));
	imp_rec_prov(&o, "resource_arn", resource);
	imp_rec_prov(&o, "resource_type", opt_str(r, rec, "ResourceType"));
	imp_rec_prov(&o, "source_vault_arn", src);
	imp_rec_prov(&o, "vault_arn", dst);
	imp_rec_prov(&o, "source_recovery_point_arn", opt_str(r, rec, "SourceRecoveryPointArn"));
	imp_rec_prov(&o, "recovery_point_arn", opt_str(r, rec, "DestinationRecoveryPointArn"));
	imp_rec_prov(&o, "account_id", opt_str(r, rec, "AccountId"));
	imp_rec_prov(&o, "state", imp_get(r, rec, "State")->str);
	imp_rec_prov(&o, "parent_job_id", opt_str(r, rec, "ParentJobId"));
	imp_rec_prov(&o, "backup_job_id", opt_str(r, rec, "CreatedByBackupJobId"));
	imp_emit(r, rec, &o);
}

static void restore_job(struct imp_run *r, const struct imp_node *rec)
{
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_RESTORE_TEST);
	const char *status = map_state(r, rec, "Status", restore_states,
				       ARRAY_LEN(restore_states));
	if (!status)
		return;
	if (is_parent(r, rec)) {
		imp_skip(r, rec, "composite parent job (its child jobs are the records)", NULL);
		return;
	}
	/* a restore testing job is only done when its validation is */
	const struct imp_node *v = imp_get(r, rec, "ValidationStatus");
	if (v && strcmp(status, "success") == 0) {
		status = map_state(r, rec, "ValidationStatus", validation_states,
				   ARRAY_LEN(validation_states));
		if (!status)
			return;
	}
	imp_get_str(r, rec, "RestoreJobId", true, &o.id);
	o.status = status;
	o.method = "restore";
	times(r, rec, &o);
	const char *rp = opt_str(r, rec, "RecoveryPointArn");
	o.tested_backup = rp;
	imp_get_time(r, rec, "RecoveryPointCreationDate", false, NULL, &o.tested_backup_time);
	if (!o.tested_backup && o.tested_backup_time == DATE_NONE) {
		imp_skip(r, rec, "restore job names no recovery point", NULL);
		return;
	}
	o.target = opt_str(r, rec, "CreatedResourceArn");
	o.region = arn_field(r, rp, ARN_REGION);
	const char *resource = opt_str(r, rec, "SourceResourceArn");
	imp_rec_cand(&o, resource);
	imp_rec_prov(&o, "resource_arn", resource);
	imp_rec_prov(&o, "resource_type", opt_str(r, rec, "ResourceType"));
	imp_rec_prov(&o, "vault_arn", opt_str(r, rec, "BackupVaultArn"));
	imp_rec_prov(&o, "account_id", opt_str(r, rec, "AccountId"));
	imp_rec_prov(&o, "state", imp_get(r, rec, "Status")->str);
	imp_rec_prov(&o, "validation_status", v && v->type == IMP_STR ? v->str : NULL);
	const struct imp_node *by = imp_get(r, rec, "CreatedBy");
	imp_rec_prov(&o, "restore_testing_plan_arn", opt_str(r, by, "RestoreTestingPlanArn"));
	imp_rec_prov(&o, "deletion_status", opt_str(r, rec, "DeletionStatus"));
	imp_emit(r, rec, &o);
}

static void aws_record(struct imp_run *r, const struct imp_path *p, const struct imp_node *rec)
{
	switch (list_of(p->frames[0].key)) {
	case AWS_BACKUP: backup_job(r, rec); break;
	case AWS_COPY: copy_job(r, rec); break;
	case AWS_RESTORE: restore_job(r, rec); break;
	case AWS_NONE: break;
	}
}

const struct imp_tool imp_tool_aws_backup = {
	.name = "aws-backup",
	.what = "aws backup list-backup-jobs / list-copy-jobs / list-restore-jobs JSON",
	.passes = 1,
	.ctx_size = sizeof(struct aws_ctx),
	.classify = aws_classify,
	.record = aws_record,
	.begin_file = aws_begin,
	.end_file = aws_end,
};
