/*
 * markdown.h -- hand-written prose (runbooks, drill notes) made safe.
 *
 * Prose comes from the plan directory, so it is untrusted: raw HTML never
 * reaches a page, links with other schemes than http, https, mailto, tel
 * (javascript:, vbscript:, data:, file:) lose their target, and an image
 * stays an image only when embedded (data:image/png|jpeg|gif|webp;base64)
 * or a relative path inside the output: a remote one becomes a link
 * showing its description, so a page loads nothing from anywhere.  Headings
 * are shifted down so that prose nests under the document's own headings
 * (WCAG: headings in order).
 */
#ifndef DRGEN_MARKDOWN_H
#define DRGEN_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Prose as an HTML fragment: raw HTML is dropped (a comment says so),
 * unsafe link targets are emptied, headings are shifted by heading_shift
 * levels (capped at h6).  Caller frees.
 */
char *markdown_to_html(const char *text, size_t len, int heading_shift, size_t *out_len);

/*
 * Prose as CommonMark again, for Markdown documents: raw HTML becomes
 * literal text (escaped), unsafe link targets are emptied, headings are
 * shifted.  Caller frees.
 */
char *markdown_to_markdown(const char *text, size_t len, int heading_shift,
			   size_t *out_len);

/*
 * GitHub alerts (a block quote whose first line is [!NOTE], [!TIP],
 * [!IMPORTANT], [!WARNING] or [!CAUTION]) become <div class="alert
 * alert-warning" role="note"> with a title in HTML and stay as written in
 * Markdown.
 */

/* Ids handed out on one page, so that every heading id is unique. */
struct markdown_ids {
	char **used;
	size_t n, cap;
};

/* "Read this first" -> "read-this-first" (ASCII lowercased, UTF-8 kept). */
void markdown_slug(const char *text, char *out, size_t size);
/* want, or want-2, want-3, ... : the first not yet used; false if none. */
bool markdown_ids_take(struct markdown_ids *ids, const char *want, char *out, size_t size);
void markdown_ids_free(struct markdown_ids *ids);

/* markdown_to_html with id="slug" on every heading (ids may be NULL). */
char *markdown_to_html_ids(const char *text, size_t len, int heading_shift,
			   struct markdown_ids *ids, size_t *out_len);

/*
 * The prose cut at its top-level ATX headings (the smallest level used,
 * outside code): title (emphasis marks dropped; NULL for text before the
 * first heading) and byte range [start, end), heading included.
 */
struct markdown_section {
	char *title;
	size_t start, end;
};
size_t markdown_sections(const char *text, size_t len, struct markdown_section **out);
void markdown_sections_free(struct markdown_section *s, size_t n);

/*
 * The body (Markdown, without the "> ") of the first [!WARNING] or
 * [!CAUTION] alert outside code, or NULL; *title is "Warning" or
 * "Caution".  Caller frees.
 */
char *markdown_first_alert(const char *text, size_t len, const char **title);

#endif
