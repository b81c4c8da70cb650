/*
 * load_backups_int.h -- what load_backups.c, load_backups_record.c and
 * load_backups_report.c share: the job, its files and chunks, the workers
 * and their summaries, one scanned record, and the few functions one file
 * calls in another (the design is at the top of load_backups.c).
 *
 * The functions called for every record live in load_backups_record.c with
 * their callers, so that the compiler can inline them; the small helpers
 * both sides need are static inline here for the same reason.
 */
#ifndef DRGEN_LOAD_BACKUPS_INT_H
#define DRGEN_LOAD_BACKUPS_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "load_backups.h"

#define READ_BYTES   (256u << 10)  /* one pread; fits in L2 with the parse */
#define BUF_PAD      64            /* readable bytes after the data */
#define KEYS_KEEP    64            /* distinct unknown key names per chunk */
#define SHOW_MAX     64            /* bytes of a user string in a message */
#define UNKNOWN_KEEP 10000         /* unknown datastore ids kept */

/* ---------------------------------------------------------------------
 * The record format
 */

enum key {
	K_ID, K_DATASTORE, K_TYPE, K_STARTED, K_FINISHED, K_STATUS, K_BYTES,
	K_LOCATION, K_REGION, K_ENCRYPTION, K_COMPRESSION, K_IMMUTABLE,
	K_RETENTION_DAYS, K_VERIFICATION, K_VERIFIED_OK, K_KIND, K_METHOD,
	K_TESTED_BACKUP, K_TESTED_BACKUP_TIME, K_TARGET, K_PROVENANCE, K_COUNT,
	K_UNKNOWN = K_COUNT
};

struct str {
	const char *p;
	size_t len;
};

/* One record as scanned; strings point into the line or the scratch area. */
struct rec {
	unsigned seen;       /* keys that appeared (to catch duplicates) */
	unsigned valid;      /* keys with a usable, non-null value */
	const char *at[K_COUNT];
	const char *key_at[K_COUNT];  /* where each key was written */
	struct str id, datastore, region, encryption, compression, tested_backup;
	uint64_t datastore_hash;
	struct str unknown[4];       /* unknown keys, noted once the line parses */
	const char *unknown_at[4];
	size_t n_unknown;
	int kind, type, status, location, verification, method;
	int64_t started, finished, tested_time;
	uint64_t bytes, retention_days;
	bool immutable, verified_ok;
};

/* ---------------------------------------------------------------------
 * Jobs, files, chunks, workers
 */

struct chunk_error {
	uint64_t line;       /* 1-based, within the chunk */
	int col;
	char *message;
};

/* Why a key is counted: unknown, or known but of the other kind of
 * record, or (NOTE_LEGACY) a backup's verification "restore_test". */
enum key_note { NOTE_UNKNOWN, NOTE_BACKUP_ONLY, NOTE_TEST_ONLY, NOTE_LEGACY };

struct unknown_key {
	char *name;          /* cut to SHOW_MAX bytes */
	int note;            /* enum key_note */
	uint64_t count;
	uint64_t line;       /* first occurrence; within the chunk until merged */
	int col;
};

struct chunk {
	size_t file;
	uint64_t start, end;
	/* Results, written by the one thread that runs the chunk. */
	uint64_t lines;
	struct chunk_error *errors;
	size_t n_errors;
	uint64_t total_errors;
	struct unknown_key *keys;
	size_t n_keys;
	uint64_t keys_dropped;  /* occurrences of names beyond KEYS_KEEP */
	char *fatal;            /* the chunk could not be read */
};

struct file {
	char *rel;           /* "backups/x.ndjson" */
	char *path;          /* to open */
	char *display;       /* in diagnostics */
	uint64_t size;
	char sha256[65];
	uint64_t hashed;
	char *hash_error;
	size_t first_chunk, n_chunks;
};

struct unknown_id {
	char *id;
	uint64_t records;
};

/* The UNKNOWN_KEEP smallest ids seen, with exact counts (see the top). */
struct unknown_ids {
	struct strmap *map;  /* id -> struct unknown_id * */
	struct unknown_id **list;
	size_t n, cap;
	uint64_t records;    /* every record naming an unknown datastore */
};

/* Datastore ids of the plan, for the lookup of every record. */
#define INDEX_INLINE 24
struct index_slot {
	char key[INDEX_INLINE];  /* the id, or its first INDEX_INLINE bytes */
	uint32_t len;            /* 0: empty slot */
	uint32_t datastore;
};

struct job {
	struct model *m;
	struct index_slot *index;
	size_t index_mask;
	struct file *files;
	size_t n_files;
	struct chunk *chunks;
	size_t n_chunks, cap_chunks;
	size_t *hash_order;  /* files, largest first */
	size_t max_errors;
	int64_t as_of, period_start, period_end;
	atomic_size_t next;  /* next task */
};

/*
 * A thread's summary of one datastore at one location, split so that the
 * fields most records touch share two cache lines; the strings of the
 * newest records are touched only when one is replaced.
 */
struct hot {
	uint64_t records, successes, failures_in_period, bytes_retained;
	uint64_t successes_unencrypted, successes_immutable, verification_failures;
	int64_t newest_success, newest_verified, max_retention_days;
	uint64_t successes_by_type[BTYPE_COUNT];
};

struct cold {
	char newest_success_id[BACKUP_ID_MAX];
	char newest_success_region[BACKUP_NAME_MAX];
	char newest_encryption[BACKUP_NAME_MAX];
	char newest_compression[BACKUP_NAME_MAX];
};

/* The date of the last time parsed by a thread (see time_parse). */
struct day_cache {
	char text[10];       /* "YYYY-MM-DD" */
	bool valid;          /* text holds a date (zero bytes are no date) */
	int64_t start;       /* its first second, UTC */
};

