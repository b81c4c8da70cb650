/*
 * views_int.h -- what the view builders share: the prepared struct views,
 * the page context, lazy row lists and the small put_* helpers.
 *
 * views.c prepares struct views and holds the pieces several documents
 * show (service links, findings, datastores, drills, readiness cards,
 * contacts); views_chart.c, views_compliance.c and views_changes.c build
 * the sections the dashboard, the plan and the audit have in common; one
 * file per document (views_index.c, views_plan.c, views_runbook.c,
 * views_audit.c) builds that document and exports only its builder.
 * Everything here reads struct views and never writes it (views.h).
 *
 * The put_* helpers add a member to a cJSON object; keys are literals
 * (they are added with the ...CS calls, not copied) and a NULL string
 * adds nothing.
 */
#ifndef DRGEN_VIEWS_INT_H
#define DRGEN_VIEWS_INT_H

#include "views.h"

#include <stdint.h>

#include "dates.h"
#include "util.h"

/*
 * A control whose findings and evidence together exceed this many entries
 * lists them on a page of its own (audit/PERIOD/ANCHOR.html), so that the
 * audit report stays a size a browser and a paged layout can open at any
 * plan size (issue 16 item 8); the matrix row gives the counts and links.
 */
#define VIEWS_CONTROL_PAGE_ITEMS 100
/* Such a control's reason, when longer than this, is given in its row as
 * each check's outcome and counts; the page has it whole. */
#define VIEWS_CONTROL_REASON_MAX 2000

/* Severities from most to least severe, as rules name them. */
#define VIEWS_N_SEVERITIES 5
extern const char *const views_severity_names[VIEWS_N_SEVERITIES];

struct views {
	const struct render_input *in;
	const struct model *m;
	const struct facts *f;
	const struct rules_results *r;
	const cJSON *results;      /* results.json's small parts (results_summary) */
	const struct results *rs;  /* its entries, built on demand */
	struct results_service_row *svc;     /* parallel to model services */
	struct results_datastore_row *store; /* parallel to model datastores */
	const struct finding **finding;      /* most severe first, then by id */
	size_t n_findings;
	size_t *svc_findings;      /* finding indices grouped by service */
	size_t *svc_findings_at;   /* n_services + 1 offsets into svc_findings */
	size_t *dependents;        /* service indices grouped by dependency */
	size_t *dependents_at;     /* n_services + 1 offsets */
	const cJSON **controls;    /* results.json's controls, in order */
	size_t n_controls;
	size_t *control_pages;     /* indices of the controls with a page of their own */
	size_t n_control_pages;
	bool *control_paged;       /* per control: it has one */
	char period[8];
	char as_of[DATE_RFC3339_SIZE];
	char as_of_display[32];
	char period_first[11], period_last[11];
};

/* Where a page sits and what it links to. */
struct pctx {
	const struct views *v;
	enum views_format f;
	const char *root;   /* "", "../" or "../../" */
	const char *ext;    /* "html" or "md" */
	bool charts;        /* inline SVG charts (HTML only) */
	bool audit;         /* the audit itself: its anchors are "#..." links */
};

/* The context of a page depth folders below the output root (0 to 2). */
struct pctx views_pctx_make(const struct views *v, enum views_format f, int depth);

/* The anchor of results.json control c ("iso27001-a.8.13"), also the name
 * of its page. */
void views_control_anchor(const cJSON *c, char *out, size_t size);

/* ---- reading results.json (besides views_get* of views.h) ---------------- */

/* Whether o's key is true / is a boolean at all. */
bool views_jtrue(const cJSON *o, const char *key);
bool views_jbool_known(const cJSON *o, const char *key);
/* The severity of a results.json finding (for views_sort_by_severity). */
const char *views_json_severity(const void *item);

/* ---- putting members ------------------------------------------------------ */

