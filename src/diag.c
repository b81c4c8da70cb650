/*
 * diag.c -- the diagnostics list and its printer.
 *
 * Each diagnostic owns copies of its strings, so callers may pass stack
 * buffers.  A mutex guards appends because the backup loader reports from
 * several threads.  The printer re-reads the source line from disk rather
 * than keeping every input in memory until the end of the run.
 */
#include "diag.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct diags {
	struct diag *items;
	size_t len, cap;
	pthread_mutex_t lock;
};

struct diags *diags_new(void)
{
	struct diags *d = xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

static void diag_release(struct diag *g)
{
	free((char *)g->file);
	free((char *)g->where);
	free((char *)g->message);
}

void diags_free(struct diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->len; i++)
		diag_release(&d->items[i]);
	free(d->items);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void diags_push(struct diags *d, struct diag g)
{
	pthread_mutex_lock(&d->lock);
	if (d->len == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	d->items[d->len++] = g;
	pthread_mutex_unlock(&d->lock);
}

void diag_vadd(struct diags *d, enum diag_severity sev, const char *file,
	       int line, int col, const char *where, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;
	buf_vprintf(&b, fmt, ap);
	struct diag g = {
		.severity = sev,
		.file = file ? xstrdup(file) : NULL,
		.line = line > 0 ? line : 0,
		.col = col > 0 ? col : 0,
		.where = where ? xstrdup(where) : NULL,
		.message = buf_detach(&b, NULL),
	};
	diags_push(d, g);
}

void diag_add(struct diags *d, enum diag_severity sev, const char *file,
	      int line, int col, const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, sev, file, line, col, where, fmt, ap);
	va_end(ap);
}

size_t diags_len(const struct diags *d)
{
	return d->len;
}

const struct diag *diags_get(const struct diags *d, size_t i)
{
	return i < d->len ? &d->items[i] : NULL;
}

size_t diags_count(const struct diags *d, enum diag_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->len; i++)
		n += d->items[i].severity == sev;
	return n;
}

bool diags_has_errors(const struct diags *d)
{
	return diags_count(d, DIAG_ERROR) > 0;
}

