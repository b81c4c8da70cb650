/*
 * records.c -- evidence/inputs/ and evidence/records.csv (records.h).
 *
 * Inputs are copied by streaming each file again from the plan directory
 * and hashing it on the way: a file whose hash is not the one recorded
 * when it was read (it changed during the build) fails the build, so the
 * copy is always the bytes the verdicts were computed from.  Backup files
 * are scanned while they are copied: a line is parsed only when its "id"
 * is one a control names, so a large log costs one pass and a look-up per
 * line.
 */
#include "records.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"

#define COPY_CHUNK (64u << 10)
/* A backup line longer than this is copied but never parsed (the loader
 * refuses such lines anyway). */
#define LINE_MAX_SCAN (1u << 20)

struct row {
	const char *kind;     /* static, or own_kind */
	char *own_kind;       /* the record's own "kind", owned */
	char *id, *subject, *date, *status, *verification, *verified_ok, *file;
	long line;
	const char *controls; /* the want's list */
};

/* One record or drill a control names. */
struct want {
	char *id;
	struct buf controls;  /* "iso27001:A.8.13 soc2:A1.2" */
	const char *last;     /* the last control added, to skip repeats */
	size_t first_row;     /* 1-based; 0: not found */
};

struct records {
	struct row *rows;
	size_t n_rows, cap_rows;
	struct strmap *backups;  /* id -> struct want */
	struct strmap *drills;   /* id -> struct want */
	struct strmap *inputs;   /* plan-relative path -> (void *)1 */
	struct want **wants;
	size_t n_wants;
	char **paths;            /* the inputs map's keys */
	uint64_t restore_tests;  /* every restore-test record of the backup files */
	size_t n_paths;
};

void records_csv_cell(struct buf *b, const char *s, bool last)
{
	bool quote, formula;
	if (!s)
		s = "";
	formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
		  s[0] == '\t' || s[0] == '\r';
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	if (quote)
		buf_putc(b, '"');
	buf_puts(b, last ? "\r\n" : ",");
}

static struct want *want_add(struct records *r, struct strmap *map, const char *id,
			     const char *control)
{
	struct want *w = strmap_get(map, id);
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		w->id = xstrdup(id);
		strmap_put(map, w->id, w);
		r->wants = xrealloc(r->wants, (r->n_wants + 1) * sizeof(*r->wants));
		r->wants[r->n_wants++] = w;
	}
	if (control && (!w->last || strcmp(w->last, control) != 0)) {
		if (w->controls.len)
			buf_putc(&w->controls, ' ');
		buf_puts(&w->controls, control);
		w->last = w->controls.data + w->controls.len - strlen(control);
	}
	return w;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* Every record and drill a control's evidence names. */
static void collect_wants(struct records *r, const cJSON *controls)
{
	const cJSON *c, *e;
	struct buf label = BUF_INIT;
	cJSON_ArrayForEach(c, controls) {
		buf_reset(&label);
		buf_printf(&label, "%s:%s", str_of(c, "framework") ? str_of(c, "framework") : "",
			   str_of(c, "control") ? str_of(c, "control") : "");
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "evidence")) {
			const char *rec = str_of(e, "record"), *drill = str_of(e, "drill");
			if (rec)
				want_add(r, r->backups, rec, label.data);
			else if (drill)
				want_add(r, r->drills, drill, label.data);
		}
	}
	buf_free(&label);
}

