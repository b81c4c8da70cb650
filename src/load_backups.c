/*
 * load_backups.c -- streaming the backup logs into per-datastore summaries.
 *
 * The logs are the one input that grows without bound (tens of millions of
 * lines), so the loader is built for one pass at memory speed:
 *
 *  - Planning (calling thread): list the .ndjson files in backups/ and cut
 *    each into chunks of about chunk_bytes that end just after a newline,
 *    so a chunk always holds whole lines.  Chunking depends only on the
 *    files, never on the number of threads.
 *  - Tasks: one SHA-256 task per file (the manifest needs the hash, and a
 *    hash is sequential, so it runs beside the parsing instead of before it)
 *    and one task per chunk.  Threads take tasks from an atomic counter.
 *  - A chunk is read with pread into the thread's one buffer (a line limit
 *    plus one read, reused), lines are found with memchr and each line is
 *    scanned in place by a hand-written JSON scanner that allocates nothing:
 *    the '\n' ending every line is the sentinel all scanning loops stop at,
 *    and the buffer is padded so 16-byte loads and short compares may look
 *    past it.  Keys, enumeration values and plain times are matched at
 *    their opening quote; anything else (escapes, non-ASCII, unknown keys,
 *    errors) takes the full scanner, which is exact about positions.
 *  - Each thread folds valid records into its own summaries, split into a
 *    hot part (two cache lines per datastore and location) and the strings
 *    of the newest records.  A record is folded one line late: its
 *    datastore is looked up and its summary prefetched when the line ends,
 *    and the fold happens while the next line is being scanned.  Every
 *    fold is commutative (sums, and maxima whose ties are broken by
 *    comparing everything stored), so the merged result does not depend on
 *    which thread read which chunk.
 *  - Diagnostics stay in their chunk with chunk-relative line numbers and
 *    are emitted after the threads finish, in file and chunk order, with
 *    the line counts of the earlier chunks added.  Each chunk keeps only its
 *    first max_errors errors, which is enough to know the first max_errors
 *    of the file.
 *
 * Memory is the chunk list, one buffer per thread and one summary array
 * per thread: it depends on the size of the plan, not of the logs.  The
 * two tables that depend on the data are capped: unknown key names per
 * chunk, and unknown datastore ids (the UNKNOWN_KEEP smallest are kept with
 * exact counts, which any thread split yields identically).
 *
 * The loader is three files, by stage: this one plans the files and
 * chunks, runs the threads and merges their results; load_backups_record.c
 * is the hot path (a chunk's lines scanned into records and folded, every
 * function it calls per record in one file so the compiler can inline
 * them); load_backups_report.c holds the text of every diagnostic.  They
 * share load_backups_int.h.
 */
#include "load_backups_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"
#include "restore_tests.h"
#include "import.h"

#define PLAN_READ    (64u << 10)   /* pread size when looking for a newline */
#define HASH_READ    (256u << 10)

/* ---------------------------------------------------------------------
 * The datastore index, a worker's summaries, merging
 */

/* Builds the index from m->datastore_by_id, so it agrees with
 * model_datastore_find. */
static void index_build(struct job *j)
{
	const struct model *m = j->m;
	size_t cap = 16;
	while (cap < 2 * m->n_datastores + 1)
		cap *= 2;
	j->index = xcalloc(cap, sizeof(*j->index));
	j->index_mask = cap - 1;
	size_t pos = 0;
	const char *key;
	void *value;
	while (strmap_next(m->datastore_by_id, &pos, &key, &value)) {
		size_t i = (size_t)((const struct datastore *)value - m->datastores);
		size_t len = strlen(key);
		if (i >= m->n_datastores || len == 0 || len > UINT32_MAX)
			continue;
		size_t h = (size_t)id_hash(key, len) & j->index_mask;
		while (j->index[h].len)
			h = (h + 1) & j->index_mask;
		memcpy(j->index[h].key, key, len < INDEX_INLINE ? len : INDEX_INLINE);
		j->index[h].len = (uint32_t)len;
		j->index[h].datastore = (uint32_t)i;
	}
}

static void hot_init(struct hot *h)
{
	memset(h, 0, sizeof(*h));
	h->newest_success = DATE_NONE;
	h->newest_verified = DATE_NONE;
}

static void unknown_free(struct unknown_ids *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->list[i]->id);
		free(u->list[i]);
	}
	free(u->list);
	strmap_free(u->map);
}

