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

/*
 * A pointer or element path is kept to DIAG_WHERE_MAX bytes, cut at a
 * character boundary and marked with "...": one built from a 50 MiB key
 * must not become 50 MiB of output.
 */
static char *where_copy(const char *where)
{
	size_t n = strlen(where);
	if (n <= DIAG_WHERE_MAX)
		return xstrdup(where);
	n = DIAG_WHERE_MAX;
	while (n > 0 && ((unsigned char)where[n] & 0xC0) == 0x80)
		n--;
	char *out = xmalloc(n + 4);
	memcpy(out, where, n);
	memcpy(out + n, "...", 4);
	return out;
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
		.where = where ? where_copy(where) : NULL,
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

/*
 * One character of s[0..avail) as it may reach a terminal, written to out
 * (at least 8 bytes): C0 controls, DEL and C1 controls (U+0080-U+009F) as
 * \uXXXX, a byte that does not start a valid UTF-8 sequence as \xNN,
 * anything else as it is.  Tab and newline pass when keep_lines is set.
 * Returns the number of input bytes used and sets *written.
 */
static size_t escape_char(const unsigned char *s, size_t avail, bool keep_lines,
			  char *out, size_t *written)
{
	unsigned char c = s[0];
	if (c < 0x20 || c == 0x7f) {
		if (keep_lines && (c == '\t' || c == '\n')) {
			out[0] = (char)c;
			*written = 1;
		} else {
			*written = (size_t)snprintf(out, 8, "\\u%04x", c);
		}
		return 1;
	}
	if (c < 0x80) {
		out[0] = (char)c;
		*written = 1;
		return 1;
	}
	size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	bool ok = n > 0 && n <= avail;
	for (size_t i = 1; ok && i < n; i++)
		ok = (s[i] & 0xC0) == 0x80;
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if (ok && n == 3)
		ok = !(c == 0xE0 && s[1] < 0xA0) && !(c == 0xED && s[1] >= 0xA0);
	if (ok && n == 4)
		ok = !(c == 0xF0 && s[1] < 0x90) && !(c == 0xF4 && s[1] >= 0x90);
	if (!ok) {
		*written = (size_t)snprintf(out, 8, "\\x%02x", c);
		return 1;
	}
	if (n == 2 && c == 0xC2 && s[1] <= 0x9F) {
		*written = (size_t)snprintf(out, 8, "\\u%04x", s[1]);
		return 2;
	}
	memcpy(out, s, n);
	*written = n;
	return n;
}

const char *diag_quote(char *out, size_t size, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t avail = strlen(s), n = 0;
	out[n++] = '"';
	while (avail && n < max && n + 12 < size) {
		size_t used = 1, w = 2;
		if (*p == '"' || *p == '\\') {
			out[n] = '\\';
			out[n + 1] = (char)*p;
		} else {
			used = escape_char(p, avail, false, out + n, &w);
		}
		n += w;
		p += used;
		avail -= used;
	}
	if (avail) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

void diag_escape(struct buf *b, const char *s, size_t max, bool keep_lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t avail = strlen(s), n = 0;
	while (avail && (max == 0 || n < max)) {
		char tmp[8];
		size_t w;
		size_t used = escape_char(p, avail, keep_lines, tmp, &w);
		buf_append(b, tmp, w);
		n += w;
		p += used;
		avail -= used;
	}
	if (avail)
		buf_puts(b, "...");
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

/* The "file:line:col: " part of a diagnostic's first line. */
static void format_place(const struct diag *g, struct buf *b)
{
	if (g->file) {
		diag_escape(b, g->file, 0, false);
		if (g->line) {
			buf_printf(b, ":%d", g->line);
			if (g->col)
				buf_printf(b, ":%d", g->col);
		}
		buf_puts(b, ": ");
	}
}

void diag_format(const struct diag *g, struct buf *b)
{
	format_place(g, b);
	buf_printf(b, "%s: ", severity_name(g->severity));
	if (g->where && !g->line) {
		diag_escape(b, g->where, DIAG_WHERE_MAX, false);
		buf_puts(b, ": ");
	}
	diag_escape(b, g->message, 0, true);
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
	/*
	 * A long line is cut to EXCERPT_WIDTH bytes around the column (at
	 * character boundaries), with "..." where text was left out.
	 */
	size_t from = 0, to = line.len;
	bool caret_ok = g->col > 0 && (size_t)g->col <= line.len + 1;
	if (line.len > EXCERPT_WIDTH) {
		size_t at = caret_ok ? (size_t)g->col - 1 : 0;
		from = at > EXCERPT_WIDTH / 3 ? at - EXCERPT_WIDTH / 3 : 0;
		to = from + EXCERPT_WIDTH < line.len ? from + EXCERPT_WIDTH : line.len;
		while (from > 0 && ((unsigned char)line.data[from] & 0xC0) == 0x80)
			from--;
		while (to < line.len && ((unsigned char)line.data[to] & 0xC0) == 0x80)
			to++;
	}
	/*
	 * One column per character: tabs become spaces so the caret lines up,
	 * and what must not reach a terminal (C0, DEL, C1, a byte that is not
	 * UTF-8) becomes one '?'.  The caret counts the same characters.
	 */
	struct buf shown = BUF_INIT;
	size_t caret = 0;
	for (size_t i = from; i < to;) {
		char tmp[8];
		size_t w;
		const unsigned char *p = (const unsigned char *)line.data + i;
		size_t used = escape_char(p, to - i, false, tmp, &w);
		if (*p == '\t')
			buf_putc(&shown, ' ');
		else if (tmp[0] == '\\' && (*p != '\\'))
			buf_putc(&shown, '?');
		else
			buf_append(&shown, tmp, w);
		if (caret_ok && i < (size_t)g->col - 1)
			caret++;
		i += used;
	}
	buf_grow(&shown, 0);
	const char *pre = from > 0 ? "..." : "", *post = to < line.len ? "..." : "";
	fprintf(out, "%6d | %s%s%s\n", g->line, pre, shown.data, post);
	if (caret_ok) {
		fputs(*pre ? "       |    " : "       | ", out);
		for (size_t i = 0; i < caret; i++)
			fputc(' ', out);
		fputs("^\n", out);
	}
	buf_free(&shown);
out_where:
	/* The pointer is in the first line when no line is known. */
	if (g->where && g->line) {
		struct buf w = BUF_INIT;
		diag_escape(&w, g->where, DIAG_WHERE_MAX, false);
		buf_grow(&w, 0);
		fprintf(out, "       = at %s\n", w.data);
		buf_free(&w);
	}
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
			/* After the place: a file may be named "error.ndjson". */
			struct buf place = BUF_INIT;
			format_place(g, &place);
			char *p = strstr(b.data + place.len, sev);
			buf_free(&place);
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