static struct row *row_new(struct records *r, const char *kind, const char *file, long line)
{
	if (r->n_rows == r->cap_rows) {
		r->cap_rows = r->cap_rows ? 2 * r->cap_rows : 64;
		r->rows = xrealloc(r->rows, r->cap_rows * sizeof(*r->rows));
	}
	struct row *w = &r->rows[r->n_rows++];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->file = xstrdup(file);
	w->line = line;
	return w;
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

/*
 * The value of the first "id" member of one NDJSON line, without parsing
 * the line: found when it is a plain string (no escapes).  *len gets its
 * length; NULL when not found (the caller then parses).
 */
static const char *quick_id(const char *line, size_t n, size_t *len)
{
	const char *end = line + n;
	for (const char *p = line; p + 4 < end; p++) {
		if (memcmp(p, "\"id\"", 4) != 0)
			continue;
		const char *q = p + 4;
		while (q < end && (*q == ' ' || *q == '\t' || *q == ':'))
			q++;
		if (q >= end || *q != '"')
			return NULL;
		const char *s = ++q;
		while (q < end && *q != '"' && *q != '\\')
			q++;
		if (q >= end || *q != '"')
			return NULL;
		*len = (size_t)(q - s);
		return s;
	}
	return NULL;
}

/* One line of a backup file: a row when a control names its record. */
static void scan_line(struct records *r, const char *file, long lineno, const char *line,
		      size_t n)
{
	size_t len = 0;
	const char *id = quick_id(line, n, &len);
	struct want *w = id ? strmap_getn(r->backups, id, len) : NULL;
	bool restore = memmem(line, n, "\"restore_test\"", 14) != NULL;
	if (id && !w && !restore)
		return;
	cJSON *o = cJSON_ParseWithLength(line, n);
	if (!o)
		return;
	const char *k = str_of(o, "kind"), *v = str_of(o, "verification");
	if ((k && strcmp(k, "restore_test") == 0) || (!k && v && strcmp(v, "restore_test") == 0))
		r->restore_tests++;
	if (!w && str_of(o, "id"))
		w = strmap_get(r->backups, str_of(o, "id"));
	if (w) {
		const char *kind = str_of(o, "kind"), *ver = str_of(o, "verification");
		const cJSON *ok = cJSON_GetObjectItemCaseSensitive(o, "verified_ok");
		struct row *x = row_new(r, "backup", file, lineno);
		if (kind)
			x->kind = x->own_kind = xstrdup(kind);
		else if (ver && strcmp(ver, "restore_test") == 0)
			x->kind = "restore_test";
		x->id = xstrdup(w->id);
		x->subject = dup_or_empty(str_of(o, "datastore"));
		x->date = dup_or_empty(str_of(o, "finished") ? str_of(o, "finished")
							    : str_of(o, "started"));
		x->status = dup_or_empty(str_of(o, "status"));
		x->verification = dup_or_empty(ver);
		x->verified_ok = xstrdup(!cJSON_IsBool(ok) ? "" : cJSON_IsTrue(ok) ? "true"
									      : "false");
		x->controls = w->controls.data;
		if (!w->first_row)
			w->first_row = r->n_rows;
	}
	cJSON_Delete(o);
}

/* Scans the complete lines of data (len bytes, a piece of one file):
 * a line cut by the piece's end waits in `line` for the next piece. */
struct scan {
	struct buf line;      /* an unfinished line carried over */
	bool too_long;        /* the carried line outgrew LINE_MAX_SCAN */
	long lineno;
};

static void scan_piece(struct records *r, const char *file, struct scan *sc,
		       const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (sc->line.len || !nl) {
			/* part of a line that started in an earlier piece, or one
			 * that goes on in the next */
			if (!sc->too_long && sc->line.len + (size_t)(stop - p) <= LINE_MAX_SCAN)
				buf_append(&sc->line, p, (size_t)(stop - p));
			else
				sc->too_long = true;
			if (nl) {
				if (!sc->too_long && sc->line.len)
					scan_line(r, file, sc->lineno, sc->line.data, sc->line.len);
				buf_reset(&sc->line);
				sc->too_long = false;
			}
		} else if ((size_t)(stop - p) <= LINE_MAX_SCAN && stop > p) {
			scan_line(r, file, sc->lineno, p, (size_t)(stop - p));
		}
		if (!nl)
			break;
		sc->lineno++;
		p = nl + 1;
	}
}

/*
 * Streams root/rel into evidence/inputs/rel, scanning backup lines.  The
 * copy's hash (publish computes it) must be the one recorded when the file
 * was read, so the pack holds the bytes the verdicts came from.
 */
