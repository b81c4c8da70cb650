/*
 * cli.c -- option parsing and the check, build, init, verify and help
 * subcommands.  Each subcommand turns its arguments into options for the
 * library, calls it, prints the collected diagnostics once and returns an
 * exit status; nothing below this file prints or exits.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "build.h"
#include "dates.h"
#include "diag.h"
#include "load.h"
#include "publish.h"
#include "source.h"
#include "util.h"

int cli_stderr_is_tty(void)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(STDERR_FILENO) && !(nc && *nc);
}

/* ---- options ---- */

struct cli_options {
	const char *dir;
	const char *out;
	const char *rules;
	const char *templates;
	const char *previous;
	const char *key;
	const char *sign;
	const char *formats;
	const char *fail_on;
	const char *as_of_text;
	const char *period_text;
	int64_t as_of;
	int64_t period_start, period_end;
	bool quiet, verbose, minimal;
};

enum opt_flags { OPT_DIR = 1, OPT_BUILD = 2, OPT_TIME = 4, OPT_KEY = 8, OPT_INIT = 16 };

struct opt_spec {
	const char *long_name;
	char short_name;
	bool takes_value;
	int flags;           /* which commands accept it */
	size_t offset;       /* where a value goes in struct cli_options */
};

#define OPT_FIELD(f) offsetof(struct cli_options, f)

static const struct opt_spec opt_specs[] = {
	{"output", 'o', true, OPT_BUILD, OPT_FIELD(out)},
	{"period", 0, true, OPT_TIME, OPT_FIELD(period_text)},
	{"as-of", 0, true, OPT_TIME, OPT_FIELD(as_of_text)},
	{"format", 0, true, OPT_BUILD, OPT_FIELD(formats)},
	{"rules", 0, true, OPT_BUILD, OPT_FIELD(rules)},
	{"templates", 0, true, OPT_BUILD, OPT_FIELD(templates)},
	{"fail-on", 0, true, OPT_BUILD, OPT_FIELD(fail_on)},
	{"previous", 0, true, OPT_BUILD, OPT_FIELD(previous)},
	{"sign", 0, true, OPT_BUILD, OPT_FIELD(sign)},
	{"key", 0, true, OPT_KEY, OPT_FIELD(key)},
	{"quiet", 'q', false, OPT_BUILD | OPT_TIME | OPT_KEY, 0},
	{"verbose", 'v', false, OPT_BUILD | OPT_TIME | OPT_KEY, 0},
	{"minimal", 0, false, OPT_INIT, 0},
};

static const char *command_usage(const char *cmd)
{
	if (strcmp(cmd, "build") == 0)
		return "usage: drgen build [DIR] [-o OUT] [--period YYYY-MM] [--as-of TIME]\n"
		       "                   [--format html,md,json,junit,pdf] [--rules DIR] [--templates DIR]\n"
		       "                   [--fail-on fail|partial] [--previous OUT_OR_RESULTS_JSON]\n"
		       "                   [--sign KEY.pem] [-q] [-v]\n";
	if (strcmp(cmd, "check") == 0)
		return "usage: drgen check [DIR] [--period YYYY-MM] [--as-of TIME] [-q] [-v]\n";
	if (strcmp(cmd, "init") == 0)
		return "usage: drgen init [--minimal] DIR\n";
	if (strcmp(cmd, "verify") == 0)
		return "usage: drgen verify OUT [--key PUB.pem] [-q]\n";
	return "usage: drgen COMMAND ...\n";
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "drgen %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(command_usage(cmd), stderr);
	return EXIT_INPUT;
}

static const struct opt_spec *opt_find(const char *name, size_t len, char short_name)
{
	for (size_t i = 0; i < ARRAY_LEN(opt_specs); i++) {
		const struct opt_spec *o = &opt_specs[i];
		if (short_name ? o->short_name == short_name
			       : strlen(o->long_name) == len &&
					 strncmp(o->long_name, name, len) == 0)
			return o;
	}
	return NULL;
}

