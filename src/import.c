/*
 * import.c -- the driver of `drgen import`: runs one importer over its
 * files, resolves datastores (plan "sources", then --map), writes drgen's
 * NDJSON through one writer with a fixed key order, and the provenance
 * sidecar.
 *
 * Output is written to a temporary file beside -o FILE and renamed over it
 * only when no error was found, so a bad export never leaves a half-written
 * log behind.  Every record is either written or skipped with a counted
 * reason; the counts are added as notes at the end.
 */
#include "import_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dates.h"
#include "exit_status.h"
#include "source.h"
#include "zone.h"

const struct imp_tool *const imp_tools[] = {
	&imp_tool_aws_backup, &imp_tool_pgbackrest, &imp_tool_restic, &imp_tool_borg,
	&imp_tool_velero, &imp_tool_azure_backup, NULL,
};

const struct imp_tool *imp_tool_find(const char *name)
{
	for (size_t i = 0; imp_tools[i]; i++) {
		if (strcmp(imp_tools[i]->name, name) == 0)
			return imp_tools[i];
	}
	return NULL;
}

/* ---- accessors ---- */

void *imp_ctx(struct imp_run *r) { return r->ctx; }
int imp_run_pass(const struct imp_run *r) { return r->pass; }
const char *imp_run_file(const struct imp_run *r) { return r->file; }
const struct imp_options *imp_run_options(const struct imp_run *r) { return r->opts; }

static char *tmp_keep(struct imp_run *r, char *s)
{
	if (r->n_tmp == r->cap_tmp) {
		r->cap_tmp = r->cap_tmp ? 2 * r->cap_tmp : 16;
		r->tmp_strs = xrealloc(r->tmp_strs, r->cap_tmp * sizeof(*r->tmp_strs));
	}
	r->tmp_strs[r->n_tmp++] = s;
	return s;
}

char *imp_tmp_strndup(struct imp_run *r, const char *s, size_t len)
{
	return tmp_keep(r, xstrndup(s, len));
}

const char *imp_quote(struct imp_run *r, const char *s)
{
	char out[256];
	diag_quote(out, sizeof(out), s ? s : "", 200);
	return imp_tmp_strndup(r, out, strlen(out));
}

char *imp_tmp_printf(struct imp_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct buf b = BUF_INIT;
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *s = buf_detach(&b, NULL);
	if (!s)
		s = xstrdup("");
	return tmp_keep(r, s);
}

void imp_tmp_reset(struct imp_run *r)
{
	for (size_t i = 0; i < r->n_tmp; i++)
		free(r->tmp_strs[i]);
	r->n_tmp = 0;
}

/* ---- skips ---- */

void imp_skip(struct imp_run *r, const struct imp_node *rec, const char *reason,
	      const char *detail)
{
	r->n_skipped++;
	struct imp_reason *x = NULL;
	for (size_t i = 0; i < r->n_reasons; i++) {
		if (strcmp(r->reasons[i].reason, reason) == 0)
			x = &r->reasons[i];
	}
	if (!x) {
		if (r->n_reasons == r->cap_reasons) {
			r->cap_reasons = r->cap_reasons ? 2 * r->cap_reasons : 8;
			r->reasons = xrealloc(r->reasons, r->cap_reasons * sizeof(*r->reasons));
		}
		x = &r->reasons[r->n_reasons++];
		memset(x, 0, sizeof(*x));
		x->reason = arena_strdup(r->arena, reason);
	}
	x->count++;
	/* the first few of each reason are shown where they are */
	if (x->count <= 5) {
		int line = rec ? rec->line : 0, col = rec ? rec->col : 0;
		char *where = imp_pointer(r, rec);
		diag_add(r->d, DIAG_WARNING, r->file, line, col, where, "record skipped: %s%s%s",
			 reason, detail ? ": " : "", detail ? detail : "");
		free(where);
	}
}

/* ---- the writer ---- */