static bool copy_input(struct records *r, struct source_set *src,
		       const struct source_input *in, struct publish *p, struct diags *d)
{
	bool scan = in->kind && strcmp(in->kind, "backups") == 0;
	char *path = xasprintf("%s/%s", source_root(src), in->path);
	char *rel = xasprintf("%s%s", RECORDS_INPUTS, in->path);
	char *shown = source_display_path(src, in->path);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	bool ok = false;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_error(d, shown, 0, 0, "cannot copy into the evidence pack: %s",
			   fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	struct publish_stream *s = publish_stream_open(p, rel, d);
	if (!s)
		goto out;
	struct scan sc = {BUF_INIT, false, 1};
	char *chunk = xmalloc(COPY_CHUNK);
	bool io_ok = true;
	ssize_t got;
	while ((got = read(fd, chunk, COPY_CHUNK)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			diag_error(d, shown, 0, 0, "cannot copy into the evidence pack: %s",
				   strerror(errno));
			io_ok = false;
			break;
		}
		if (!publish_stream_write(s, chunk, (size_t)got)) {
			io_ok = false;
			break;
		}
		if (scan)
			scan_piece(r, in->path, &sc, chunk, (size_t)got);
	}
	if (scan && io_ok && sc.line.len && !sc.too_long)
		scan_line(r, in->path, sc.lineno, sc.line.data, sc.line.len);
	free(chunk);
	buf_free(&sc.line);
	bool changed = false;
	ok = publish_stream_close_checked(s, io_ok, in->sha256, &changed, d) && io_ok;
	if (changed)
		diag_error(d, shown, 0, 0,
			   "changed while drgen was building (its hash is not the one read); "
			   "build again");
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(rel);
	free(shown);
	return ok;
}

static void add_drills(struct records *r, const struct model *m)
{
	char day[11];
	for (size_t i = 0; i < m->n_drills; i++) {
		const struct drill *dr = &m->drills[i];
		struct want *w = strmap_get(r->drills, dr->id);
		if (!w)
			continue;
		const char *file = dr->source ? dr->source : "";
		long line = dr->pos.line > 0 ? dr->pos.line : 0;
		struct row *x = row_new(r, "drill", file, line);
		date_format_day(dr->date, day);
		x->id = xstrdup(dr->id);
		x->subject = xstrdup(model_drill_type_names[dr->type]);
		x->date = xstrdup(day);
		size_t open = 0;
		for (size_t k = 0; k < dr->n_issues; k++)
			open += dr->issues[k].open;
		x->status = xasprintf("%zu result%s, %zu issue%s (%zu open)", dr->n_results,
				      util_plural(dr->n_results), dr->n_issues,
				      util_plural(dr->n_issues), open);
		x->verification = xstrdup("");
		x->verified_ok = xstrdup("");
		x->controls = w->controls.data;
		if (!w->first_row)
			w->first_row = r->n_rows;
		for (size_t k = 0; k < dr->n_results; k++) {
			const struct drill_result *res = &dr->results[k];
			struct row *y = row_new(r, "drill_result", file, line);
			y->id = xstrdup(dr->id);
			y->subject = dup_or_empty(res->service);
			y->date = xstrdup(day);
			if (!res->recovered)
				y->status = xstrdup(res->failure ? res->failure : "not recovered");
			else if (!isnan(res->recovery_minutes))
				y->status = xasprintf("recovered in %g min", res->recovery_minutes);
			else
				y->status = xstrdup("recovered");
			y->verification = isnan(res->data_loss_minutes)
				? xstrdup("") : xasprintf("data loss %g min", res->data_loss_minutes);
			y->verified_ok = xstrdup("");
			y->controls = w->controls.data;
		}
	}
}

static void write_csv(const struct records *r, struct buf *b)
{
	buf_puts(b, "kind,id,subject,date,status,verification,verified_ok,file,line,controls\r\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct row *x = &r->rows[i];
		char line[24] = "";
		if (x->line > 0)
			snprintf(line, sizeof(line), "%ld", x->line);
		records_csv_cell(b, x->kind, false);
		records_csv_cell(b, x->id, false);
		records_csv_cell(b, x->subject, false);
		records_csv_cell(b, x->date, false);
		records_csv_cell(b, x->status, false);
		records_csv_cell(b, x->verification, false);
		records_csv_cell(b, x->verified_ok, false);
		records_csv_cell(b, x->file, false);
		records_csv_cell(b, line, false);
		records_csv_cell(b, x->controls, true);
	}
}

struct records *records_build(const struct model *m, struct source_set *src,
			      const cJSON *controls, struct publish *p, struct diags *d)
{
	struct records *r = xcalloc(1, sizeof(*r));
	const struct source_input *inputs;
	size_t n = source_inputs(src, &inputs);
	r->backups = strmap_new(64);
	r->drills = strmap_new(16);
	r->inputs = strmap_new(n + 1);
	r->paths = xcalloc(n + 1, sizeof(*r->paths));
	collect_wants(r, controls);
	for (size_t i = 0; i < n; i++) {
		if (!copy_input(r, src, &inputs[i], p, d)) {
			records_free(r);
			return NULL;
		}
		r->paths[r->n_paths] = xstrdup(inputs[i].path);
		strmap_put(r->inputs, r->paths[r->n_paths++], (void *)1);
	}
	add_drills(r, m);
	struct buf b = BUF_INIT;
	write_csv(r, &b);
	bool ok = publish_write(p, RECORDS_CSV, b.data ? b.data : "", b.len, d);
	buf_free(&b);
	if (!ok) {
		records_free(r);
		return NULL;
	}
	return r;
}

void records_free(struct records *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rows; i++) {
		struct row *x = &r->rows[i];
		free(x->own_kind);
		free(x->id);
		free(x->subject);
		free(x->date);
		free(x->status);
		free(x->verification);
		free(x->verified_ok);
		free(x->file);
	}
	free(r->rows);
	for (size_t i = 0; i < r->n_wants; i++) {
		free(r->wants[i]->id);
		buf_free(&r->wants[i]->controls);
		free(r->wants[i]);
	}
	free(r->wants);
	for (size_t i = 0; i < r->n_paths; i++)
		free(r->paths[i]);
	free(r->paths);
	strmap_free(r->backups);
	strmap_free(r->drills);
	strmap_free(r->inputs);
	free(r);
}