/* "unknown option", with the nearest option of this command when one is close. */
static int unknown_option(const char *cmd, const char *arg, int allowed)
{
	const char *names[ARRAY_LEN(opt_specs)];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(opt_specs); i++) {
		if (opt_specs[i].flags & allowed)
			names[n++] = opt_specs[i].long_name;
	}
	const char *name = arg;
	while (*name == '-')
		name++;
	size_t len = strcspn(name, "=");
	char *word = xasprintf("%.*s", (int)len, name);
	const char *near = len ? util_closest(word, names, n) : NULL;
	free(word);
	if (!near)
		return usage_error(cmd, "unknown option \"%s\"", arg);
	fprintf(stderr, "drgen %s: unknown option \"%s\", did you mean \"--%s\"?\n", cmd, arg,
		near);
	fputs(command_usage(cmd), stderr);
	return EXIT_INPUT;
}

/* The as-of time and the period (rules in analyze_time_window). */
static int resolve_times(const char *cmd, struct cli_options *o)
{
	struct diags *d = diags_new();
	struct time_window w;
	int rc = EXIT_OK;
	if (analyze_time_window(o->as_of_text, o->period_text,
				getenv("SOURCE_DATE_EPOCH"), (int64_t)time(NULL), &w, d)) {
		o->as_of = w.as_of;
		o->period_start = w.period_start;
		o->period_end = w.period_end;
	} else {
		fprintf(stderr, "drgen %s: ", cmd);
		diags_print(d, stderr, false, false);
		fputs(command_usage(cmd), stderr);
		rc = EXIT_INPUT;
	}
	diags_free(d);
	return rc;
}

/*
 * Parses argv (argv[0] is the command).  Accepts "--opt VALUE",
 * "--opt=VALUE", "-o VALUE", "-q"; one positional DIR.
 */
static int parse_options(int argc, char **argv, int allowed, struct cli_options *o,
			 const char **positional, int max_positional)
{
	const char *cmd = argv[0];
	int npos = 0;
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help(cmd);
			return -1;
		}
		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (npos >= max_positional)
				return usage_error(cmd, "unexpected argument \"%s\"", a);
			positional[npos++] = a;
			continue;
		}
		const struct opt_spec *spec;
		const char *value = NULL;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			spec = opt_find(a + 2, len, 0);
			if (eq)
				value = eq + 1;
		} else {
			spec = a[2] == '\0' ? opt_find("", 0, a[1]) : NULL;
		}
		if (!spec || !(spec->flags & allowed))
			return unknown_option(cmd, a, allowed);
		if (!spec->takes_value) {
			if (value)
				return usage_error(cmd, "option \"%s\" takes no value", a);
			if (spec->short_name == 'q')
				o->quiet = true;
			else if (spec->short_name == 'v')
				o->verbose = true;
			else
				o->minimal = true;
			continue;
		}
		if (!value) {
			if (i + 1 >= argc)
				return usage_error(cmd, "option \"%s\" needs a value", a);
			value = argv[++i];
		}
		*(const char **)((char *)o + spec->offset) = value;
	}
	if (allowed & OPT_TIME) {
		int rc = resolve_times(cmd, o);
		if (rc != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

static int finish(struct diags *d, bool quiet)
{
	diags_sort(d);
	diags_print(d, stderr, cli_stderr_is_tty(), quiet);
	return diags_has_errors(d) ? EXIT_INPUT : EXIT_OK;
}

/* ---- the folder of shipped files (lua/, templates/, samples/) ---- */

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Next to the executable in a source tree (build/drgen, build/san/drgen),
 * else the installed data folder.  DRGEN_DATA overrides both.
 */
static char *data_dir(void)
{
	const char *env = getenv("DRGEN_DATA");
	if (env && *env)
		return xstrdup(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		static const char *const ups[] = {"/..", "/../..", "/../share/drgen"};
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < ARRAY_LEN(ups); i++) {
			char *cand = xasprintf("%s%s", exe, ups[i]);
			char *lua = xasprintf("%s/lua", cand);
			bool ok = is_dir(lua);
			free(lua);
			if (ok) {
				char *real = realpath(cand, NULL);
				free(cand);
				return real ? real : xstrdup(".");
			}
			free(cand);
		}
	}
	return xstrdup(DRGEN_DATADIR);
}

/* Threads for ingest and rendering: the cores this process may use, at most 8. */
static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* ---- check ---- */

/* The month the shipped sample's backup logs and drills are written for. */
#define SAMPLE_PERIOD "2026-10"

/* DIR as a word the shell passes through unchanged (quoted when it must be). */
static char *shell_word(const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._/-+,:@") == strlen(s))
		return xstrdup(s);
	struct buf b = BUF_INIT;
	buf_putc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_puts(&b, "'\\''");
		else
			buf_putc(&b, *p);
	}
	buf_putc(&b, '\'');
	return buf_detach(&b, NULL);
}

