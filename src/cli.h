/*
 * cli.h -- the subcommands.  main.c parses the first word and hands the rest
 * of argv to one of these; each returns an exit status (enum exit_status)
 * and prints its own diagnostics through diags_print.
 */
#ifndef DRGEN_CLI_H
#define DRGEN_CLI_H

#include "exit_status.h"

/* argv[0] is the subcommand name; argc counts it. */
int cli_check(int argc, char **argv);
int cli_build(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_import(int argc, char **argv);   /* cli_import.c */

struct diags;
/*
 * Creates DIR with the minimal plan of `drgen init --minimal` (cli_init.c),
 * dated relative to now; adds problems to d and returns an exit status.
 */
int cli_init_minimal(const char *dir, struct diags *d);

/* Prints the help of one subcommand ("limits" for the documented limits). */
int cli_help(const char *topic);

/* Whether diagnostics go to a terminal (colour, progress line). */
int cli_stderr_is_tty(void);

#endif
