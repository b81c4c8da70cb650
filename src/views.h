/*
 * views.h -- the view models of the documents (docs/templates.md).
 *
 * Templates never see C structs: each document gets a cJSON tree built
 * here from the model, the facts, the rule results and results.json.
 * Computed values are read from results.json's entries and rows
 * (results.h), made by the code that writes results.json (one source of
 * truth); long tables are lazy lists (mustache.h) built row by row while
 * the document renders; runbook sections, policy tables and the test
 * programme come from the rules' JSON; contacts, escalation and health
 * checks from the model.  Display strings ("5 min", "72 h", "12,400"),
 * status words ("STALE") and CSS classes ("st-stale") are made here so
 * that templates only place them; wording of findings and runbook steps
 * comes from the rules, titles and labels from the templates.
 *
 * A struct views is prepared once per build (look-up tables, the common
 * page fields) and is then read-only: any number of threads may build
 * views from it at once.
 */
#ifndef DRGEN_VIEWS_H
#define DRGEN_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "render_input.h"

/* The output format a view is built for: links, prose and charts differ. */
enum views_format { VIEWS_HTML, VIEWS_MD };

struct views;

/*
 * Prepares the view builders for one build.  in and everything it points
 * to must outlive the result (borrowed).  Caller frees with views_free.
 */
struct views *views_new(const struct render_input *in);
void views_free(struct views *v);

/* Number of services (one runbook each). */
size_t views_service_count(const struct views *v);
/* The id of service i, used in the runbook's file name (borrowed). */
const char *views_service_id(const struct views *v, size_t i);
/* The report period "YYYY-MM" (borrowed). */
const char *views_period(const struct views *v);

/* Number of controls whose findings and evidence are too many for the
 * audit's matrix and get a page of their own (audit/PERIOD/NAME.html). */
size_t views_control_page_count(const struct views *v);
/* The NAME of control page i: the control's anchor ("iso27001-a.8.13"). */
void views_control_page_name(const struct views *v, size_t i, char *out, size_t size);

/*
 * One builder per document; item is the service index for runbooks and
 * ignored by the others.  Each returns a new tree; caller frees with
 * cJSON_Delete.  Thread-safe on a prepared struct views.
 */
typedef cJSON *views_builder(const struct views *v, size_t item, enum views_format f);

views_builder views_index;
views_builder views_plan;
views_builder views_runbook;
views_builder views_audit;
views_builder views_control;   /* item: the control page's index */

struct evidence_file;

/*
 * The evidence page (evidence.html): every file of the evidence pack
 * staged so far (files[0..n), sorted by path; those under evidence/ are
 * listed, the others counted), whether the pack will be signed, and how
 * to check it.  Built after every other file is staged and before the
 * manifest is written, so it cannot hold the manifest's hash or its own.
 * Caller frees with cJSON_Delete.
 */
cJSON *views_evidence(const struct views *v, const struct evidence_file *files, size_t n,
		      bool signing, enum views_format f);

/* The `page` object of a top-level document, as every view has it (for
 * builders outside views.c); current names its navigation entry. */
cJSON *views_page(cJSON *view, const struct views *v, enum views_format f, const char *current);

/* Display helpers, shared with the evidence writers and tests. */

/* An objective: "0 min", "5 min", "1 h", "72 h", "1.5 h"; "" for NAN. */
void views_format_objective(double minutes, char *out, size_t size);
/* An age: "< 1 min", "42 min", "3 h 20 min", "2 d 4 h"; "" for NAN or < 0. */
void views_format_age(double minutes, char *out, size_t size);
/* A number with thousands separators and `decimals` places: "12,400". */
void views_format_number(double x, int decimals, char *out, size_t size);

/*
 * Reading the results tree: a missing key, or a value of another type,
 * reads as NULL (or NAN for a number), so views never test types twice.
 */
const cJSON *views_get(const cJSON *o, const char *key);
const char *views_get_str(const cJSON *o, const char *key);
double views_get_num(const cJSON *o, const char *key);

#endif