/* Adds a thread's summaries into the model. */
static void worker_merge(struct model *m, const struct worker *w)
{
	for (size_t i = 0; i < m->n_datastores; i++) {
		struct backup_summary *b = &m->datastores[i].backups;
		b->future += w->future[i] + w->test_future[i];
		b->records += w->future[i];
		b->restore_test_records += w->test_records[i];
		for (int k = 0; k < RMETHOD_COUNT; k++)
			restore_tests_merge(&b->tests[k], &w->tests[i * RMETHOD_COUNT + (size_t)k]);
		for (int l = 0; l < LOC_COUNT; l++) {
			struct backup_location_summary *a = &b->at[l];
			const struct hot *h = &w->hot[i * LOC_COUNT + (size_t)l];
			const struct cold *c = &w->cold[i * LOC_COUNT + (size_t)l];
			b->records += h->records;
			a->records += h->records;
			a->successes += h->successes;
			a->failures_in_period += h->failures_in_period;
			lb_newest_take(&a->newest_success, a->newest_success_id,
				    a->newest_success_region, a->newest_encryption,
				    a->newest_compression, h->newest_success,
				    c->newest_success_id, c->newest_success_region,
				    c->newest_encryption, c->newest_compression);
			a->bytes_retained = add_sat(a->bytes_retained, h->bytes_retained);
			a->successes_unencrypted += h->successes_unencrypted;
			a->successes_immutable += h->successes_immutable;
			for (int t = 0; t < BTYPE_COUNT; t++)
				a->successes_by_type[t] += h->successes_by_type[t];
			if (h->newest_verified > a->newest_verified)
				a->newest_verified = h->newest_verified;
			a->verification_failures += h->verification_failures;
			if (h->max_retention_days > a->max_retention_days)
				a->max_retention_days = h->max_retention_days;
		}
	}
}

static void summary_init(struct backup_summary *b)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < LOC_COUNT; i++) {
		b->at[i].newest_success = DATE_NONE;
		b->at[i].newest_verified = DATE_NONE;
	}
	for (int k = 0; k < RMETHOD_COUNT; k++)
		restore_tests_init(&b->tests[k]);
}

/* ---------------------------------------------------------------------
 * Tasks: reading, hashing, the worker loop
 */

