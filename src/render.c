/*
 * render.c -- every document of a build, from templates and view models.
 *
 * Design: one table lists the documents (template, output path, view
 * builder, format); every document takes the same path through this file
 * and nothing branches on a template's name.  The table is expanded into
 * a list of jobs (one per document, one per service for runbooks), every
 * template the jobs need is compiled first on the calling thread (so a
 * template error is reported once, and the list of template files for
 * the manifest is complete), then the jobs are rendered on a few threads.
 * The single documents (dashboard, plan, audit) have the largest views by
 * far and do not read the runbooks, so one thread of their own renders
 * them one after another, starting in render_begin while the caller still
 * runs runbook.lua: two audit views are never alive at once.  In
 * render_end the caller and threads-1 more render the runbooks, handed
 * out from one shared counter, so no thread idles while another has a
 * long queue.  Each
 * thread has its own buffer and diagnostics, merged in thread order
 * afterwards.  A job's bytes depend only on its view and template, so the
 * output is the same for any number of threads.  Files go to publish,
 * which hashes and stages them.
 *
 * The evidence files that are not documents (backups.csv, controls.xml)
 * are written here too, on the calling thread, from results.json's
 * entries (results.h).
 */
#include "render.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "build_format.h"
#include "evidence.h"
#include "fingerprint.h"
#include "mustache.h"
#include "util.h"
#include "views.h"

/*
 * The budget of one build, over every document rendered (drgen help
 * limits; docs/templates.md).  One render is already bounded (256 MiB,
 * 50 million steps); these bound the sum, so that a small plan cannot make
 * a build write gigabytes or render for hours.  They grow with what the
 * documents list: a fixed part for the single documents, a part per
 * service (its two runbooks and its rows elsewhere), a smaller one per
 * datastore and per drill (rows of the audit and the plan), and for the
 * bytes 8 x each distinct runbook prose file (shown in two formats; HTML
 * escaping may triple it).  Measured on a 10,000-service plan made by
 * bench/gen_plan (16,576 datastores, 20,000 drills): its documents are
 * 397 MB and 25.4 million steps, against budgets of about 3.2 GiB and
 * 783 million; the sample plan uses 0.9 MB and 44,000 steps.
 */
#define BUDGET_BYTES_BASE        ((uint64_t)256 << 20)   /* 256 MiB */
#define BUDGET_BYTES_PER_SERVICE ((uint64_t)256 << 10)   /* 256 KiB */
#define BUDGET_BYTES_PER_ROW     ((uint64_t)16 << 10)    /* datastore, drill */
#define BUDGET_BYTES_PER_PROSE   8                       /* x each runbook file */
#define BUDGET_STEPS_BASE        ((uint64_t)100000000)
#define BUDGET_STEPS_PER_SERVICE ((uint64_t)50000)
#define BUDGET_STEPS_PER_ROW     ((uint64_t)5000)

struct prose_file {
	const char *path;
	size_t len;
};

static int cmp_prose(const void *a, const void *b)
{
	return strcmp(((const struct prose_file *)a)->path,
		      ((const struct prose_file *)b)->path);
}

/* The byte and step budgets of a build of model m (see above). */
static void build_budget(const struct model *m, uint64_t *bytes, uint64_t *steps)
{
	struct prose_file *f = xcalloc(m->n_services ? m->n_services : 1, sizeof(*f));
	size_t n = 0;
	uint64_t prose = 0;

	for (size_t i = 0; i < m->n_services; i++) {
		const struct service *s = &m->services[i];
		if (s->runbook_text)
			f[n++] = (struct prose_file){s->runbook_path ? s->runbook_path : s->id,
						     s->runbook_len};
	}
	/* A file several services name counts once. */
	qsort(f, n, sizeof(*f), cmp_prose);
	for (size_t k = 0; k < n; k++)
		if (k == 0 || strcmp(f[k].path, f[k - 1].path) != 0)
			prose += f[k].len;
	free(f);
	uint64_t rows = (uint64_t)m->n_datastores + m->n_drills;
	*bytes = BUDGET_BYTES_BASE + BUDGET_BYTES_PER_SERVICE * m->n_services +
		 BUDGET_BYTES_PER_ROW * rows + BUDGET_BYTES_PER_PROSE * prose;
	*steps = BUDGET_STEPS_BASE + BUDGET_STEPS_PER_SERVICE * m->n_services +
		 BUDGET_STEPS_PER_ROW * rows;
}

