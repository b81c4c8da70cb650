/*
 * import_json.c -- the streaming JSON reader every importer shares.
 *
 * The file is read in 256 KiB pieces and fed to yajl's event parser.
 * Outside a record the reader keeps only a stack of frames (member name or
 * element index per level) and asks the importer, for each value, whether
 * to descend, skip or take it as a record.  A record is built as a tree of
 * struct imp_node in a pool that is rewound after the importer has seen it,
 * so memory is bounded by the largest record, not by the export.
 *
 * Positions: yajl tells how many bytes of the current piece it has consumed
 * when a callback runs (just past the token).  Lines are counted lazily by
 * scanning the piece up to that offset, so every byte is scanned once.
 * Several top-level values in one file are read one after the other (the
 * AWS CLI's pagination fragments, concatenated).
 */
#include "import_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <yajl/yajl_parse.h>

#include "dates.h"
#include "zone.h"

#define IMP_CHUNK (256u * 1024u)
#define IMP_POOL_BLOCK (64u * 1024u)

/* ---- pool ---- */

static void *pool_alloc(struct imp_pool *p, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	p->total += size;
	if (size > IMP_POOL_BLOCK) {
		/* a long string: a block of its own, freed at the next rewind */
		if (p->n_big == p->cap_big) {
			p->cap_big = p->cap_big ? 2 * p->cap_big : 8;
			p->big = xrealloc(p->big, p->cap_big * sizeof(*p->big));
		}
		return p->big[p->n_big++] = xmalloc(size);
	}
	if (p->n_blocks == 0 || p->used + size > IMP_POOL_BLOCK) {
		if (p->n_blocks && p->cur + 1 < p->n_blocks) {
			p->cur++;
		} else {
			if (p->n_blocks == p->cap_blocks) {
				p->cap_blocks = p->cap_blocks ? 2 * p->cap_blocks : 8;
				p->blocks = xrealloc(p->blocks,
						     p->cap_blocks * sizeof(*p->blocks));
			}
			p->blocks[p->n_blocks++] = xmalloc(IMP_POOL_BLOCK);
			p->cur = p->n_blocks - 1;
		}
		p->used = 0;
	}
	void *out = p->blocks[p->cur] + p->used;
	p->used += size;
	return out;
}

void imp_pool_rewind(struct imp_pool *p)
{
	for (size_t i = 0; i < p->n_big; i++)
		free(p->big[i]);
	p->n_big = 0;
	p->cur = 0;
	p->used = 0;
	p->total = 0;
}

