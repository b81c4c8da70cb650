/*
 * import.h -- `drgen import`: the shared streaming JSON reader, the record
 * writer and datastore resolution that every importer (import_<tool>.c)
 * uses.  Prefix imp_.
 *
 * The data flow is one way: a tool's export is streamed through yajl; the
 * importer's classify function says, for each value on the way down, whether
 * to descend into it, skip it, or take it as one record; a record (never the
 * whole document) is built as a small tree, handed to the importer's record
 * function and freed.  The importer fills a struct imp_rec per drgen record
 * and calls imp_emit, which resolves the datastore and writes one NDJSON
 * line.  Memory is bounded by the largest record (IMP_RECORD_MAX bytes),
 * whatever the size of the export.
 *
 * Problems come in two kinds:
 *   - errors (imp_error): the input is not what the tool writes (invalid or
 *     truncated JSON, wrong shape, huge numbers, unknown states).  They are
 *     located (file:line:col and a JSON pointer), the run goes on to find
 *     the others, and `drgen import` exits 2 without touching its output;
 *   - skips (imp_skip): a record the tool really writes but drgen cannot use
 *     (a composite parent job, a snapshot without an id).  Each says why,
 *     and the counts per reason are printed at the end.
 */
#ifndef DRGEN_IMPORT_H
#define DRGEN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zone;

#include "diag.h"

#define IMP_RECORD_MAX (1u << 20)   /* bytes of one record's tree */
#define IMP_DEPTH_MAX 512           /* JSON nesting */
#define IMP_ID_MAX 512              /* bytes of an id (docs/backup-format.md) */
#define IMP_MEMBERS_MAX 10000       /* members of one object inside a record */

/* ---- the record tree ---- */

enum imp_type { IMP_NULL, IMP_BOOL, IMP_NUM, IMP_STR, IMP_OBJ, IMP_ARR };

struct imp_node {
	enum imp_type type;
	const char *key;          /* member name inside an object, else NULL */
	size_t key_len;
	const char *str;          /* string (decoded) or number text, NUL-terminated */
	size_t len;
	bool b;
	struct imp_node *child;   /* first member / element */
	struct imp_node *last;
	struct imp_node *next;
	size_t n;                 /* members / elements */
	struct imp_node *parent;
	size_t index;             /* position in the parent */
	int line, col;            /* where the value starts (1-based) */
};

/* Where the reader is, on the way down to a record. */
struct imp_frame {
	bool is_array;
	size_t index;             /* element index, when is_array */
	char key[128];            /* member name (cut), when !is_array */
	size_t key_len;           /* the member name's real length */
};

struct imp_path {
	size_t doc;               /* which top-level value (pagination fragments) */
	size_t depth;             /* frames[0..depth-1]; depth 0 is the top value */
	const struct imp_frame *frames;
};

enum imp_action { IMP_DESCEND, IMP_SKIP, IMP_RECORD, IMP_STOP };

struct imp_run;

/*
 * One importer.  classify is called for every value outside a record, with
 * its path and type (IMP_OBJ, IMP_ARR or a scalar type); it returns what to
 * do (IMP_STOP after an imp_error ends the file).  record gets each value
 * classified IMP_RECORD, as a tree borrowed until it returns.  begin_file
 * and end_file may be NULL.  passes is 1 or 2: with 2 each file is read
 * twice in a row (the digest is taken on the first), and imp_run_pass says
 * which pass is running: pgBackRest writes a stanza's name after its
 * backups, Borg the repository after its archives.
 */
struct imp_tool {
	const char *name;         /* the KIND of `drgen import KIND` */
	const char *what;         /* one line for the help */
	int passes;
	size_t ctx_size;          /* bytes of per-run state, zeroed */
	enum imp_action (*classify)(struct imp_run *r, const struct imp_path *p,
				    enum imp_type type);
	void (*record)(struct imp_run *r, const struct imp_path *p,
		       const struct imp_node *rec);
	void (*begin_file)(struct imp_run *r);
	void (*end_file)(struct imp_run *r, bool ok);   /* ok: no error in the file */
};

extern const struct imp_tool imp_tool_aws_backup;
extern const struct imp_tool imp_tool_pgbackrest;
extern const struct imp_tool imp_tool_restic;
extern const struct imp_tool imp_tool_borg;
extern const struct imp_tool imp_tool_velero;
extern const struct imp_tool imp_tool_azure_backup;

/* The importers, in the order of the help; NULL-terminated. */
extern const struct imp_tool *const imp_tools[];
const struct imp_tool *imp_tool_find(const char *name);

/* ---- options and a run ---- */

struct imp_map {
	const char *from;         /* a foreign name; "prefix*" matches a prefix */
	const char *to;           /* a datastore id */
};

struct imp_options {
	const char *out;          /* -o FILE, or NULL for standard output */
	const char *provenance;   /* sidecar path; default OUT.provenance.json */
	const char *plan_dir;     /* --plan DIR: datastores' "sources" */
	const char *location;     /* --location L: default location */
	const char **locations;   /* --location NAME=L: per repository / storage */
	size_t n_locations;
	const struct zone *tz;    /* --tz, or NULL */
	struct imp_map *maps;     /* --map FROM=DATASTORE, in order given */
	size_t n_maps;
};

