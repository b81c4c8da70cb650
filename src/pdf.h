/*
 * pdf.h -- `--format pdf`: PDF/A-3b copies of staged HTML documents.
 *
 * drgen lays out no pages itself: WeasyPrint (the Debian package
 * weasyprint) renders the HTML drgen already wrote, with its print
 * stylesheet (templates/partials/print.css.mustache), as PDF/A-3b, and
 * embeds the evidence files given (results.json, records.csv) as
 * associated files.  It runs as a child process:
 *
 *   - its URL fetcher refuses every URL but data: and the attachments
 *     named here, so a document can make it fetch nothing, local or
 *     remote (refused URLs become warnings);
 *   - it reads the staged HTML and writes the PDF to a pipe; drgen stages
 *     the bytes through publish, so the PDF is hashed into the manifest
 *     like any output, and a failure leaves the previous output untouched;
 *   - it is killed (its whole process group) after a time limit.
 *
 * Several documents render at once, one child each.
 */
#ifndef DRGEN_PDF_H
#define DRGEN_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "publish.h"

/* The time one build's PDFs may take, in seconds, unless DRGEN_PDF_TIMEOUT
 * (a whole number of seconds) says otherwise. */
#define PDF_TIMEOUT_DEFAULT 900
/* Largest PDF accepted from the engine. */
#define PDF_MAX_BYTES ((size_t)1 << 30)

struct pdf_engine;

/*
 * Finds the engine: DRGEN_WEASYPRINT (path of the weasyprint program) or
 * `weasyprint` on PATH, and the Python interpreter of its #! line.  NULL
 * with a diagnostic naming the Debian package when it is missing.  Free
 * with pdf_engine_free.
 */
struct pdf_engine *pdf_engine_find(struct diags *d);
void pdf_engine_free(struct pdf_engine *e);

struct pdf_job {
	const char *html;       /* staged HTML, relative to the output folder */
	const char *pdf;        /* the PDF to stage */
	const char *identifier; /* PDF file identifier (deterministic bytes) */
};

/*
 * Renders every job at once and stages each PDF; attachments (staged
 * files, relative paths) are embedded in each.  Returns an exit status:
 * 0, or 3 with a diagnostic (engine failed, timed out, or staging failed).
 */
int pdf_render(const struct pdf_engine *e, struct publish *p, const struct pdf_job *jobs,
	       size_t n_jobs, const char *const *attachments, size_t n_attachments,
	       struct diags *d);

#endif