struct worker {
	struct job *job;
	struct hot *hot;     /* [datastore * LOC_COUNT + location] */
	struct cold *cold;   /* the same indices */
	struct restore_test_summary *tests;  /* [datastore * RMETHOD_COUNT + method] */
	uint64_t *future;    /* [datastore]: backups after as-of */
	uint64_t *test_records;  /* [datastore]: restore tests, future ones too */
	uint64_t *test_future;   /* [datastore]: restore tests after as-of */
	struct unknown_ids unknown;
	struct day_cache days;
	uint64_t records;    /* valid backup records */
	uint64_t test_total; /* valid restore-test records */
	/*
	 * A valid record is folded one line late, so that the cache lines
	 * it needs are fetched while the next line is scanned: recs[cur] is
	 * being scanned, recs[!cur] waits when pending.  Its strings point
	 * into buf or into its half of scratch, so pending records are
	 * folded before buf is refilled.
	 */
	struct rec recs[2];
	size_t rec_index[2];
	int cur;
	bool pending;
	char *buf;           /* a line and one read (or the largest file) + padding */
	char *scratch;       /* two halves: decoded strings of a line each */
	size_t scratch_half; /* bytes of one half: the longest line and BUF_PAD */
	unsigned char *hashbuf;
	pthread_t thread;
	bool started;
};

/* The line being scanned. */
struct line {
	struct worker *w;
	struct chunk *c;
	uint64_t lineno;     /* within the chunk */
	const char *start;   /* column 1 */
	const char *end;     /* the '\n' */
	size_t used;         /* bytes of scratch in use */
	bool bad;            /* an error was reported */
};

/* ---------------------------------------------------------------------
 * Small helpers of more than one file
 */

/* Length of the valid UTF-8 sequence at p (p[0] >= 0x80), or 0. */
static inline size_t utf8_seq(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if ((p[1] & 0xC0) != 0x80 || (c == 0xE0 && p[1] < 0xA0) ||
		    (c == 0xED && p[1] >= 0xA0))
			return 0;
		return (p[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c < 0xF5) {
		if ((p[1] & 0xC0) != 0x80 || (c == 0xF0 && p[1] < 0x90) ||
		    (c == 0xF4 && p[1] >= 0x90))
			return 0;
		return (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* How many bytes of s to keep so that at most max remain and no UTF-8
 * sequence is cut (s is valid UTF-8). */
static inline size_t cut_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Copies s into a fixed field, cut safely. */
static inline void copy_cut(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = cut_len(s, len, cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static inline uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Word-at-a-time hash of a short id (the plan's and the records' alike). */
static inline uint64_t id_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;
		for (size_t i = 0; i < len; i++)
			w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static inline const char *errno_text(int err, char *tmp, size_t cap)
{
	/* The GNU strerror_r (we build with _GNU_SOURCE) returns the text. */
	return strerror_r(err, tmp, cap);
}

/* ---------------------------------------------------------------------
 * Across the files
 */

/* load_backups_record.c */

/* The names of the keys, indexed by enum key. */
extern const char *const lb_key_names[K_COUNT];

/* Reads and scans chunk c, folding its valid records into w's summaries
 * and keeping its diagnostics in c. */
void lb_chunk_run(struct worker *w, struct chunk *c);

/* The newest of two successes (see the definition); a merge step. */
void lb_newest_take(int64_t *t, char *id, char *region, char *enc, char *comp,
		    int64_t nt, const char *nid, const char *nregion, const char *nenc,
		    const char *ncomp);

/* Counts `records` more records of unknown datastore id (cut to
 * BACKUP_ID_MAX - 1 bytes); keeps at most 2 * UNKNOWN_KEEP ids. */
void lb_unknown_add(struct unknown_ids *u, const char *id, size_t len, uint64_t records);

/* Keeps the UNKNOWN_KEEP smallest ids and sorts the list. */
void lb_unknown_prune(struct unknown_ids *u);

/* load_backups.c */

/* pread until len bytes or the end of the file; -1 with errno on error. */
ssize_t lb_read_at(int fd, void *buf, size_t len, uint64_t off);

/* load_backups_report.c */

/* A problem with one value of line l at `at`: kept in the chunk, and the
 * rest of the record is still checked. */
void PRINTF_LIKE(3, 4) lb_rec_error(struct line *l, const char *at, const char *fmt, ...);

/* Line l cannot be read as JSON (or is not UTF-8): reported, scanning stops. */
void PRINTF_LIKE(3, 4) lb_line_fail(struct line *l, const char *at, const char *fmt, ...);

/* Reports value s of key k, outside the enumeration names[0..n); returns false. */
bool lb_enum_error(struct line *l, const char *at, enum key k, const struct str *s,
		   const char *const *names, size_t n);

/* s made safe for a message into out (escaped, cut to SHOW_MAX bytes);
 * returns out. */
const char *lb_show(char out[SHOW_MAX * 6 + 8], const char *s, size_t len);

/* What the scanner found at p, for "expected X, found Y"; may use out. */
const char *lb_found(const struct line *l, const char *p, char out[16]);

/* The kind of the JSON value starting with c, for "must be X, found Y". */
const char *lb_value_kind(char c);

/* Adds the diagnostics of file f (its chunks, in order) to d and counts
 * its unknown keys in the model. */
void lb_file_report(struct job *j, struct file *f, struct diags *d);

/* The warning and notes on the unknown datastores of u (pruned here), and
 * m->unknown_datastores. */
void lb_unknown_report(struct model *m, struct unknown_ids *u, const char *dir,
		       struct diags *d);

#endif