void imp_rec_init(struct imp_run *r, struct imp_rec *rec, enum imp_kind kind)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	rec->started = rec->finished = rec->tested_backup_time = DATE_NONE;
	imp_rec_prov(rec, "tool", r->tool->name);
}

void imp_rec_cand(struct imp_rec *rec, const char *name)
{
	if (name && *name && rec->n_cand < IMP_CAND_MAX)
		rec->cand[rec->n_cand++] = name;
}

void imp_rec_prov(struct imp_rec *rec, const char *key, const char *value)
{
	if (value && rec->n_prov < IMP_PROV_MAX) {
		rec->prov_key[rec->n_prov] = key;
		rec->prov_val[rec->n_prov++] = value;
	}
}

/* A JSON string; runs of bytes that need no escape are copied at once. */
static void put_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (;; p++) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		if (p > run)
			buf_append(b, (const char *)run, (size_t)(p - run));
		if (!c)
			break;
		switch (c) {
		case '"': buf_append(b, "\\\"", 2); break;
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		default: buf_printf(b, "\\u%04x", c);
		}
		run = p + 1;
	}
	buf_putc(b, '"');
}

/* ,"key": */
static void put_key(struct buf *b, const char *k)
{
	size_t len = strlen(k);
	buf_grow(b, len + 4);
	b->data[b->len++] = ',';
	b->data[b->len++] = '"';
	memcpy(b->data + b->len, k, len);
	b->len += len;
	b->data[b->len++] = '"';
	b->data[b->len++] = ':';
	b->data[b->len] = 0;
}

static void put_key_str(struct buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	put_key(b, k);
	put_str(b, v);
}

static void put_u64(struct buf *b, uint64_t v)
{
	char d[24];
	size_t n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_append(b, d + sizeof(d) - n, n);
}

static void put_key_time(struct buf *b, const char *k, int64_t t)
{
	if (t == DATE_NONE)
		return;
	/* as date_format_rfc3339, without printf: a record has several */
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t y;
	unsigned m, d;
	date_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		char s[DATE_RFC3339_SIZE];
		date_format_rfc3339(t, s);
		put_key_str(b, k, s);
		return;
	}
	char s[24];
	unsigned v[6] = {(unsigned)y, m, d, (unsigned)(secs / 3600),
			 (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
	s[0] = '"';
	s[1] = (char)('0' + v[0] / 1000);
	s[2] = (char)('0' + v[0] / 100 % 10);
	s[3] = (char)('0' + v[0] / 10 % 10);
	s[4] = (char)('0' + v[0] % 10);
	static const char seps[] = "--T::";
	for (int i = 1; i < 6; i++) {
		s[3 * i + 2] = seps[i - 1];
		s[3 * i + 3] = (char)('0' + v[i] / 10);
		s[3 * i + 4] = (char)('0' + v[i] % 10);
	}
	s[20] = 'Z';
	s[21] = '"';
	put_key(b, k);
	buf_append(b, s, 22);
}

static bool match_prefix(const struct imp_map *m, size_t n, const char *name, const char **to)
{
	size_t best = 0;
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(m[i].from);
		if (len == 0 || m[i].from[len - 1] != '*')
			continue;
		len--;
		if (strncmp(name, m[i].from, len) == 0 && (!found || len > best)) {
			best = len;
			*to = m[i].to;
			found = true;
		}
	}
	return found;
}

/* --map first (exact, then prefix), then the plan's sources and ids. */
static const char *resolve_one(struct imp_run *r, const char *name)
{
	const struct imp_options *o = r->opts;
	for (size_t i = 0; i < o->n_maps; i++) {
		if (strcmp(o->maps[i].from, name) == 0)
			return o->maps[i].to;
	}
	const char *to;
	if (match_prefix(o->maps, o->n_maps, name, &to))
		return to;
	if (r->plan_sources) {
		const char *s = strmap_get(r->plan_sources, name);
		if (s)
			return s;
		if (match_prefix(r->plan_prefixes, r->n_plan_prefixes, name, &to))
			return to;
		if (strmap_get(r->plan_ids, name))
			return strmap_get(r->plan_ids, name);
	}
	return NULL;
}

