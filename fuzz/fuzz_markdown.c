/*
 * fuzz_markdown.c -- libFuzzer target for the prose renderer (markdown.h).
 *
 * Input: one byte whose low two bits are the heading shift (0-3), then
 * the Markdown text.  Prose is untrusted (it comes from the plan folder),
 * so besides memory safety the target checks what markdown.h promises:
 *
 *   HTML: no raw HTML reaches the page.  cmark escapes '<' in text, so
 *   every '<' of the output must open one of the tags cmark itself writes
 *   or the tags markdown.c writes itself (pipe tables; the div of a GitHub
 *   alert; heading ids and focusable code blocks) (or cmark's "raw HTML
 *   omitted" comment), with only their attributes (a table cell's style is
 *   one of three fixed alignments), and
 *   every href must be relative or use an allowed scheme (http, https,
 *   mailto, tel), and every src must load nothing from anywhere: embedded
 *   data:image/png|jpeg|gif|webp;base64, or a relative path inside the
 *   output (no scheme, no leading '/' or '\\', no ".." segment).  Text
 *   such as "javascript:" may appear in prose; it only matters in a target.
 *
 *   Markdown: parsed again by cmark, the output holds no raw HTML node
 *   (raw HTML became escaped text) other than the "<!-- end list -->"
 *   comment cmark writes between two adjacent lists, and no link or image
 *   with an unsafe target.
 *
 *   This holds for valid UTF-8 only, which is all drgen passes (runbooks
 *   are checked by source_read, drill notes come from cJSON and libxml2):
 *   cmark drops an invalid byte, and "`<e>``\xFB`" comes back as
 *   "`<e>```", where <e> is raw HTML.  Invalid input still gets the HTML
 *   checks and the memory checks.
 *
 *   Both: the reported length is the string's length; headings stay h1-h6.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "fuzz.h"
#include "markdown.h"
#include "source.h"

static bool in_list(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (strlen(list[i]) == n && memcmp(s, list[i], n) == 0)
			return true;
	}
	return false;
}

/* An image source the page may load, stated independently of markdown.c. */
static bool image_safe(const char *url, size_t len)
{
	static const char *const images[] = {"image/png", "image/jpeg", "image/gif",
					     "image/webp"};
	if (len > 5 && strncasecmp(url, "data:", 5) == 0) {
		for (size_t k = 0; k < ARRAY_LEN(images); k++) {
			size_t n = strlen(images[k]);
			if (len - 5 >= n + 8 && strncasecmp(url + 5, images[k], n) == 0 &&
			    strncasecmp(url + 5 + n, ";base64,", 8) == 0)
				return true;
		}
		return false;
	}
	if (len == 0 || url[0] == '/')
		return false;
	size_t end = 0;
	while (end < len && url[end] != '?' && url[end] != '#')
		end++;
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= ' ' || c == 0x7f || c == '\\' || c == ':')
			return false;
	}
	/* No segment reads "..", with '.' or "%2e". */
	size_t seg = 0;
	for (size_t i = 0; i <= end; i++) {
		if (i < end && url[i] != '/')
			continue;
		char dec[8];
		size_t n = 0;
		for (size_t k = seg; k < i && n < sizeof(dec); n++) {
			if (url[k] == '%' && k + 2 < i && url[k + 1] == '2' &&
			    (url[k + 2] | 0x20) == 'e') {
				dec[n] = '.';
				k += 3;
			} else {
				dec[n] = url[k++];
			}
		}
		if (n == 2 && dec[0] == '.' && dec[1] == '.' && i - seg <= 6)
			return false;
		seg = i + 1;
	}
	return true;
}

/* The policy of markdown.h, stated independently of markdown.c. */
static bool target_safe(const char *url, size_t len, bool image)
{
	static const char *const allowed[] = {"http", "https", "mailto", "tel"};
	if (image)
		return image_safe(url, len);
	size_t i = 0;
	while (i < len && (isalnum((unsigned char)url[i]) || url[i] == '+' ||
			   url[i] == '-' || url[i] == '.'))
		i++;
	if (i == 0 || i == len || url[i] != ':')
		return true;  /* no scheme: relative */
	char scheme[16];
	if (i >= sizeof(scheme))
		return false;
	for (size_t k = 0; k < i; k++)
		scheme[k] = (char)tolower((unsigned char)url[k]);
	return in_list(scheme, i, allowed, ARRAY_LEN(allowed));
}

static void fail_html(const char *html, size_t at, const char *why)
{
	size_t from = at > 60 ? at - 60 : 0;
	fprintf(stderr, "HTML output, at byte %zu: %s\n...%.*s...\n", at, why, 160,
		html + from);
	abort();
}

