/*
 * import_restic.c -- `drgen import restic`: `restic snapshots --json` (an
 * array of snapshots) or one snapshot object.
 *
 * Only a successful backup leaves a snapshot, so every record is a success:
 * restic records no failures.  restic 0.17 and later add a "summary" with
 * the backup's start and end and the bytes it added; 0.16 and earlier give
 * only "time" (when the backup started), which is then also the finish
 * time.  Every restic repository is encrypted (AES-256 in counter mode with
 * a Poly1305-AES MAC).  A snapshot's datastore is found by its tags, then
 * "host:path" for each path, then its host.
 */
#include <string.h>

#include "dates.h"
#include "import.h"

static enum imp_action restic_classify(struct imp_run *r, const struct imp_path *p,
				       enum imp_type type)
{
	if (p->depth == 0 && type == IMP_ARR)
		return IMP_DESCEND;
	if (type == IMP_OBJ && p->depth <= 1)
		return IMP_RECORD;
	imp_error_at_path(r, p, p->depth == 0
			  ? "expected an array of snapshots (restic snapshots --json)"
			  : "a snapshot must be an object");
	return IMP_STOP;
}

static const char *join(struct imp_run *r, const struct imp_node *arr)
{
	if (!arr || arr->type != IMP_ARR || !arr->n)
		return NULL;
	struct buf b = BUF_INIT;
	for (const struct imp_node *e = arr->child; e; e = e->next) {
		if (e->type == IMP_STR)
			buf_printf(&b, "%s%s", b.len ? "," : "", e->str);
	}
	const char *s = b.len ? imp_tmp_printf(r, "%s", b.data) : NULL;
	buf_free(&b);
	return s;
}

static void restic_record(struct imp_run *r, const struct imp_path *p,
			  const struct imp_node *s)
{
	(void)p;
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	if (!imp_get(r, s, "id")) {
		imp_skip(r, s, "snapshot without an id (restic cat snapshot prints none; "
			 "use restic snapshots --json)", NULL);
		return;
	}
	imp_get_str(r, s, "id", true, &o.id);
	o.type = "snapshot";
	o.status = "success";
	o.encryption = "aes-256-ctr-poly1305";
	const struct imp_node *sum = imp_get(r, s, "summary");
	if (sum && sum->type == IMP_OBJ) {
		imp_get_time(r, sum, "backup_start", true, NULL, &o.started);
		imp_get_time(r, sum, "backup_end", true, NULL, &o.finished);
		if (imp_get(r, sum, "data_added_packed"))
			o.has_bytes = imp_get_u64(r, sum, "data_added_packed", false, &o.bytes);
		else
			o.has_bytes = imp_get_u64(r, sum, "data_added", false, &o.bytes);
	} else {
		imp_get_time(r, s, "time", true, NULL, &o.started);
		o.finished = o.started;
	}
	const char *host = NULL;
	imp_get_str(r, s, "hostname", false, &host);
	const struct imp_node *tags = imp_get(r, s, "tags");
	if (tags && tags->type == IMP_ARR) {
		for (const struct imp_node *e = tags->child; e; e = e->next) {
			if (e->type == IMP_STR)
				imp_rec_cand(&o, e->str);
		}
	}
	const struct imp_node *paths = imp_get(r, s, "paths");
	if (paths && paths->type == IMP_ARR) {
		for (const struct imp_node *e = paths->child; e; e = e->next) {
			if (e->type == IMP_STR)
				imp_rec_cand(&o, imp_tmp_printf(r, "%s:%s", host ? host : "",
								e->str));
		}
	}
	imp_rec_cand(&o, host);
	const char *ver = NULL;
	imp_get_str(r, s, "program_version", false, &ver);
	imp_rec_prov(&o, "tool_version", ver);
	imp_rec_prov(&o, "hostname", host);
	imp_rec_prov(&o, "paths", join(r, paths));
	imp_rec_prov(&o, "tags", join(r, tags));
	const char *tree = NULL, *parent = NULL;
	imp_get_str(r, s, "tree", false, &tree);
	imp_get_str(r, s, "parent", false, &parent);
	imp_rec_prov(&o, "tree", tree);
	imp_rec_prov(&o, "parent", parent);
	imp_emit(r, s, &o);
}

const struct imp_tool imp_tool_restic = {
	.name = "restic",
	.what = "restic snapshots --json (0.16 and 0.17+)",
	.passes = 1,
	.classify = restic_classify,
	.record = restic_record,
};