/*
 * Runs tool over files (in the order given) and writes the records to
 * opts->out (replaced only when there is no error) or standard output.
 * Adds every problem to d, and the summary counts as notes.  Returns an
 * enum exit_status.
 */
int imp_main(const struct imp_tool *tool, const char *const *files, size_t n_files,
	     const struct imp_options *opts, struct diags *d);

/*
 * Whether buf (the first bytes of a file, up to 64 KiB) is the start of a
 * tool's export that `drgen import` reads: returns its KIND (and in *what,
 * when not NULL, the command that prints it), or NULL.
 */
const char *imp_detect(const char *buf, size_t len, const char **what);

/* ---- what importers call ---- */

void *imp_ctx(struct imp_run *r);             /* the tool's ctx_size bytes */
int imp_run_pass(const struct imp_run *r);    /* 1 or 2 */
const char *imp_run_file(const struct imp_run *r);
const struct imp_options *imp_run_options(const struct imp_run *r);

/* Errors and skips at a node (or, with n NULL, at the current position). */
void imp_error(struct imp_run *r, const struct imp_node *n, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
void imp_error_at_path(struct imp_run *r, const struct imp_path *p, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
/* An error about the file as a whole (no place in it). */
void imp_error_file(struct imp_run *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* reason is a short fixed phrase, counted per phrase; detail may be NULL. */
void imp_skip(struct imp_run *r, const struct imp_node *rec, const char *reason,
	      const char *detail);

/* The JSON pointer of a node ("/BackupJobs/3/State"); caller frees. */
char *imp_pointer(const struct imp_run *r, const struct imp_node *n);

/*
 * Member lookup.  A member given as null counts as absent.  A member given
 * twice is an error.  The typed getters report a member of the wrong type
 * (or missing, when required) as an error and return false; an absent
 * optional member returns false without error.
 */
const struct imp_node *imp_get(struct imp_run *r, const struct imp_node *obj,
			       const char *key);
bool imp_get_str(struct imp_run *r, const struct imp_node *obj, const char *key,
		 bool required, const char **out);
bool imp_get_bool(struct imp_run *r, const struct imp_node *obj, const char *key,
		  bool *out);
/* A JSON number that is a whole number from 0 to UINT64_MAX. */
bool imp_get_u64(struct imp_run *r, const struct imp_node *obj, const char *key,
		 bool required, uint64_t *out);
bool imp_num_u64(struct imp_run *r, const struct imp_node *n, uint64_t *out);
/*
 * A time: epoch seconds (a number, fraction dropped) or an RFC 3339 /
 * ISO 8601 string.  A string without an offset takes --tz; without --tz it
 * is an error that says so (naive_hint names the tool's quirk).
 */
bool imp_get_time(struct imp_run *r, const struct imp_node *obj, const char *key,
		  bool required, const char *naive_hint, int64_t *out);
bool imp_node_time(struct imp_run *r, const struct imp_node *n, const char *naive_hint,
		   int64_t *out);
/* Whether a string node equals s. */
bool imp_is(const struct imp_node *n, const char *s);

/* ---- the record writer ---- */

enum imp_kind { IMP_BACKUP, IMP_RESTORE_TEST };
enum imp_tri { IMP_UNKNOWN, IMP_FALSE, IMP_TRUE };

#define IMP_PROV_MAX 16
#define IMP_CAND_MAX 8

struct imp_rec {
	enum imp_kind kind;
	const char *id;
	/* foreign names of the datastore, most specific first; the first is
	 * written when none resolves */
	const char *cand[IMP_CAND_MAX];
	size_t n_cand;
	const char *type;                 /* backups */
	int64_t started, finished;        /* DATE_NONE when absent */
	const char *status;
	const char *location;             /* NULL: --location, else "primary" */
	const char *region;
	bool has_bytes;
	uint64_t bytes;
	const char *encryption, *compression;
	enum imp_tri immutable;
	bool has_retention;
	uint64_t retention_days;
	const char *verification;
	enum imp_tri verified_ok;
	/* restore tests */
	const char *method;
	const char *tested_backup;
	int64_t tested_backup_time;
	const char *target;
	/* provenance: tool, tool_version, then tool-specific fields */
	const char *prov_key[IMP_PROV_MAX];
	const char *prov_val[IMP_PROV_MAX];
	size_t n_prov;
};

/* Starts a record: zeroes it, times DATE_NONE, tool in the provenance. */
void imp_rec_init(struct imp_run *r, struct imp_rec *rec, enum imp_kind kind);
void imp_rec_cand(struct imp_rec *rec, const char *name);
void imp_rec_prov(struct imp_rec *rec, const char *key, const char *value);
/*
 * Checks the record (id present and at most IMP_ID_MAX bytes, times in
 * order), resolves its datastore and writes it; a record that fails the
 * checks is skipped with the reason, at node at.
 */
void imp_emit(struct imp_run *r, const struct imp_node *at, struct imp_rec *rec);

/* A string that lives until the end of the current record. */
char *imp_tmp_printf(struct imp_run *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
char *imp_tmp_strndup(struct imp_run *r, const char *s, size_t len);
/* s as a message shows a user's string: quoted, escaped, cut (diag_quote). */
const char *imp_quote(struct imp_run *r, const char *s);

#endif
