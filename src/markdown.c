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
#include <stdio.h>
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

/* ---- GitHub alerts: > [!WARNING] ---- */

static const char *const alert_kinds[] = {"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"};
static const char *const alert_titles[] = {"Note", "Tip", "Important", "Warning", "Caution"};
static const char *const alert_classes[] = {"note", "tip", "important", "warning", "caution"};

/*
 * The alert kind of a block quote whose first line is "[!KIND]" alone
 * (cmark splits it into several text nodes), or -1; *last is the last of
 * those text nodes.
 */
static int alert_kind(cmark_node *quote, cmark_node **last)
{
	cmark_node *para = cmark_node_first_child(quote);
	char word[16];
	size_t n = 0;
	if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return -1;
	cmark_node *t = cmark_node_first_child(para);
	*last = NULL;
	for (; t && cmark_node_get_type(t) == CMARK_NODE_TEXT; t = cmark_node_next(t)) {
		const char *lit = cmark_node_get_literal(t);
		size_t k = lit ? strlen(lit) : 0;
		if (n + k >= sizeof(word))
			return -1;
		memcpy(word + n, lit, k);
		n += k;
		*last = t;
	}
	if (t && cmark_node_get_type(t) != CMARK_NODE_SOFTBREAK &&
	    cmark_node_get_type(t) != CMARK_NODE_LINEBREAK)
		return -1;
	word[n] = '\0';
	while (n > 0 && word[n - 1] == ' ')
		word[--n] = '\0';
	if (n < 4 || word[0] != '[' || word[1] != '!' || word[n - 1] != ']')
		return -1;
	for (size_t k = 0; k < ARRAY_LEN(alert_kinds); k++) {
		if (strlen(alert_kinds[k]) == n - 3 && strncasecmp(word + 2, alert_kinds[k], n - 3) == 0)
			return (int)k;
	}
	return -1;
}

/*
 * HTML: the block quote becomes <div class="alert alert-KIND"> with a
 * title; Markdown: the marker is kept as written (cmark would escape its
 * brackets), so GitHub still shows the alert.
 */
static void alert_convert(cmark_node *quote, bool html)
{
	cmark_node *last;
	int k = alert_kind(quote, &last);
	if (k < 0)
		return;
	cmark_node *para = cmark_node_first_child(quote);
	cmark_node *t = cmark_node_first_child(para), *next;
	if (!html) {
		cmark_node *raw = cmark_node_new(CMARK_NODE_HTML_INLINE);
		char marker[24];
		snprintf(marker, sizeof(marker), "[!%s]", alert_kinds[k]);
		cmark_node_set_literal(raw, marker);
		cmark_node_insert_before(t, raw);
	}
	for (bool done = false; t && !done; t = next) {
		next = cmark_node_next(t);
		done = t == last;
		cmark_node_free(t);
	}
	if (html) {
		/* the line break after the marker, and a paragraph left empty */
		t = cmark_node_first_child(para);
		if (t && (cmark_node_get_type(t) == CMARK_NODE_SOFTBREAK ||
			  cmark_node_get_type(t) == CMARK_NODE_LINEBREAK))
			cmark_node_free(t);
		if (!cmark_node_first_child(para))
			cmark_node_free(para);
		char enter[160];
		snprintf(enter, sizeof(enter),
			 "<div class=\"alert alert-%s\" role=\"note\">\n<p class=\"alert-title\">%s</p>",
			 alert_classes[k], alert_titles[k]);
		cmark_node *div = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
		cmark_node_set_on_enter(div, enter);
		cmark_node_set_on_exit(div, "</div>");
		cmark_node *child;
		while ((child = cmark_node_first_child(quote))) {
			cmark_node_unlink(child);
			cmark_node_append_child(div, child);
		}
		cmark_node_replace(quote, div);
		cmark_node_free(quote);
	}
}

static cmark_node *parse_safe(const char *text, size_t len, int shift, bool keep_html_as_text)
{
	cmark_node *doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **html = NULL, **images = NULL, **quotes = NULL;
	size_t n_html = 0, cap = 0, n_images = 0, cap_images = 0, n_quotes = 0, cap_quotes = 0;
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
		case CMARK_NODE_BLOCK_QUOTE:
			if (n_quotes == cap_quotes) {
				cap_quotes = cap_quotes ? cap_quotes * 2 : 4;
				quotes = xrealloc(quotes, cap_quotes * sizeof(*quotes));
			}
			quotes[n_quotes++] = node;
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
	/* Innermost first would not matter: an alert is recognised by its own first line. */
	for (size_t i = 0; i < n_quotes; i++)
		alert_convert(quotes[i], !keep_html_as_text);
	free(quotes);
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

/* ---- heading ids ---- */

void markdown_slug(const char *text, char *out, size_t size)
{
	size_t n = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)text; *p && n + 2 < size; p++) {
		if (isalnum(*p) || *p >= 0x80) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = false;
			out[n++] = (char)(*p < 0x80 ? tolower(*p) : *p);
		} else {
			dash = true;
		}
	}
	/* never end inside a UTF-8 sequence */
	while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
		n--;
	if (n == 0)
		n = (size_t)snprintf(out, size, "section");
	out[n] = '\0';
}