static void check_html(const char *html, size_t len)
{
	static const char *const tags[] = {
		"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "em", "strong",
		"code", "pre", "ul", "ol", "li", "blockquote", "hr", "br",
		"table", "thead", "tbody", "tr", "th", "td",
		"div",   /* GitHub alerts: <div class="alert alert-KIND" role="note"> */
	};
	static const char *const attrs[] = {"href", "src", "alt", "title", "class", "start",
					    "scope", "style", "id", "tabindex", "role"};
	static const char *const styles[] = {"text-align: left", "text-align: center",
					     "text-align: right"};
	static const char comment[] = "<!-- raw HTML omitted -->";
	FUZZ_ASSERT(strlen(html) == len);
	for (size_t i = 0; i < len; i++) {
		if (html[i] == '>')
			fail_html(html, i, "'>' outside a tag");
		if (html[i] != '<')
			continue;
		if (strncmp(html + i, comment, sizeof(comment) - 1) == 0) {
			i += sizeof(comment) - 2;
			continue;
		}
		size_t k = i + 1;
		bool closing = html[k] == '/';
		k += closing;
		size_t name = k;
		while (islower((unsigned char)html[k]) || isdigit((unsigned char)html[k]))
			k++;
		if (!in_list(html + name, k - name, tags, ARRAY_LEN(tags)))
			fail_html(html, i, "a tag cmark does not write");
		bool image = k - name == 3 && memcmp(html + name, "img", 3) == 0;
		for (;;) {
			while (html[k] == ' ')
				k++;
			if (html[k] == '>' || (html[k] == '/' && html[k + 1] == '>'))
				break;
			if (closing)
				fail_html(html, k, "attribute in a closing tag");
			size_t a = k;
			while (islower((unsigned char)html[k]))
				k++;
			if (!in_list(html + a, k - a, attrs, ARRAY_LEN(attrs)))
				fail_html(html, a, "an attribute cmark does not write");
			if (html[k] != '=' || html[k + 1] != '"')
				fail_html(html, k, "attribute without a quoted value");
			size_t v = k + 2;
			const char *end = strchr(html + v, '"');
			if (!end)
				fail_html(html, v, "unterminated attribute value");
			size_t vlen = (size_t)(end - html) - v;
			if (memchr(html + v, '<', vlen) || memchr(html + v, '>', vlen))
				fail_html(html, v, "'<' or '>' in an attribute value");
			bool target = (k - a == 4 && memcmp(html + a, "href", 4) == 0) ||
				      (k - a == 3 && memcmp(html + a, "src", 3) == 0);
			if (target && !target_safe(html + v, vlen, image))
				fail_html(html, v, "unsafe link or image target");
			if (k - a == 5 && memcmp(html + a, "style", 5) == 0 &&
			    !in_list(html + v, vlen, styles, ARRAY_LEN(styles)))
				fail_html(html, v, "a style markdown.c does not write");
			k = v + vlen + 1;
		}
		i = k + (html[k] == '/');
	}
}

/* The Markdown output, read back by cmark as GitHub would. */
static void check_markdown(const char *md, size_t len)
{
	FUZZ_ASSERT(strlen(md) == len);
	cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
			/* cmark's own separator between a list and a following
			 * list or code block: a comment, not the user's HTML. */
			if (strcmp(cmark_node_get_literal(n), "<!-- end list -->\n") == 0)
				break;
			/* fall through */
		case CMARK_NODE_HTML_INLINE:
			fprintf(stderr, "Markdown output:\n%s\nraw HTML: %s\n", md,
				cmark_node_get_literal(n));
			abort();
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE: {
			const char *url = cmark_node_get_url(n);
			size_t skip = 0;
			while (url && url[skip] && (unsigned char)url[skip] <= ' ')
				skip++;
			if (url && !target_safe(url + skip, strlen(url + skip),
						cmark_node_get_type(n) == CMARK_NODE_IMAGE)) {
				fprintf(stderr, "Markdown output:\n%s\nunsafe target: %s\n", md, url);
				abort();
			}
			break;
		}
		case CMARK_NODE_HEADING:
			FUZZ_ASSERT(cmark_node_get_heading_level(n) >= 1 &&
				    cmark_node_get_heading_level(n) <= 6);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int shift = data[0] & 3;
	const char *text = (const char *)data + 1;
	size_t len = size - 1, out_len = 0;

	char *html = markdown_to_html(text, len, shift, &out_len);
	FUZZ_ASSERT(html);
	check_html(html, out_len);
	free(html);

	char *md = markdown_to_markdown(text, len, shift, &out_len);
	FUZZ_ASSERT(md);
	size_t bad;
	if (source_utf8_valid(text, len, &bad))
		check_markdown(md, out_len);
	free(md);
	return 0;
}