void imp_pool_free(struct imp_pool *p)
{
	for (size_t i = 0; i < p->n_blocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	imp_pool_rewind(p);
	free(p->big);
	memset(p, 0, sizeof(*p));
}

/* ---- positions ---- */

static uint64_t cur_offset(struct imp_run *r)
{
	size_t off = r->yajl ? yajl_get_bytes_consumed(r->yajl) : 0;
	if (off > r->chunk_len)
		off = r->chunk_len;
	return r->chunk_base + off;
}

/* Counts lines up to absolute offset abs (within the current piece). */
static void scan_to(struct imp_run *r, uint64_t abs)
{
	if (abs < r->chunk_base)
		return;
	size_t end = (size_t)(abs - r->chunk_base);
	if (end > r->chunk_len)
		end = r->chunk_len;
	while (r->scanned < end) {
		const unsigned char *nl = memchr(r->chunk + r->scanned, '\n', end - r->scanned);
		if (!nl) {
			r->scanned = end;
			break;
		}
		r->line++;
		r->scanned = (size_t)(nl - r->chunk) + 1;
		r->line_start = r->chunk_base + r->scanned;
	}
}

static void pos_of(struct imp_run *r, uint64_t start, int *line, int *col)
{
	scan_to(r, cur_offset(r));
	*line = r->line;
	uint64_t c = start >= r->line_start ? start - r->line_start + 1 : 1;
	*col = c > INT_MAX ? INT_MAX : (int)c;
}

void imp_json_pos(struct imp_run *r, int *line, int *col)
{
	pos_of(r, cur_offset(r), line, col);
}

/* The start of the token that ends here, toklen bytes long. */
static void token_pos(struct imp_run *r, size_t toklen, int *line, int *col)
{
	uint64_t end = cur_offset(r);
	pos_of(r, end >= toklen ? end - toklen : 0, line, col);
}

/* ---- the path ---- */

static void path_fill(struct imp_run *r, struct imp_path *p)
{
	p->doc = r->doc;
	p->depth = r->depth;
	p->frames = r->frames;
}

/* After a value at the current position is complete. */
static void value_done(struct imp_run *r)
{
	if (r->depth == 0) {
		r->doc++;
		return;
	}
	struct imp_frame *f = &r->frames[r->depth - 1];
	if (f->is_array)
		f->index++;
}

static bool too_deep(struct imp_run *r)
{
	if (r->depth + r->in_record + r->skipping < IMP_DEPTH_MAX)
		return false;
	imp_error(r, NULL, "JSON nested deeper than %d levels", IMP_DEPTH_MAX);
	r->stop = true;
	return true;
}

/* ---- building a record ---- */

static struct imp_node *node_new(struct imp_run *r, enum imp_type type, size_t toklen)
{
	if (r->record_too_big)
		return NULL;
	struct imp_node *parent = r->rec_cur;
	if (r->pool.total > IMP_RECORD_MAX || (parent && parent->n >= IMP_MEMBERS_MAX)) {
		r->record_too_big = true;
		return NULL;
	}
	struct imp_node *n = pool_alloc(&r->pool, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = type;
	token_pos(r, toklen, &n->line, &n->col);
	if (!parent) {
		r->rec_root = n;
		return n;
	}
	n->parent = parent;
	n->index = parent->n++;
	if (parent->type == IMP_OBJ) {
		/* the pending key is the last string stored on the parent */
		n->key = parent->str;
		n->key_len = parent->len;
		parent->str = NULL;
		parent->len = 0;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	return n;
}

static char *pool_strdup(struct imp_run *r, const char *s, size_t len)
{
	if (r->pool.total + len > IMP_RECORD_MAX) {
		r->record_too_big = true;
		return NULL;
	}
	char *c = pool_alloc(&r->pool, len + 1);
	memcpy(c, s, len);
	c[len] = 0;
	return c;
}

static void record_begin(struct imp_run *r)
{
	r->rec_root = NULL;
	r->rec_cur = NULL;
	r->record_too_big = false;
	memcpy(r->rec_frames, r->frames, r->depth * sizeof(r->frames[0]));
	r->rec_path.doc = r->doc;
	r->rec_path.depth = r->depth;
	r->rec_path.frames = r->rec_frames;
	r->rec_errors = r->n_errors;
}

static void record_end(struct imp_run *r)
{
	if (r->pass == r->tool->passes)
		r->n_values++;
	if (r->record_too_big) {
		if (r->rec_root)
			imp_error(r, r->rec_root, "record larger than the limit of %u bytes "
				  "(or an object of more than %d members)", IMP_RECORD_MAX,
				  IMP_MEMBERS_MAX);
		else
			imp_error(r, NULL, "record larger than the limit of %u bytes",
				  IMP_RECORD_MAX);
	} else if (r->rec_root) {
		/* members inside objects carry their key; the root has none */
		r->tool->record(r, &r->rec_path, r->rec_root);
	}
	imp_pool_rewind(&r->pool);
	imp_tmp_reset(r);
	r->rec_root = NULL;
	r->rec_cur = NULL;
	value_done(r);
}

/* ---- yajl callbacks ---- */

/* Common start of a scalar or a container. Returns: 0 stop, 1 handled
 * (skipped/record scalar done), 2 continue as a descended container. */
static int value_start(struct imp_run *r, enum imp_type type, bool container,
		       const char *s, size_t len, size_t toklen)
{
	if (r->stop)
		return 0;
	if (r->skipping) {
		if (container)
			r->skipping++;
		return 1;
	}
	if (r->in_record) {
		struct imp_node *n = node_new(r, type, toklen);
		if (n && s) {
			n->str = pool_strdup(r, s, len);
			n->len = len;
			if (!n->str)
				n->str = "";
		}
		if (n && type == IMP_BOOL)
			n->b = len != 0;
		if (container) {
			if (too_deep(r))
				return 0;
			r->in_record++;
			if (n)
				r->rec_cur = n;
		}
		return 1;
	}
	struct imp_path p;
	path_fill(r, &p);
	token_pos(r, toklen, &r->val_line, &r->val_col);
	enum imp_action a = r->tool->classify(r, &p, type);
	if (a == IMP_STOP || r->stop) {
		r->stop = true;
		return 0;
	}
	if (a == IMP_SKIP) {
		if (container)
			r->skipping = 1;
		else
			value_done(r);
		return 1;
	}
	if (a == IMP_RECORD) {
		record_begin(r);
		r->in_record = 1;
		struct imp_node *n = node_new(r, type, toklen);
		if (n && s) {
			n->str = pool_strdup(r, s, len);
			n->len = len;
			if (!n->str)
				n->str = "";
		}
		if (n && type == IMP_BOOL)
			n->b = len != 0;
		if (!container) {
			r->in_record = 0;
			record_end(r);
		} else {
			r->rec_cur = n;
		}
		return 1;
	}
	/* descend */
	if (!container) {
		value_done(r);
		return 1;
	}
	if (too_deep(r))
		return 0;
	struct imp_frame *f = &r->frames[r->depth++];
	memset(f, 0, sizeof(*f));
	f->is_array = type == IMP_ARR;
	return 2;
}

static int container_end(struct imp_run *r)
{
	if (r->stop)
		return 0;
	if (r->skipping) {
		if (--r->skipping == 0)
			value_done(r);
		return 1;
	}
	if (r->in_record) {
		r->in_record--;
		/* (once a record is too big, nodes are no longer built) */
		if (!r->record_too_big && r->rec_cur && r->rec_cur->parent)
			r->rec_cur = r->rec_cur->parent;
		if (r->in_record == 0)
			record_end(r);
		return 1;
	}
	if (r->depth > 0)
		r->depth--;
	value_done(r);
	return 1;
}

static int cb_null(void *u)
{
	return value_start(u, IMP_NULL, false, NULL, 0, 4) != 0;
}

static int cb_bool(void *u, int b)
{
	return value_start(u, IMP_BOOL, false, NULL, b ? 1 : 0, b ? 4 : 5) != 0;
}

static int cb_number(void *u, const char *s, size_t len)
{
	return value_start(u, IMP_NUM, false, s, len, len) != 0;
}

static int cb_string(void *u, const unsigned char *s, size_t len)
{
	return value_start(u, IMP_STR, false, (const char *)s, len, len + 2) != 0;
}

static int cb_start_map(void *u)
{
	return value_start(u, IMP_OBJ, true, NULL, 0, 1) != 0;
}

static int cb_start_array(void *u)
{
	return value_start(u, IMP_ARR, true, NULL, 0, 1) != 0;
}

static int cb_end(void *u)
{
	return container_end(u);
}

static int cb_map_key(void *u, const unsigned char *k, size_t len)
{
	struct imp_run *r = u;
	if (r->stop)
		return 0;
	if (r->skipping)
		return 1;
	if (r->in_record) {
		struct imp_node *p = r->rec_cur;
		if (!p || r->record_too_big)
			return 1;
		char *key = pool_strdup(r, (const char *)k, len);
		p->str = key ? key : "";
		p->len = key ? len : 0;
		return 1;
	}
	struct imp_frame *f = &r->frames[r->depth - 1];
	size_t n = len < sizeof(f->key) - 1 ? len : sizeof(f->key) - 1;
	memcpy(f->key, k, n);
	f->key[n] = 0;
	f->key_len = len;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

/* yajl's message, first line, without its trailing spaces and period. */
static char *yajl_message(yajl_handle h)
{
	unsigned char *e = yajl_get_error(h, 0, NULL, 0);
	char *s = xstrdup(e ? (const char *)e : "syntax error");
	yajl_free_error(h, e);
	s[strcspn(s, "\n")] = 0;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = 0;
	return s;
}

bool imp_json_read(struct imp_run *r, FILE *f, void *sha)
{
	unsigned char *buf = xmalloc(IMP_CHUNK);
	yajl_handle h = yajl_alloc(&callbacks, NULL, r);
	yajl_config(h, yajl_allow_multiple_values, 1);
	r->yajl = h;
	r->depth = 0;
	r->doc = 0;
	r->in_record = 0;
	r->skipping = 0;
	r->stop = false;
	r->line = 1;
	r->line_start = 0;
	r->chunk_base = 0;
	r->chunk = buf;
	r->chunk_len = 0;
	r->scanned = 0;
	bool ok = true;
	bool any = false;
	yajl_status st = yajl_status_ok;
	for (;;) {
		size_t n = fread(buf, 1, IMP_CHUNK, f);
		if (n == 0)
			break;
		if (sha)
			EVP_DigestUpdate(sha, buf, n);
		r->chunk_base += r->chunk_len;
		r->chunk_len = n;
		r->scanned = 0;
		if (!any) {
			for (size_t i = 0; i < n && !any; i++)
				any = buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
				      buf[i] != '\r';
		}
		if (!r->stop) {
			st = yajl_parse(h, buf, n);
			if (st != yajl_status_ok)
				r->stop = true;
			if (st == yajl_status_error) {
				char *msg = yajl_message(h);
				int line, col;
				imp_json_pos(r, &line, &col);
				diag_add(r->d, DIAG_ERROR, r->file, line, col, NULL,
					 "invalid JSON: %s", msg);
				r->n_errors++;
				free(msg);
			}
		}
		/* keep line counts right for the next piece */
		scan_to(r, r->chunk_base + n);
	}
	if (ferror(f)) {
		diag_add(r->d, DIAG_ERROR, r->file, 0, 0, NULL, "cannot read: %s",
			 strerror(errno));
		r->n_errors++;
		ok = false;
	} else if (!r->stop && any) {
		r->chunk_base += r->chunk_len;
		r->chunk_len = 0;
		r->scanned = 0;
		st = yajl_complete_parse(h);
		if (st == yajl_status_error) {
			char *msg = yajl_message(h);
			bool eof = strstr(msg, "premature EOF") != NULL;
			diag_add(r->d, DIAG_ERROR, r->file, r->line,
				 (int)(r->chunk_base - r->line_start + 1), NULL,
				 "invalid JSON: %s", eof ? "the file ends inside a value "
				 "(truncated?)" : msg);
			r->n_errors++;
			free(msg);
		}
	}
	if (ok && !any) {
		diag_add(r->d, DIAG_ERROR, r->file, 0, 0, NULL, "no JSON value in the file");
		r->n_errors++;
	}
	yajl_free(h);
	r->yajl = NULL;
	r->chunk = NULL;
	free(buf);
	return ok;
}

/* ---- pointers ---- */

static void ptr_seg(struct buf *b, const char *s, size_t len)
{
	buf_putc(b, '/');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '~')
			buf_puts(b, "~0");
		else if (s[i] == '/')
			buf_puts(b, "~1");
		else
			buf_putc(b, s[i]);
	}
}

static void ptr_path(struct buf *b, const struct imp_path *p)
{
	if (p->doc > 0)
		buf_printf(b, "(value %zu of the file)", p->doc + 1);
	for (size_t i = 0; i < p->depth; i++) {
		const struct imp_frame *f = &p->frames[i];
		if (f->is_array)
			buf_printf(b, "/%zu", f->index);
		else
			ptr_seg(b, f->key, strlen(f->key));
	}
}

static void ptr_node(struct buf *b, const struct imp_node *n)
{
	if (!n || !n->parent)
		return;
	ptr_node(b, n->parent);
	if (n->key)
		ptr_seg(b, n->key, n->key_len);
	else
		buf_printf(b, "/%zu", n->index);
}

char *imp_pointer(const struct imp_run *r, const struct imp_node *n)
{
	struct buf b = BUF_INIT;
	if (n)
		ptr_path(&b, &r->rec_path);
	else {
		struct imp_path p = {r->doc, r->depth, r->frames};
		ptr_path(&b, &p);
	}
	ptr_node(&b, n);
	if (!b.len)
		buf_puts(&b, "/");
	return buf_detach(&b, NULL);
}

void imp_error(struct imp_run *r, const struct imp_node *n, const char *fmt, ...)
{
	int line, col;
	if (n) {
		line = n->line;
		col = n->col;
	} else {
		imp_json_pos(r, &line, &col);
	}
	char *where = imp_pointer(r, n);
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->d, DIAG_ERROR, r->file, line, col, where, fmt, ap);
	va_end(ap);
	free(where);
	r->n_errors++;
}

void imp_error_at_path(struct imp_run *r, const struct imp_path *p, const char *fmt, ...)
{
	int line = r->val_line, col = r->val_col;
	struct buf b = BUF_INIT;
	ptr_path(&b, p);
	if (!b.len)
		buf_puts(&b, "/");
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->d, DIAG_ERROR, r->file, line, col, b.data, fmt, ap);
	va_end(ap);
	buf_free(&b);
	r->n_errors++;
	r->stop = true;
}

