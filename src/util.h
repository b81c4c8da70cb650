/*
 * util.h -- memory, arenas, growable buffers and a string map.
 *
 * Everything here is mechanism shared by every stage.  Allocation failure is
 * not an input error: the x* family prints "drgen: out of memory" and aborts,
 * so callers never test for NULL.  An arena owns every string and struct of
 * one build and is freed at once; nothing allocated from it is freed alone.
 */
#ifndef DRGEN_UTIL_H
#define DRGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Abort with "drgen: out of memory" instead of returning NULL. */
void out_of_memory(void) __attribute__((noreturn));
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* Caller frees. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* An arena: bump allocation in large chunks, freed all at once. */
struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Memory is zeroed and aligned for any type; valid until arena_free. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Bytes handed out so far (for tests and memory reports). */
size_t arena_used(const struct arena *a);

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_grow(struct buf *b, size_t extra);
void buf_append(struct buf *b, const char *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hands the storage to the caller (who frees it); b is left empty. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * A string-keyed hash map (open addressing).  Keys are borrowed: they must
 * outlive the map (arena strings do).  Values are opaque pointers.
 */
struct strmap;

struct strmap *strmap_new(size_t expected);
void strmap_free(struct strmap *m);
/* Returns the previous value for key, or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
size_t strmap_count(const struct strmap *m);
/* Iterate: start with *pos = 0; returns false at the end. */
bool strmap_next(const struct strmap *m, size_t *pos, const char **key, void **value);

uint64_t util_hash(const char *s, size_t len);

/* Whether the absolute path is root or lies inside it (both real paths:
 * no ".", ".." or links left); root "/" holds everything. */
bool util_path_within(const char *path, const char *root);

/* Levenshtein distance, capped: returns cap+1 when larger (for "did you mean"). */
size_t util_edit_distance(const char *a, const char *b, size_t cap);

/*
 * The closest of names to s within a small edit distance (1, or 2 for
 * words of 8 bytes or more), for "did you mean" hints; NULL when none is.
 */
const char *util_closest(const char *s, const char *const *names, size_t n);

/* The English plural ending for a count: "" for one, "s" otherwise. */
static inline const char *util_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

#endif