/* Threads used when the caller does not say. */
#define RENDER_DEFAULT_THREADS 2
#define RENDER_MAX_THREADS 16

enum doc_repeat {
	DOC_ONCE,          /* one file */
	DOC_PER_SERVICE,   /* one file per service: {service} in the path */
	DOC_PER_CONTROL,   /* one per control with a page of its own: {control} */
};

struct doc_kind {
	const char *template;     /* loader name: templates/NAME.mustache */
	const char *path;         /* output path; {service}, {control}, {period} replaced */
	enum views_format format;
	unsigned format_bit;      /* enum build_format */
	enum doc_repeat repeat;
	views_builder *build;
};

static const struct doc_kind documents[] = {
	{"index.html", "index.html", VIEWS_HTML, BUILD_HTML, DOC_ONCE, views_index},
	{"plan.html", "plan.html", VIEWS_HTML, BUILD_HTML, DOC_ONCE, views_plan},
	{"plan.md", "plan.md", VIEWS_MD, BUILD_MD, DOC_ONCE, views_plan},
	{"audit.html", "audit/{period}.html", VIEWS_HTML, BUILD_HTML, DOC_ONCE, views_audit},
	{"audit.md", "audit/{period}.md", VIEWS_MD, BUILD_MD, DOC_ONCE, views_audit},
	{"control.html", "audit/{period}/{control}.html", VIEWS_HTML, BUILD_HTML, DOC_PER_CONTROL,
	 views_control},
	{"control.md", "audit/{period}/{control}.md", VIEWS_MD, BUILD_MD, DOC_PER_CONTROL,
	 views_control},
	{"runbook.html", "runbooks/{service}.html", VIEWS_HTML, BUILD_HTML, DOC_PER_SERVICE,
	 views_runbook},
	{"runbook.md", "runbooks/{service}.md", VIEWS_MD, BUILD_MD, DOC_PER_SERVICE,
	 views_runbook},
};

struct job {
	const struct doc_kind *doc;
	const struct mustache_template *tmpl;
	size_t item;
};

struct shared {
	const struct views *views;
	const struct render_input *in;
	const struct render_stats *stats;
	struct publish *publish;
	const struct job *jobs;
	size_t n_jobs;
	size_t n_single;           /* jobs[0 .. n_single): the single documents */
	atomic_size_t next;        /* the next job of the shared queue */
	atomic_bool failed;
};

struct worker {
	struct shared *sh;
	bool singles;              /* renders jobs[0 .. n_single) */
	bool queue;                /* then takes jobs from the shared queue */
	struct diags *d;
	size_t documents;
	size_t bytes;
	pthread_t thread;
};

/* The output path of one job: the pattern with its placeholders filled. */
static void job_path(const struct views *v, const struct job *j, struct buf *out)
{
	const char *p = j->doc->path;
	buf_reset(out);
	while (*p) {
		if (strncmp(p, "{service}", 9) == 0) {
			buf_puts(out, views_service_id(v, j->item));
			p += 9;
		} else if (strncmp(p, "{control}", 9) == 0) {
			char name[256];
			views_control_page_name(v, j->item, name, sizeof(name));
			buf_puts(out, name);
			p += 9;
		} else if (strncmp(p, "{period}", 8) == 0) {
			buf_puts(out, views_period(v));
			p += 8;
		} else {
			buf_putc(out, *p++);
		}
	}
}

/*
 * A document on its way to disk: small ones are staged whole, a large one
 * (the audit report) goes out in pieces while it renders, through a
 * stream opened at its first piece.
 */
struct document_sink {
	struct publish *publish;
	const char *path;
	struct publish_stream *stream;
	struct diags *d;
	size_t bytes;              /* written so far */
};

static bool document_piece(void *ctx, const char *data, size_t len)
{
	struct document_sink *ds = ctx;
	ds->bytes += len;
	if (!ds->stream)
		ds->stream = publish_stream_open(ds->publish, ds->path, ds->d);
	return ds->stream && publish_stream_write(ds->stream, data, len);
}

/*
 * The one place a document is rendered.  HTML documents escape {{x}} for
 * HTML, Markdown documents for Markdown (the format decides, not the
 * template's name).
 */