bool markdown_ids_take(struct markdown_ids *ids, const char *want, char *out, size_t size)
{
	for (unsigned k = 1; k < 1000; k++) {
		if (k == 1)
			snprintf(out, size, "%s", want);
		else
			snprintf(out, size, "%s-%u", want, k);
		size_t i = 0;
		while (i < ids->n && strcmp(ids->used[i], out) != 0)
			i++;
		if (i == ids->n) {
			if (ids->n == ids->cap) {
				ids->cap = ids->cap ? ids->cap * 2 : 16;
				ids->used = xrealloc(ids->used, ids->cap * sizeof(*ids->used));
			}
			ids->used[ids->n++] = xstrdup(out);
			return true;
		}
	}
	return false;
}

void markdown_ids_free(struct markdown_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->used[i]);
	free(ids->used);
	*ids = (struct markdown_ids){0};
}

/* The plain text of a node (headings: text and code spans). */
static void plain_text(cmark_node *node, struct buf *b)
{
	for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			buf_puts(b, cmark_node_get_literal(c));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			buf_putc(b, ' ');
		else
			plain_text(c, b);
	}
}

/* html with id="..." added to each <hN> of doc, in order. */
static void put_with_ids(struct buf *out, const char *html, cmark_node *doc,
			 struct markdown_ids *ids)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	const char *p = html;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(node) != CMARK_NODE_HEADING)
			continue;
		char tag[5] = {'<', 'h', (char)('0' + cmark_node_get_heading_level(node)), '>', 0};
		const char *at = strstr(p, tag);
		if (!at)
			break;
		struct buf t = BUF_INIT;
		char slug[96], id[104];
		plain_text(node, &t);
		markdown_slug(t.data ? t.data : "", slug, sizeof(slug));
		buf_free(&t);
		buf_append(out, p, (size_t)(at - p) + 3);
		if (markdown_ids_take(ids, slug, id, sizeof(id)))
			buf_printf(out, " id=\"%s\"", id);
		p = at + 3;
	}
	cmark_iter_free(it);
	buf_puts(out, p);
}

/* Prose without tables as HTML, appended to out. */
static void render_blocks(struct buf *out, const char *text, size_t len, int shift,
			  struct markdown_ids *ids)
{
	if (len == 0)
		return;
	cmark_node *doc = parse_safe(text, len, shift, false);
	/* Without CMARK_OPT_UNSAFE, cmark also refuses raw HTML and bad URLs. */
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	struct buf b = BUF_INIT;
	if (ids)
		put_with_ids(&b, html, doc, ids);
	else
		buf_puts(&b, html);
	cmark_node_free(doc);
	free(html);
	/* Code blocks scroll sideways: keyboard users must reach them (WCAG 2.1.1). */
	const char *p = b.data ? b.data : "", *at;
	while ((at = strstr(p, "<pre>"))) {
		buf_append(out, p, (size_t)(at - p));
		buf_puts(out, "<pre tabindex=\"0\">");
		p = at + 5;
	}
	buf_puts(out, p);
	buf_free(&b);
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
	return markdown_to_html_ids(text, len, heading_shift, NULL, out_len);
}

char *markdown_to_html_ids(const char *text, size_t len, int heading_shift,
			   struct markdown_ids *ids, size_t *out_len)
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
		render_blocks(&out, pending, (size_t)(lines[i].s - pending), heading_shift, ids);
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
	render_blocks(&out, pending, (size_t)(end - pending), heading_shift, ids);
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

/* ---- sections and alerts of the source ---- */

/* The lines of text (without their line breaks); caller frees. */
static struct line *split_lines(const char *text, size_t len, size_t *n_out)
{
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
	*n_out = n;
	return lines;
}

