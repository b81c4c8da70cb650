/*
 * load_backups_report.c -- the text of the backup loader's diagnostics.
 *
 * While a chunk is scanned, its errors are kept in the chunk with
 * chunk-relative line numbers (a worker never touches the shared list);
 * after the threads finish, each file's chunks are reported in order with
 * absolute line numbers, then the unknown key names and the datastores
 * the plan does not have.  Nothing here runs for a valid record.
 */
#include "load_backups_int.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_SHOWN   20            /* unknown datastore ids named in the warning */

/* ---------------------------------------------------------------------
 * Pieces of messages
 */

/* A user string made safe for a message: quotes, backslashes and control
 * characters escaped, at most SHOW_MAX bytes of it, "..." when cut. */
const char *lb_show(char out[SHOW_MAX * 6 + 8], const char *s, size_t len)
{
	size_t n = cut_len(s, len, SHOW_MAX), o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* What the scanner found at p, for "expected X, found Y". */
const char *lb_found(const struct line *l, const char *p, char out[16])
{
	unsigned char c = (unsigned char)*p;
	if (p >= l->end)
		return "the end of the line";
	if (c > 0x20 && c < 0x7f) {
		snprintf(out, 16, "'%c'", c);
		return out;
	}
	size_t n = c >= 0x80 ? utf8_seq(p) : 0;
	if (n) {
		out[0] = '\'';
		memcpy(out + 1, p, n);
		out[n + 1] = '\'';
		out[n + 2] = '\0';
		return out;
	}
	snprintf(out, 16, "byte 0x%02x", c);
	return out;
}

/* The kind of the JSON value starting at p, for "must be X, found Y". */
const char *lb_value_kind(char c)
{
	switch (c) {
	case '"': return "a string";
	case '{': return "an object";
	case '[': return "an array";
	case 't': return "true";
	case 'f': return "false";
	case 'n': return "null";
	default: return "a number";
	}
}

static void enum_list(struct buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(b, i + 1 == n ? " or " : ", ");
		buf_puts(b, names[i]);
	}
}

/* The closest name to s, or NULL; short names get less slack, so that
 * "x" does not suggest "id". */
static const char *suggest(const char *const *names, size_t n, const char *s, size_t len)
{
	char tmp[SHOW_MAX + 1];
	copy_cut(tmp, sizeof(tmp), s, len);
	const char *best = NULL;
	size_t slack = len / 3 < 2 ? len / 3 : 2, best_d = slack + 1;
	if (!slack)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t dist = util_edit_distance(tmp, names[i], slack);
		if (dist < best_d) {
			best_d = dist;
			best = names[i];
		}
	}
	return best;
}

