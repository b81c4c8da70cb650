/*
 * import_azure.c -- `drgen import azure-backup`: `az backup job list -o
 * json` (an array of jobs), the REST API's {"value": [...]} page, or one
 * job object.
 *
 * Backup operations are backups; Restore operations are restore tests when
 * they name the recovery point they restored (propertyBag "Recovery point
 * time"); other operations (ConfigureBackup, DeleteBackupData...) are
 * skipped with their name.  Status: Completed, CompletedWithWarnings
 * (partial), Failed, Cancelled (failed), InProgress and Cancelling
 * (running).  Sizes are strings with a unit ("2332 MB", powers of 1024).
 * Azure Backup encrypts all data at rest (Storage Service Encryption).
 */
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "import.h"

struct az_ctx {
	bool is_page;
};

static void az_begin(struct imp_run *r)
{
	struct az_ctx *c = imp_ctx(r);
	c->is_page = false;
}

static enum imp_action az_classify(struct imp_run *r, const struct imp_path *p,
				   enum imp_type type)
{
	struct az_ctx *c = imp_ctx(r);
	if (p->depth == 0) {
		if (type == IMP_ARR)
			return imp_run_pass(r) == 1 ? IMP_SKIP : IMP_DESCEND;
		if (type != IMP_OBJ) {
			imp_error_at_path(r, p, "expected an array of jobs (az backup job list "
					  "-o json)");
			return IMP_STOP;
		}
		return imp_run_pass(r) == 2 && !c->is_page ? IMP_RECORD : IMP_DESCEND;
	}
	if (p->depth == 1 && !p->frames[0].is_array) {
		if (strcmp(p->frames[0].key, "value") != 0)
			return IMP_SKIP;
		if (type != IMP_ARR) {
			imp_error_at_path(r, p, "\"value\" must be an array");
			return IMP_STOP;
		}
		c->is_page = true;
		return imp_run_pass(r) == 1 ? IMP_SKIP : IMP_DESCEND;
	}
	if (type != IMP_OBJ) {
		imp_error_at_path(r, p, "a job must be an object");
		return IMP_STOP;
	}
	return IMP_RECORD;
}

static const struct {
	const char *az, *status;
} statuses[] = {
	{"Completed", "success"}, {"CompletedWithWarnings", "partial"}, {"Failed", "failed"},
	{"Cancelled", "failed"}, {"InProgress", "running"}, {"Cancelling", "running"},
};

/* "2332 MB" -> bytes (units are powers of 1024) */
static bool size_bytes(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return false;
	while (*end == ' ')
		end++;
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	double mul = 1;
	for (size_t i = 0; i < ARRAY_LEN(units); i++, mul *= 1024) {
		if (strcmp(end, units[i]) == 0) {
			double b = v * mul;
			if (b > 1.8e19)
				return false;
			*out = (uint64_t)b;
			return true;
		}
	}
	return false;
}

static const char *str_at(struct imp_run *r, const struct imp_node *obj, const char *key)
{
	const char *s = NULL;
	imp_get_str(r, obj, key, false, &s);
	return s && *s ? s : NULL;
}

static const char *vault_of(struct imp_run *r, const char *id)
{
	const char *v = id ? strstr(id, "/vaults/") : NULL;
	if (!v)
		return NULL;
	v += 8;
	return imp_tmp_printf(r, "%.*s", (int)strcspn(v, "/"), v);
}

static void az_record(struct imp_run *r, const struct imp_path *p, const struct imp_node *j)
{
	(void)p;
	if (imp_run_pass(r) == 1)
		return;
	const struct imp_node *pr = imp_get(r, j, "properties");
	if (!pr || pr->type != IMP_OBJ) {
		imp_error(r, j, "a job must have a \"properties\" object");
		return;
	}
	const char *op = str_at(r, pr, "operation");
	bool is_restore = op && (strcmp(op, "Restore") == 0 || strcmp(op, "CrossRegionRestore") == 0);
	if (!op || (strcmp(op, "Backup") != 0 && !is_restore)) {
		imp_skip(r, j, "not a backup or restore operation",
			 op ? imp_quote(r, op) : "no operation");
		return;
	}
	struct imp_rec o;
	imp_rec_init(r, &o, is_restore ? IMP_RESTORE_TEST : IMP_BACKUP);
	const struct imp_node *st = imp_get(r, pr, "status");
	if (!st || st->type != IMP_STR) {
		imp_error(r, pr, "missing required key \"status\"");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		if (strcmp(st->str, statuses[i].az) == 0)
			o.status = statuses[i].status;
	}
	if (!o.status) {
		imp_error(r, st, "unknown status %s (Azure Backup has InProgress, "
			  "Completed, CompletedWithWarnings, Failed, Cancelled, Cancelling)",
			  imp_quote(r, st->str));
		return;
	}
	o.id = str_at(r, j, "name");
	const char *full = str_at(r, j, "id");
	imp_get_time(r, pr, "startTime", false, NULL, &o.started);
	imp_get_time(r, pr, "endTime", false, NULL, &o.finished);
	const struct imp_node *ext = imp_get(r, pr, "extendedInfo");
	const struct imp_node *bag = imp_get(r, ext, "propertyBag");
	const char *item = str_at(r, pr, "entityFriendlyName");
	imp_rec_cand(&o, item);
	if (is_restore) {
		o.method = "restore";
		const struct imp_node *rp = imp_get(r, bag, "Recovery point time");
		int64_t t;
		if (rp && rp->type == IMP_STR && date_parse_rfc3339(rp->str, rp->len, &t))
			o.tested_backup_time = t;
		else {
			imp_skip(r, j, "restore job without a recovery point time drgen can read",
				 NULL);
			return;
		}
	} else {
		o.type = "snapshot";
		o.encryption = "azure-storage-sse";
		const char *size = str_at(r, bag, "Backup Size");
		if (size) {
			if (!size_bytes(size, &o.bytes)) {
				imp_error(r, imp_get(r, bag, "Backup Size"),
					  "invalid size %s (expected a number and B, KB, "
					  "MB, GB or TB)", imp_quote(r, size));
				return;
			}
			o.has_bytes = true;
		}
	}
	imp_rec_prov(&o, "job_id", full);
	imp_rec_prov(&o, "vault", vault_of(r, full));
	imp_rec_prov(&o, "item", item);
	imp_rec_prov(&o, "job_type", str_at(r, pr, "jobType"));
	imp_rec_prov(&o, "backup_management_type", str_at(r, pr, "backupManagementType"));
	imp_rec_prov(&o, "operation", op);
	imp_rec_prov(&o, "status", st->str);
	imp_rec_prov(&o, "activity_id", str_at(r, pr, "activityId"));
	imp_emit(r, j, &o);
}

const struct imp_tool imp_tool_azure_backup = {
	.name = "azure-backup",
	.what = "az backup job list -o json (or the REST API's jobs)",
	.passes = 2,
	.ctx_size = sizeof(struct az_ctx),
	.classify = az_classify,
	.record = az_record,
	.begin_file = az_begin,
};