static void tally(struct imp_run *r, struct strmap *m, const char *name, const char *ds)
{
	struct imp_tally *t = strmap_get(m, name);
	if (!t) {
		t = arena_calloc(r->arena, 1, sizeof(*t));
		t->datastore = ds ? arena_strdup(r->arena, ds) : NULL;
		strmap_put(m, arena_strdup(r->arena, name), t);
	}
	t->records++;
}

static const char *resolve(struct imp_run *r, const struct imp_rec *rec)
{
	for (size_t i = 0; i < rec->n_cand; i++) {
		const char *ds = resolve_one(r, rec->cand[i]);
		if (ds) {
			tally(r, r->resolved, rec->cand[i], ds);
			return ds;
		}
	}
	tally(r, r->unmatched, rec->cand[0], NULL);
	return rec->cand[0];
}

static bool valid_location(const char *l)
{
	return strcmp(l, "primary") == 0 || strcmp(l, "secondary") == 0 ||
	       strcmp(l, "offsite") == 0;
}

void imp_emit(struct imp_run *r, const struct imp_node *at, struct imp_rec *rec)
{
	if (r->n_errors != r->rec_errors)
		return;   /* an error in this record was reported */
	if (!rec->id || !*rec->id) {
		imp_skip(r, at, "no id", NULL);
		return;
	}
	if (strlen(rec->id) > IMP_ID_MAX) {
		imp_skip(r, at, "id longer than 512 bytes", NULL);
		return;
	}
	if (rec->n_cand == 0) {
		imp_skip(r, at, "nothing names the datastore", NULL);
		return;
	}
	if (rec->started == DATE_NONE) {
		imp_skip(r, at, "no start time", NULL);
		return;
	}
	bool running = strcmp(rec->status, "running") == 0;
	if (!running && rec->finished == DATE_NONE) {
		imp_skip(r, at, "finished, but no finish time", NULL);
		return;
	}
	if (running)
		rec->finished = DATE_NONE;
	if (rec->finished != DATE_NONE && rec->finished < rec->started) {
		imp_skip(r, at, "finishes before it starts", NULL);
		return;
	}
	const char *ds = resolve(r, rec);
	if (strlen(ds) > IMP_ID_MAX) {
		imp_skip(r, at, "datastore name longer than 512 bytes", imp_quote(r, ds));
		return;
	}
	const char *loc = rec->location;
	if (!loc)
		loc = r->opts->location ? r->opts->location : "primary";

	struct buf *b = &r->line_buf;
	buf_reset(b);
	if (rec->kind == IMP_RESTORE_TEST)
		buf_puts(b, "{\"kind\":\"restore_test\",\"id\":");
	else
		buf_puts(b, "{\"id\":");
	put_str(b, rec->id);
	put_key_str(b, "datastore", ds);
	if (rec->kind == IMP_BACKUP)
		put_key_str(b, "type", rec->type);
	put_key_time(b, "started", rec->started);
	put_key_time(b, "finished", rec->finished);
	put_key_str(b, "status", rec->status);
	if (rec->kind == IMP_RESTORE_TEST) {
		put_key_str(b, "method", rec->method);
		put_key_str(b, "tested_backup", rec->tested_backup);
		put_key_time(b, "tested_backup_time", rec->tested_backup_time);
	}
	put_key_str(b, "location", loc);
	put_key_str(b, "region", rec->region);
	if (rec->kind == IMP_RESTORE_TEST) {
		put_key_str(b, "target", rec->target);
	} else {
		if (rec->has_bytes) {
			put_key(b, "bytes");
			put_u64(b, rec->bytes);
		}
		put_key_str(b, "encryption", rec->encryption);
		put_key_str(b, "compression", rec->compression);
		if (rec->immutable != IMP_UNKNOWN) {
			put_key(b, "immutable");
			buf_puts(b, rec->immutable == IMP_TRUE ? "true" : "false");
		}
		if (rec->has_retention) {
			put_key(b, "retention_days");
			put_u64(b, rec->retention_days);
		}
		put_key_str(b, "verification", rec->verification);
		if (rec->verified_ok != IMP_UNKNOWN) {
			put_key(b, "verified_ok");
			buf_puts(b, rec->verified_ok == IMP_TRUE ? "true" : "false");
		}
	}
	buf_puts(b, ",\"provenance\":{");
	for (size_t i = 0; i < rec->n_prov; i++) {
		if (i)
			buf_putc(b, ',');
		put_str(b, rec->prov_key[i]);
		buf_putc(b, ':');
		put_str(b, rec->prov_val[i]);
	}
	buf_puts(b, "}}\n");
	if (r->out)
		fwrite(b->data, 1, b->len, r->out);
	if (rec->kind == IMP_RESTORE_TEST)
		r->n_tests++;
	else
		r->n_backups++;
}