static int clamp_int(uint64_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* ---------------------------------------------------------------------
 * Diagnostics of a chunk
 */

static void chunk_verror(struct chunk *c, size_t cap, uint64_t line, int col,
			 const char *fmt, va_list ap)
{
	c->total_errors++;
	if (c->n_errors >= cap)
		return;
	if (!c->errors)
		c->errors = xcalloc(cap, sizeof(*c->errors));
	struct buf b = BUF_INIT;
	buf_vprintf(&b, fmt, ap);
	struct chunk_error *e = &c->errors[c->n_errors++];
	e->line = line;
	e->col = col;
	e->message = buf_detach(&b, NULL);
}

static void line_verror(struct line *l, const char *at, const char *fmt, va_list ap)
{
	l->bad = true;
	chunk_verror(l->c, l->w->job->max_errors, l->lineno,
		     (int)(at - l->start) + 1, fmt, ap);
}

/* A problem with one value: the rest of the record is still checked. */
void PRINTF_LIKE(3, 4) lb_rec_error(struct line *l, const char *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	line_verror(l, at, fmt, ap);
	va_end(ap);
}

/*
 * The line cannot be read as JSON: scanning stops.  A line that is not
 * UTF-8 is reported as that, since its JSON errors would only follow from it.
 */
void PRINTF_LIKE(3, 4) lb_line_fail(struct line *l, const char *at, const char *fmt, ...)
{
	size_t bad;
	if (!source_utf8_valid(l->start, (size_t)(l->end - l->start), &bad)) {
		lb_rec_error(l, l->start + bad, "invalid UTF-8 (byte 0x%02x)",
			  (unsigned char)l->start[bad]);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	line_verror(l, at, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Values outside an enumeration
 */

/* Reports a value outside an enumeration; returns false. */
bool lb_enum_error(struct line *l, const char *at, enum key k, const struct str *s,
		       const char *const *names, size_t n)
{
	char sb[SHOW_MAX * 6 + 8];
	const char *near = suggest(names, n, s->p, s->len);
	if (near) {
		lb_rec_error(l, at, "invalid \"%s\" value \"%s\" (did you mean \"%s\"?)",
			  lb_key_names[k], lb_show(sb, s->p, s->len), near);
		return false;
	}
	struct buf list = BUF_INIT;
	enum_list(&list, names, n);
	lb_rec_error(l, at, "invalid \"%s\" value \"%s\": expected %s", lb_key_names[k],
		  lb_show(sb, s->p, s->len), list.data);
	buf_free(&list);
	return false;
}

/* ---------------------------------------------------------------------
 * Results
 */

/*
 * An unknown key of backup records, counted in the model for the audit's
 * scope section (issue 13 item 9): the warnings stay warnings, because
 * backup records are machine-written, but the audit lists what was ignored.
 */
static void model_unknown_key(struct model *m, const char *name, uint64_t count)
{
	size_t k = 0;
	while (k < m->n_backup_unknown_keys && strcmp(m->backup_unknown_keys[k].name, name) != 0)
		k++;
	if (k < m->n_backup_unknown_keys) {
		m->backup_unknown_keys[k].records += count;
		return;
	}
	if (k == MODEL_UNKNOWN_KEYS_MAX) {
		m->backup_unknown_keys_other += count;
		return;
	}
	if (!m->backup_unknown_keys)
		m->backup_unknown_keys = arena_calloc(m->arena, MODEL_UNKNOWN_KEYS_MAX,
						      sizeof(*m->backup_unknown_keys));
	m->backup_unknown_keys[k].name = arena_strdup(m->arena, name);
	m->backup_unknown_keys[k].records = count;
	m->n_backup_unknown_keys++;
}

/* Diagnostics of one file, in line order, with absolute line numbers. */
/* The warning for a known key counted by note_key (see enum key_note). */
static void key_note_report(struct diags *d, const struct file *f, const struct unknown_key *k)
{
	char where[48] = "";
	if (k->count > 1)
		snprintf(where, sizeof(where), " in %" PRIu64 " records, first here", k->count);
	switch (k->note) {
	case NOTE_BACKUP_ONLY:
		diag_warning(d, f->display, clamp_int(k->line), k->col,
			     "key \"%s\" of backup records ignored on a restore test%s",
			     k->name, where);
		break;
	case NOTE_TEST_ONLY:
		diag_warning(d, f->display, clamp_int(k->line), k->col,
			     "key \"%s\" of restore tests ignored on a backup record (a restore "
			     "test has \"kind\": \"restore_test\")%s", k->name, where);
		break;
	default:
		diag_warning(d, f->display, clamp_int(k->line), k->col,
			     "\"verification\": \"restore_test\" on a backup record counts as a "
			     "verification of the copy, not as a restore test; write the test as "
			     "a record of \"kind\": \"restore_test\"%s", where);
		break;
	}
}

void lb_file_report(struct job *j, struct file *f, struct diags *d)
{
	uint64_t base = 0, more = 0;
	size_t shown = 0, n_keys = 0;
	uint64_t keys_dropped = 0;
	struct unknown_key *keys = NULL;
	if (f->hash_error)
		diag_error(d, f->display, 0, 0, "%s", f->hash_error);
	for (size_t ci = f->first_chunk; ci < f->first_chunk + f->n_chunks; ci++) {
		struct chunk *c = &j->chunks[ci];
		if (c->fatal && !f->hash_error)
			diag_error(d, f->display, 0, 0, "%s", c->fatal);
		for (size_t e = 0; e < c->n_errors; e++) {
			if (shown < j->max_errors) {
				diag_error(d, f->display, clamp_int(base + c->errors[e].line),
					   c->errors[e].col, "%s", c->errors[e].message);
				shown++;
			} else {
				more++;
			}
		}
		more += c->total_errors - c->n_errors;
		keys_dropped += c->keys_dropped;
		for (size_t k = 0; k < c->n_keys; k++) {
			struct unknown_key *u = &c->keys[k];
			size_t x = 0;
			while (x < n_keys && (keys[x].note != u->note ||
					       strcmp(keys[x].name, u->name) != 0))
				x++;
			if (x < n_keys) {
				keys[x].count += u->count;
			} else if (n_keys == KEYS_KEEP) {
				keys_dropped += u->count;
			} else {
				keys = xrealloc(keys, (n_keys + 1) * sizeof(*keys));
				keys[n_keys] = *u;
				keys[n_keys++].line = base + u->line;
			}
		}
		base += c->lines;
	}
	if (more)
		diag_add(d, DIAG_NOTE, f->display, 0, 0, NULL,
			 "%" PRIu64 " more error%s in this file not shown", more,
			 util_plural(more));
	for (size_t k = 0; k < n_keys; k++) {
		if (keys[k].note != NOTE_UNKNOWN) {
			key_note_report(d, f, &keys[k]);
			continue;
		}
		char sb[SHOW_MAX * 6 + 8], hint[64] = "";
		const char *near = suggest(lb_key_names, K_COUNT, keys[k].name, strlen(keys[k].name));
		if (near)
			snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", near);
		lb_show(sb, keys[k].name, strlen(keys[k].name));
		model_unknown_key(j->m, sb, keys[k].count);
		if (keys[k].count == 1)
			diag_warning(d, f->display, clamp_int(keys[k].line), keys[k].col,
				     "unknown key \"%s\"%s", sb, hint);
		else
			diag_warning(d, f->display, clamp_int(keys[k].line), keys[k].col,
				     "unknown key \"%s\"%s in %" PRIu64 " records, first here",
				     sb, hint, keys[k].count);
	}
	j->m->backup_unknown_keys_other += keys_dropped;
	if (keys_dropped)
		diag_warning(d, f->display, 0, 0,
			     "%" PRIu64 " more unknown keys, of names not listed", keys_dropped);
	free(keys);  /* the names belong to the chunks */
}

/* Most records first, then by id: the ids worth naming in the warning. */
static int unknown_by_records(const void *a, const void *b)
{
	const struct unknown_id *x = *(const struct unknown_id *const *)a;
	const struct unknown_id *y = *(const struct unknown_id *const *)b;
	if (x->records != y->records)
		return x->records > y->records ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Width of the id list in one note line, so that lines fit a terminal. */
#define LIST_WIDTH 60

/*
 * One short warning, then notes of at most LIST_WIDTH bytes naming the
 * LIST_SHOWN ids with most records; the full list is unknown_datastores in
 * the build's evidence/results.json, which the last note names.
 */
void lb_unknown_report(struct model *m, struct unknown_ids *u, const char *dir,
			   struct diags *d)
{
	if (!u->records)
		return;
	lb_unknown_prune(u);
	m->unknown_datastores = arena_calloc(m->arena, u->n, sizeof(*m->unknown_datastores));
	m->n_unknown_datastores = u->n;
	uint64_t listed = 0;
	for (size_t i = 0; i < u->n; i++) {
		m->unknown_datastores[i].id = arena_strdup(m->arena, u->list[i]->id);
		m->unknown_datastores[i].records = u->list[i]->records;
		listed += u->list[i]->records;
	}
	bool complete = u->records == listed;
	if (complete)
		diag_warning(d, dir, 0, 0,
			     "%" PRIu64 " backup record%s name%s %zu datastore%s the plan does not "
			     "have", u->records, util_plural(u->records),
			     u->records == 1 ? "s" : "", u->n, util_plural(u->n));
	else
		diag_warning(d, dir, 0, 0,
			     "%" PRIu64 " backup records name more than %zu datastores the plan "
			     "does not have", u->records, u->n);
	size_t shown = u->n < LIST_SHOWN ? u->n : LIST_SHOWN;
	struct unknown_id **top = xmalloc((u->n ? u->n : 1) * sizeof(*top));
	memcpy(top, u->list, u->n * sizeof(*top));
	qsort(top, u->n, sizeof(*top), unknown_by_records);
	struct buf b = BUF_INIT;
	uint64_t shown_records = 0;
	for (size_t i = 0; i < shown; i++) {
		char sb[SHOW_MAX * 6 + 8], item[sizeof(sb) + 32];
		snprintf(item, sizeof(item), "%s (%" PRIu64 ")",
			 lb_show(sb, top[i]->id, strlen(top[i]->id)), top[i]->records);
		shown_records += top[i]->records;
		if (b.len > 0 && b.len + 2 + strlen(item) > LIST_WIDTH) {
			diag_add(d, DIAG_NOTE, dir, 0, 0, NULL, "%s,", b.data);
			buf_reset(&b);
		}
		if (i == 0)
			buf_puts(&b, "records per datastore, most first: ");
		buf_printf(&b, "%s%s", b.len && i > 0 && b.data[b.len - 1] != ' ' ? ", " : "",
			   item);
	}
	if (b.len)
		diag_add(d, DIAG_NOTE, dir, 0, 0, NULL, "%s", b.data);
	buf_free(&b);
	free(top);
	if (shown < u->n || !complete)
	{
		diag_add(d, DIAG_NOTE, dir, 0, 0, NULL,
			 "and %s%zu more datastores, with %" PRIu64 " records;",
			 complete ? "" : "at least ", u->n - shown, u->records - shown_records);
		diag_add(d, DIAG_NOTE, dir, 0, 0, NULL,
			 "a build lists them all in evidence/results.json (unknown_datastores)");
	}
}
