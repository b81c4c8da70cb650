/*
 * import_velero.c -- `drgen import velero`: `velero backup get -o json`,
 * `velero restore get -o json` or `kubectl get backups.velero.io -o json`:
 * a List ({"kind": "BackupList", "items": [...]}) or, when exactly one
 * object matches, the bare Backup or Restore.
 *
 * kubectl sorts keys ("items" before "kind"), so the file is read twice:
 * first to learn whether it is a List, then for the objects.  Backups are
 * backups (Velero records no size); Restores are restore tests of the
 * backup they name.  Phases are mapped per Velero's API; an unknown phase
 * is an error.  The storage location names the location through
 * --location NAME=L (default primary); ttl becomes the retention.
 */
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "import.h"

struct velero_ctx {
	bool is_list;
};

static void velero_begin(struct imp_run *r)
{
	struct velero_ctx *c = imp_ctx(r);
	c->is_list = false;
}

static enum imp_action velero_classify(struct imp_run *r, const struct imp_path *p,
				       enum imp_type type)
{
	struct velero_ctx *c = imp_ctx(r);
	if (p->depth == 0) {
		if (type != IMP_OBJ) {
			imp_error_at_path(r, p, "expected a Velero List or a Backup or Restore "
					  "object (velero backup get -o json)");
			return IMP_STOP;
		}
		if (imp_run_pass(r) == 2 && !c->is_list)
			return IMP_RECORD;
		return IMP_DESCEND;
	}
	bool items = strcmp(p->frames[0].key, "items") == 0;
	if (p->depth == 1) {
		if (!items)
			return IMP_SKIP;
		if (type != IMP_ARR) {
			imp_error_at_path(r, p, "\"items\" must be an array");
			return IMP_STOP;
		}
		c->is_list = true;
		return imp_run_pass(r) == 1 ? IMP_SKIP : IMP_DESCEND;
	}
	if (type != IMP_OBJ) {
		imp_error_at_path(r, p, "an item must be an object");
		return IMP_STOP;
	}
	return IMP_RECORD;
}

struct phase_map {
	const char *phase;
	const char *status;   /* NULL: skipped */
};

static const struct phase_map backup_phases[] = {
	{"New", "running"}, {"Queued", "running"}, {"ReadyToStart", "running"},
	{"InProgress", "running"}, {"WaitingForPluginOperations", "running"},
	{"WaitingForPluginOperationsPartiallyFailed", "running"},
	{"Finalizing", "running"}, {"FinalizingPartiallyFailed", "running"},
	{"Completed", "success"}, {"PartiallyFailed", "partial"}, {"Failed", "failed"},
	{"FailedValidation", "failed"}, {"Deleting", NULL},
};

static const struct phase_map restore_phases[] = {
	{"New", "running"}, {"InProgress", "running"},
	{"WaitingForPluginOperations", "running"},
	{"WaitingForPluginOperationsPartiallyFailed", "running"},
	{"Finalizing", "running"}, {"FinalizingPartiallyFailed", "running"},
	{"Completed", "success"}, {"PartiallyFailed", "partial"}, {"Failed", "failed"},
	{"FailedValidation", "failed"},
};

static bool phase(struct imp_run *r, const struct imp_node *obj, const struct imp_node *st,
		  const struct phase_map *m, size_t n, const char **status)
{
	const struct imp_node *ph = imp_get(r, st, "phase");
	if (!ph) {
		imp_skip(r, obj, "no status.phase (Velero has not processed it yet)", NULL);
		return false;
	}
	if (ph->type != IMP_STR) {
		imp_error(r, ph, "\"phase\" must be a string");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ph->str, m[i].phase) == 0) {
			if (!m[i].status) {
				imp_skip(r, obj, "being deleted (phase Deleting)", NULL);
				return false;
			}
			*status = m[i].status;
			return true;
		}
	}
	imp_error(r, ph, "unknown phase %s", imp_quote(r, ph->str));
	return false;
}

/* Go duration "720h0m0s" in whole days; false when not one. */
static bool ttl_days(const char *s, uint64_t *days)
{
	double secs = 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s)
			return false;
		s = end;
		if (*s == 'h')
			secs += v * 3600;
		else if (*s == 'm' && s[1] == 's')
			secs += v / 1000, s++;
		else if (*s == 'm')
			secs += v * 60;
		else if (*s == 's')
			secs += v;
		else
			return false;
		s++;
	}
	if (secs < 0 || secs > 1e12)
		return false;
	*days = (uint64_t)(secs / 86400);
	return true;
}

static const char *location_of(struct imp_run *r, const char *bsl)
{
	const struct imp_options *o = imp_run_options(r);
	if (!bsl)
		return NULL;
	size_t len = strlen(bsl);
	for (size_t i = 0; i < o->n_locations; i++) {
		if (strncmp(o->locations[i], bsl, len) == 0 && o->locations[i][len] == '=')
			return o->locations[i] + len + 1;
	}
	return NULL;
}