static bool render_document(const struct mustache_template *t, const cJSON *view,
			    enum views_format format, struct buf *out,
			    struct document_sink *sink)
{
	enum mustache_escape esc = format == VIEWS_MD ? MUSTACHE_ESCAPE_MARKDOWN
						      : MUSTACHE_ESCAPE_HTML;
	bool ok = mustache_render_to(t, view, esc, out, document_piece, sink, sink->d);
	const char *rest = out->data ? out->data : "";
	sink->bytes += out->len;
	if (!sink->stream)
		return ok && publish_write(sink->publish, sink->path, rest, out->len, sink->d);
	ok = ok && publish_stream_write(sink->stream, rest, out->len);
	return publish_stream_close(sink->stream, ok, sink->d) && ok;
}

/* A count for a sentence: KEY as a formatted number, KEY_one when it is
 * exactly one and KEY_none when it is zero, so that a template can write
 * {{^KEY_one}}s{{/KEY_one}}. */
static void put_count(cJSON *o, const char *key, uint64_t n)
{
	char num[32], flag[64];
	views_format_number((double)n, 0, num, sizeof(num));
	cJSON_AddStringToObject(o, key, num);
	snprintf(flag, sizeof(flag), "%s_one", key);
	cJSON_AddBoolToObject(o, flag, n == 1);
	snprintf(flag, sizeof(flag), "%s_none", key);
	cJSON_AddBoolToObject(o, flag, n == 0);
}

/* A CSS string literal of s for a triple-mustache place in a <style>:
 * every ASCII byte but letters, digits, space and ".,:;-_()/" escaped. */
static void css_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		unsigned char c = *p;
		if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(" .,:;-_()/", c))
			buf_putc(b, (char)c);
		else
			buf_printf(b, "\\%x ", c);
	}
	buf_putc(b, '"');
}

static void put_css(cJSON *o, const char *key, const char *text)
{
	struct buf b = BUF_INIT;
	css_string(&b, text);
	cJSON_AddStringToObject(o, key, b.data);
	buf_free(&b);
}

static void put_files(cJSON *list, const char *kind, const struct source_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "kind", kind);
		cJSON_AddStringToObject(f, "path", in[i].path);
		cJSON_AddStringToObject(f, "sha256", in[i].sha256);
		cJSON_AddItemToArray(list, f);
	}
}

/*
 * What every single document (dashboard, plan, audit) carries besides its
 * view: `fingerprint` (first screen, page footers), `print` (the running
 * header and footer of paged media, as CSS strings) and, in the audit,
 * `method` (the population examined and every file with its digest).
 */
static void add_report_meta(cJSON *view, const struct shared *sh, const struct doc_kind *doc)
{
	const struct render_input *in = sh->in;
	const struct model *m = in->model;
	const char *fp = sh->stats->fingerprint;
	const char *org = m->org.name ? m->org.name : m->org.id;
	bool audit = doc->build == views_audit;
	const char *title = audit || doc->build == views_control ? "Audit report"
		: doc->build == views_plan ? "Disaster recovery plan"
		: "Disaster recovery dashboard";
	/* "../" for each folder the document sits in */
	size_t depth = 0;
	for (const char *s = doc->path; (s = strchr(s, '/')); s++)
		depth++;
	const char *root = depth >= 2 ? "../../" : depth ? "../" : "";
	char period[8];
	char shortfp[FINGERPRINT_SHORT + 1];
	struct buf b = BUF_INIT;

	snprintf(period, sizeof(period), "%s", views_period(sh->views));
	snprintf(shortfp, sizeof(shortfp), "%.*s", FINGERPRINT_SHORT, fp);
	cJSON *f = cJSON_AddObjectToObject(view, "fingerprint");
	cJSON_AddStringToObject(f, "sha256", fp);
	cJSON_AddStringToObject(f, "short", shortfp);
	cJSON_AddBoolToObject(f, "signed", in->signed_pack);
	cJSON_AddStringToObject(f, "verify", in->signed_pack
				? "drgen verify OUT --key PUBLIC-KEY.pem" : "drgen verify OUT");
	buf_printf(&b, "%sevidence/manifest.json", root);
	cJSON_AddStringToObject(f, "manifest", b.data);
	buf_reset(&b);

	cJSON *pr = cJSON_AddObjectToObject(view, "print");
	buf_printf(&b, "%s · %s · %s", org, title, period);
	put_css(pr, "header", b.data);
	if (m->org.classification) {
		put_css(pr, "classification", m->org.classification);
		cJSON_AddStringToObject(pr, "classification_text", m->org.classification);
	}
	buf_reset(&b);
	buf_printf(&b, "Report fingerprint %s", fp);
	put_css(pr, "footer", b.data);
	buf_free(&b);

	if (!audit)
		return;
	cJSON *me = cJSON_AddObjectToObject(view, "method");
	put_count(me, "backup_records", m->backup_records);
	put_count(me, "drills", m->n_drills);
	put_count(me, "restore_tests", records_restore_tests(in->records));
	put_count(me, "records", records_count(in->records, NULL));
	cJSON_AddStringToObject(me, "records_href", root[0] ? "../" RECORDS_CSV : RECORDS_CSV);
	cJSON_AddStringToObject(me, "inputs_href", root[0] ? "../" RECORDS_INPUTS
							   : RECORDS_INPUTS);
	cJSON *files = cJSON_AddArrayToObject(me, "files");
	put_files(files, "input", in->fp_inputs, in->n_fp_inputs);
	put_files(files, "rule", in->fp_rules, in->n_fp_rules);
	put_files(files, "template", sh->stats->templates, sh->stats->n_templates);
}