/* ---- getters ---- */

static const char *type_name(enum imp_type t)
{
	switch (t) {
	case IMP_NULL: return "null";
	case IMP_BOOL: return "a boolean";
	case IMP_NUM: return "a number";
	case IMP_STR: return "a string";
	case IMP_OBJ: return "an object";
	case IMP_ARR: return "an array";
	}
	return "?";
}

const struct imp_node *imp_get(struct imp_run *r, const struct imp_node *obj, const char *key)
{
	if (!obj || obj->type != IMP_OBJ)
		return NULL;
	size_t klen = strlen(key);
	const struct imp_node *found = NULL;
	for (const struct imp_node *c = obj->child; c; c = c->next) {
		if (c->key_len != klen || memcmp(c->key, key, klen) != 0)
			continue;
		if (found) {
			imp_error(r, c, "key \"%s\" given twice", key);
			return NULL;
		}
		found = c;
	}
	return found && found->type != IMP_NULL ? found : NULL;
}

static bool want(struct imp_run *r, const struct imp_node *obj, const char *key,
		 const struct imp_node *n, enum imp_type t, bool required)
{
	if (!n) {
		if (required)
			imp_error(r, obj, "missing required key \"%s\"", key);
		return false;
	}
	if (n->type != t) {
		imp_error(r, n, "\"%s\" must be %s, not %s", key, type_name(t),
			  type_name(n->type));
		return false;
	}
	return true;
}

