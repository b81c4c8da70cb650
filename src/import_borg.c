/*
 * import_borg.c -- `drgen import borg`: `borg info --json` and `borg list
 * --json` (an object with "archives", "repository" and "encryption").
 *
 * Borg 1.x prints local times without an offset: --tz says which offset
 * they are in, and its absence is an error, never a guess.  Borg 2 prints
 * offsets.  The repository and encryption come after the archives, so the
 * file is read twice.  `borg list` gives only the start of an archive,
 * which is then also its finish; `borg info` gives both and the bytes the
 * archive added to the repository (stats.deduplicated_size).  An archive's
 * datastore is found by its name (sources ending in * match a prefix, as
 * Borg archive names usually end in a date), then the repository location.
 */
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "import.h"

struct borg_ctx {
	char *repo_location, *repo_id, *mode;
	bool saw_archives;
};

static const char naive_hint[] = "Borg 1.x prints local time without an offset";

static void borg_free(struct borg_ctx *c)
{
	free(c->repo_location);
	free(c->repo_id);
	free(c->mode);
	memset(c, 0, sizeof(*c));
}

static void borg_begin(struct imp_run *r)
{
	borg_free(imp_ctx(r));
}

static void borg_end(struct imp_run *r, bool ok)
{
	struct borg_ctx *c = imp_ctx(r);
	if (ok && !c->saw_archives)
		imp_error_file(r, "no \"archives\" list: not the output of borg info --json "
			  "or borg list --json");
	borg_free(c);
}

static enum imp_action borg_classify(struct imp_run *r, const struct imp_path *p,
				     enum imp_type type)
{
	struct borg_ctx *c = imp_ctx(r);
	if (p->depth == 0) {
		if (type == IMP_OBJ)
			return IMP_DESCEND;
		imp_error_at_path(r, p, "expected an object with \"archives\" (borg info "
				  "--json or borg list --json)");
		return IMP_STOP;
	}
	bool archives = strcmp(p->frames[0].key, "archives") == 0;
	if (p->depth == 1) {
		if (imp_run_pass(r) == 1) {
			if (archives)
				return IMP_SKIP;
			return strcmp(p->frames[0].key, "repository") == 0 ||
					       strcmp(p->frames[0].key, "encryption") == 0
				       ? IMP_RECORD : IMP_SKIP;
		}
		if (!archives)
			return IMP_SKIP;
		if (type != IMP_ARR) {
			imp_error_at_path(r, p, "\"archives\" must be an array");
			return IMP_STOP;
		}
		c->saw_archives = true;
		return IMP_DESCEND;
	}
	if (type != IMP_OBJ) {
		imp_error_at_path(r, p, "an archive must be an object");
		return IMP_STOP;
	}
	return IMP_RECORD;
}

static void keep(struct imp_run *r, const struct imp_node *obj, const char *key, char **out)
{
	const char *s = NULL;
	if (imp_get_str(r, obj, key, false, &s)) {
		free(*out);
		*out = xstrdup(s);
	}
}

static void archive(struct imp_run *r, const struct imp_node *a)
{
	struct borg_ctx *c = imp_ctx(r);
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	imp_get_str(r, a, "id", true, &o.id);
	const char *name = NULL;
	imp_get_str(r, a, "name", false, &name);
	o.type = "snapshot";
	o.status = "success";
	const char *start_key = imp_get(r, a, "start") ? "start" : "time";
	imp_get_time(r, a, start_key, true, naive_hint, &o.started);
	if (imp_get(r, a, "end"))
		imp_get_time(r, a, "end", true, naive_hint, &o.finished);
	else
		o.finished = o.started;
	const struct imp_node *stats = imp_get(r, a, "stats");
	if (stats)
		o.has_bytes = imp_get_u64(r, stats, "deduplicated_size", false, &o.bytes);
	if (c->mode)
		o.encryption = strcmp(c->mode, "none") == 0 ||
				       strncmp(c->mode, "authenticated", 13) == 0
			       ? "none" : c->mode;
	imp_rec_cand(&o, name);
	imp_rec_cand(&o, c->repo_location);
	imp_rec_prov(&o, "archive", name);
	imp_rec_prov(&o, "repository", c->repo_location);
	imp_rec_prov(&o, "repository_id", c->repo_id);
	imp_rec_prov(&o, "encryption_mode", c->mode);
	const char *host = NULL;
	imp_get_str(r, a, "hostname", false, &host);
	imp_rec_prov(&o, "hostname", host);
	imp_emit(r, a, &o);
}

static void borg_record(struct imp_run *r, const struct imp_path *p, const struct imp_node *n)
{
	struct borg_ctx *c = imp_ctx(r);
	if (imp_run_pass(r) == 2) {
		archive(r, n);
		return;
	}
	if (strcmp(p->frames[0].key, "repository") == 0) {
		keep(r, n, "location", &c->repo_location);
		keep(r, n, "id", &c->repo_id);
	} else {
		keep(r, n, "mode", &c->mode);
	}
}

const struct imp_tool imp_tool_borg = {
	.name = "borg",
	.what = "borg info --json / borg list --json (1.x needs --tz)",
	.passes = 2,
	.ctx_size = sizeof(struct borg_ctx),
	.classify = borg_classify,
	.record = borg_record,
	.begin_file = borg_begin,
	.end_file = borg_end,
};