/*
 * A plan directory that is not there is the user's first mistake, not a
 * missing plan.json: say so, and how to create one.  False when reported.
 */
static bool plan_dir_exists(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	bool missing = errno == ENOENT || errno == ENOTDIR;
	struct diags *d = diags_new();
	if (stat(dir, &st) == 0) {
		diag_error(d, dir, 0, 0, "expected a plan directory, found a file");
	} else if (missing) {
		char *word = shell_word(dir);
		diag_error(d, dir, 0, 0, "plan directory does not exist; create one with: "
					 "drgen init %s", word);
		free(word);
	} else {
		diag_error(d, dir, 0, 0, "cannot open the plan directory: %s", strerror(errno));
	}
	diags_print(d, stderr, cli_stderr_is_tty(), false);
	diags_free(d);
	return false;
}

static bool plan_readable(const char *dir)
{
	char *path = xasprintf("%s/plan.json", dir);
	bool ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

int cli_check(int argc, char **argv)
{
	struct cli_options o;
	const char *pos[1] = {"."};
	int rc = parse_options(argc, argv, OPT_TIME, &o, pos, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!plan_dir_exists(pos[0]))
		return EXIT_INPUT;
	struct diags *d = diags_new();
	struct source_set *src = source_set_new(pos[0]);
	struct load_options lo = {
		.dir = pos[0], .as_of = o.as_of,
		.period_start = o.period_start, .period_end = o.period_end,
		.threads = default_threads(),
	};
	struct model *m = load_plan_dir(&lo, src, d);
	rc = finish(d, o.quiet);
	if (!o.quiet) {
		size_t errors = diags_count(d, DIAG_ERROR);
		size_t warnings = diags_count(d, DIAG_WARNING);
		if (m->format_version == 0) {  /* load.c stopped after plan.json */
			fprintf(stderr, "%s: plan.json could not be %s, so nothing else was "
					"checked; %zu error%s, %zu warning%s\n",
				pos[0], plan_readable(pos[0]) ? "parsed" : "read",
				errors, util_plural(errors), warnings, util_plural(warnings));
		} else {
			char later[64] = "";
			if (m->n_drills_after_as_of)
				snprintf(later, sizeof(later), " (%zu after as-of, left out)",
					 m->n_drills_after_as_of);
			char tests[48] = "";
			if (m->restore_test_records)
				snprintf(tests, sizeof(tests), ", %llu restore test%s",
					 (unsigned long long)m->restore_test_records,
					 util_plural(m->restore_test_records));
			fprintf(stderr, "%s: %zu service%s, %zu datastore%s, %llu backup record%s%s, "
					"%zu drill%s%s; %zu error%s, %zu warning%s\n",
				pos[0], m->n_services, util_plural(m->n_services),
				m->n_datastores, util_plural(m->n_datastores),
				(unsigned long long)m->backup_records,
				util_plural(m->backup_records), tests, m->n_drills,
				util_plural(m->n_drills), later,
				errors, util_plural(errors), warnings, util_plural(warnings));
		}
	}
	model_free(m);
	source_set_free(src);
	diags_free(d);
	return rc;
}

/* ---- build ---- */

/* The progress line on a terminal: one line, rewritten as stages start. */
static void progress_stage(void *ctx, const char *stage)
{
	(void)ctx;
	fprintf(stderr, "\r\033[Kdrgen: %s...", stage);
	fflush(stderr);
}

static bool parse_formats(const char *text, unsigned *formats)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{"html", BUILD_HTML}, {"md", BUILD_MD}, {"json", BUILD_JSON},
		{"junit", BUILD_JUNIT}, {"pdf", BUILD_PDF | BUILD_HTML},
	};
	*formats = 0;
	char *copy = xstrdup(text), *save = NULL;
	bool ok = true;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < ARRAY_LEN(names); i++) {
			if (strcmp(p, names[i].name) == 0)
				break;
		}
		if (i == ARRAY_LEN(names)) {
			ok = false;
			break;
		}
		*formats |= names[i].bit;
	}
	free(copy);
	return ok && *formats;
}

