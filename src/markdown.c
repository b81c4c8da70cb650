/*
 * markdown.c -- cmark with the unsafe parts taken out of the tree.
 *
 * Rather than trusting a renderer option alone, the tree is walked once
 * before rendering: HTML nodes are turned into text (for Markdown output)
 * or removed (for HTML output, where cmark's safe mode would also drop
 * them), link and image targets are checked against an allow-list of
 * schemes, and heading levels are shifted.  Both outputs share the walk.
 *
 * GitHub pipe tables: Debian's libcmark has no table extension, so for
 * HTML the prose is cut at each table (outside fenced code); the text
 * between tables goes through cmark and each table is written here, its
 * cells rendered by cmark as inline Markdown through the same walk.  (The
 * Markdown output keeps tables as they were written.)  A link reference
 * defined on one side of a table is not seen on the other.
 */
#include "markdown.h"

#include <cmark.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Columns of a table beyond this are not tables (a line of many pipes). */
#define MARKDOWN_MAX_COLUMNS 64

/* A link target is safe when it has no scheme (relative, #anchor) or an allowed one. */
static bool url_safe(const char *url)
{
	if (!url)
		return true;
	while (*url && (unsigned char)*url <= ' ')
		url++;
	size_t i = 0;
	while (url[i] && (isalnum((unsigned char)url[i]) || url[i] == '+' ||
			  url[i] == '-' || url[i] == '.'))
		i++;
	if (url[i] != ':' || i == 0)
		return true;  /* no scheme: a relative reference */
	static const char *const allowed[] = {"http", "https", "mailto", "tel"};
	for (size_t k = 0; k < ARRAY_LEN(allowed); k++) {
		if (strlen(allowed[k]) == i && strncasecmp(url, allowed[k], i) == 0)
			return true;
	}
	return false;
}

/*
 * Replaces raw HTML by text that shows it literally: inline HTML becomes a
 * text node; a block becomes a paragraph whose lines stay lines (text nodes
 * joined by hard line breaks), so the renderer escapes every '<'.
 */
static void html_to_text(cmark_node *node)
{
	const char *literal = cmark_node_get_literal(node);
	if (!literal)
		literal = "";
	cmark_node *text;
	if (cmark_node_get_type(node) == CMARK_NODE_HTML_INLINE) {
		text = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(text, literal);
	} else {
		text = cmark_node_new(CMARK_NODE_PARAGRAPH);
		const char *p = literal;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p, n);
			if (cmark_node_first_child(text))
				cmark_node_append_child(text, cmark_node_new(CMARK_NODE_LINEBREAK));
			cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
			cmark_node_set_literal(t, line);
			cmark_node_append_child(text, t);
			free(line);
			p += n + (nl != NULL);
		}
	}
	cmark_node_replace(node, text);
	cmark_node_free(node);
}

/*
 * An image the page may load: an embedded data:image/(png|jpeg|gif|webp)
 * in base64, or a relative path that stays inside the output (no scheme,
 * no leading '/' or '\\', no ".." segment, even percent-encoded, and no
 * byte a browser would strip or read as a separator).  Anything else would
 * make the reader's browser call a host.
 */
static bool image_local(const char *url)
{
	if (!url || !*url)
		return false;
	static const char *const data[] = {"data:image/png;base64,", "data:image/jpeg;base64,",
					   "data:image/gif;base64,", "data:image/webp;base64,"};
	for (size_t k = 0; k < ARRAY_LEN(data); k++) {
		size_t n = strlen(data[k]);
		if (strncasecmp(url, data[k], n) != 0)
			continue;
		for (const char *p = url + n; *p; p++) {
			if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' && *p != '=')
				return false;
		}
		return true;
	}
	if (url[0] == '/')
		return false;
	const char *seg = url;
	for (const char *p = url;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '?' || c == '#' || c == '/' || c == '\0') {
			/* A segment of "..", spelt with '.' or "%2e". */
			size_t dots = 0;
			const char *q = seg;
			while (q < p) {
				if (*q == '.')
					q++;
				else if (q[0] == '%' && q[1] == '2' && (q[2] == 'e' || q[2] == 'E'))
					q += 3;
				else
					break;
				dots++;
			}
			if (q == p && dots == 2)
				return false;
			if (c != '/')
				return true;
			seg = p + 1;
			continue;
		}
		if (c <= ' ' || c == 0x7f || c == '\\' || c == ':')
			return false;
	}
}