bool imp_get_str(struct imp_run *r, const struct imp_node *obj, const char *key,
		 bool required, const char **out)
{
	const struct imp_node *n = imp_get(r, obj, key);
	if (!want(r, obj, key, n, IMP_STR, required))
		return false;
	*out = n->str;
	return true;
}

bool imp_get_bool(struct imp_run *r, const struct imp_node *obj, const char *key, bool *out)
{
	const struct imp_node *n = imp_get(r, obj, key);
	if (!want(r, obj, key, n, IMP_BOOL, false))
		return false;
	*out = n->b;
	return true;
}

/* Parses a JSON number's text as a whole number; false when it is not one
 * or is out of range (*huge set). */
static bool num_whole(const char *s, size_t len, uint64_t *out, bool *neg, bool *huge)
{
	*neg = len && s[0] == '-';
	*huge = false;
	size_t i = *neg ? 1 : 0;
	/* digits, fraction, exponent */
	size_t ib = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t ie = i;
	size_t fb = 0, fe = 0;
	if (i < len && s[i] == '.') {
		fb = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		fe = i;
	}
	long exp = 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
			i++;
		}
		if (eneg)
			exp = -exp;
	}
	/* digits as one string: integer part then fraction, decimal point at ie-ib+exp */
	uint64_t v = 0;
	long point = (long)(ie - ib) + exp;
	long pos = 0;
	bool nonzero_frac = false;
	for (size_t k = ib; k < fe || k < ie; k++) {
		if (k == ie) {
			if (!fb)
				break;
			k = fb;
			if (k >= fe)
				break;
		}
		int dgt = s[k] - '0';
		if (pos < point) {
			if (v > (UINT64_MAX - (uint64_t)dgt) / 10) {
				*huge = true;
				return false;
			}
			v = v * 10 + (uint64_t)dgt;
		} else if (dgt) {
			nonzero_frac = true;
		}
		pos++;
	}
	while (pos < point) {
		if (v > UINT64_MAX / 10) {
			if (v) {
				*huge = true;
				return false;
			}
		}
		v *= 10;
		pos++;
	}
	*out = v;
	return !nonzero_frac;
}