/* Renders and stages one job; false (and the build fails) on an error. */
static bool render_job(struct worker *w, const struct job *j, struct buf *out,
		       struct buf *path)
{
	struct shared *sh = w->sh;
	job_path(sh->views, j, path);
	struct document_sink sink = {sh->publish, path->data, NULL, w->d, 0};
	cJSON *view = j->doc->build(sh->views, j->item, j->doc->format);
	if (j->doc->repeat != DOC_PER_SERVICE)
		add_report_meta(view, sh, j->doc);
	buf_reset(out);
	bool ok = render_document(j->tmpl, view, j->doc->format, out, &sink);
	cJSON_Delete(view);
	if (!ok) {
		atomic_store(&sh->failed, true);
		return false;
	}
	w->documents++;
	w->bytes += sink.bytes;
	return true;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct buf out = BUF_INIT, path = BUF_INIT;

	for (size_t k = 0; w->singles && k < sh->n_single; k++) {
		if (atomic_load(&sh->failed) || !render_job(w, &sh->jobs[k], &out, &path))
			goto done;
	}
	while (w->queue) {
		size_t k = atomic_fetch_add(&sh->next, 1);
		if (k >= sh->n_jobs || atomic_load(&sh->failed) ||
		    !render_job(w, &sh->jobs[k], &out, &path))
			break;
	}
done:
	buf_free(&out);
	buf_free(&path);
	return NULL;
}

/* Expands the document table into jobs for the formats asked for. */
static struct job *make_jobs(const struct render_input *in, const struct views *v,
			     size_t *n_out)
{
	size_t n = 0, cap = 0;
	struct job *jobs = NULL;
	size_t services = views_service_count(v);

	for (size_t k = 0; k < ARRAY_LEN(documents); k++) {
		const struct doc_kind *doc = &documents[k];
		size_t count = doc->repeat == DOC_PER_SERVICE ? services
			     : doc->repeat == DOC_PER_CONTROL ? views_control_page_count(v) : 1;
		if (!(in->formats & doc->format_bit))
			continue;
		if (n + count > cap) {
			cap = (n + count) * 2;
			jobs = xrealloc(jobs, cap * sizeof(*jobs));
		}
		for (size_t i = 0; i < count; i++)
			jobs[n++] = (struct job){doc, NULL, i};
	}
	*n_out = n;
	return jobs;
}

/* Compiles each template once; fills every job's template.  False on errors. */
static bool compile_templates(struct mustache_loader *l, struct job *jobs, size_t n,
			      struct diags *d)
{
	const struct mustache_template *compiled[ARRAY_LEN(documents)] = {0};
	bool tried[ARRAY_LEN(documents)] = {0};
	bool ok = true;

