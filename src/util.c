/*
 * util.c -- memory, arenas, buffers, string map.
 *
 * The arena hands out memory from chunks of at least 64 KiB; a request
 * larger than a quarter chunk gets a chunk of its own so big strings do
 * not waste the tail of a shared one.  The string map uses open addressing
 * with linear probing and keeps its load under 1/2.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_of_memory(void)
{
	fputs("drgen: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

/* ---- arena ---- */

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
	size_t total;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

static struct arena_chunk *arena_chunk_new(size_t size)
{
	struct arena_chunk *c = xmalloc(sizeof(*c) + size);
	c->size = size;
	c->used = 0;
	c->next = NULL;
	return c;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	a->total += size;
	if (size > ARENA_CHUNK / 4) {
		/* A large block gets its own chunk, kept behind the current one. */
		struct arena_chunk *c = arena_chunk_new(size);
		c->used = size;
		if (a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			a->head = c;
		}
		memset(c->data, 0, size);
		return c->data;
	}
	if (!a->head || a->head->size - a->head->used < size) {
		struct arena_chunk *c = arena_chunk_new(ARENA_CHUNK);
		c->next = a->head;
		a->head = c;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += size;
	memset(p, 0, size);
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		out_of_memory();
	return arena_alloc(a, count * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}

/* ---- buf ---- */

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap < SIZE_MAX / 2 ? cap * 2 : need;
	b->data = xrealloc(b->data, cap);
	b->data[b->len] = '\0';  /* a new buffer is "" too (util.h) */
	b->cap = cap;
}

void buf_append(struct buf *b, const char *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0) {
		buf_grow(b, 0);
		return;
	}
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	buf_grow(b, 0);
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* ---- strmap ---- */

struct strmap_slot {
	const char *key;
	size_t len;
	uint64_t hash;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap;  /* power of two */
	size_t count;
};

uint64_t util_hash(const char *s, size_t len)
{
	/* FNV-1a, 64 bit: ids are short, so a simple hash is enough. */
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct strmap *strmap_new(size_t expected)
{
	struct strmap *m = xcalloc(1, sizeof(*m));
	size_t cap = 16;
	while (cap < expected * 2 + 1)
		cap *= 2;
	m->slots = xcalloc(cap, sizeof(*m->slots));
	m->cap = cap;
	return m;
}

void strmap_free(struct strmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static struct strmap_slot *strmap_slot(const struct strmap *m, const char *key,
				       size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;;) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len &&
				memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static void strmap_rehash(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].key)
			*strmap_slot(m, old[i].key, old[i].len, old[i].hash) = old[i];
	}
	free(old);
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	size_t len = strlen(key);
	uint64_t h = util_hash(key, len);
	struct strmap_slot *s = strmap_slot(m, key, len, h);
	if (s->key) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	s->key = key;
	s->len = len;
	s->hash = h;
	s->value = value;
	if (++m->count * 2 > m->cap)
		strmap_rehash(m);
	return NULL;
}

void *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	if (!m)
		return NULL;
	struct strmap_slot *s = strmap_slot(m, key, len, util_hash(key, len));
	return s->key ? s->value : NULL;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

size_t strmap_count(const struct strmap *m)
{
	return m ? m->count : 0;
}

bool strmap_next(const struct strmap *m, size_t *pos, const char **key, void **value)
{
	for (; m && *pos < m->cap; (*pos)++) {
		if (m->slots[*pos].key) {
			*key = m->slots[*pos].key;
			*value = m->slots[*pos].value;
			(*pos)++;
			return true;
		}
	}
	return false;
}

size_t util_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	if (lb > 63)
		return cap + 1;  /* keys are short; long strings are never "typos" */
	/* Three rows: two swapped neighbours ("biuld") cost one edit. */
	size_t rows[3][64];
	size_t *prev2 = rows[0], *prev = rows[1], *row = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t best = i;
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			row[j] = v;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
		size_t *t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	return prev[lb] > cap ? cap + 1 : prev[lb];
}

const char *util_closest(const char *s, const char *const *names, size_t n)
{
	size_t len = strlen(s);
	size_t cap = len >= 8 ? 2 : 1, best_d = cap + 1;
	const char *best = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t dist = util_edit_distance(s, names[i], cap);
		if (dist < best_d) {
			best_d = dist;
			best = names[i];
		}
	}
	return best;
}

bool util_path_within(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n > 0 && root[n - 1] == '/')
		n--;  /* "/" itself, or a root given with a trailing slash */
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