/* pread until len bytes or the end of the file; -1 with errno on error. */
ssize_t lb_read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void hash_run(struct worker *w, struct file *f)
{
	char eb[128];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		f->hash_error = xasprintf("cannot open file: %s", errno_text(errno, eb, sizeof(eb)));
		goto out;
	}
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		f->hash_error = xstrdup("cannot compute SHA-256 (libcrypto)");
		goto out_close;
	}
	uint64_t off = 0;
	for (;;) {
		ssize_t n = lb_read_at(fd, w->hashbuf, HASH_READ, off);
		if (n < 0) {
			f->hash_error = xasprintf("cannot read file: %s",
						  errno_text(errno, eb, sizeof(eb)));
			goto out_close;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, w->hashbuf, (size_t)n);
		off += (uint64_t)n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(f->sha256 + 2 * i, 3, "%02x", md[i]);
	f->hashed = off;
out_close:
	close(fd);
out:
	EVP_MD_CTX_free(ctx);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->job;
	for (;;) {
		size_t t = atomic_fetch_add(&j->next, 1);
		if (t < j->n_files)
			hash_run(w, &j->files[j->hash_order[t]]);
		else if (t - j->n_files < j->n_chunks)
			lb_chunk_run(w, &j->chunks[t - j->n_files]);
		else
			break;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Planning
 */

/* Offset just after the first '\n' at or after from, or size. */
static uint64_t line_end_after(int fd, uint64_t from, uint64_t size, char *tmp)
{
	while (from < size) {
		size_t want = size - from < PLAN_READ ? (size_t)(size - from) : PLAN_READ;
		ssize_t n = lb_read_at(fd, tmp, want, from);
		if (n <= 0)
			return size;
		const char *nl = memchr(tmp, '\n', (size_t)n);
		if (nl)
			return from + (uint64_t)(nl - tmp) + 1;
		from += (uint64_t)n;
	}
	return size;
}

static void chunk_push(struct job *j, size_t file, uint64_t start, uint64_t end)
{
	if (j->n_chunks == j->cap_chunks) {
		j->cap_chunks = j->cap_chunks ? j->cap_chunks * 2 : 16;
		j->chunks = xrealloc(j->chunks, j->cap_chunks * sizeof(*j->chunks));
	}
	struct chunk *c = &j->chunks[j->n_chunks++];
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->start = start;
	c->end = end;
}

/*
 * A tool's own export dropped into backups/ (AWS Backup JSON, pgBackRest
 * info...): one error that names the `drgen import` to run, instead of one
 * error per line.  True when it is one (reported; the file is skipped).
 */
static bool tool_export(const struct file *f, int fd, char *tmp, struct diags *d)
{
	ssize_t n = lb_read_at(fd, tmp, PLAN_READ, 0);
	const char *what = NULL;
	const char *kind = n > 0 ? imp_detect(tmp, (size_t)n, &what) : NULL;
	if (!kind)
		return false;
	const char *slash = strrchr(f->display, '/');
	int dir_len = slash ? (int)(slash - f->display) : 0;
	diag_error(d, f->display, 1, 1, "this is the output of %s, not drgen's NDJSON: "
		   "move it out of backups/ and convert it with: drgen import %s FILE "
		   "-o %.*s%s%s.ndjson", what, kind, dir_len, f->display, dir_len ? "/" : "",
		   kind);
	return true;
}

/* Opens one log and cuts it into chunks; false: reported, skip it. */
static bool file_plan(struct job *j, size_t i, size_t chunk_bytes, char *tmp,
		      struct diags *d)
{
	struct file *f = &j->files[i];
	char eb[128];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0) {
		diag_error(d, f->display, 0, 0, "cannot open file: %s",
			   errno_text(errno, eb, sizeof(eb)));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_error(d, f->display, 0, 0, "not a regular file");
		close(fd);
		return false;
	}
	if (tool_export(f, fd, tmp, d)) {
		close(fd);
		return false;
	}
	f->size = (uint64_t)st.st_size;
	f->first_chunk = j->n_chunks;
	uint64_t pos = 0;
	while (pos < f->size) {
		uint64_t end = f->size;
		if (f->size - pos > chunk_bytes)
			end = line_end_after(fd, pos + chunk_bytes - 1, f->size, tmp);
		chunk_push(j, i, pos, end);
		pos = end;
	}
	f->n_chunks = j->n_chunks - f->first_chunk;
	close(fd);
	return true;
}

struct by_size {
	uint64_t size;
	size_t file;
};

static int by_size_cmp(const void *a, const void *b)
{
	const struct by_size *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* ---------------------------------------------------------------------
 * The entry points
 */

bool load_backups(struct model *m, struct source_set *src, struct diags *d, int threads)
{
	struct load_backups_options o = {.threads = threads};
	return load_backups_with(m, src, d, &o);
}

/* Lists and plans the logs, largest hash first. */
static void job_plan(struct job *j, struct source_set *src, size_t chunk_bytes,
		     struct diags *d)
{
	char **names = NULL;
	size_t n_names = source_list(src, "backups", ".ndjson", &names, d);
	j->files = xcalloc(n_names ? n_names : 1, sizeof(*j->files));
	char *tmp = xmalloc(PLAN_READ);
	for (size_t i = 0; i < n_names; i++) {
		char *display = source_display_path(src, names[i]);
		char *rel = source_resolve(src, NULL, names[i], d, display, 0, NULL);
		if (!rel) {
			free(display);
			continue;
		}
		struct file *f = &j->files[j->n_files];
		f->rel = rel;
		f->display = display;
		f->path = xasprintf("%s/%s", source_root(src), rel);
		if (file_plan(j, j->n_files, chunk_bytes, tmp, d)) {
			j->n_files++;
		} else {
			free(f->rel);
			free(f->display);
			free(f->path);
			memset(f, 0, sizeof(*f));
		}
	}
	free(tmp);
	source_list_free(names, n_names);

	/* Hash the largest files first: they are the longest serial tasks. */
	struct by_size *order = xcalloc(j->n_files ? j->n_files : 1, sizeof(*order));
	for (size_t i = 0; i < j->n_files; i++)
		order[i] = (struct by_size){j->files[i].size, i};
	qsort(order, j->n_files, sizeof(*order), by_size_cmp);
	j->hash_order = xcalloc(j->n_files ? j->n_files : 1, sizeof(*j->hash_order));
	for (size_t i = 0; i < j->n_files; i++)
		j->hash_order[i] = order[i].file;
	free(order);
}

/* Runs every task on up to `threads` threads (the caller's is one). */
static struct worker *workers_run(struct job *j, int threads, size_t *n_workers)
{
	const struct model *m = j->m;
	size_t tasks = j->n_files + j->n_chunks, n = (size_t)threads;
	if (n > tasks)
		n = tasks ? tasks : 1;
	size_t n_ds = m->n_datastores ? m->n_datastores : 1;
	/* A worker's buffer holds an unfinished line and one read, and its
	 * scratch the decoded strings of two lines: never more than the largest
	 * file and the newline a last line may lack, so a plan of small logs
	 * (or a fuzzer's input) need not allocate and zero megabytes. */
	uint64_t largest = 0;
	for (size_t i = 0; i < j->n_files; i++)
		largest = j->files[i].size > largest ? j->files[i].size : largest;
	size_t buf_size = SOURCE_MAX_LINE + READ_BYTES, line_max = SOURCE_MAX_LINE;
	if (largest + 1 < buf_size)
		buf_size = (size_t)largest + 1;
	if (largest + 1 < line_max)
		line_max = (size_t)largest + 1;
	struct worker *w = xcalloc(n, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		w[i].job = j;
		w[i].buf = xcalloc(1, buf_size + BUF_PAD);
		w[i].scratch_half = line_max + BUF_PAD;
		w[i].scratch = xmalloc(2 * w[i].scratch_half);
		w[i].hashbuf = xmalloc(HASH_READ);
		w[i].hot = xmalloc(n_ds * LOC_COUNT * sizeof(*w[i].hot));
		w[i].cold = xcalloc(n_ds * LOC_COUNT, sizeof(*w[i].cold));
		w[i].future = xcalloc(n_ds, sizeof(*w[i].future));
		w[i].test_records = xcalloc(n_ds, sizeof(*w[i].test_records));
		w[i].test_future = xcalloc(n_ds, sizeof(*w[i].test_future));
		w[i].tests = xmalloc(n_ds * RMETHOD_COUNT * sizeof(*w[i].tests));
		for (size_t k = 0; k < n_ds * RMETHOD_COUNT; k++)
			restore_tests_init(&w[i].tests[k]);
		for (size_t k = 0; k < n_ds * LOC_COUNT; k++)
			hot_init(&w[i].hot[k]);
		/* A thread that cannot start leaves its share to the others. */
		if (i > 0)
			w[i].started = pthread_create(&w[i].thread, NULL, worker_main, &w[i]) == 0;
	}
	worker_main(&w[0]);
	for (size_t i = 1; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
	}
	*n_workers = n;
	return w;
}

/* Diagnostics, inputs, summaries and unknown datastores, in a fixed order. */
static void job_report(struct job *j, struct worker *w, size_t n_workers,
		       struct source_set *src, struct diags *d)
{
	struct model *m = j->m;
	for (size_t i = 0; i < j->n_files; i++) {
		struct file *f = &j->files[i];
		lb_file_report(j, f, d);
		if (!f->hash_error)
			source_record(src, f->rel, "backups", f->sha256, f->hashed);
	}
	struct unknown_ids unknown = {0};
	for (size_t i = 0; i < n_workers; i++) {
		m->backup_records += w[i].records;
		m->restore_test_records += w[i].test_total;
		worker_merge(m, &w[i]);
		uint64_t kept = 0;
		for (size_t k = 0; k < w[i].unknown.n; k++) {
			const struct unknown_id *u = w[i].unknown.list[k];
			lb_unknown_add(&unknown, u->id, strlen(u->id), u->records);
			kept += u->records;
		}
		/* Records of ids a thread pruned still count in the total. */
		unknown.records += w[i].unknown.records - kept;
	}
	char *dir = source_display_path(src, "backups");
	lb_unknown_report(m, &unknown, dir, d);
	free(dir);
	unknown_free(&unknown);
}

static void workers_free(struct worker *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].buf);
		free(w[i].scratch);
		free(w[i].hashbuf);
		free(w[i].hot);
		free(w[i].cold);
		free(w[i].future);
		free(w[i].test_records);
		free(w[i].test_future);
		free(w[i].tests);
		unknown_free(&w[i].unknown);
	}
	free(w);
}

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->n_chunks; i++) {
		struct chunk *c = &j->chunks[i];
		for (size_t e = 0; e < c->n_errors; e++)
			free(c->errors[e].message);
		free(c->errors);
		for (size_t k = 0; k < c->n_keys; k++)
			free(c->keys[k].name);
		free(c->keys);
		free(c->fatal);
	}
	free(j->chunks);
	for (size_t i = 0; i < j->n_files; i++) {
		free(j->files[i].rel);
		free(j->files[i].path);
		free(j->files[i].display);
		free(j->files[i].hash_error);
	}
	free(j->files);
	free(j->hash_order);
	free(j->index);
}

bool load_backups_with(struct model *m, struct source_set *src, struct diags *d,
		       const struct load_backups_options *o)
{
	size_t errors_before = diags_count(d, DIAG_ERROR);
	int threads = o && o->threads > 0 ? o->threads : LOAD_BACKUPS_THREADS;
	size_t chunk_bytes = o && o->chunk_bytes ? o->chunk_bytes : LOAD_BACKUPS_CHUNK_BYTES;
	struct job j = {.m = m};
	j.max_errors = o && o->max_errors ? o->max_errors : LOAD_BACKUPS_MAX_ERRORS;
	j.as_of = m->as_of == DATE_NONE ? INT64_MAX : m->as_of;
	j.period_start = m->period_start;
	j.period_end = m->period_end;
	atomic_init(&j.next, 0);
	for (size_t i = 0; i < m->n_datastores; i++)
		summary_init(&m->datastores[i].backups);
	index_build(&j);

	job_plan(&j, src, chunk_bytes, d);
	size_t n_workers;
	struct worker *w = workers_run(&j, threads, &n_workers);
	job_report(&j, w, n_workers, src, d);
	workers_free(w, n_workers);
	job_free(&j);
	return diags_count(d, DIAG_ERROR) == errors_before;
}