	for (size_t k = 0; k < n; k++) {
		size_t doc = (size_t)(jobs[k].doc - documents);
		if (!tried[doc]) {
			tried[doc] = true;
			compiled[doc] = mustache_loader_get(l, documents[doc].template, d);
			ok = ok && compiled[doc] != NULL;
		}
		jobs[k].tmpl = compiled[doc];
	}
	return ok;
}

/* The template files read, as manifest entries (owned by stats). */
static void record_templates(struct mustache_loader *l, struct render_stats *stats)
{
	const struct mustache_file *files;
	size_t n = mustache_loader_files(l, &files);

	stats->templates = xcalloc(n ? n : 1, sizeof(*stats->templates));
	stats->n_templates = n;
	for (size_t i = 0; i < n; i++) {
		stats->templates[i].path = xstrdup(files[i].path);
		stats->templates[i].kind = (char *)"template";
		memcpy(stats->templates[i].sha256, files[i].sha256, 65);
		stats->templates[i].size = files[i].size;
	}
}

/* ---- evidence/backups.csv -------------------------------------------------- */

static void csv_number(struct buf *b, double x, bool last)
{
	char s[64] = "";
	if (!isnan(x) && !isinf(x))
		snprintf(s, sizeof(s), "%.2f", x);
	/* Whole numbers without a fraction, as in results.json. */
	size_t n = strlen(s);
	if (n > 3 && strcmp(s + n - 3, ".00") == 0)
		s[n - 3] = '\0';
	records_csv_cell(b, s, last);
}

/*
 * One row per datastore and location that has backup records (a store
 * with none gets one row without a location).  `currency` is the one
 * currency rule applied to that location's newest copy; the reports judge
 * a datastore by its newest copy anywhere, `datastore_currency`.
 */
static void write_backups_csv(const struct render_input *in, struct buf *b)
{
	const struct model *m = in->model;
	double tol = in->facts->lag_tolerance_minutes;

	buf_puts(b, "\xEF\xBB\xBF");
	buf_puts(b, "datastore,service,criticality,location,newest_success,age_minutes,"
		    "rpo_minutes,currency,datastore_currency\r\n");
	for (size_t k = 0; k < m->n_datastores; k++) {
		const struct datastore *ds = &m->datastores[k];
		cJSON *sj = results_datastore(in->entries, k);
		const cJSON *by = views_get(sj, "by_location");
		double rpo = views_get_num(sj, "rpo_minutes");
		const char *svc = ds->service_index < m->n_services
			? m->services[ds->service_index].id : "";
		bool any = false;

		for (int l = 0; l <= LOC_COUNT; l++) {
			const cJSON *lj = l < LOC_COUNT ? views_get(by, model_location_names[l]) : NULL;
			if (l < LOC_COUNT && ds->backups.at[l].records == 0)
				continue;
			if (l == LOC_COUNT && any)
				break;
			any = true;
			double age = views_get_num(lj, "age_minutes");
			int64_t age_s = isnan(age) ? -1 : (int64_t)llround(age * 60);
			const char *cur = isnan(rpo) ? "" :
				analyze_currency_name(analyze_currency(age_s, rpo,
								      isnan(tol) ? 0 : tol));
			records_csv_cell(b, ds->id, false);
			records_csv_cell(b, svc, false);
			records_csv_cell(b, model_criticality_names[ds->criticality], false);
			records_csv_cell(b, l < LOC_COUNT ? model_location_names[l] : "", false);
			records_csv_cell(b, views_get_str(lj, "newest_success"), false);
			csv_number(b, age, false);
			csv_number(b, rpo, false);
			records_csv_cell(b, cur, false);
			records_csv_cell(b, views_get_str(sj, "currency"), true);
		}
		cJSON_Delete(sj);
	}
}

/* ---- evidence/controls.xml ------------------------------------------------- */

/* XML text or attribute content; bytes XML 1.0 cannot carry become U+FFFD. */
static void xml_text(struct buf *b, const char *s, bool utf8_ok)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
			    (*p >= 0x80 && !utf8_ok))
				buf_puts(b, "\xEF\xBF\xBD");
			else
				buf_putc(b, (char)*p);
		}
	}
}

static void xml_attr(struct buf *b, const char *name, const char *value)
{
	bool ok = !value || source_utf8_valid(value, strlen(value), NULL);
	buf_printf(b, " %s=\"", name);
	xml_text(b, value, ok);
	buf_putc(b, '"');
}