int cli_build(int argc, char **argv)
{
	struct cli_options o;
	const char *pos[1] = {"."};
	int rc = parse_options(argc, argv, OPT_BUILD | OPT_TIME, &o, pos, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	struct build_options bo = {
		.plan_dir = pos[0],
		.out_dir = o.out ? o.out : "output",
		.rules_dir = o.rules,
		.templates_dir = o.templates,
		.previous = o.previous,
		.sign_key = o.sign,
		.as_of = o.as_of,
		.period_start = o.period_start,
		.period_end = o.period_end,
		.formats = BUILD_ALL,
		.fail_on = BUILD_FAIL_NEVER,
		.quiet = o.quiet,
		.verbose = o.verbose,
		.progress = !o.quiet && isatty(STDERR_FILENO),
		.threads = default_threads(),
	};
	if (bo.progress)
		bo.on_stage = progress_stage;
	if (o.formats && !parse_formats(o.formats, &bo.formats))
		return usage_error("build", "--format \"%s\": expected a comma-separated list "
				   "of html, md, json, junit, pdf", o.formats);
	if (o.fail_on) {
		if (strcmp(o.fail_on, "fail") == 0)
			bo.fail_on = BUILD_FAIL_ON_FAIL;
		else if (strcmp(o.fail_on, "partial") == 0)
			bo.fail_on = BUILD_FAIL_ON_PARTIAL;
		else
			return usage_error("build", "--fail-on \"%s\": expected fail or partial",
					   o.fail_on);
	}
	if (!plan_dir_exists(pos[0]))
		return EXIT_INPUT;
	char *data = data_dir();
	bo.data_dir = data;
	struct diags *d = diags_new();
	struct build_report report = {0};
	rc = build_run(&bo, d, &report);
	if (bo.progress)
		fputs("\r\033[K", stderr);
	if (o.verbose) {
		for (size_t i = 0; i < report.n_stages; i++)
			fprintf(stderr, "drgen: %-10s %8.3f s  peak %6.0f MiB\n",
				report.stages[i].name, report.stages[i].seconds,
				report.stages[i].peak_mib);
	}
	diags_sort(d);
	diags_print(d, stderr, cli_stderr_is_tty(), o.quiet);
	if (rc == EXIT_OK || rc == EXIT_FAIL_ON) {
		if (!o.quiet)
			fprintf(stderr, "drgen: wrote %zu files to %s/ (period %s, as of %s)\n",
				report.files_written, bo.out_dir, report.period, report.as_of);
	}
	diags_free(d);
	free(data);
	return rc;
}

/* ---- verify ---- */

int cli_verify(int argc, char **argv)
{
	struct cli_options o;
	const char *pos[1] = {NULL};
	int rc = parse_options(argc, argv, OPT_KEY, &o, pos, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!pos[0])
		return usage_error("verify", "%s", "missing the output folder to verify");
	struct diags *d = diags_new();
	struct publish_verify_report report = {0};
	rc = publish_verify(pos[0], o.key, d, &report);
	diags_sort(d);
	diags_print(d, stderr, cli_stderr_is_tty(), o.quiet);
	if (!o.quiet && rc == EXIT_OK) {
		fprintf(stderr, "drgen: %s: %zu files match the manifest%s\n", pos[0],
			report.files_checked,
			report.signature_checked ? "; signature is valid"
			: report.signed_pack ? "; signature not checked (give --key PUB.pem)"
					     : "; integrity only: not signed");
		if (report.fingerprint[0])
			fprintf(stderr, "drgen: report fingerprint %s (printed on the report's "
				"first page and in every page footer)\n", report.fingerprint);
	}
	diags_free(d);
	return rc;
}

/* ---- init ---- */

int cli_init(int argc, char **argv)
{
	struct cli_options o;
	const char *pos[1] = {NULL};
	int rc = parse_options(argc, argv, OPT_INIT, &o, pos, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!pos[0])
		return usage_error("init", "%s", "missing the folder to create");
	struct diags *d = diags_new();
	char *word = shell_word(pos[0]);
	if (o.minimal) {
		rc = cli_init_minimal(pos[0], d);
		diags_print(d, stderr, cli_stderr_is_tty(), false);
		if (rc == EXIT_OK)
			fprintf(stderr, "drgen: created %s with one service, one datastore, daily "
					"backups up to today and one drill; edit %s/plan.json, then "
					"run: drgen build %s\n", pos[0], pos[0], word);
	} else {
		char *data = data_dir();
		char *sample = xasprintf("%s/samples/kestrel", data);
		if (!is_dir(sample)) {
			free(sample);
			sample = xasprintf("%s/sample", data);
		}
		rc = publish_copy_tree(sample, pos[0], d);
		diags_print(d, stderr, cli_stderr_is_tty(), false);
		if (rc == EXIT_OK)
			fprintf(stderr, "drgen: created %s from the sample plan, whose records cover "
					"%s; build it with: drgen build %s --period %s\n"
					"drgen: for a plan of your own, start with: drgen init --minimal "
					"DIR\n", pos[0], SAMPLE_PERIOD, word, SAMPLE_PERIOD);
		free(sample);
		free(data);
	}
	free(word);
	diags_free(d);
	return rc;
}

/* ---- help ---- */

static const char help_main[] =
	"drgen turns disaster-recovery data into the documents DR work runs on:\n"
	"the DR plan, one runbook per service, the monthly audit report and an\n"
	"evidence pack.\n"
	"\n"
	"commands:\n"
	"  build  [DIR]     generate every document of a plan directory into -o OUT\n"
	"  check  [DIR]     validate a plan directory; print every problem found\n"
	"  init   DIR       create a plan directory: the sample, or --minimal\n"
	"  verify OUT       recompute and check the evidence manifest of a build\n"
	"  render TEMPLATE  render one Mustache template with a JSON view\n"
	"  import KIND FILE convert a backup tool's export into a backup log\n"
	"  help [COMMAND]   help on a command; 'drgen help limits' lists input limits\n"
	"\n"
	"exit status: 0 success; 1 built, but --fail-on found failing controls;\n"
	"2 bad input or usage; 3 I/O or internal error.\n";

static const char help_limits[] =
	"input limits (larger inputs are refused with a diagnostic):\n"
	"  plan.json, one drill JSON file      64 MiB\n"
	"  one drill JUnit XML file            64 MiB (no DOCTYPE, no entities, no network)\n"
	"  one NDJSON backup record (a line)    1 MiB\n"
	"  one Markdown runbook                 1 MiB\n"
	"  one template or partial              1 MiB\n"
	"  one Lua rule file                    1 MiB\n"
	"  JSON nesting depth                  512 levels\n"
	"  monthly_cost, revenue_loss_per_hour 0 to 1e12 (plan.json)\n"
	"  customers_affected                  0 to 1e12\n"
	"  mtpd_hours, after_minutes           0 to 1,000,000\n"
	"  size_gb                             0 to 1e9\n"
	"backup logs have no size limit: they are streamed in constant memory.\n"
	"\n"
	"rule limits (per call of a rule function; an error names the rule's line):\n"
	"  Lua VM instructions          20,000,000\n"
	"  growth of the Lua heap           64 MiB (1 GiB for the whole build)\n"
	"  wall-clock backstop              10 s\n"
	"  string pattern work             1e10 worst-case matcher steps (plain search 1e11)\n"
	"  print notes                       4 KiB each; 100 notes and 64 KiB per build\n"
	"\n"
	"rendering limits (a build past one fails with exit 2 at the template):\n"
	"  one rendered document               256 MiB, 50 million template steps\n"
	"  documents of one build, in all      256 MiB + 256 KiB a service\n"
	"                                      + 16 KiB a datastore or drill\n"
	"                                      + 8 x each distinct runbook file\n"
	"  template steps of one build         100 million + 50,000 a service\n"
	"                                      + 5,000 a datastore or drill\n"
	"(a template step is one node visited: text, a tag, a section pass)\n";

int cli_help(const char *topic)
{
	if (!topic) {
		fputs(help_main, stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "limits") == 0) {
		fputs(help_limits, stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "build") == 0) {
		fputs(command_usage("build"), stdout);
		fputs("\nReads the plan directory DIR (default .), runs the rules and writes every\n"
		      "document into OUT (default output/).  OUT is replaced as a whole, only\n"
		      "when the build succeeds.\n"
		      "  -o, --output OUT   output folder (default: output)\n"
		      "  --period YYYY-MM   report period (default: the last whole month)\n"
		      "  --as-of TIME       facts are taken at this time (default: the end of\n"
		      "                     the period, given or not)\n"
		      "  --format LIST      html,md,json,junit,pdf (default: all but pdf)\n"
		      "  --rules DIR        rule files that replace shipped ones of the same name\n"
		      "  --templates DIR    templates that replace shipped ones of the same name\n"
		      "  --fail-on LEVEL    exit 1 when a control is at or below fail|partial\n"
		      "  --previous PATH    a previous output folder or results.json: report changes\n"
		      "  --sign KEY.pem     sign the evidence manifest with an Ed25519 private key\n"
		      "  -q, --quiet        errors only      -v, --verbose   time and memory per stage\n",
		      stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "check") == 0) {
		fputs(command_usage("check"), stdout);
		fputs("\nLoads and validates every input of the plan directory DIR (default .)\n"
		      "and prints every problem found.  Exit 2 when there are errors.\n",
		      stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "init") == 0) {
		fputs(command_usage("init"), stdout);
		fputs("\nCreates DIR (which must not exist, or be empty) from the shipped sample\n"
		      "plan of the fictional Kestrel Payments, whose records cover " SAMPLE_PERIOD "\n"
		      "(build it with: drgen build DIR --period " SAMPLE_PERIOD ").\n"
		      "  --minimal   instead, one service, one datastore, one drill and daily\n"
		      "              backups dated up to now: builds clean with the defaults\n",
		      stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "verify") == 0) {
		fputs(command_usage("verify"), stdout);
		fputs("\nRecomputes the SHA-256 of every file listed in OUT/evidence/manifest.json\n"
		      "and reports files changed, missing or added.  With --key, also checks the\n"
		      "Ed25519 signature evidence/manifest.sig with the public key PUB.pem.\n",
		      stdout);
		return EXIT_OK;
	}
	if (strcmp(topic, "render") == 0 || strcmp(topic, "import") == 0) {
		char *argv[] = {(char *)topic, (char *)"--help", NULL};
		return topic[0] == 'r' ? cli_render(2, argv) : cli_import(2, argv);
	}
	static const char *const topics[] = {"build", "check", "init", "verify", "render",
					     "import", "limits"};
	const char *near = util_closest(topic, topics, ARRAY_LEN(topics));
	if (near)
		fprintf(stderr, "drgen help: no help on \"%s\", did you mean \"%s\"?\n", topic,
			near);
	else
		fprintf(stderr, "drgen help: no help on \"%s\"\n", topic);
	fputs(help_main, stderr);
	return EXIT_INPUT;
}
