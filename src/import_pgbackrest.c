/*
 * import_pgbackrest.c -- `drgen import pgbackrest`: `pgbackrest info
 * --output=json`, an array of stanzas each with its backups.
 *
 * pgBackRest sorts keys, so a stanza's "name" and "repo" come after its
 * "backup" list: the file is read twice, first for every stanza's name and
 * repositories (the backup lists skipped), then for the backups.  The stanza
 * is the datastore's foreign name; full, diff and incr become full,
 * incremental and incremental; bytes are what the backup stored in the
 * repository (info.repository.delta); "error": true (page checksum errors,
 * 2.36 and later) makes the backup partial with a failed checksum
 * verification.  Each repository key is a location: key 1 primary, others
 * secondary, unless --location KEY=L says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "import.h"

#define PGB_REPOS 8

struct pgb_stanza {
	char *name;
	char *cipher;                 /* the stanza's */
	char *repo_cipher[PGB_REPOS + 1];
};

struct pgb_ctx {
	struct pgb_stanza *st;
	size_t n, cap;
};

static void pgb_free(struct pgb_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->st[i].name);
		free(c->st[i].cipher);
		for (size_t k = 0; k <= PGB_REPOS; k++)
			free(c->st[i].repo_cipher[k]);
	}
	free(c->st);
	memset(c, 0, sizeof(*c));
}

static void pgb_begin(struct imp_run *r)
{
	pgb_free(imp_ctx(r));
}

static struct pgb_stanza *stanza(struct pgb_ctx *c, size_t idx)
{
	while (c->n <= idx) {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 8;
			c->st = xrealloc(c->st, c->cap * sizeof(*c->st));
		}
		memset(&c->st[c->n++], 0, sizeof(c->st[0]));
	}
	return &c->st[idx];
}

static enum imp_action pgb_classify(struct imp_run *r, const struct imp_path *p,
				    enum imp_type type)
{
	if (p->depth == 0) {
		if (type == IMP_ARR)
			return IMP_DESCEND;
		imp_error_at_path(r, p, "expected an array of stanzas (pgbackrest info "
				  "--output=json)");
		return IMP_STOP;
	}
	if (p->depth == 1) {
		if (type == IMP_OBJ)
			return IMP_DESCEND;
		imp_error_at_path(r, p, "a stanza must be an object");
		return IMP_STOP;
	}
	bool backups = strcmp(p->frames[1].key, "backup") == 0;
	if (p->depth == 2) {
		if (imp_run_pass(r) == 1)
			return backups ? IMP_SKIP : IMP_RECORD;
		if (!backups)
			return IMP_SKIP;
		if (type == IMP_ARR)
			return IMP_DESCEND;
		imp_error_at_path(r, p, "\"backup\" must be an array");
		return IMP_STOP;
	}
	if (type != IMP_OBJ) {
		imp_error_at_path(r, p, "a backup must be an object");
		return IMP_STOP;
	}
	return IMP_RECORD;
}

/* Pass 1: a member of a stanza other than its backups. */
static void stanza_member(struct imp_run *r, const struct imp_path *p,
			  const struct imp_node *n)
{
	struct pgb_stanza *s = stanza(imp_ctx(r), p->frames[0].index);
	const char *key = p->frames[1].key;
	if (strcmp(key, "name") == 0) {
		if (n->type != IMP_STR || !*n->str)
			imp_error(r, n, "a stanza's \"name\" must be a non-empty string");
		else {
			free(s->name);   /* a name given twice: the last one */
			s->name = xstrdup(n->str);
		}
	} else if (strcmp(key, "cipher") == 0 && n->type == IMP_STR) {
		free(s->cipher);
		s->cipher = xstrdup(n->str);
	} else if (strcmp(key, "repo") == 0 && n->type == IMP_ARR) {
		for (const struct imp_node *e = n->child; e; e = e->next) {
			uint64_t k = 0;
			const char *cipher = NULL;
			if (!imp_get_u64(r, e, "key", false, &k) || k == 0 || k > PGB_REPOS)
				continue;
			if (imp_get_str(r, e, "cipher", false, &cipher)) {
				free(s->repo_cipher[k]);
				s->repo_cipher[k] = xstrdup(cipher);
			}
		}
	}
}