static void xml_body(struct buf *b, const char *value)
{
	xml_text(b, value, !value || source_utf8_valid(value, strlen(value), NULL));
}

struct junit_case {
	const char *name;
	const char *classname;
	const char *outcome;    /* NULL pass, "failure", "skipped" */
	const char *type;       /* failure type (the status) */
	const char *message;
	const char *detail;
};

static void junit_case(struct buf *b, const struct junit_case *c)
{
	buf_puts(b, "    <testcase");
	xml_attr(b, "name", c->name);
	xml_attr(b, "classname", c->classname);
	if (!c->outcome) {
		buf_puts(b, ">\n      <system-out>");
		xml_body(b, c->detail);
		buf_puts(b, "</system-out>\n    </testcase>\n");
		return;
	}
	buf_printf(b, ">\n      <%s", c->outcome);
	xml_attr(b, "message", c->message);
	if (c->type)
		xml_attr(b, "type", c->type);
	buf_putc(b, '>');
	xml_body(b, c->detail);
	buf_printf(b, "</%s>\n    </testcase>\n", c->outcome);
}

/* A control's outcome in JUnit terms: waived, alternative and n/a are skipped, pass passes. */
static const char *control_outcome(const char *status)
{
	if (!status)
		return "failure";
	if (strcmp(status, "pass") == 0)
		return NULL;
	if (strcmp(status, "waived") == 0 || strcmp(status, "alternative") == 0 ||
	    strcmp(status, "n/a") == 0)
		return "skipped";
	return "failure";
}

static void junit_suite_open(struct buf *b, const char *name, size_t tests, size_t failures,
			     size_t skipped, const char *timestamp)
{
	buf_puts(b, "  <testsuite");
	xml_attr(b, "name", name);
	buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\"", tests,
		   failures, skipped);
	xml_attr(b, "timestamp", timestamp);
	buf_puts(b, ">\n");
}

/*
 * One testsuite per framework with one testcase per control; without
 * controls (no compliance rules ran), one suite "findings" in which a
 * high or critical finding fails.
 */
static void write_controls_xml(const struct render_input *in, struct buf *b)
{
	const cJSON *controls = views_get(in->results, "controls");
	const cJSON *c;
	const char *as_of = views_get_str(in->results, "as_of");
	size_t total = 0, failures = 0;
	struct buf body = BUF_INIT;

	if (cJSON_GetArraySize(controls) > 0) {
		/* Frameworks in order of first appearance. */
		const char **names = xcalloc((size_t)cJSON_GetArraySize(controls), sizeof(*names));
		size_t n = 0;
		cJSON_ArrayForEach(c, controls) {
			const char *fw = views_get_str(c, "framework");
			size_t k;
			fw = fw ? fw : "";
			for (k = 0; k < n && strcmp(names[k], fw) != 0; k++)
				;
			if (k == n)
				names[n++] = fw;
		}
		for (size_t k = 0; k < n; k++) {
			size_t tests = 0, fails = 0, skips = 0;
			struct buf cases = BUF_INIT;
			cJSON_ArrayForEach(c, controls) {
				const char *fw = views_get_str(c, "framework");
				if (strcmp(fw ? fw : "", names[k]) != 0)
					continue;
				const char *status = views_get_str(c, "status");
				const char *outcome = control_outcome(status);
				struct buf name = BUF_INIT, detail = BUF_INIT;
				const cJSON *e;
				buf_printf(&name, "%s", views_get_str(c, "control") ? views_get_str(c, "control") : "?");
				if (views_get_str(c, "title"))
					buf_printf(&name, " %s", views_get_str(c, "title"));
				buf_printf(&detail, "status: %s\nreason: %s", status ? status : "unknown",
					   views_get_str(c, "reason") ? views_get_str(c, "reason") : "");
				cJSON_ArrayForEach(e, views_get(c, "evidence")) {
					char *text = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
					buf_printf(&detail, "\nevidence: %s", text ? text : e->valuestring);
					free(text);
				}
				struct junit_case jc = {name.data, names[k], outcome, status,
							views_get_str(c, "reason"), detail.data};
				junit_case(&cases, &jc);
				tests++;
				fails += outcome && strcmp(outcome, "failure") == 0;
				skips += outcome && strcmp(outcome, "skipped") == 0;
				buf_free(&name);
				buf_free(&detail);
			}
			junit_suite_open(&body, names[k], tests, fails, skips, as_of);
			if (cases.data)
				buf_append(&body, cases.data, cases.len);
			buf_puts(&body, "  </testsuite>\n");
			buf_free(&cases);
			total += tests;
			failures += fails;
		}
		free(names);
	} else {
		size_t tests = 0, fails = 0, n = results_finding_count(in->entries);
		struct buf cases = BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			const struct finding *fd = results_finding_at(in->entries, i);
			const char *sev = fd->severity;
			bool fail = sev && (strcmp(sev, "critical") == 0 || strcmp(sev, "high") == 0);
			struct buf detail = BUF_INIT;
			buf_printf(&detail, "severity: %s\nsubject: %s\n%s\nrecommendation: %s",
				   sev ? sev : "", fd->subject ? fd->subject : "",
				   fd->message ? fd->message : "",
				   fd->recommendation ? fd->recommendation : "");
			struct junit_case jc = {fd->id, fd->kind, fail ? "failure" : NULL, sev,
						fd->message, detail.data};
			junit_case(&cases, &jc);
			tests++;
			fails += fail;
			buf_free(&detail);
		}
		junit_suite_open(&body, "findings", tests, fails, 0, as_of);
		if (cases.data)
			buf_append(&body, cases.data, cases.len);
		buf_puts(&body, "  </testsuite>\n");
		buf_free(&cases);
		total = tests;
		failures = fails;
	}
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"drgen\"");
	buf_printf(b, " tests=\"%zu\" failures=\"%zu\">\n", total, failures);
	if (body.data)
		buf_append(b, body.data, body.len);
	buf_puts(b, "</testsuites>\n");
	buf_free(&body);
}

