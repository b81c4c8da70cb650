/*
 * load_backups.h -- the backup logs (the .ndjson files in backups/), streamed into
 * per-datastore summaries.
 *
 * Each line of a log is one backup job (SPEC 2.2, docs/backup-format.md).
 * The loader never holds a log: it reads each file in pieces into one
 * reused buffer per thread, validates every record, and folds it into the
 * struct backup_summary of its datastore (model.h).  Memory depends on the
 * number of datastores and threads, never on the number of records.
 */
#ifndef DRGEN_LOAD_BACKUPS_H
#define DRGEN_LOAD_BACKUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"
#include "source.h"

/* Defaults of struct load_backups_options. */
#define LOAD_BACKUPS_THREADS     2
#define LOAD_BACKUPS_CHUNK_BYTES (16u << 20)  /* files are split near here */
#define LOAD_BACKUPS_MAX_ERRORS  50           /* errors shown per file */

struct load_backups_options {
	int threads;            /* worker threads; < 1 means the default */
	size_t chunk_bytes;     /* 0 means the default; tests use small ones */
	size_t max_errors;      /* per file; 0 means the default */
};

/*
 * Reads every .ndjson file in backups/ of the plan directory (sorted by name) and
 * fills m->datastores[i].backups, m->unknown_datastores and
 * m->backup_records.  Needs m->datastores, m->datastore_by_id, m->as_of,
 * m->period_start and m->period_end set (load_plan and the caller do
 * that).  Each log is recorded as an input of kind "backups" with its
 * SHA-256.
 *
 * Problems go to d: one error per bad record (file:line:col), at most
 * max_errors per file and then a note with the count of the rest; one
 * warning per unknown key name per file; one warning listing the
 * datastores the plan does not name, with their record counts.  Invalid
 * records are left out of the summaries.  The result is the same for any
 * number of threads.  Returns false when an error was added.
 */
bool load_backups(struct model *m, struct source_set *src, struct diags *d,
		  int threads);

/* The same with every knob; o may be NULL for the defaults. */
bool load_backups_with(struct model *m, struct source_set *src, struct diags *d,
		       const struct load_backups_options *o);

#endif
