/*
 * diag.h -- diagnostics as values.
 *
 * Library code never prints and never exits: it appends a diagnostic here and
 * carries on, so that one run reports every problem it can find.  main prints
 * the list once, each with the user's source line and a caret where a line is
 * known, or the JSON pointer / XML element path where it is not.
 *
 * Messages are lowercase, problem first, no trailing period, and name
 * positions in the user's input, never drgen's own source.
 * The list is safe to append to from several threads.
 */
#ifndef DRGEN_DIAG_H
#define DRGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_severity severity;
	const char *file;    /* path as shown to the user, or NULL */
	int line;            /* 1-based; 0 when unknown */
	int col;             /* 1-based, in bytes; 0 when unknown */
	const char *where;   /* JSON pointer or XML element path, or NULL */
	const char *message;
};

struct diags;

struct diags *diags_new(void);
void diags_free(struct diags *d);

/* All strings are copied. line/col may be 0; where may be NULL. */
void diag_add(struct diags *d, enum diag_severity sev, const char *file,
	      int line, int col, const char *where, const char *fmt, ...)
	PRINTF_LIKE(7, 8);
void diag_vadd(struct diags *d, enum diag_severity sev, const char *file,
	       int line, int col, const char *where, const char *fmt,
	       va_list ap);

/* Shorthands for the common cases. */
#define diag_error(d, file, line, col, ...) \
	diag_add((d), DIAG_ERROR, (file), (line), (col), NULL, __VA_ARGS__)
#define diag_warning(d, file, line, col, ...) \
	diag_add((d), DIAG_WARNING, (file), (line), (col), NULL, __VA_ARGS__)

size_t diags_len(const struct diags *d);
/* Borrowed until diags_free. */
const struct diag *diags_get(const struct diags *d, size_t i);
size_t diags_count(const struct diags *d, enum diag_severity sev);
bool diags_has_errors(const struct diags *d);
/* Appends every diagnostic of src to dst (used to merge per-thread lists). */
void diags_merge(struct diags *dst, const struct diags *src);
/* Stable sort by file, line, column; keeps insertion order otherwise. */
void diags_sort(struct diags *d);

/*
 * Prints every diagnostic:
 *   plan.json:12:7: error: unknown contact "bob"
 *      12 |     "owner": "bob",
 *         |              ^
 * The source line is read again from the file named (when it is readable
 * and the line short enough), so callers need not keep their buffers.
 * With color, severities are highlighted (for terminals).
 * Warnings are omitted when quiet is set.
 */
void diags_print(const struct diags *d, FILE *out, bool color, bool quiet);

/*
 * A user's string as it appears in a message: in double quotes, '"' and
 * '\\' escaped, C0, DEL and C1 control characters as \\uXXXX and a byte
 * that is not UTF-8 as \\xNN (so nothing from an input can drive a
 * terminal), cut at a character boundary with "..." once the text passes
 * max bytes.  Writes into out (size bytes, at least max + 16) and returns it.
 */
const char *diag_quote(char *out, size_t size, const char *s, size_t max);

/*
 * The same escapes, without quotes, appended to b: how diags_print shows
 * every file name, pointer and message (file names and pointers come from
 * the plan's folders and keys).  With max, cut with "..." once the output
 * passes max bytes; keep_lines lets tab and newline through (messages).
 */
void diag_escape(struct buf *b, const char *s, size_t max, bool keep_lines);

/* A JSON pointer or element path is kept to this many bytes, then "...". */
#define DIAG_WHERE_MAX 200

/* Formats one diagnostic's first line (no source excerpt) into b. */
void diag_format(const struct diag *g, struct buf *b);

#endif