static bool write_evidence(const struct render_input *in, struct publish *p, struct diags *d,
			   struct render_stats *stats)
{
	struct buf b = BUF_INIT;
	bool ok;

	write_backups_csv(in, &b);
	ok = publish_write(p, "evidence/backups.csv", b.data, b.len, d);
	stats->bytes += b.len;
	if (ok && (in->formats & BUILD_JUNIT)) {
		buf_reset(&b);
		write_controls_xml(in, &b);
		ok = publish_write(p, "evidence/controls.xml", b.data, b.len, d);
		stats->bytes += b.len;
	}
	buf_free(&b);
	return ok;
}

/* ---- the entry point --------------------------------------------------- */

#define EVIDENCE_PAGE_TEMPLATE "evidence.html"
#define EVIDENCE_PAGE_PATH "evidence.html"

struct render {
	const struct render_input *in;
	struct publish *p;
	struct render_stats *stats;
	struct mustache_loader *loader;
	struct views *views;
	struct job *jobs;
	struct shared sh;
	int threads;
	struct worker *w;          /* w[0] renders the single documents */
	const struct mustache_template *evidence_page;  /* with HTML; rendered last */
	bool singles_thread;       /* w[0] runs on its own thread */
};

struct render *render_begin(const struct render_input *in, struct publish *p,
			    struct diags *d, struct render_stats *stats)
{
	struct render *r = xcalloc(1, sizeof(*r));
	size_t n;