/* The level of an ATX heading line (1-6), or 0; *title is its text. */
static int atx_heading(struct line l, struct line *title)
{
	size_t i = 0, h = 0;
	while (i < l.n && i < 3 && l.s[i] == ' ')
		i++;
	while (i + h < l.n && l.s[i + h] == '#')
		h++;
	if (h < 1 || h > 6 || (i + h < l.n && l.s[i + h] != ' ' && l.s[i + h] != '\t' &&
			       l.s[i + h] != '\r'))
		return 0;
	size_t b = i + h, e = l.n;
	while (b < e && (l.s[b] == ' ' || l.s[b] == '\t'))
		b++;
	while (e > b && (l.s[e - 1] == ' ' || l.s[e - 1] == '\t' || l.s[e - 1] == '\r'))
		e--;
	size_t c = e;   /* a closing run of # after a space */
	while (c > b && l.s[c - 1] == '#')
		c--;
	if (c < e && (c == b || l.s[c - 1] == ' ')) {
		e = c;
		while (e > b && l.s[e - 1] == ' ')
			e--;
	}
	*title = (struct line){l.s + b, e - b};
	return (int)h;
}

size_t markdown_sections(const char *text, size_t len, struct markdown_section **out)
{
	size_t n, count = 0, cap = 0;
	struct line *lines = split_lines(text, len, &n);
	struct markdown_section *v = NULL;
	int top = 7;
	char open_ch = 0, ch;
	size_t open_len = 0, flen;
	struct line title;
	bool *in_code = xcalloc(n + 1, sizeof(*in_code));

	for (size_t i = 0; i < n; i++) {
		if (fence(lines[i], &ch, &flen)) {
			in_code[i] = true;
			if (!open_ch) {
				open_ch = ch;
				open_len = flen;
			} else if (ch == open_ch && flen >= open_len) {
				open_ch = 0;
			}
			continue;
		}
		in_code[i] = open_ch != 0;
		int h = in_code[i] ? 0 : atx_heading(lines[i], &title);
		if (h && h < top)
			top = h;
	}
	for (size_t i = 0; i <= n; i++) {
		bool head = i < n && !in_code[i] && atx_heading(lines[i], &title) == top;
		if (i == 0 && !head && n > 0) {
			v = xrealloc(v, (cap = 4) * sizeof(*v));
			v[count++] = (struct markdown_section){NULL, 0, 0};
		}
		size_t at = i < n ? (size_t)(lines[i].s - text) : len;
		if (!head && i < n)
			continue;
		if (count > 0)
			v[count - 1].end = at;
		if (i == n)
			break;
		if (count == cap) {
			cap = cap ? cap * 2 : 4;
			v = xrealloc(v, cap * sizeof(*v));
		}
		struct buf t = BUF_INIT;
		for (size_t k = 0; k < title.n; k++) {
			if (title.s[k] != '*' && title.s[k] != '_' && title.s[k] != '`')
				buf_putc(&t, title.s[k]);
		}
		v[count++] = (struct markdown_section){t.data ? buf_detach(&t, NULL) : xstrdup(""),
						       at, len};
	}
	free(in_code);
	free(lines);
	*out = v;
	return count;
}

void markdown_sections_free(struct markdown_section *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].title);
	free(s);
}

char *markdown_first_alert(const char *text, size_t len, const char **title)
{
	size_t n;
	struct line *lines = split_lines(text, len, &n);
	char open_ch = 0, ch;
	size_t open_len = 0, flen;
	char *found = NULL;

	for (size_t i = 0; i < n && !found; i++) {
		if (fence(lines[i], &ch, &flen)) {
			if (!open_ch) {
				open_ch = ch;
				open_len = flen;
			} else if (ch == open_ch && flen >= open_len) {
				open_ch = 0;
			}
			continue;
		}
		if (open_ch)
			continue;
		struct line l = lines[i];
		size_t b = 0, e = l.n;
		while (b < e && b < 3 && l.s[b] == ' ')
			b++;
		if (b >= e || l.s[b] != '>')
			continue;
		b++;
		while (b < e && l.s[b] == ' ')
			b++;
		while (e > b && (l.s[e - 1] == ' ' || l.s[e - 1] == '\r'))
			e--;
		int k = -1;
		for (size_t a = 3; a < ARRAY_LEN(alert_kinds); a++) {   /* WARNING, CAUTION */
			size_t m = strlen(alert_kinds[a]);
			if (e - b == m + 3 && strncmp(l.s + b, "[!", 2) == 0 &&
			    strncasecmp(l.s + b + 2, alert_kinds[a], m) == 0 && l.s[e - 1] == ']')
				k = (int)a;
		}
		if (k < 0)
			continue;
		struct buf body = BUF_INIT;
		for (size_t j = i + 1; j < n; j++) {
			struct line q = lines[j];
			size_t c = 0;
			while (c < q.n && c < 3 && q.s[c] == ' ')
				c++;
			if (c >= q.n || q.s[c] != '>')
				break;
			c++;
			if (c < q.n && q.s[c] == ' ')
				c++;
			buf_append(&body, q.s + c, q.n - c);
			buf_putc(&body, '\n');
		}
		*title = alert_titles[k];
		found = body.data ? buf_detach(&body, NULL) : xstrdup("");
	}
	free(lines);
	return found;
}