static const char *location_of(struct imp_run *r, uint64_t key)
{
	const struct imp_options *o = imp_run_options(r);
	char want[24];
	snprintf(want, sizeof(want), "%llu=", (unsigned long long)key);
	for (size_t i = 0; i < o->n_locations; i++) {
		if (strncmp(o->locations[i], want, strlen(want)) == 0)
			return o->locations[i] + strlen(want);
	}
	if (key <= 1)
		return NULL;  /* --location, else primary */
	return "secondary";
}

static void backup(struct imp_run *r, const struct imp_path *p, const struct imp_node *b)
{
	struct pgb_ctx *c = imp_ctx(r);
	size_t idx = p->frames[0].index;
	struct pgb_stanza *s = idx < c->n ? &c->st[idx] : NULL;
	struct imp_rec o;
	imp_rec_init(r, &o, IMP_BACKUP);
	const char *type = NULL;
	if (!imp_get_str(r, b, "type", true, &type))
		return;
	if (strcmp(type, "full") == 0)
		o.type = "full";
	else if (strcmp(type, "diff") == 0 || strcmp(type, "incr") == 0)
		o.type = "incremental";
	else {
		imp_error(r, imp_get(r, b, "type"), "unknown backup type %s (pgBackRest "
			  "has full, diff and incr)", imp_quote(r, type));
		return;
	}
	imp_get_str(r, b, "label", true, &o.id);
	const struct imp_node *ts = imp_get(r, b, "timestamp");
	if (!ts || ts->type != IMP_OBJ) {
		imp_error(r, b, "missing \"timestamp\" object");
		return;
	}
	imp_get_time(r, ts, "start", true, NULL, &o.started);
	imp_get_time(r, ts, "stop", true, NULL, &o.finished);
	o.status = "success";
	bool err = false;
	if (imp_get_bool(r, b, "error", &err) && err) {
		o.status = "partial";
		o.verification = "checksum";
		o.verified_ok = IMP_FALSE;
	}
	const struct imp_node *info = imp_get(r, b, "info");
	const struct imp_node *repo = imp_get(r, info, "repository");
	if (repo)
		o.has_bytes = imp_get_u64(r, repo, "delta", false, &o.bytes);
	uint64_t key = 1;
	const struct imp_node *db = imp_get(r, b, "database");
	if (db)
		imp_get_u64(r, db, "repo-key", false, &key);
	o.location = location_of(r, key);
	const char *cipher = s ? s->cipher : NULL;
	if (s && key <= PGB_REPOS && s->repo_cipher[key])
		cipher = s->repo_cipher[key];
	if (cipher)
		o.encryption = cipher;   /* "none" or "aes-256-cbc" */
	if (!s || !s->name) {
		imp_error(r, b, "the stanza of this backup has no \"name\"");
		return;
	}
	imp_rec_cand(&o, s->name);
	const struct imp_node *br = imp_get(r, b, "backrest");
	const char *ver = NULL;
	if (br)
		imp_get_str(r, br, "version", false, &ver);
	imp_rec_prov(&o, "tool_version", ver);
	imp_rec_prov(&o, "stanza", s->name);
	imp_rec_prov(&o, "repo_key", imp_tmp_printf(r, "%llu", (unsigned long long)key));
	imp_rec_prov(&o, "pgbackrest_type", type);
	const char *prior = NULL;
	imp_get_str(r, b, "prior", false, &prior);
	imp_rec_prov(&o, "prior", prior);
	imp_emit(r, b, &o);
}

static void pgb_record(struct imp_run *r, const struct imp_path *p, const struct imp_node *n)
{
	if (imp_run_pass(r) == 1)
		stanza_member(r, p, n);
	else
		backup(r, p, n);
}

static void pgb_end(struct imp_run *r, bool ok)
{
	(void)ok;
	pgb_free(imp_ctx(r));
}

const struct imp_tool imp_tool_pgbackrest = {
	.name = "pgbackrest",
	.what = "pgbackrest info --output=json",
	.passes = 2,
	.ctx_size = sizeof(struct pgb_ctx),
	.classify = pgb_classify,
	.record = pgb_record,
	.begin_file = pgb_begin,
	.end_file = pgb_end,
};