/* ---- the plan's sources ---- */

static bool load_plan_sources(struct imp_run *r, const char *dir, struct cJSON **plan_out)
{
	char *path = xasprintf("%s/plan.json", dir);
	struct source_file f = {0};
	bool ok = source_read_path(path, SOURCE_MAX_JSON, &f, r->d);
	if (!ok)
		goto out;
	cJSON *plan = cJSON_ParseWithLength(f.data, f.len);
	if (!plan) {
		diag_add(r->d, DIAG_ERROR, path, 0, 0, NULL,
			 "invalid JSON (run drgen check %s for the place)", dir);
		ok = false;
		goto out;
	}
	*plan_out = plan;
	r->plan_sources = strmap_new(64);
	r->plan_ids = strmap_new(64);
	size_t cap = 0;
	const cJSON *svc;
	cJSON_ArrayForEach(svc, cJSON_GetObjectItemCaseSensitive(plan, "services")) {
		const cJSON *ds;
		cJSON_ArrayForEach(ds, cJSON_GetObjectItemCaseSensitive(svc, "datastores")) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(ds, "id");
			if (!cJSON_IsString(id) || !*id->valuestring)
				continue;
			const char *dsid = arena_strdup(r->arena, id->valuestring);
			strmap_put(r->plan_ids, dsid, (void *)dsid);
			const cJSON *src;
			cJSON_ArrayForEach(src, cJSON_GetObjectItemCaseSensitive(ds, "sources")) {
				if (!cJSON_IsString(src) || !*src->valuestring)
					continue;
				const char *name = arena_strdup(r->arena, src->valuestring);
				size_t len = strlen(name);
				if (name[len - 1] == '*') {
					if (r->n_plan_prefixes == cap) {
						cap = cap ? 2 * cap : 8;
						r->plan_prefixes = xrealloc(r->plan_prefixes,
							cap * sizeof(*r->plan_prefixes));
					}
					r->plan_prefixes[r->n_plan_prefixes].from = name;
					r->plan_prefixes[r->n_plan_prefixes++].to = dsid;
				} else {
					const char *prev = strmap_put(r->plan_sources, name,
								      (void *)dsid);
					if (prev && strcmp(prev, dsid) != 0)
						diag_add(r->d, DIAG_WARNING, path, 0, 0, NULL,
							 "source %s is listed by datastores "
							 "%s and %s; the last one wins",
							 imp_quote(r, name), imp_quote(r, prev),
							 imp_quote(r, dsid));
				}
			}
		}
	}
out:
	source_file_free(&f);
	free(path);
	return ok;
}

/* ---- the sidecar ---- */

struct tally_row {
	const char *name;
	const struct imp_tally *t;
};

static int tally_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tally_row *)a)->name, ((const struct tally_row *)b)->name);
}

static struct tally_row *tally_sorted(const struct strmap *m, size_t *n)
{
	*n = strmap_count(m);
	struct tally_row *rows = xcalloc(*n ? *n : 1, sizeof(*rows));
	size_t pos = 0, i = 0;
	const char *k;
	void *v;
	while (strmap_next(m, &pos, &k, &v)) {
		rows[i].name = k;
		rows[i++].t = v;
	}
	qsort(rows, *n, sizeof(*rows), tally_cmp);
	return rows;
}