void views_put_str(cJSON *o, const char *key, const char *s);
void views_put_num(cJSON *o, const char *key, double x);
void views_put_bool(cJSON *o, const char *key, bool b);
void views_put_fmt(cJSON *o, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* A new empty object or array as o's key, or pushed on array a (borrowed). */
cJSON *views_put_obj(cJSON *o, const char *key);
cJSON *views_put_arr(cJSON *o, const char *key);
cJSON *views_push_obj(cJSON *a);
/* s with every '_' as a space; s in capitals; a CSS class prefix + s. */
void views_put_words(cJSON *o, const char *key, const char *s);
void views_put_upper(cJSON *o, const char *key, const char *s);
void views_put_class(cJSON *o, const char *key, const char *prefix, const char *s);
/* The strings of a JSON array joined with ", ". */
void views_put_joined(cJSON *o, const char *key, const cJSON *arr);
/* The shortest decimal form of x with at most max places: 1.5, 2, 0.125. */
void views_format_short(double x, int max, char *out, size_t size);
/* A JSON scalar appended to b: strings as they are, numbers shortest, else JSON. */
void views_put_scalar(struct buf *b, const cJSON *x);
/* An objective in minutes as views_format_objective shows it. */
void views_put_objective(cJSON *o, const char *key, double minutes);
/* A results.json timestamp, always with its time: "2026-10-31 23:07 UTC". */
void views_put_stamp(cJSON *o, const char *key, const char *rfc3339);
/* A time of the model (DATE_NONE: nothing): its day when at midnight, else
 * with its time; or its day only. */
void views_put_time(cJSON *o, const char *key, int64_t t);
void views_put_time_day(cJSON *o, const char *key, int64_t t);
/* `severity`, its label in capitals and its CSS class ("sev-high"). */
void views_put_severity(cJSON *o, const char *sev);
/* `currency`, its label in capitals and its CSS class ("st-stale"). */
void views_put_currency(cJSON *o, const char *cur);
/* A link to anchor `anchor` of the audit: "#a" inside it, else its path. */
void views_put_audit_href(cJSON *o, const char *key, const struct pctx *pc,
			  const char *anchor);

/* ---- ordering and grouping ------------------------------------------------ */

/* A severity's index in views_severity_names; VIEWS_N_SEVERITIES if unknown. */
size_t views_severity_rank(const char *sev);
/* Sorts items most severe first, stable within a severity. */
void views_sort_by_severity(const void **items, size_t n,
			    const char *(*severity_of)(const void *item));
/* Groups pairs (key, value) into offsets and values (a CSR table); caller
 * frees *at_out and *vals_out with free. */
void views_group(size_t n_keys, const size_t *keys, const size_t *vals, size_t n,
		 size_t **at_out, size_t **vals_out);

/* ---- long lists ----------------------------------------------------------- */

/* Fills row o of a lazy list with item k (a model index or a position). */
typedef void fill_row(cJSON *o, const struct pctx *pc, size_t k);

/* Puts lazy list `key`: rows fill(idx[0]), ..., fill(idx[n - 1]); idx NULL
 * means 0..n-1.  idx is copied. */
void views_put_rows(cJSON *o, const char *key, const struct pctx *pc, fill_row *fill,
		    const size_t *idx, size_t n);

/* Model indices: a growable list of the rows a table shows (caller frees idx). */
struct rows {
	size_t *idx;
	size_t n, cap;
};

void views_rows_add(struct rows *r, size_t k);

/* ---- pieces shared by several documents ----------------------------------- */

/* The `page` object every document has; self_stem names the other format's
 * copy of this page (NULL: none). */
cJSON *views_put_page(cJSON *view, const struct pctx *pc, const char *current,
		      const char *self_stem);

/* Service i: a link to its runbook and what every list shows about it. */
void views_fill_service_ref(cJSON *o, const struct pctx *pc, size_t i);
cJSON *views_push_service_ref(cJSON *arr, const struct pctx *pc, size_t i);
/* The model index of service id, or -1. */
long views_service_index(const struct views *v, const char *id);
/* The name of contact id, else id itself (borrowed). */
const char *views_contact_name(const struct views *v, const char *id);

/* Row fillers: finding j (position in v->finding), datastore k, drill di
 * with its results (full) or without (brief). */
void views_fill_finding(cJSON *o, const struct pctx *pc, size_t j);
void views_fill_store(cJSON *o, const struct pctx *pc, size_t k);
void views_fill_drill_full(cJSON *o, const struct pctx *pc, size_t di);
void views_fill_drill_brief(cJSON *o, const struct pctx *pc, size_t di);

/* Open drill actions past their due date (a fact: due < as-of). */
bool views_issue_overdue(const struct views *v, const struct drill_issue *is);
/* A drill action as the audit and the runbooks list it: its drill, id,
 * title, severity and due date. */
void views_put_action(cJSON *o, const struct drill *dr, const struct drill_issue *is);
/* Whether drill di is dated within the last 12 months. */
bool views_drill_in_12m(const struct views *v, size_t di);
/* `last_drill` of service i: its newest drill, with its own result. */
void views_put_last_drill(cJSON *o, const struct pctx *pc, size_t i);
/* The readiness cards (`kpis`) and findings by severity of the dashboard
 * and the audit. */
void views_put_readiness(cJSON *view, const struct views *v);

/* A contact: name, role, team, phone and e-mail with their tel:/mailto:
 * links, when last verified. */
void views_put_contact(cJSON *o, const struct contact *c);
/* The first max of escalation steps[0..n), pushed on arr. */
void views_put_escalation(cJSON *arr, const struct views *v,
			  const struct escalation_step *steps, size_t n, size_t max);

/* ---- sections (views_chart.c, views_compliance.c, views_changes.c) -------- */

/* Charts (HTML only): services per tier, backup age against RPO of
 * stores[0..n) (NULL: all; id is the chart's element id), drill recovery times. */
void views_chart_services(cJSON *view, const struct pctx *pc, const size_t *per_tier);
void views_chart_backups(cJSON *view, const struct pctx *pc, const size_t *stores, size_t n,
			 const char *id);
void views_chart_drills(cJSON *view, const struct pctx *pc);

/* `compliance`: the frameworks' summaries, and with_controls their controls. */
void views_compliance_put(cJSON *view, const struct pctx *pc, bool with_controls);

/* `changes`: what changed since the previous results.json (--previous). */
void views_changes_put(cJSON *view, const struct pctx *pc);

#endif
