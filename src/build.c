/*
 * build.c -- the order of the stages of one build.
 *
 *   load (and --previous) → analyze_model → tiers.lua → analyze_objectives
 *        → policy rules → compliance rules → results (+ changes)
 *        → runbook.lua (fresh interpreter), while the dashboard, plan and
 *          audit render on another thread
 *        → results.json → the runbooks render → publish → --fail-on
 *
 * Runbooks are the last rules to run: their results are the largest the
 * rules keep, and the compliance rules' caches are gone by then, so the
 * two never share memory (see docs/performance.md).
 *
 * Nothing is written until every input has been read and every rule has
 * run; from then on files go to a staging folder that replaces the output
 * folder only when all of them are written.  Any error before that point
 * leaves the previous output exactly as it was.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/resource.h>

#include "analyze.h"
#include "changes.h"
#include "compliance.h"
#include "dates.h"
#include "evidence.h"
#include "exit_status.h"
#include "fingerprint.h"
#include "load.h"
#include "oscal.h"
#include "pdf.h"
#include "publish.h"
#include "records.h"
#include "render.h"
#include "results.h"
#include "rules.h"
#include "source.h"
#include "track.h"

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stage(const struct build_options *o, struct build_report *r,
		  const char *name, double *t0)
{
	double t = now_seconds();
	if (r->n_stages < BUILD_MAX_STAGES && r->n_stages > 0) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		r->stages[r->n_stages - 1].seconds = t - *t0;
		r->stages[r->n_stages - 1].peak_mib = (double)ru.ru_maxrss / 1024.0;
	}
	if (name && r->n_stages < BUILD_MAX_STAGES)
		r->stages[r->n_stages++].name = name;
	*t0 = t;
	if (name && o->on_stage)
		o->on_stage(o->stage_ctx, name);
}

/* Lookup order: the plan's own folder, then the option, then shipped. */
static size_t search_dirs(const struct build_options *o, const char *plan_sub,
			  const char *option, const char *shipped, char **dirs)
{
	size_t n = 0;
	dirs[n++] = xasprintf("%s/%s", o->plan_dir, plan_sub);
	if (option)
		dirs[n++] = xstrdup(option);
	dirs[n++] = xasprintf("%s/%s", o->data_dir, shipped);
	return n;
}

/*
 * The plan's own rules/ and templates/ are looked up by name, each file
 * confined to its folder: the folder itself must not lead out of the plan.
 */
static bool plan_folders_inside(struct source_set *src, struct diags *d)
{
	static const char *const subs[] = {"rules", "templates"};
	bool ok = true;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (source_inside(src, subs[i]))
			continue;
		char *display = source_display_path(src, subs[i]);
		diag_error(d, display, 0, 0,
			   "folder leads outside the plan directory through a symbolic link");
		free(display);
		ok = false;
	}
	return ok;
}

/* A --rules or --templates folder must be one: a typo must not silently
 * fall back to the shipped files.  False with a diagnostic. */
static bool option_dir_ok(const char *option, const char *path, struct diags *d)
{
	struct stat st;
	if (!path)
		return true;
	if (stat(path, &st) != 0) {
		diag_error(d, path, 0, 0, "cannot use --%s folder: %s", option, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_error(d, path, 0, 0, "cannot use --%s folder: it is not a folder", option);
		return false;
	}
	return true;
}

static void free_dirs(char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
}

/*
 * The manifest names rule and template files without this machine's
 * folders, so that two machines building the same plan agree:
 * "drgen:lua/tiers.lua" is shipped with drgen, "plan:rules/tiers.lua"
 * comes from the plan directory, anything else is the path as given.
 */
static char *manifest_path(const struct build_options *o, const char *path)
{
	return fingerprint_label_path(o->data_dir, o->plan_dir, path);
}

/* The rule files of `all` that `before` does not list: loaded after the
 * reports rendered, so outside their fingerprint.  Borrowed strings. */
static size_t later_rules(const struct source_input *all, size_t n_all,
			  const struct source_input *before, size_t n_before,
			  const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < n_all; i++) {
		size_t k = 0;
		while (k < n_before && strcmp(before[k].path, all[i].path) != 0)
			k++;
		if (k == n_before)
			out[n++] = all[i].path;
	}
	return n;
}