static bool inside_link(cmark_node *node)
{
	for (cmark_node *p = cmark_node_parent(node); p; p = cmark_node_parent(p)) {
		if (cmark_node_get_type(p) == CMARK_NODE_LINK)
			return true;
	}
	return false;
}

/*
 * An image the page may not load: a link showing its description when the
 * target is safe for a link (and the image is not already inside a link),
 * else only its description, as text.
 */
static void image_replace(cmark_node *image)
{
	const char *url = cmark_node_get_url(image);
	cmark_node *link = NULL;
	if (url && *url && url_safe(url) && !inside_link(image)) {
		link = cmark_node_new(CMARK_NODE_LINK);
		cmark_node_set_url(link, url);
		const char *title = cmark_node_get_title(image);
		if (title && *title)
			cmark_node_set_title(link, title);
		cmark_node_insert_before(image, link);
	}
	cmark_node *child;
	while ((child = cmark_node_first_child(image))) {
		cmark_node_unlink(child);
		if (link)
			cmark_node_append_child(link, child);
		else
			cmark_node_insert_before(image, child);
	}
	cmark_node_unlink(image);
	cmark_node_free(image);
}

static cmark_node *parse_safe(const char *text, size_t len, int shift, bool keep_html_as_text)
{
	cmark_node *doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **html = NULL, **images = NULL;
	size_t n_html = 0, cap = 0, n_images = 0, cap_images = 0;
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node *node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if (n_html == cap) {
				cap = cap ? cap * 2 : 8;
				html = xrealloc(html, cap * sizeof(*html));
			}
			html[n_html++] = node;
			break;
		case CMARK_NODE_LINK:
			if (!url_safe(cmark_node_get_url(node)))
				cmark_node_set_url(node, "");
			break;
		case CMARK_NODE_IMAGE:
			if (!image_local(cmark_node_get_url(node))) {
				if (n_images == cap_images) {
					cap_images = cap_images ? cap_images * 2 : 4;
					images = xrealloc(images, cap_images * sizeof(*images));
				}
				images[n_images++] = node;
			}
			break;
		case CMARK_NODE_HEADING: {
			int level = cmark_node_get_heading_level(node) + shift;
			cmark_node_set_heading_level(node, level > 6 ? 6 : level < 1 ? 1 : level);
			break;
		}
		default:
			break;
		}
	}
	cmark_iter_free(it);
	/* Changed after the walk: the iterator must not see a mutated tree. */
	for (size_t i = 0; i < n_html; i++) {
		if (keep_html_as_text) {
			html_to_text(html[i]);
		} else {
			cmark_node_unlink(html[i]);
			cmark_node_free(html[i]);
		}
	}
	free(html);
	for (size_t i = 0; i < n_images; i++)
		image_replace(images[i]);
	free(images);
	return doc;
}

static char *finish(char *rendered, size_t *out_len)
{
	/* cmark allocates with the system allocator; hand over an xmalloc copy. */
	char *copy = xstrdup(rendered);
	free(rendered);
	if (out_len)
		*out_len = strlen(copy);
	return copy;
}

/* Prose without tables as HTML, appended to out. */
static void render_blocks(struct buf *out, const char *text, size_t len, int shift)
{
	if (len == 0)
		return;
	cmark_node *doc = parse_safe(text, len, shift, false);
	/* Without CMARK_OPT_UNSAFE, cmark also refuses raw HTML and bad URLs. */
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cmark_node_free(doc);
	buf_puts(out, html);
	free(html);
}

/* ---- pipe tables ---- */

struct line {
	const char *s;
	size_t n;                  /* without the line break */
};