static char *sidecar_json(struct imp_run *r, const char *const *files, size_t n_files,
			  char (*sums)[65], const uint64_t *sizes, const char *plan_sum)
{
	const struct imp_options *o = r->opts;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "drgen_import", "1");
	cJSON_AddStringToObject(root, "importer", r->tool->name);
	cJSON_AddStringToObject(root, "importer_version", DRGEN_VERSION);
	cJSON *in = cJSON_AddArrayToObject(root, "inputs");
	for (size_t i = 0; i < n_files; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "path", files[i]);
		cJSON_AddStringToObject(f, "sha256", sums[i]);
		cJSON_AddNumberToObject(f, "bytes", (double)sizes[i]);
		cJSON_AddItemToArray(in, f);
	}
	cJSON *opt = cJSON_AddObjectToObject(root, "options");
	if (o->location)
		cJSON_AddStringToObject(opt, "location", o->location);
	if (o->n_locations) {
		cJSON *l = cJSON_AddArrayToObject(opt, "locations");
		for (size_t i = 0; i < o->n_locations; i++)
			cJSON_AddItemToArray(l, cJSON_CreateString(o->locations[i]));
	}
	if (o->tz) {
		cJSON_AddStringToObject(opt, "tz", zone_spec(o->tz));
		if (zone_data_version(o->tz))
			cJSON_AddStringToObject(opt, "tzdata", zone_data_version(o->tz));
	}
	cJSON *map = cJSON_AddObjectToObject(root, "mapping");
	if (o->plan_dir) {
		cJSON_AddStringToObject(map, "plan", o->plan_dir);
		cJSON_AddStringToObject(map, "plan_sha256", plan_sum ? plan_sum : "");
	}
	cJSON *maps = cJSON_AddArrayToObject(map, "map");
	for (size_t i = 0; i < o->n_maps; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "from", o->maps[i].from);
		cJSON_AddStringToObject(m, "to", o->maps[i].to);
		cJSON_AddItemToArray(maps, m);
	}
	size_t n;
	struct tally_row *rows = tally_sorted(r->resolved, &n);
	cJSON *res = cJSON_AddArrayToObject(map, "resolved");
	for (size_t i = 0; i < n; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "source", rows[i].name);
		cJSON_AddStringToObject(m, "datastore", rows[i].t->datastore);
		cJSON_AddNumberToObject(m, "records", (double)rows[i].t->records);
		cJSON_AddItemToArray(res, m);
	}
	free(rows);
	rows = tally_sorted(r->unmatched, &n);
	cJSON *un = cJSON_AddArrayToObject(map, "unmatched");
	for (size_t i = 0; i < n; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "source", rows[i].name);
		cJSON_AddNumberToObject(m, "records", (double)rows[i].t->records);
		cJSON_AddItemToArray(un, m);
	}
	free(rows);
	cJSON *c = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(c, "values_read", (double)r->n_values);
	cJSON_AddNumberToObject(c, "backups", (double)r->n_backups);
	cJSON_AddNumberToObject(c, "restore_tests", (double)r->n_tests);
	cJSON_AddNumberToObject(c, "skipped", (double)r->n_skipped);
	cJSON *why = cJSON_AddObjectToObject(c, "skipped_by_reason");
	for (size_t i = 0; i < r->n_reasons; i++)
		cJSON_AddNumberToObject(why, r->reasons[i].reason, (double)r->reasons[i].count);
	char *s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