bool imp_num_u64(struct imp_run *r, const struct imp_node *n, uint64_t *out)
{
	bool neg, huge;
	uint64_t v = 0;
	bool whole = num_whole(n->str, n->len, &v, &neg, &huge);
	if (huge) {
		imp_error(r, n, "number %s is larger than %llu", n->str,
			  (unsigned long long)UINT64_MAX);
		return false;
	}
	if (neg && v) {
		imp_error(r, n, "number %s must not be negative", n->str);
		return false;
	}
	if (!whole) {
		imp_error(r, n, "number %s must be a whole number", n->str);
		return false;
	}
	*out = v;
	return true;
}

bool imp_get_u64(struct imp_run *r, const struct imp_node *obj, const char *key,
		 bool required, uint64_t *out)
{
	const struct imp_node *n = imp_get(r, obj, key);
	if (!want(r, obj, key, n, IMP_NUM, required))
		return false;
	return imp_num_u64(r, n, out);
}

/* Epoch seconds from a number's text; the fraction is dropped. */
static bool epoch_of(struct imp_run *r, const struct imp_node *n, int64_t *out)
{
	bool neg, huge;
	uint64_t v = 0;
	/* drop the fraction by reading only the integer part */
	size_t len = strcspn(n->str, ".");
	if (strpbrk(n->str, "eE"))
		len = n->len;
	num_whole(n->str, len, &v, &neg, &huge);
	/* 9999-12-31T23:59:59Z */
	if (huge || neg || v > 253402300799ull) {
		imp_error(r, n, "time %s is not a time drgen can use (epoch seconds from "
			  "1970 to 9999)", n->str);
		return false;
	}
	*out = (int64_t)v;
	return true;
}