/*
 * Rule files as manifest entries (path, hash): every file the engine
 * loaded, including the compliance rules that run after the policy stage.
 */
static struct source_input *rule_inputs(const struct build_options *o,
					const struct rules *rules, size_t *n)
{
	const struct rules_file *files;
	*n = rules_files(rules, &files);
	struct source_input *v = xcalloc(*n + 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		v[i].path = manifest_path(o, files[i].path);
		v[i].kind = (char *)"rule";
		memcpy(v[i].sha256, files[i].sha256, 65);
		v[i].size = files[i].size;
	}
	return v;
}

static void free_inputs(struct source_input *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].path);
	free(v);
}

/* The last component of the plan directory: no machine paths in the manifest. */
static const char *plan_name(const char *dir, char *out, size_t size)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	snprintf(out, size, "%.*s", (int)(len - start), dir + start);
	return out;
}

/*
 * The time printed as "generated": SOURCE_DATE_EPOCH when it is a count of
 * seconds (reproducible builds), else the as-of time, never the clock.
 */
static int64_t generation_time(int64_t as_of)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	if (!sde || !*sde)
		return as_of;
	long long v = strtoll(sde, &end, 10);
	return *end == '\0' && v >= 0 ? (int64_t)v : as_of;
}

/*
 * Hands the heap's free pages back to the system.  The compliance rules'
 * interpreter has just freed tens of MB on the main thread's heap, while
 * the documents about to render allocate on other threads' heaps, which
 * could not reuse them: without this the peak RSS is their sum.
 */
static void release_free_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static bool write_results_piece(void *ctx, const void *data, size_t len)
{
	return publish_stream_write(ctx, data, len);
}

/* results.json goes to disk as it is printed: it is the largest file. */
static bool write_results(struct publish *p, const struct results *entries,
			  const cJSON *summary, struct diags *d)
{
	struct publish_stream *s = publish_stream_open(p, "evidence/results.json", d);
	if (!s)
		return false;
	bool ok = results_write(entries, summary, write_results_piece, s);
	return publish_stream_close(s, ok, d) && ok;
}

/*
 * The OSCAL documents (oscal.h) beside results.json.  Their back-matter
 * lists the evidence files staged so far and the plan's inputs (copied
 * under evidence/inputs/), each with its hash; the compliance rules stand
 * for the profile the system security plan imports.  Their last-modified
 * time is the documents' generation time (SOURCE_DATE_EPOCH, else the
 * as-of time), never the clock: the same inputs give the same bytes.
 */
struct oscal_target {
	struct publish *p;
	struct diags *d;
};

static bool write_oscal_file(void *ctx, const char *rel, const char *data, size_t len)
{
	struct oscal_target *t = ctx;
	return publish_write(t->p, rel, data, len, t->d);
}

static bool write_oscal(struct publish *p, const struct render_input *ri,
			const struct source_input *inputs, size_t n_inputs,
			const struct source_input *rules, size_t n_rules, struct diags *d)
{
	static const char *const staged[][2] = {
		{"evidence/results.json", "results.json: every fact and verdict of the build"},
		{"evidence/backups.csv", "backups.csv: the backup summary per datastore and location"},
		{"evidence/controls.xml", "controls.xml: the controls as JUnit XML"},
		{"evidence/records.csv", "records.csv: every record a verdict relies on, with its file and line"},
	};
	size_t n_staged = sizeof(staged) / sizeof(*staged);
	struct oscal_file *files = xcalloc(n_staged + n_inputs + n_rules, sizeof(*files));
	char (*sums)[65] = xcalloc(n_staged, sizeof(*sums));
	char **owned = xcalloc(n_inputs + n_rules + 1, sizeof(*owned));
	size_t n = 0, n_owned = 0;
	for (size_t i = 0; i < n_staged; i++) {
		uint64_t size;
		if (!publish_staged_hash(p, staged[i][0], sums[i], &size))
			continue;
		files[n++] = (struct oscal_file){
			.href = staged[i][0] + strlen("evidence/"), .title = staged[i][1],
			.sha256 = sums[i], .size = size,
		};
	}
	for (size_t i = 0; i < n_inputs; i++) {
		owned[n_owned] = xasprintf("inputs/%s", inputs[i].path);
		files[n++] = (struct oscal_file){
			.href = owned[n_owned++], .title = inputs[i].path,
			.sha256 = inputs[i].sha256, .size = inputs[i].size,
		};
	}
	for (size_t i = 0; i < n_rules; i++) {
		if (!strstr(rules[i].path, "compliance/"))
			continue;   /* the profile: the rules that map controls */
		files[n++] = (struct oscal_file){
			.href = rules[i].path, .title = rules[i].path,
			.sha256 = rules[i].sha256, .size = rules[i].size,
		};
	}
	struct oscal_input in = {
		.model = ri->model, .rules = ri->rules, .results = ri->results,
		.entries = ri->entries,
		.generated_at = ri->generated_at, .drgen_version = DRGEN_VERSION,
		.files = files, .n_files = n,
	};
	struct oscal_target target = {p, d};
	bool ok = oscal_write(&in, write_oscal_file, &target);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free(owned);
	free(sums);
	free(files);
	return ok;
}