static void hex(const unsigned char *md, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void file_sha(const char *path, char out[65])
{
	out[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	unsigned char md[32];
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	fclose(f);
	hex(md, out);
}

static bool write_file(const char *path, const char *data, struct diags *d)
{
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	bool ok = f && fwrite(data, 1, strlen(data), f) == strlen(data);
	if (f && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok) {
		diag_add(d, DIAG_ERROR, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok;
}

/* ---- the run ---- */

static void summary_notes(struct imp_run *r)
{
	diag_add(r->d, DIAG_NOTE, NULL, 0, 0, NULL,
		 "import %s: %llu records read, %llu backups and %llu restore tests "
		 "written, %llu skipped, %llu errors", r->tool->name,
		 (unsigned long long)r->n_values, (unsigned long long)r->n_backups,
		 (unsigned long long)r->n_tests, (unsigned long long)r->n_skipped,
		 (unsigned long long)r->n_errors);
	for (size_t i = 0; i < r->n_reasons; i++)
		diag_add(r->d, DIAG_NOTE, NULL, 0, 0, NULL, "skipped: %s (%llu)",
			 r->reasons[i].reason, (unsigned long long)r->reasons[i].count);
	size_t n;
	struct tally_row *rows = tally_sorted(r->unmatched, &n);
	bool asked = r->opts->n_maps || r->plan_sources;
	if (n)
		diag_add(r->d, asked ? DIAG_WARNING : DIAG_NOTE, NULL, 0, 0, NULL,
			 "%zu source names matched no datastore%s; their records name the "
			 "datastore by that name", n,
			 asked ? "" : " (no --plan or --map given)");
	for (size_t i = 0; i < n && i < 20; i++)
		diag_add(r->d, DIAG_NOTE, NULL, 0, 0, NULL, "unmatched: %s (records: %llu)",
			 imp_quote(r, rows[i].name), (unsigned long long)rows[i].t->records);
	if (n > 20)
		diag_add(r->d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "%zu more unmatched names, listed in the provenance sidecar", n - 20);
	free(rows);
}

int imp_main(const struct imp_tool *tool, const char *const *files, size_t n_files,
	     const struct imp_options *opts, struct diags *d)
{
	struct imp_run r = {0};
	r.tool = tool;
	r.opts = opts;
	r.d = d;
	r.arena = arena_new();
	r.ctx = xcalloc(1, tool->ctx_size ? tool->ctx_size : 1);
	r.resolved = strmap_new(64);
	r.unmatched = strmap_new(64);
	char (*sums)[65] = xcalloc(n_files ? n_files : 1, sizeof(*sums));
	uint64_t *sizes = xcalloc(n_files ? n_files : 1, sizeof(*sizes));
	cJSON *plan = NULL;
	char *tmp_path = NULL;
	char plan_sum[65] = "";
	int rc = EXIT_OK;

	for (size_t i = 0; i < opts->n_locations; i++) {
		const char *eq = strchr(opts->locations[i], '=');
		if (!eq || !valid_location(eq + 1)) {
			diag_add(d, DIAG_ERROR, NULL, 0, 0, NULL, "--location %s: expected "
				 "NAME=primary|secondary|offsite", imp_quote(&r, opts->locations[i]));
			rc = EXIT_INPUT;
		}
	}
	if (opts->location && !valid_location(opts->location)) {
		diag_add(d, DIAG_ERROR, NULL, 0, 0, NULL,
			 "--location must be primary, secondary or offsite, not %s",
			 imp_quote(&r, opts->location));
		rc = EXIT_INPUT;
	}
	if (rc != EXIT_OK)
		goto out;
	if (opts->plan_dir) {
		if (!load_plan_sources(&r, opts->plan_dir, &plan)) {
			rc = EXIT_INPUT;
			goto out;
		}
		char *pp = xasprintf("%s/plan.json", opts->plan_dir);
		file_sha(pp, plan_sum);
		free(pp);
	}
	if (opts->out) {
		tmp_path = xasprintf("%s.tmp-%ld", opts->out, (long)getpid());
		r.out = fopen(tmp_path, "wb");
		if (!r.out) {
			diag_add(d, DIAG_ERROR, opts->out, 0, 0, NULL, "cannot write: %s",
				 strerror(errno));
			rc = EXIT_INTERNAL;
			goto out;
		}
	} else {
		r.out = stdout;
	}

	for (size_t i = 0; i < n_files; i++) {
		r.file = files[i];
		struct stat st;
		if (stat(files[i], &st) != 0) {
			diag_add(d, DIAG_ERROR, files[i], 0, 0, NULL, "cannot open: %s",
				 strerror(errno));
			r.n_errors++;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			diag_add(d, DIAG_ERROR, files[i], 0, 0, NULL, "not a regular file");
			r.n_errors++;
			continue;
		}
		uint64_t before = r.n_errors;
		if (tool->begin_file)
			tool->begin_file(&r);
		/* a tool that needs what a file says after its records reads it twice */
		for (r.pass = 1; r.pass <= tool->passes && r.n_errors == before; r.pass++) {
			FILE *f = fopen(files[i], "rb");
			if (!f) {
				diag_add(d, DIAG_ERROR, files[i], 0, 0, NULL, "cannot open: %s",
					 strerror(errno));
				r.n_errors++;
				break;
			}
			EVP_MD_CTX *sha = NULL;
			if (r.pass == 1) {
				sha = EVP_MD_CTX_new();
				EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
			}
			imp_json_read(&r, f, sha);
			if (sha) {
				unsigned char md[32];
				EVP_DigestFinal_ex(sha, md, NULL);
				EVP_MD_CTX_free(sha);
				hex(md, sums[i]);
				sizes[i] = (uint64_t)st.st_size;
			}
			fclose(f);
		}
		if (tool->end_file)
			tool->end_file(&r, r.n_errors == before);
	}
	if (r.out && r.out != stdout && fflush(r.out) != 0) {
		diag_add(d, DIAG_ERROR, opts->out, 0, 0, NULL, "cannot write: %s",
			 strerror(errno));
		rc = EXIT_INTERNAL;
	}
	summary_notes(&r);
	if (r.n_errors) {
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL, "%s", opts->out
			 ? "nothing written: the output file is left as it was"
			 : "the records written above are incomplete; do not use them");
		rc = EXIT_INPUT;
	}
	if (opts->out) {
		if (fclose(r.out) != 0 && rc == EXIT_OK) {
			diag_add(d, DIAG_ERROR, opts->out, 0, 0, NULL, "cannot write: %s",
				 strerror(errno));
			rc = EXIT_INTERNAL;
		}
		r.out = NULL;
		if (rc == EXIT_OK && rename(tmp_path, opts->out) != 0) {
			diag_add(d, DIAG_ERROR, opts->out, 0, 0, NULL, "cannot write: %s",
				 strerror(errno));
			rc = EXIT_INTERNAL;
		}
		if (rc != EXIT_OK)
			unlink(tmp_path);
	}
	if (rc == EXIT_OK) {
		const char *side = opts->provenance;
		char *def = NULL;
		if (!side && opts->out)
			side = def = xasprintf("%s.provenance.json", opts->out);
		if (side) {
			char *json = sidecar_json(&r, files, n_files, sums, sizes,
						  opts->plan_dir ? plan_sum : NULL);
			struct buf b = BUF_INIT;
			buf_puts(&b, json);
			buf_putc(&b, '\n');
			if (!write_file(side, b.data, d))
				rc = EXIT_INTERNAL;
			buf_free(&b);
			free(json);
		}
		free(def);
	}
out:
	if (r.out && r.out != stdout)
		fclose(r.out);
	free(tmp_path);
	cJSON_Delete(plan);
	imp_tmp_reset(&r);
	free(r.tmp_strs);
	imp_pool_free(&r.pool);
	buf_free(&r.line_buf);
	buf_free(&r.tmp);
	if (r.plan_sources)
		strmap_free(r.plan_sources);
	if (r.plan_ids)
		strmap_free(r.plan_ids);
	free(r.plan_prefixes);
	strmap_free(r.resolved);
	strmap_free(r.unmatched);
	free(r.reasons);
	free(r.ctx);
	free(sums);
	free(sizes);
	arena_free(r.arena);
	return rc;
}
