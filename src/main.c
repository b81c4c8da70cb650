/*
 * main.c -- drgen's entry point: picks the subcommand and maps what it
 * returns to an exit status.  Everything else lives in the library.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "import_backstage.h"
#include "util.h"

static void usage(FILE *out)
{
	fputs("usage: drgen build  [DIR] [-o OUT] [--period YYYY-MM] [--as-of TIME] [options]\n"
	      "       drgen check  [DIR]\n"
	      "       drgen init   [--minimal] DIR\n"
	      "       drgen verify OUT [--key PUB]\n"
	      "       drgen render TEMPLATE [DATA.json] [--partials DIR]\n"
	      "       drgen import KIND FILE... [-o FILE] [--plan DIR] [--map NAME=ID]\n"
	      "       drgen help   [COMMAND | limits]\n"
	      "       drgen --help | --version\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_INPUT;
	}
	const char *cmd = argv[1];
	int rc;
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		rc = cli_help(NULL);
	} else if (strcmp(cmd, "help") == 0) {
		rc = cli_help(argc > 2 ? argv[2] : NULL);
	} else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("drgen %s\n", DRGEN_VERSION);
		rc = EXIT_OK;
	} else if (strcmp(cmd, "import") == 0 && argc > 2 && strcmp(argv[2], "backstage") == 0) {
		rc = import_backstage_main(argc - 2, argv + 2);
	} else if (strcmp(cmd, "build") == 0) {
		rc = cli_build(argc - 1, argv + 1);
	} else if (strcmp(cmd, "check") == 0) {
		rc = cli_check(argc - 1, argv + 1);
	} else if (strcmp(cmd, "init") == 0) {
		rc = cli_init(argc - 1, argv + 1);
	} else if (strcmp(cmd, "verify") == 0) {
		rc = cli_verify(argc - 1, argv + 1);
	} else if (strcmp(cmd, "render") == 0) {
		rc = cli_render(argc - 1, argv + 1);
	} else if (strcmp(cmd, "import") == 0) {
		rc = cli_import(argc - 1, argv + 1);
	} else {
		static const char *const commands[] = {"build", "check", "init", "verify",
						       "render", "import", "help"};
		const char *near = util_closest(cmd, commands,
						     sizeof(commands) / sizeof(commands[0]));
		if (near)
			fprintf(stderr, "drgen: unknown command \"%s\", did you mean \"%s\"?\n",
				cmd, near);
		else
			fprintf(stderr, "drgen: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return EXIT_INPUT;
	}
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == EXIT_OK) {
			perror("drgen: cannot write standard output");
			rc = EXIT_INTERNAL;
		}
	}
	return rc;
}
