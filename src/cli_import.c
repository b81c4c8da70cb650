/*
 * cli_import.c -- `drgen import KIND FILE...`: turns arguments into struct
 * imp_options, runs the importer (import.c) and prints its diagnostics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "import.h"
#include "util.h"
#include "zone.h"

static const char import_usage[] =
	"usage: drgen import KIND FILE... [-o FILE] [--plan DIR] [--map NAME=DATASTORE]...\n"
	"                    [--location L | --location NAME=L]... [--tz ZONE]\n"
	"                    [--provenance FILE] [-q]\n";

static void import_kinds(FILE *out)
{
	fputs("kinds:\n", out);
	for (size_t i = 0; imp_tools[i]; i++)
		fprintf(out, "  %-13s %s\n", imp_tools[i]->name, imp_tools[i]->what);
}

static int import_help(void)
{
	fputs(import_usage, stdout);
	fputs("\nConverts a backup tool's own JSON export into drgen's backup log\n"
	      "(NDJSON, docs/backup-format.md), with restore tests as records of\n"
	      "kind \"restore_test\".  Streams: memory does not grow with the export.\n"
	      "  -o, --output FILE   write here (replaced only when there is no error);\n"
	      "                      default standard output.  A provenance sidecar\n"
	      "                      FILE.provenance.json lists inputs and their SHA-256\n"
	      "  --plan DIR          resolve foreign names through the \"sources\" of the\n"
	      "                      datastores in DIR/plan.json\n"
	      "  --map NAME=ID       the datastore of a foreign name (ARN, stanza, tag...);\n"
	      "                      NAME ending in * matches a prefix; wins over --plan\n"
	      "  --location L        primary, secondary or offsite for every record the\n"
	      "                      tool does not place itself\n"
	      "  --location NAME=L   the location of one repository key (pgbackrest) or\n"
	      "                      storage location (velero)\n"
	      "  --tz ZONE           zone of times printed without an offset (borg 1.x):\n"
	      "                      +01:00, -0500, Z, or a name such as Europe/Berlin\n"
	      "  --provenance FILE   where the sidecar goes (needed with standard output)\n"
	      "  -q, --quiet         errors only\n"
	      "Exit status 2 on bad input (nothing written), 3 on I/O errors.\n"
	      "See docs/import.md.\n\n",
	      stdout);
	import_kinds(stdout);
	return EXIT_OK;
}

static int import_usage_error(const char *fmt, const char *arg)
{
	fputs("drgen import: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(import_usage, stderr);
	return EXIT_INPUT;
}

/* "--name=value" or "--name value"; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
			     char short_name, bool *matched)
{
	const char *a = argv[*i];
	size_t len = strlen(name);
	*matched = false;
	if ((a[0] == '-' && a[1] == '-' && strncmp(a + 2, name, len) == 0 &&
	     (a[2 + len] == 0 || a[2 + len] == '=')) ||
	    (short_name && a[0] == '-' && a[1] == short_name && a[2] == 0)) {
		*matched = true;
		if (a[1] != '-' || a[2 + len] == 0) {
			if (*i + 1 >= argc)
				return NULL;
			return argv[++*i];
		}
		return a + 3 + len;
	}
	return NULL;
}

int cli_import(int argc, char **argv)
{
	struct imp_options o = {0};
	struct zone *tz = NULL;
	const char **files = xcalloc((size_t)argc + 1, sizeof(*files));
	size_t n_files = 0;
	o.maps = xcalloc((size_t)argc + 1, sizeof(*o.maps));
	o.locations = xcalloc((size_t)argc + 1, sizeof(*o.locations));
	const char *kind = NULL;
	bool quiet = false;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			rc = import_help();
			goto out;
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = true;
			continue;
		}
		static const char *const names[] = {"output", "plan", "map", "location", "tz",
						    "provenance"};
		bool matched = false;
		const char *v = NULL;
		size_t k;
		for (k = 0; k < ARRAY_LEN(names) && !matched; k++)
			v = opt_value(argc, argv, &i, names[k], k == 0 ? 'o' : 0, &matched);
		if (matched) {
			k--;
			if (!v || !*v) {
				rc = import_usage_error("option \"%s\" needs a value", a);
				goto out;
			}
			if (k == 0) {
				o.out = v;
			} else if (k == 1) {
				o.plan_dir = v;
			} else if (k == 2) {
				const char *eq = strchr(v, '=');
				if (!eq || eq == v || !eq[1]) {
					rc = import_usage_error("--map %s: expected NAME=DATASTORE", v);
					goto out;
				}
				o.maps[o.n_maps].from = xstrndup(v, (size_t)(eq - v));
				o.maps[o.n_maps++].to = eq + 1;
			} else if (k == 3) {
				if (strchr(v, '='))
					o.locations[o.n_locations++] = v;
				else
					o.location = v;
			} else if (k == 4) {
				const char *why = NULL;
				zone_free(tz);
				o.tz = tz = zone_open(v, &why);
				if (!tz) {
					char *msg = xasprintf("%s: %s", v, why);
					rc = import_usage_error("--tz %s", msg);
					free(msg);
					goto out;
				}
			} else {
				o.provenance = v;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			rc = import_usage_error("unknown option \"%s\"", a);
			goto out;
		}
		if (!kind)
			kind = a;
		else
			files[n_files++] = a;
	}
	if (!kind) {
		fputs(import_usage, stderr);
		import_kinds(stderr);
		rc = EXIT_INPUT;
		goto out;
	}
	const struct imp_tool *tool = imp_tool_find(kind);
	if (!tool) {
		const char *names[16];
		size_t n = 0;
		for (size_t i = 0; imp_tools[i] && n < ARRAY_LEN(names); i++)
			names[n++] = imp_tools[i]->name;
		const char *near = util_closest(kind, names, n);
		if (near)
			fprintf(stderr, "drgen import: unknown kind \"%s\", did you mean \"%s\"?\n",
				kind, near);
		else
			fprintf(stderr, "drgen import: unknown kind \"%s\"\n", kind);
		import_kinds(stderr);
		rc = EXIT_INPUT;
		goto out;
	}
	if (n_files == 0) {
		rc = import_usage_error("no input file for %s", kind);
		goto out;
	}
	struct diags *d = diags_new();
	rc = imp_main(tool, files, n_files, &o, d);
	diags_print(d, stderr, cli_stderr_is_tty(), quiet);
	diags_free(d);
out:
	for (size_t i = 0; i < o.n_maps; i++)
		free((char *)o.maps[i].from);
	free(o.maps);
	free(o.locations);
	free(files);
	zone_free(tz);
	return rc;
}
