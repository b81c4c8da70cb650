/*
 * source.h -- the only module that reads input files.
 *
 * Every path a plan names goes through source_resolve, so the rule "a path
 * that leaves the plan directory is an error" and the size limits live in
 * one place.  Every file read is recorded with its SHA-256, because the
 * evidence manifest must list each input the build used.
 */
#ifndef DRGEN_SOURCE_H
#define DRGEN_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Documented limits (drgen help limits). */
#define SOURCE_MAX_JSON   (64u << 20)  /* plan.json, one drill file */
#define SOURCE_MAX_XML    (64u << 20)  /* one JUnit XML drill file */
#define SOURCE_MAX_MD     (1u << 20)   /* one Markdown runbook */
#define SOURCE_MAX_LINE   (1u << 20)   /* one NDJSON backup record */
#define SOURCE_MAX_TEMPLATE (1u << 20) /* one template or partial */
#define SOURCE_MAX_RULE   (1u << 20)   /* one Lua rule file */

struct source_file {
	char *path;      /* as shown to the user, e.g. "samples/acme/plan.json" */
	char *data;      /* NUL-terminated; owned (source_file_free) */
	size_t len;
};

/* The record of inputs read, for the manifest. */
struct source_input {
	char *path;      /* relative to the plan directory ("plan.json") */
	char *kind;      /* "plan", "backups", "drills", "runbook", "rule", "template" */
	char sha256[65]; /* lowercase hex */
	uint64_t size;
};

struct source_set;

/* root is the plan directory; paths shown to the user start with it. */
struct source_set *source_set_new(const char *root);
void source_set_free(struct source_set *s);
const char *source_root(const struct source_set *s);

/*
 * Joins a path named inside the file `from` (relative to that file's
 * directory; from == NULL means the plan root) and checks that it stays
 * inside the plan directory, also through symbolic links.  On success the
 * result (caller frees) is the path relative to the root.  On failure a
 * diagnostic is added (file, line, where describe the naming place) and
 * NULL is returned.
 */
char *source_resolve(struct source_set *s, const char *from, const char *rel,
		     struct diags *d, const char *file, int line,
		     const char *where);

/*
 * Reads root/rel whole, refusing files above limit, empty files, and files
 * that are not valid UTF-8 (a leading BOM is skipped).  Records it as an
 * input of the given kind.  Returns false (with a diagnostic) on failure.
 */
bool source_read(struct source_set *s, const char *rel, const char *kind,
		 size_t limit, struct source_file *out, struct diags *d);

/*
 * Every read below refuses, without opening it, a file that is not a
 * regular file (a FIFO, device, socket or folder: "not a regular file"),
 * and opens with O_NONBLOCK so that nothing swapped in can block.
 */

/* Reads a file outside the plan (a signing key); path is used as is. */
bool source_read_path(const char *path, size_t limit, struct source_file *out,
		      struct diags *d);

/*
 * The same, refusing a path whose last component is a symbolic link
 * (--previous: a link could make drgen quote another file in a diagnostic).
 */
bool source_read_unlinked(const char *path, size_t limit,
			  struct source_file *out, struct diags *d);

/*
 * Reads path, a file inside the folder dir (a rule or template folder),
 * refusing it without reading it when its real path, through symbolic
 * links, lies outside dir's real path.
 */
bool source_read_under(const char *dir, const char *path, size_t limit,
		       struct source_file *out, struct diags *d);

/* Whether the existing file path, through symbolic links, lies inside dir. */
bool source_path_inside(const char *dir, const char *path);

/*
 * Whether root/rel stays inside the plan directory through symbolic links
 * (true when it does not exist).
 */
bool source_inside(const struct source_set *s, const char *rel);

void source_file_free(struct source_file *f);

/*
 * Lists the regular files of root/subdir whose names end in suffix, sorted
 * bytewise (so builds do not depend on directory order).  Missing subdir
 * is not an error (returns 0).  A matching entry that leads outside the
 * plan directory through a symbolic link, or is not a regular file, is
 * left out with an error in d.  names[i] are "subdir/name"; caller frees
 * with source_list_free.
 */
size_t source_list(struct source_set *s, const char *subdir, const char *suffix,
		   char ***names, struct diags *d);
void source_list_free(char **names, size_t n);

/*
 * Records a file read by a streaming loader (which hashes as it reads).
 */
void source_record(struct source_set *s, const char *rel, const char *kind,
		   const char sha256[65], uint64_t size);

/* The inputs read so far, sorted by path.  Borrowed. */
size_t source_inputs(struct source_set *s, const struct source_input **out);

/* The user-visible path of rel ("root/rel"); caller frees. */
char *source_display_path(const struct source_set *s, const char *rel);

/* UTF-8 validity (no overlongs, no surrogates). */
bool source_utf8_valid(const char *data, size_t len, size_t *bad_offset);

/* Hex SHA-256 of a buffer (libcrypto). */
void source_sha256_hex(const void *data, size_t len, char out[65]);

/* The same for data that comes in pieces: new, update..., end (frees h). */
struct source_hash;
struct source_hash *source_hash_new(void);
void source_hash_update(struct source_hash *h, const void *data, size_t len);
void source_hash_end(struct source_hash *h, char out[65]);

#endif