	memset(stats, 0, sizeof(*stats));
	r->in = in;
	r->p = p;
	r->stats = stats;
	r->loader = mustache_loader_new();
	uint64_t budget_bytes, budget_steps;
	build_budget(in->model, &budget_bytes, &budget_steps);
	mustache_loader_set_budget(r->loader, budget_bytes, budget_steps);
	for (size_t i = 0; i < in->n_template_dirs; i++)
		mustache_loader_add_dir(r->loader, in->template_dirs[i]);
	r->views = views_new(in);
	r->jobs = make_jobs(in, r->views, &n);
	r->sh = (struct shared){.views = r->views, .in = in, .stats = stats, .publish = p,
				.jobs = r->jobs, .n_jobs = n};
	while (r->sh.n_single < n && r->jobs[r->sh.n_single].doc->repeat == DOC_ONCE)
		r->sh.n_single++;
	atomic_init(&r->sh.next, r->sh.n_single);
	atomic_init(&r->sh.failed, false);
	r->threads = in->threads > 0 ? in->threads : RENDER_DEFAULT_THREADS;
	if (r->threads > RENDER_MAX_THREADS)
		r->threads = RENDER_MAX_THREADS;
	/* w[0]: the single documents; w[1..threads]: the queue (w[1] is the caller). */
	r->w = xcalloc((size_t)r->threads + 1, sizeof(*r->w));
	for (int t = 0; t <= r->threads; t++) {
		r->w[t].sh = &r->sh;
		r->w[t].singles = t == 0;
		r->w[t].queue = t > 0;
		r->w[t].d = diags_new();
	}
	bool compiled = compile_templates(r->loader, r->jobs, n, d);
	if (in->formats & BUILD_HTML)
		r->evidence_page = mustache_loader_get(r->loader, EVIDENCE_PAGE_TEMPLATE, d);
	if (!compiled || ((in->formats & BUILD_HTML) && !r->evidence_page)) {
		atomic_store(&r->sh.failed, true);
		return r;
	}
	record_templates(r->loader, stats);
	for (size_t i = 0; i < stats->n_templates; i++) {
		char *label = fingerprint_label_path(in->data_dir, in->plan_dir,
						     stats->templates[i].path);
		free(stats->templates[i].path);
		stats->templates[i].path = label;
	}
	fingerprint_of_inputs(in->fp_inputs, in->n_fp_inputs, in->fp_rules, in->n_fp_rules,
			      stats->templates, stats->n_templates, NULL, 0, stats->fingerprint);
	if (r->threads > 1)
		r->singles_thread = pthread_create(&r->w[0].thread, NULL, worker_run,
						   &r->w[0]) == 0;
	return r;
}

/*
 * The evidence page, after every other file is staged: it lists them as
 * publish holds them (evidence pack files by path, the rest counted).
 */
static bool write_evidence_page(struct render *r, struct diags *d)
{
	size_t n;
	struct evidence_file *files = publish_files(r->p, &n);
	cJSON *view = views_evidence(r->views, files, n, r->in->signed_pack, VIEWS_HTML);
	struct buf out = BUF_INIT;
	struct document_sink sink = {r->p, EVIDENCE_PAGE_PATH, NULL, d, 0};
	bool ok = render_document(r->evidence_page, view, VIEWS_HTML, &out, &sink);
	r->stats->documents += ok;
	r->stats->bytes += sink.bytes;
	buf_free(&out);
	cJSON_Delete(view);
	publish_files_free(files, n);
	return ok;
}

bool render_end(struct render *r, bool go, struct diags *d)
{
	struct worker *w = r->w;
	int started = 1;
	bool ok;

	if (!go)
		atomic_store(&r->sh.failed, true);
	if (!r->singles_thread)
		worker_run(&w[0]);
	/* The caller is w[1]; the others get threads.  The queue is shared:
	 * a thread that could not start misses nothing. */
	for (int t = 2; t <= r->threads; t++) {
		if (pthread_create(&w[t].thread, NULL, worker_run, &w[t]) != 0)
			break;
		started = t;
	}
	worker_run(&w[1]);
	for (int t = 2; t <= started; t++)
		pthread_join(w[t].thread, NULL);
	if (r->singles_thread)
		pthread_join(w[0].thread, NULL);
	for (int t = 0; t <= r->threads; t++) {
		diags_merge(d, w[t].d);
		diags_free(w[t].d);
		r->stats->documents += w[t].documents;
		r->stats->bytes += w[t].bytes;
	}
	ok = !atomic_load(&r->sh.failed) && write_evidence(r->in, r->p, d, r->stats);
	if (ok && r->in->stage_last)
		ok = r->in->stage_last(r->in->stage_last_ctx, d);
	if (ok && r->evidence_page)
		ok = write_evidence_page(r, d);
	free(w);
	free(r->jobs);
	views_free(r->views);
	mustache_loader_free(r->loader);
	free(r);
	return ok;
}

bool render_all(const struct render_input *in, struct publish *p, struct diags *d,
		struct render_stats *stats)
{
	return render_end(render_begin(in, p, d, stats), true, d);
}

void render_stats_free(struct render_stats *stats)
{
	for (size_t i = 0; stats && i < stats->n_templates; i++)
		free(stats->templates[i].path);
	if (stats) {
		free(stats->templates);
		stats->templates = NULL;
		stats->n_templates = 0;
	}
}
