/*
 * cli_render.c -- `drgen render TEMPLATE [DATA.json] [--partials DIR]`.
 *
 * For template authors: renders one template with a JSON view and writes
 * the result to standard output exactly as rendered (no newline added).
 * {{>name}} and {{<name}} are DIR/name.mustache; without --partials every
 * partial is an error.  Nothing is written when anything fails, so a
 * redirect never captures half a document.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jsonpos.h"
#include "mustache.h"
#include "source.h"

static const char render_usage[] =
	"usage: drgen render TEMPLATE [DATA.json] [--partials DIR]\n";

static const char render_help[] =
	"usage: drgen render TEMPLATE [DATA.json] [--partials DIR]\n"
	"\n"
	"Renders one Mustache template with a JSON view (an empty object when\n"
	"DATA.json is not given) and writes the result to standard output, exactly\n"
	"as rendered.\n"
	"\n"
	"  --partials DIR   find {{>name}} and {{<name}} as DIR/name.mustache\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0 rendered; 2 bad usage, template or data; 3 I/O error.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("drgen render: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(render_usage, stderr);
	return EXIT_INPUT;
}

/* After a failed read: missing or malformed input is the user's, anything else is I/O. */
static int read_failure_status(const char *path)
{
	if (access(path, R_OK) == 0 || errno == ENOENT || errno == ENOTDIR)
		return EXIT_INPUT;
	return EXIT_INTERNAL;
}

int cli_render(int argc, char **argv)
{
	const char *tpl_path = NULL, *data_path = NULL, *partials = NULL;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			fputs(render_help, stdout);
			return EXIT_OK;
		} else if (options && strcmp(a, "--partials") == 0) {
			if (i + 1 >= argc)
				return usage_error("%s needs a directory", a);
			partials = argv[++i];
		} else if (options && strncmp(a, "--partials=", 11) == 0) {
			partials = a + 11;
		} else if (options && strcmp(a, "--") == 0) {
			options = false;
		} else if (options && a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s'", a);
		} else if (!tpl_path) {
			tpl_path = a;
		} else if (!data_path) {
			data_path = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	if (!tpl_path)
		return usage_error("%s", "missing TEMPLATE");
	struct stat st;
	if (partials && (stat(partials, &st) != 0 || !S_ISDIR(st.st_mode)))
		return usage_error("--partials %s: not a directory", partials);

	int status = EXIT_OK;
	struct diags *d = diags_new();
	struct mustache_loader *l = mustache_loader_new();
	struct source_file tf = {0}, df = {0};
	cJSON *view = NULL;
	struct jsonpos *index = NULL;
	struct buf out = BUF_INIT;

	if (!source_read_path(tpl_path, SOURCE_MAX_TEMPLATE, &tf, d)) {
		status = read_failure_status(tpl_path);
		goto out;
	}
	if (data_path) {
		struct jsonpos_error err;
		if (!source_read_path(data_path, SOURCE_MAX_JSON, &df, d)) {
			status = read_failure_status(data_path);
			goto out;
		}
		if (!jsonpos_parse(df.data, df.len, JSONPOS_MAX_DEPTH, &view, &index,
				   &err)) {
			diag_error(d, data_path, err.line, err.col, "%s", err.message);
			status = EXIT_INPUT;
			goto out;
		}
	} else {
		view = cJSON_CreateObject();
	}
	if (partials)
		mustache_loader_add_dir(l, partials);
	const struct mustache_template *t =
		mustache_compile(tpl_path, tf.data, tf.len, l, d);
	if (!t || !mustache_render(t, view, &out, d)) {
		status = EXIT_INPUT;
		goto out;
	}
	if ((out.len && fwrite(out.data, 1, out.len, stdout) != out.len) ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		diag_error(d, NULL, 0, 0, "cannot write the output: %s", strerror(errno));
		status = EXIT_INTERNAL;
	}
out:
	if (diags_len(d))
		diags_print(d, stderr, cli_stderr_is_tty(), false);
	buf_free(&out);
	jsonpos_free(index);
	cJSON_Delete(view);
	source_file_free(&df);
	source_file_free(&tf);
	mustache_loader_free(l);
	diags_free(d);
	return status;
}
