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

#endif