/* The OSCAL documents as the render's last files (render.h stage_last). */
struct oscal_stage {
	struct publish *p;
	const struct render_input *ri;
	struct source_set *src;
	const struct source_input *rules;
	size_t n_rules;
};

static bool stage_oscal(void *ctx, struct diags *d)
{
	struct oscal_stage *s = ctx;
	const struct source_input *inputs;
	size_t n_inputs = source_inputs(s->src, &inputs);
	return write_oscal(s->p, s->ri, inputs, n_inputs, s->rules, s->n_rules, d);
}

/*
 * What changed since the previous build compares whole documents, so only
 * then is the current one built as one tree, and freed before rendering.
 */
static cJSON *compare_previous(const cJSON *previous, const struct model *m,
			       const struct facts *f, const struct rules_results *res,
			       const struct compliance *comp)
{
	cJSON *whole = results_build(m, f, res);
	results_add_compliance(whole, comp);
	cJSON *changes = changes_compute(previous, whole);
	cJSON_Delete(whole);
	return changes;
}

/* audit/PERIOD.pdf and plan.pdf from their HTML, carrying the evidence. */
static int make_pdfs(const struct pdf_engine *e, struct publish *p, const char *period,
		     const char *fingerprint, struct diags *d)
{
	char *audit_html = xasprintf("audit/%s.html", period);
	char *audit_pdf = xasprintf("audit/%s.pdf", period);
	char *id_audit = xasprintf("%.32s-audit-%s", fingerprint, period);
	char *id_plan = xasprintf("%.32s-plan-%s", fingerprint, period);
	const struct pdf_job jobs[] = {
		{audit_html, audit_pdf, id_audit},
		{"plan.html", "plan.pdf", id_plan},
	};
	static const char *const attachments[] = {"evidence/results.json", RECORDS_CSV};
	int rc = pdf_render(e, p, jobs, ARRAY_LEN(jobs), attachments, ARRAY_LEN(attachments), d);
	free(audit_html);
	free(audit_pdf);
	free(id_audit);
	free(id_plan);
	return rc;
}