size_t records_count(const struct records *r, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->n_rows; i++)
		n += !kind || strcmp(r->rows[i].kind, kind) == 0;
	return n;
}

bool records_href(const struct records *r, const cJSON *item, const char *root,
		  struct buf *out)
{
	if (!r || !cJSON_IsObject(item))
		return false;
	const char *rec = str_of(item, "record"), *drill = str_of(item, "drill");
	const char *file = str_of(item, "file");
	const struct want *w = rec ? strmap_get(r->backups, rec)
				   : drill ? strmap_get(r->drills, drill) : NULL;
	if (w && w->first_row) {
		/* RFC 7111 counts the header as row 1. */
		buf_printf(out, "%s%s#row=%zu", root, RECORDS_CSV, w->first_row + 1);
		return true;
	}
	if (file && strmap_get(r->inputs, file)) {
		buf_printf(out, "%s%s%s", root, RECORDS_INPUTS, file);
		return true;
	}
	return false;
}

/* Sets o[key] = item, keeping the members in key order (as the rules'
 * tables come out) when they are: the members after it move behind it. */
static void put_sorted(cJSON *o, const char *key, cJSON *item)
{
	cJSON *later = cJSON_CreateArray(), *kv;
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	for (kv = o->child; kv && !(kv->string && strcmp(kv->string, key) > 0); kv = kv->next)
		;
	while (kv) {
		cJSON *next = kv->next;
		cJSON_AddItemToArray(later, cJSON_DetachItemViaPointer(o, kv));
		kv = next;
	}
	cJSON_AddItemToObject(o, key, item);
	while (later->child)
		cJSON_AddItemToArray(o, cJSON_DetachItemViaPointer(later, later->child));
	cJSON_Delete(later);
}

static void locate_list(const struct records *r, cJSON *evidence)
{
	cJSON *e;
	cJSON_ArrayForEach(e, evidence) {
		const char *rec = cJSON_IsObject(e) ? str_of(e, "record") : NULL;
		const struct want *w = rec ? strmap_get(r->backups, rec) : NULL;
		if (!w || !w->first_row)
			continue;
		const struct row *x = &r->rows[w->first_row - 1];
		put_sorted(e, "file", cJSON_CreateString(x->file));
		put_sorted(e, "line", cJSON_CreateNumber((double)x->line));
	}
}

void records_locate(const struct records *r, cJSON *controls)
{
	cJSON *c, *k;
	if (!r)
		return;
	cJSON_ArrayForEach(c, controls) {
		locate_list(r, cJSON_GetObjectItemCaseSensitive(c, "evidence"));
		cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(c, "checks"))
			locate_list(r, cJSON_GetObjectItemCaseSensitive(k, "evidence"));
	}
}

uint64_t records_restore_tests(const struct records *r)
{
	return r ? r->restore_tests : 0;
}