enum align { ALIGN_NONE, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

static bool blank(struct line l)
{
	for (size_t i = 0; i < l.n; i++) {
		if (l.s[i] != ' ' && l.s[i] != '\t' && l.s[i] != '\r')
			return false;
	}
	return true;
}

/* Leading spaces; a tab counts as four (enough to tell code blocks apart). */
static size_t indent_of(struct line l)
{
	size_t k = 0;
	for (size_t i = 0; i < l.n && (l.s[i] == ' ' || l.s[i] == '\t'); i++)
		k += l.s[i] == '\t' ? 4 : 1;
	return k;
}

/*
 * Splits a row into cells at unescaped pipes, without the outer pipes;
 * cells[i] are trimmed spans of l.  Returns the number of cells, or
 * max + 1 when there are more (cells then holds the first max).
 */
static size_t split_row(struct line l, struct line *cells, size_t max)
{
	size_t b = 0, e = l.n, n = 0;
	while (b < e && (l.s[b] == ' ' || l.s[b] == '\t'))
		b++;
	while (e > b && (l.s[e - 1] == ' ' || l.s[e - 1] == '\t' || l.s[e - 1] == '\r'))
		e--;
	if (b < e && l.s[b] == '|')
		b++;
	if (e > b && l.s[e - 1] == '|' && !(e - 1 > b && l.s[e - 2] == '\\'))
		e--;
	size_t start = b;
	for (size_t i = b; i <= e; i++) {
		if (i < e && l.s[i] == '\\' && i + 1 < e) {
			i++;
			continue;
		}
		if (i < e && l.s[i] != '|')
			continue;
		size_t cb = start, ce = i;
		while (cb < ce && (l.s[cb] == ' ' || l.s[cb] == '\t'))
			cb++;
		while (ce > cb && (l.s[ce - 1] == ' ' || l.s[ce - 1] == '\t'))
			ce--;
		if (n == max)
			return max + 1;
		cells[n++] = (struct line){l.s + cb, ce - cb};
		start = i + 1;
	}
	return n;
}

/* A delimiter row (|:--|--:|) of n cells; fills align[]. */
static bool delimiter_row(struct line l, size_t n, enum align *align)
{
	struct line cells[MARKDOWN_MAX_COLUMNS];
	/* A pipe is required: "a | b" over "---" is a heading, not a table. */
	if (indent_of(l) >= 4 || !memchr(l.s, '-', l.n) || !memchr(l.s, '|', l.n))
		return false;
	if (split_row(l, cells, MARKDOWN_MAX_COLUMNS) != n)
		return false;
	for (size_t k = 0; k < n; k++) {
		const char *s = cells[k].s;
		size_t m = cells[k].n, dashes = 0;
		bool left = m > 0 && s[0] == ':', right = m > 1 && s[m - 1] == ':';
		for (size_t i = left; i < m - right; i++) {
			if (s[i] != '-')
				return false;
			dashes++;
		}
		if (dashes == 0)
			return false;
		align[k] = left && right ? ALIGN_CENTER : right ? ALIGN_RIGHT
			 : left ? ALIGN_LEFT : ALIGN_NONE;
	}
	return true;
}

/* A header row: not indented as code, and with at least one pipe. */
static size_t header_cells(struct line l, struct line *cells)
{
	if (indent_of(l) >= 4 || !memchr(l.s, '|', l.n) || blank(l))
		return 0;
	size_t n = split_row(l, cells, MARKDOWN_MAX_COLUMNS);
	return n > MARKDOWN_MAX_COLUMNS ? 0 : n;
}

/* One cell's text as inline HTML, through the same safe walk as prose. */
static void render_cell(struct buf *out, struct line cell)
{
	cmark_node *doc = parse_safe(cell.s, cell.n, 0, false);
	cmark_node *first = cmark_node_first_child(doc);
	if (first && !cmark_node_next(first) &&
	    cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
		char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
		size_t n = strlen(html);
		/* "<p>...</p>\n" around the inline content */
		if (n >= 8 && strncmp(html, "<p>", 3) == 0)
			buf_append(out, html + 3, n - 8);
		free(html);
	} else if (cell.n > 0) {
		/* Block syntax ("# x", "- x") in a cell: shown as it was typed. */
		for (size_t i = 0; i < cell.n; i++) {
			char c = cell.s[i];
			if (c == '<')
				buf_puts(out, "&lt;");
			else if (c == '>')
				buf_puts(out, "&gt;");
			else if (c == '&')
				buf_puts(out, "&amp;");
			else if (c == '"')
				buf_puts(out, "&quot;");
			else if (c == '\0')
				buf_puts(out, "\xEF\xBF\xBD");  /* as cmark does */
			else
				buf_putc(out, c);
		}
	}
	cmark_node_free(doc);
}

static void render_row(struct buf *out, struct line l, size_t n, const enum align *align,
		       const char *tag)
{
	static const char *const styles[] = {
		"", " style=\"text-align: left\"", " style=\"text-align: center\"",
		" style=\"text-align: right\"",
	};
	struct line cells[MARKDOWN_MAX_COLUMNS];
	size_t got = split_row(l, cells, MARKDOWN_MAX_COLUMNS);

	buf_puts(out, "<tr>\n");
	for (size_t k = 0; k < n; k++) {
		buf_printf(out, "<%s%s%s>", tag, strcmp(tag, "th") == 0 ? " scope=\"col\"" : "",
			   styles[align[k]]);
		if (k < got)   /* a short row is padded with empty cells */
			render_cell(out, cells[k]);
		buf_printf(out, "</%s>\n", tag);
	}
	buf_puts(out, "</tr>\n");
}

/* A fence (``` or ~~~, up to three spaces in) opens or closes code. */
static bool fence(struct line l, char *ch, size_t *len)
{
	size_t i = 0;
	while (i < l.n && i < 3 && l.s[i] == ' ')
		i++;
	if (i >= l.n || (l.s[i] != '`' && l.s[i] != '~'))
		return false;
	size_t k = i;
	while (k < l.n && l.s[k] == l.s[i])
		k++;
	if (k - i < 3)
		return false;
	*ch = l.s[i];
	*len = k - i;
	return true;
}

char *markdown_to_html(const char *text, size_t len, int heading_shift, size_t *out_len)
{
	struct buf out = BUF_INIT;
	struct line *lines = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			lines = xrealloc(lines, cap * sizeof(*lines));
		}
		lines[n++] = (struct line){p, k};
		p += k + (nl != NULL);
	}

	const char *pending = text;         /* prose not yet rendered */
	char open_ch = 0;
	size_t open_len = 0;
	for (size_t i = 0; i < n; i++) {
		char ch;
		size_t flen;
		if (fence(lines[i], &ch, &flen)) {
			if (!open_ch) {
				open_ch = ch;
				open_len = flen;
			} else if (ch == open_ch && flen >= open_len) {
				open_ch = 0;
			}
			continue;
		}
		struct line head[MARKDOWN_MAX_COLUMNS];
		enum align align[MARKDOWN_MAX_COLUMNS];
		size_t cols = open_ch || i + 1 >= n ? 0 : header_cells(lines[i], head);
		if (cols == 0 || !delimiter_row(lines[i + 1], cols, align))
			continue;
		render_blocks(&out, pending, (size_t)(lines[i].s - pending), heading_shift);
		buf_puts(&out, "<table>\n<thead>\n");
		render_row(&out, lines[i], cols, align, "th");
		buf_puts(&out, "</thead>\n");
		size_t r = i + 2;
		if (r < n && !blank(lines[r]) && memchr(lines[r].s, '|', lines[r].n))
			buf_puts(&out, "<tbody>\n");
		bool body = false;
		for (; r < n && !blank(lines[r]) && memchr(lines[r].s, '|', lines[r].n); r++) {
			render_row(&out, lines[r], cols, align, "td");
			body = true;
		}
		buf_puts(&out, body ? "</tbody>\n</table>\n" : "</table>\n");
		pending = r < n ? lines[r].s : end;
		i = r - 1;
	}
	render_blocks(&out, pending, (size_t)(end - pending), heading_shift);
	free(lines);
	if (out_len)
		*out_len = out.len;
	if (!out.data)
		return xstrdup("");
	return buf_detach(&out, NULL);
}

char *markdown_to_markdown(const char *text, size_t len, int heading_shift,
			   size_t *out_len)
{
	cmark_node *doc = parse_safe(text, len, heading_shift, true);
	char *md = cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0);
	cmark_node_free(doc);
	return finish(md, out_len);
}