/* The instant of wall-clock time WALL in zone TZ; an hour the clocks
 * skipped or repeated is an error, not a guess. */
static bool local_time(struct imp_run *r, const struct imp_node *n,
		       const struct zone *tz, int64_t wall, int64_t *out)
{
	int64_t later;
	char a[DATE_RFC3339_SIZE], b[DATE_RFC3339_SIZE];
	switch (zone_to_utc(tz, wall, out, &later)) {
	case ZONE_FIT_ONE:
		return true;
	case ZONE_FIT_FOLD:
		date_format_rfc3339(*out, a);
		date_format_rfc3339(later, b);
		imp_error(r, n, "time %s occurs twice in %s (%s and %s, as the clocks "
			  "went back); give --tz as the fixed offset in force when the "
			  "tool ran", imp_quote(r, n->str), zone_spec(tz), a, b);
		return false;
	case ZONE_FIT_GAP:
		imp_error(r, n, "time %s does not exist in %s (the clocks skipped it); "
			  "give --tz as the fixed offset in force when the tool ran",
			  imp_quote(r, n->str), zone_spec(tz));
		return false;
	case ZONE_FIT_BEYOND:
		break;
	}
	imp_error(r, n, "time %s is after the last daylight-saving change in the "
		  "zoneinfo for %s; give --tz as a fixed offset", imp_quote(r, n->str),
		  zone_spec(tz));
	return false;
}

bool imp_node_time(struct imp_run *r, const struct imp_node *n, const char *naive_hint,
		   int64_t *out)
{
	if (n->type == IMP_NUM)
		return epoch_of(r, n, out);
	if (n->type != IMP_STR) {
		imp_error(r, n, "a time must be a string or epoch seconds, not %s",
			  type_name(n->type));
		return false;
	}
	if (date_parse_rfc3339(n->str, n->len, out))
		return true;
	/* "2017-02-27T12:27:20.789123" (Borg 1.x): no offset */
	const char *s = n->str;
	bool shape = n->len >= 19 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
		     s[13] == ':' && s[16] == ':';
	if (shape && !strpbrk(s + 19, "Zz+-")) {
		const struct imp_options *o = r->opts;
		if (!o->tz) {
			imp_error(r, n, "time %s has no offset%s%s; say which with "
				  "--tz (for example --tz Europe/Berlin or --tz +01:00)",
				  imp_quote(r, s), naive_hint ? ": " : "",
				  naive_hint ? naive_hint : "");
			return false;
		}
		char *t = xasprintf("%sZ", s);
		int64_t wall;
		bool ok = date_parse_rfc3339(t, strlen(t), &wall);
		free(t);
		if (ok)
			return local_time(r, n, o->tz, wall, out);
	}
	imp_error(r, n, "invalid time %s (expected RFC 3339, e.g. "
		  "2026-10-31T02:00:00Z, or epoch seconds)", imp_quote(r, s));
	return false;
}

bool imp_get_time(struct imp_run *r, const struct imp_node *obj, const char *key,
		  bool required, const char *naive_hint, int64_t *out)
{
	const struct imp_node *n = imp_get(r, obj, key);
	if (!n) {
		if (required)
			imp_error(r, obj, "missing required key \"%s\"", key);
		return false;
	}
	return imp_node_time(r, n, naive_hint, out);
}

bool imp_is(const struct imp_node *n, const char *s)
{
	return n && n->type == IMP_STR && strcmp(n->str, s) == 0;
}

void imp_error_file(struct imp_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(r->d, DIAG_ERROR, r->file, 0, 0, NULL, fmt, ap);
	va_end(ap);
	r->n_errors++;
}
