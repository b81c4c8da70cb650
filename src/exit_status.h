/*
 * exit_status.h -- the exit statuses of SPEC.md section 7, in one place.
 *
 * A header of its own, below every module that returns one: build, import
 * and the subcommands (cli.h) all include it, and none needs another's
 * header for it.
 */
#ifndef DRGEN_EXIT_STATUS_H
#define DRGEN_EXIT_STATUS_H

enum exit_status {
	EXIT_OK = 0,        /* success */
	EXIT_FAIL_ON = 1,   /* built, but --fail-on found controls at that level */
	EXIT_INPUT = 2,     /* bad input or usage */
	EXIT_INTERNAL = 3,  /* I/O or internal error */
};

#endif