int build_run(const struct build_options *o, struct diags *d, struct build_report *r)
{
	int rc = EXIT_INPUT;
	double t0 = now_seconds();
	struct model *m = NULL;
	struct facts *f = NULL;
	struct rules *rules = NULL;
	struct rules_results *res = NULL;
	struct results *entries = NULL;
	struct evidence_previous prev_info = {0};
	cJSON *results = NULL, *previous = NULL, *policy = NULL;
	struct track *track = NULL;
	struct compliance comp;
	struct publish *p = NULL;
	struct render_stats rstats = {0};
	struct records *records = NULL;
	struct pdf_engine *pdf = NULL;
	struct source_input *rule_files = NULL, *verdict_rules = NULL;
	size_t n_rule_files = 0, n_verdict_rules = 0;
	const char **excludes = NULL;
	char *rule_dirs[3], *tmpl_dirs[3];
	size_t n_rule_dirs = search_dirs(o, "rules", o->rules_dir, "lua", rule_dirs);
	size_t n_tmpl_dirs = search_dirs(o, "templates", o->templates_dir, "templates",
					 tmpl_dirs);
	struct source_set *src = source_set_new(o->plan_dir);

	compliance_init(&comp);

	date_format_month(o->period_start, r->period);
	date_format_rfc3339(o->as_of, r->as_of);

	/* Mistakes that need no input to find fail before any work. */
	if (publish_check_apart(o->out_dir, o->plan_dir, "plan directory", d) != EXIT_OK)
		goto out;
	if (!option_dir_ok("rules", o->rules_dir, d) ||
	    !option_dir_ok("templates", o->templates_dir, d))
		goto out;
	if (!plan_folders_inside(src, d))
		goto out;
	if (o->sign_key && !evidence_key_check(o->sign_key, true, d))
		goto out;
	if ((o->formats & BUILD_PDF) && !(pdf = pdf_engine_find(d)))
		goto out;
	rc = publish_begin(o->out_dir, &p, d);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_INPUT;

	stage(o, r, "load", &t0);
	struct load_options lo = {
		.dir = o->plan_dir, .as_of = o->as_of, .period_start = o->period_start,
		.period_end = o->period_end, .threads = o->threads,
	};
	m = load_plan_dir(&lo, src, d);
	if (o->previous)
		previous = changes_read_previous(o->previous, prev_info.sha256,
						 &prev_info.size, d);
	if (previous) {
		prev_info.as_of = cJSON_GetStringValue(cJSON_GetObjectItem(previous, "as_of"));
		prev_info.period = cJSON_GetStringValue(cJSON_GetObjectItem(previous, "period"));
	}
	if (diags_has_errors(d))
		goto out;

	stage(o, r, "analyze", &t0);
	f = analyze_model(m);

	stage(o, r, "rules", &t0);
	rules = rules_new((const char *const *)rule_dirs, n_rule_dirs);
	rules_confine(rules, 0, o->plan_dir);  /* rule_dirs[0] is the plan's rules/ */
	res = rules_results_new(m);
	if (!rules_run_tiers(rules, m, f, res, d))
		goto out;
	struct objectives obj;
	rules_objectives(res, &obj);
	analyze_objectives(f, m, &obj);
	if (!rules_run_policy(rules, m, f, res, d))
		goto out;
	stage(o, r, "compliance", &t0);
	if (!compliance_run(rules, m, f, res, &comp, d))
		goto out;
	/* How findings are tracked: due dates, the checks of each kind. */
	policy = rules_call_json(rules, m, f, res, "findings", "policy", NULL, d);
	if (!policy)
		goto out;
	rules_finish(rules);   /* its caches go before documents render */
	release_free_memory();
	entries = results_new(m, f, res);
	results = results_summary(entries);
	results_add_compliance(results, &comp);
	if (previous)
		results_add_changes(results, compare_previous(previous, m, f, res, &comp));
	track = track_new(m, res, policy, previous, cJSON_GetObjectItem(results, "controls"));
	track_annotate_controls(track, res, cJSON_GetObjectItem(results, "controls"));
	results_set_track(entries, track);

	/* Inputs copied into the pack, and the records verdicts rely on. */
	stage(o, r, "evidence", &t0);
	records = records_build(m, src, cJSON_GetObjectItem(results, "controls"), p, d);
	if (!records) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	/* Each record an evidence item names, with where it was read. */
	records_locate(records, cJSON_GetObjectItem(results, "controls"));

	/* The dashboard, plan and audit do not read the runbooks: they render
	 * on their own thread while runbook.lua runs here. */
	stage(o, r, "runbooks", &t0);
	verdict_rules = rule_inputs(o, rules, &n_verdict_rules);
	const struct source_input *read_inputs;
	size_t n_read_inputs = source_inputs(src, &read_inputs);
	char generated[DATE_RFC3339_SIZE];
	date_format_rfc3339(generation_time(o->as_of), generated);
	struct render_input ri = {
		.model = m, .facts = f, .rules = res, .results = results,
		.entries = entries, .previous = previous, .track = track,
		.generated_at = generated, .formats = o->formats,
		.template_dirs = (const char *const *)tmpl_dirs,
		.n_template_dirs = n_tmpl_dirs, .threads = o->threads,
		.records = records,
		.fp_inputs = read_inputs, .n_fp_inputs = n_read_inputs,
		.fp_rules = verdict_rules, .n_fp_rules = n_verdict_rules,
		.data_dir = o->data_dir, .plan_dir = o->plan_dir,
		.signed_pack = o->sign_key != NULL,
	};
	struct oscal_stage oscal = {p, &ri, src, verdict_rules, n_verdict_rules};
	if (o->formats & BUILD_JSON) {
		ri.stage_last = stage_oscal;
		ri.stage_last_ctx = &oscal;
	}
	struct render *rd = render_begin(&ri, p, d, &rstats);
	bool go = !diags_has_errors(d) && rules_run_runbooks(rules, m, f, res, d);
	rules_finish(rules);

	stage(o, r, "render", &t0);
	bool results_written = go && write_results(p, entries, results, d);
	if (!render_end(rd, results_written, d) || !results_written) {
		/* Template and rule errors are the user's input; a file that
		 * could not be staged is an I/O error. */
		rc = publish_failed(p) ? EXIT_INTERNAL : EXIT_INPUT;
		goto out;
	}

	if (pdf) {
		stage(o, r, "pdf", &t0);
		rc = make_pdfs(pdf, p, r->period, rstats.fingerprint, d);
		if (rc != EXIT_OK)
			goto out;
		rc = EXIT_INPUT;
	}

	stage(o, r, "publish", &t0);
	r->files_written = publish_count(p);
	rule_files = rule_inputs(o, rules, &n_rule_files);
	excludes = xcalloc(n_rule_files + 1, sizeof(*excludes));
	size_t n_excludes = later_rules(rule_files, n_rule_files, verdict_rules,
					n_verdict_rules, excludes);
	char plan_label[256];
	const struct source_input *inputs;
	size_t n_inputs = source_inputs(src, &inputs);
	struct evidence_manifest_info info = {
		.drgen_version = DRGEN_VERSION,
		.as_of = r->as_of,
		.period = r->period,
		.generated_at = generated,
		.plan_dir = plan_name(o->plan_dir, plan_label, sizeof(plan_label)),
		.inputs = inputs, .n_inputs = n_inputs,
		.rules = rule_files, .n_rules = n_rule_files,
		.templates = rstats.templates, .n_templates = rstats.n_templates,
		.previous = previous ? &prev_info : NULL,
		.fingerprint = rstats.fingerprint,
		.fingerprint_excludes = excludes, .n_fingerprint_excludes = n_excludes,
	};
	rc = publish_commit(p, &info, o->sign_key, d);
	p = NULL;
	if (rc == EXIT_OK) {
		r->files_written += 2 + (o->sign_key != NULL);  /* manifest, sums, sig */
		r->controls_failing = 0;
		if (o->fail_on != BUILD_FAIL_NEVER) {
			enum compliance_level level = o->fail_on == BUILD_FAIL_ON_PARTIAL ?
				COMPLIANCE_LEVEL_PARTIAL : COMPLIANCE_LEVEL_FAIL;
			r->controls_failing = compliance_count_at_or_below(comp.controls, level);
		}
		if (r->controls_failing > 0) {
			diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
				 "%zu control%s at or below --fail-on %s (evidence/controls.xml "
				 "lists them)", r->controls_failing,
				 r->controls_failing == 1 ? " is" : "s are",
				 o->fail_on == BUILD_FAIL_ON_PARTIAL ? "partial" : "fail");
			rc = EXIT_FAIL_ON;
		}
	}
	stage(o, r, NULL, &t0);
out:
	if (p)
		publish_abort(p);
	free_inputs(rule_files, n_rule_files);
	free_inputs(verdict_rules, n_verdict_rules);
	free(excludes);
	render_stats_free(&rstats);
	records_free(records);
	pdf_engine_free(pdf);
	cJSON_Delete(results);
	results_free(entries);
	track_free(track);
	cJSON_Delete(policy);
	cJSON_Delete(previous);
	compliance_free(&comp);
	rules_results_free(res);
	rules_free(rules);
	analyze_free(f);
	model_free(m);
	source_set_free(src);
	free_dirs(rule_dirs, n_rule_dirs);
	free_dirs(tmpl_dirs, n_tmpl_dirs);
	return rc;
}
