/*
 * import_int.h -- what import.c (driver, writer, resolution) and
 * import_json.c (the streaming reader) share.  Not for importers.
 */
#ifndef DRGEN_IMPORT_INT_H
#define DRGEN_IMPORT_INT_H

#include <stdio.h>

#include "import.h"
#include "util.h"

/* A bump allocator for one record's tree, rewound after each record. */
struct imp_pool {
	char **blocks;
	size_t n_blocks, cap_blocks;
	size_t cur;          /* block in use */
	size_t used;         /* bytes used in it */
	size_t total;        /* bytes handed out since the last rewind */
	char **big;          /* allocations larger than a block */
	size_t n_big, cap_big;
};

struct imp_reason {
	const char *reason;
	uint64_t count;
	char *first;         /* "file:line:col" of the first one */
};

struct imp_run {
	const struct imp_tool *tool;
	const struct imp_options *opts;
	struct diags *d;
	void *ctx;
	int pass;
	const char *file;

	/* reader state (import_json.c) */
	struct imp_pool pool;
	struct imp_frame frames[IMP_DEPTH_MAX + 2];
	size_t depth;             /* frames in use */
	size_t doc;
	size_t in_record;         /* depth inside the record being built, 0 = none */
	size_t skipping;          /* depth inside a skipped value, 0 = none */
	bool record_too_big;
	struct imp_node *rec_root, *rec_cur;
	struct imp_path rec_path;
	struct imp_frame rec_frames[IMP_DEPTH_MAX + 2];
	bool stop;
	int val_line, val_col;    /* of the value being classified */
	/* positions: bytes of the current chunk scanned for newlines so far */
	const unsigned char *chunk;
	size_t chunk_len;
	size_t scanned;           /* in the chunk */
	int line;                 /* of the byte at scanned */
	uint64_t line_start;      /* absolute offset of that line's first byte */
	uint64_t chunk_base;      /* absolute offset of chunk[0] */
	void *yajl;               /* yajl_handle of the file being read */

	/* writer (import.c) */
	FILE *out;
	struct buf line_buf;
	struct strmap *plan_sources;   /* exact foreign name -> datastore id */
	struct imp_map *plan_prefixes; /* "prefix*" sources */
	size_t n_plan_prefixes;
	struct strmap *plan_ids;       /* datastore ids of the plan */
	struct strmap *resolved;       /* foreign name -> struct imp_tally */
	struct strmap *unmatched;      /* written name -> struct imp_tally */
	struct arena *arena;
	struct imp_reason *reasons;
	size_t n_reasons, cap_reasons;
	uint64_t n_values, n_backups, n_tests, n_skipped, n_errors_file;
	uint64_t n_errors;
	uint64_t rec_errors;            /* n_errors when the record began */
	struct buf tmp;                /* imp_tmp_printf, reset per record */
	char **tmp_strs;
	size_t n_tmp, cap_tmp;
};

struct imp_tally {
	const char *datastore;
	uint64_t records;
};

/* import_json.c */
void imp_pool_rewind(struct imp_pool *p);
void imp_pool_free(struct imp_pool *p);
/*
 * Streams one file through yajl; calls the tool's classify and record.
 * sha (may be NULL) receives the bytes read (an EVP_MD_CTX).  Returns false
 * when the file cannot be read (an error is added).
 */
bool imp_json_read(struct imp_run *r, FILE *f, void *sha);
/* Where the reader is now (line, col) */
void imp_json_pos(struct imp_run *r, int *line, int *col);

/* import.c */
void imp_tmp_reset(struct imp_run *r);

#endif
