/*
 * markdown.c -- cmark with the unsafe parts taken out of the tree.
 *
 * Rather than trusting a renderer option alone, the tree is walked once
 * before rendering: HTML nodes are turned into text (for Markdown output)
 * or removed (for HTML output, where cmark's safe mode would also drop
 * them), link and image targets are checked against an allow-list of
 * schemes, and heading levels are shifted.  Both outputs share the walk.
 */
#include "markdown.h"

#include <cmark.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A URL is safe when it has no scheme (relative, #anchor) or an allowed one. */
static bool url_safe(const char *url, bool image)
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
	if (image && i == 4 && strncasecmp(url, "data", 4) == 0)
		return strncasecmp(url + 5, "image/png", 9) == 0 ||
		       strncasecmp(url + 5, "image/jpeg", 10) == 0 ||
		       strncasecmp(url + 5, "image/gif", 9) == 0 ||
		       strncasecmp(url + 5, "image/webp", 10) == 0;
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

/* An image whose target is unsafe becomes its description, as text. */
static void image_to_text(cmark_node *image)
{
	cmark_node *child;
	while ((child = cmark_node_first_child(image))) {
		cmark_node_unlink(child);
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
			if (!url_safe(cmark_node_get_url(node), false))
				cmark_node_set_url(node, "");
			break;
		case CMARK_NODE_IMAGE:
			if (!url_safe(cmark_node_get_url(node), true)) {
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
		image_to_text(images[i]);
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

char *markdown_to_html(const char *text, size_t len, int heading_shift, size_t *out_len)
{
	cmark_node *doc = parse_safe(text, len, heading_shift, false);
	/* Without CMARK_OPT_UNSAFE, cmark also refuses raw HTML and bad URLs. */
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cmark_node_free(doc);
	return finish(html, out_len);
}

char *markdown_to_markdown(const char *text, size_t len, int heading_shift,
			   size_t *out_len)
{
	cmark_node *doc = parse_safe(text, len, heading_shift, true);
	char *md = cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0);
	cmark_node_free(doc);
	return finish(md, out_len);
}