static const char *str_at(struct imp_run *r, const struct imp_node *obj, const char *key)
{
	const char *s = NULL;
	imp_get_str(r, obj, key, false, &s);
	return s && *s ? s : NULL;
}

/* "daily-20240101020000" -> "daily": a scheduled backup's schedule */
static const char *schedule_of(struct imp_run *r, const char *backup)
{
	size_t len = backup ? strlen(backup) : 0;
	if (len < 16 || backup[len - 15] != '-')
		return NULL;
	for (size_t i = len - 14; i < len; i++) {
		if (backup[i] < '0' || backup[i] > '9')
			return NULL;
	}
	return imp_tmp_printf(r, "%.*s", (int)(len - 15), backup);
}

static void common(struct imp_run *r, const struct imp_node *md, const struct imp_node *st,
		   struct imp_rec *o)
{
	o->id = str_at(r, md, "name");
	imp_get_time(r, st, "startTimestamp", false, NULL, &o->started);
	imp_get_time(r, st, "completionTimestamp", false, NULL, &o->finished);
	imp_rec_prov(o, "namespace", str_at(r, md, "namespace"));
	imp_rec_prov(o, "uid", str_at(r, md, "uid"));
	imp_rec_prov(o, "phase", str_at(r, st, "phase"));
}

static void backup(struct imp_run *r, const struct imp_node *b)
{
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	const struct imp_node *md = imp_get(r, b, "metadata");
	const struct imp_node *spec = imp_get(r, b, "spec");
	const struct imp_node *st = imp_get(r, b, "status");
	if (!phase(r, b, st, backup_phases, ARRAY_LEN(backup_phases), &o.status))
		return;
	common(r, md, st, &o);
	if (o.started == DATE_NONE) {
		imp_skip(r, b, "no status.startTimestamp (older Velero versions record no "
			 "times)", NULL);
		return;
	}
	o.type = "snapshot";
	const char *bsl = str_at(r, spec, "storageLocation");
	o.location = location_of(r, bsl);
	const char *ttl = str_at(r, spec, "ttl");
	if (ttl)
		o.has_retention = ttl_days(ttl, &o.retention_days);
	const struct imp_node *labels = imp_get(r, md, "labels");
	const char *sched = str_at(r, labels, "velero.io/schedule-name");
	imp_rec_cand(&o, sched);
	const struct imp_node *ns = imp_get(r, spec, "includedNamespaces");
	if (ns && ns->type == IMP_ARR) {
		for (const struct imp_node *e = ns->child; e; e = e->next) {
			if (e->type == IMP_STR && strcmp(e->str, "*") != 0)
				imp_rec_cand(&o, e->str);
		}
	}
	imp_rec_cand(&o, o.id);
	imp_rec_prov(&o, "schedule", sched);
	imp_rec_prov(&o, "storage_location", bsl);
	imp_rec_prov(&o, "ttl", ttl);
	imp_rec_prov(&o, "expiration", str_at(r, st, "expiration"));
	imp_rec_prov(&o, "format_version", str_at(r, st, "formatVersion"));
	imp_emit(r, b, &o);
}

static void restore(struct imp_run *r, const struct imp_node *x)
{
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_RESTORE_TEST);
	const struct imp_node *md = imp_get(r, x, "metadata");
	const struct imp_node *spec = imp_get(r, x, "spec");
	const struct imp_node *st = imp_get(r, x, "status");
	if (!phase(r, x, st, restore_phases, ARRAY_LEN(restore_phases), &o.status))
		return;
	common(r, md, st, &o);
	o.method = "restore";
	o.tested_backup = str_at(r, spec, "backupName");
	const char *sched = str_at(r, spec, "scheduleName");
	if (!o.tested_backup && !sched) {
		imp_skip(r, x, "restore names no backup or schedule", NULL);
		return;
	}
	imp_rec_cand(&o, sched);
	imp_rec_cand(&o, schedule_of(r, o.tested_backup));
	imp_rec_cand(&o, o.tested_backup);
	imp_rec_prov(&o, "schedule", sched);
	imp_emit(r, x, &o);
}

static void velero_record(struct imp_run *r, const struct imp_path *p,
			  const struct imp_node *n)
{
	(void)p;
	if (imp_run_pass(r) == 1)
		return;
	const char *kind = str_at(r, n, "kind");
	if (kind && strcmp(kind, "Backup") == 0)
		backup(r, n);
	else if (kind && strcmp(kind, "Restore") == 0)
		restore(r, n);
	else if (!kind && p->depth > 0 && imp_get(r, n, "spec"))
		imp_skip(r, n, "item without a \"kind\"", NULL);
	else
		imp_error(r, n, "not a Velero Backup or Restore (kind %s)",
			  kind ? imp_quote(r, kind) : "missing");
}

const struct imp_tool imp_tool_velero = {
	.name = "velero",
	.what = "velero backup/restore get -o json (a List or one object)",
	.passes = 2,
	.ctx_size = sizeof(struct velero_ctx),
	.classify = velero_classify,
	.record = velero_record,
	.begin_file = velero_begin,
};