void diags_merge(struct diags *dst, const struct diags *src)
{
	for (size_t i = 0; i < src->len; i++) {
		const struct diag *g = &src->items[i];
		diag_add(dst, g->severity, g->file, g->line, g->col, g->where,
			 "%s", g->message);
	}
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Insertion order is kept for equal keys: merge sort is stable. */
static void merge_sort(struct diag *v, struct diag *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(v, tmp, h);
	merge_sort(v + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		const struct diag *a = &v[i], *b = &v[j];
		int c = strcmp_null(a->file, b->file);
		if (!c)
			c = (a->line > b->line) - (a->line < b->line);
		if (!c)
			c = (a->col > b->col) - (a->col < b->col);
		tmp[k++] = c <= 0 ? v[i++] : v[j++];
	}
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void diags_sort(struct diags *d)
{
	if (d->len < 2)
		return;
	struct diag *tmp = xmalloc(d->len * sizeof(*tmp));
	merge_sort(d->items, tmp, d->len);
	free(tmp);
}

const char *diag_quote(char *out, size_t size, const char *s, size_t max)
{
	size_t n = 0;
	out[n++] = '"';
	for (; *s && n < max && n + 12 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			n += (size_t)snprintf(out + n, 7, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	if (*s) {
		/* Drop a cut character's continuation bytes and its lead byte. */
		while (n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1 && (unsigned char)out[n - 1] >= 0xC0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static const char *severity_name(enum diag_severity s)
{
	switch (s) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void diag_format(const struct diag *g, struct buf *b)
{
	if (g->file) {
		buf_puts(b, g->file);
		if (g->line) {
			buf_printf(b, ":%d", g->line);
			if (g->col)
				buf_printf(b, ":%d", g->col);
		}
		buf_puts(b, ": ");
	}
	buf_printf(b, "%s: ", severity_name(g->severity));
	if (g->where && !g->line)
		buf_printf(b, "%s: ", g->where);
	buf_puts(b, g->message);
}

/*
 * Reads source lines for excerpts.  Diagnostics are printed sorted by file
 * and line, so one cursor reads each file once, forward, in large blocks:
 * fifty errors at the end of a gigabyte log must not read it fifty times.
 */
struct line_cursor {
	char *path;
	FILE *f;
	int line;            /* number of the line that starts at buf[pos] */
	int last_line;       /* the line copied last (several diagnostics share one) */
	bool last_ok;
	struct buf last;
	char buf[65536];
	size_t pos, len;
	bool eof;
};

static void cursor_close(struct line_cursor *c)
{
	if (c->f)
		fclose(c->f);
	free(c->path);
	buf_free(&c->last);
	c->f = NULL;
	c->path = NULL;
	c->last_line = 0;
}

static bool cursor_fill(struct line_cursor *c)
{
	if (c->eof)
		return false;
	c->len = fread(c->buf, 1, sizeof(c->buf), c->f);
	c->pos = 0;
	if (c->len == 0)
		c->eof = true;
	return c->len > 0;
}

/*
 * Lines up to this long are read for an excerpt (an NDJSON record may be
 * 1 MiB); the excerpt itself shows at most EXCERPT_WIDTH bytes of it.
 */
#define EXCERPT_LINE_MAX ((size_t)1 << 20)
#define EXCERPT_WIDTH 100

/* Reads line `line` of path into b; false if unavailable or too long. */
static bool read_source_line(struct line_cursor *c, const char *path, int line,
			     struct buf *b)
{
	if (c->path && strcmp(c->path, path) == 0 && line == c->last_line) {
		if (c->last_ok)
			buf_append(b, c->last.data, c->last.len);
		return c->last_ok;
	}
	if (!c->path || strcmp(c->path, path) != 0 || line < c->line) {
		cursor_close(c);
		c->f = fopen(path, "rb");
		if (!c->f)
			return false;
		c->path = xstrdup(path);
		c->line = 1;
		c->pos = c->len = 0;
		c->eof = false;
	}
	/* Skip whole lines with memchr over the block. */
	while (c->line < line) {
		if (c->pos == c->len && !cursor_fill(c))
			return false;
		char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (!nl) {
			c->pos = c->len;
			continue;
		}
		c->pos = (size_t)(nl - c->buf) + 1;
		c->line++;
	}
	/* Copy the line, up to a length worth showing. */
	bool too_long = false, ended = false;
	while (!ended) {
		if (c->pos == c->len && !cursor_fill(c))
			break;
		char *start = c->buf + c->pos;
		char *nl = memchr(start, '\n', c->len - c->pos);
		size_t n = nl ? (size_t)(nl - start) : c->len - c->pos;
		if (b->len + n > EXCERPT_LINE_MAX)
			too_long = true;
		else
			buf_append(b, start, n);
		c->pos += n + (nl != NULL);
		ended = nl != NULL;
	}
	if (ended)
		c->line++;
	if (b->len && b->data[b->len - 1] == '\r')
		b->data[--b->len] = '\0';
	/* Control bytes from the user's file must not reach a terminal. */
	for (size_t i = 0; i < b->len; i++) {
		unsigned char ch = (unsigned char)b->data[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			b->data[i] = '?';
	}
	c->last_line = line;
	c->last_ok = !too_long;  /* too long to be useful: say nothing */
	buf_reset(&c->last);
	if (c->last_ok)
		buf_append(&c->last, b->data ? b->data : "", b->len);
	return c->last_ok;
}

static void print_excerpt(const struct diag *g, struct line_cursor *cur, FILE *out)
{
	struct buf line = BUF_INIT;
	if (!g->file || !g->line || !read_source_line(cur, g->file, g->line, &line))
		goto out_where;
	buf_grow(&line, 0);
	/* Tabs become spaces so the caret lines up. */
	for (size_t i = 0; i < line.len; i++) {
		if (line.data[i] == '\t')
			line.data[i] = ' ';
	}
	/*
	 * A long line is cut to EXCERPT_WIDTH bytes around the column (at
	 * character boundaries), with "..." where text was left out.
	 */
	size_t from = 0, to = line.len;
	bool col_ok = g->col > 0 && (size_t)g->col <= line.len + 1;
	if (line.len > EXCERPT_WIDTH) {
		size_t at = col_ok ? (size_t)g->col - 1 : 0;
		from = at > EXCERPT_WIDTH / 3 ? at - EXCERPT_WIDTH / 3 : 0;
		to = from + EXCERPT_WIDTH < line.len ? from + EXCERPT_WIDTH : line.len;
		while (from > 0 && ((unsigned char)line.data[from] & 0xC0) == 0x80)
			from--;
		while (to < line.len && ((unsigned char)line.data[to] & 0xC0) == 0x80)
			to++;
	}
	const char *pre = from > 0 ? "..." : "", *post = to < line.len ? "..." : "";
	fprintf(out, "%6d | %s%.*s%s\n", g->line, pre, (int)(to - from), line.data + from,
		post);
	if (col_ok) {
		fputs(*pre ? "       |    " : "       | ", out);
		/* Count columns in characters, not UTF-8 continuation bytes. */
		for (size_t i = from; i < (size_t)g->col - 1; i++) {
			if (((unsigned char)line.data[i] & 0xC0) != 0x80)
				fputc(' ', out);
		}
		fputs("^\n", out);
	}
out_where:
	/* The pointer is in the first line when no line is known. */
	if (g->where && g->line)
		fprintf(out, "       = at %s\n", g->where);
	buf_free(&line);
}

void diags_print(const struct diags *d, FILE *out, bool color, bool quiet)
{
	struct buf b = BUF_INIT;
	struct line_cursor *cur = xcalloc(1, sizeof(*cur));
	for (size_t i = 0; i < d->len; i++) {
		const struct diag *g = &d->items[i];
		if (quiet && g->severity != DIAG_ERROR)
			continue;
		buf_reset(&b);
		diag_format(g, &b);
		if (color) {
			const char *c = g->severity == DIAG_ERROR     ? "\033[1;31m"
					: g->severity == DIAG_WARNING ? "\033[1;33m"
								      : "\033[1;36m";
			const char *sev = severity_name(g->severity);
			char *p = strstr(b.data, sev);
			if (p) {
				fwrite(b.data, 1, (size_t)(p - b.data), out);
				fprintf(out, "%s%s\033[0m%s\n", c, sev, p + strlen(sev));
			} else {
				fprintf(out, "%s\n", b.data);
			}
		} else {
			fprintf(out, "%s\n", b.data);
		}
		print_excerpt(g, cur, out);
	}
	cursor_close(cur);
	free(cur);
	buf_free(&b);
}
