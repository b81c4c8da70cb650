/*
 * jsonpos.c -- a position index for JSON text, and syntax diagnostics.
 *
 * One forward pass, no recursion: an explicit stack of open containers,
 * each collecting the node numbers of its children; when a container
 * closes, its children are copied to one shared array, so the children of
 * every container end up contiguous there (array lookups are O(1)) although
 * in the node array they interleave with their descendants.
 *
 * A node is 16 bytes: the offset of the value, the offset of its key's
 * opening quote (NO_KEY for array elements and the root) and the slice of
 * the shared children array.  Lines are not stored per node: the offsets
 * of line starts are recorded while skipping whitespace (JSON strings
 * cannot hold raw newlines) and a binary search turns an offset into a
 * line.  Offsets are 32-bit; larger texts are refused.
 *
 * Keys are not copied: comparing a key with a name decodes the JSON string
 * in place, escapes included.
 */
#include "jsonpos.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define NO_KEY UINT32_MAX

struct node {
	uint32_t off;
	uint32_t key_off;
	uint32_t kids;
	uint32_t n_kids;
};

struct jsonpos {
	const char *text;
	size_t len;
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	uint32_t *kids;
	size_t n_kids, cap_kids;
	uint32_t *lines;          /* offset of the first byte of each line */
	size_t n_lines, cap_lines;
};

/* An open container while scanning. */
struct frame {
	uint32_t node;
	bool object;
	uint32_t *kids;
	size_t n, cap;
};

struct scanner {
	struct jsonpos *p;
	const char *s;
	size_t len;
	size_t pos;
	size_t tok_end;           /* just after the last token consumed */
	struct frame *stack;      /* grown on demand up to max_depth */
	int depth, cap_depth, max_depth;
	struct jsonpos_error *err;
	bool failed;
};

/* ---- small helpers ---- */

static void push_u32(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[(*n)++] = v;
}

void jsonpos_offset_pos(const char *text, size_t len, size_t offset,
			int *line, int *col)
{
	size_t l = 1, start = 0;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l > INT32_MAX ? INT32_MAX : (int)l;
	*col = offset - start + 1 > INT32_MAX ? INT32_MAX : (int)(offset - start + 1);
}

static bool is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
	       c == '-';
}

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* How the text at pos reads in a message ("end of file", "']'", ...). */
static void describe_found(const struct scanner *sc, size_t pos, char *out,
			   size_t size)
{
	const char *s = sc->s;
	size_t len = sc->len;
	if (pos >= len) {
		snprintf(out, size, "end of file");
		return;
	}
	unsigned char c = (unsigned char)s[pos];
	if (c == '"') {
		/* Messages reach terminals: stop before control bytes (escaped
		 * or not) and cut long strings at a character boundary. */
		size_t e = pos + 1;
		while (e < len && s[e] != '"' && !is_control(s[e]) && e - pos < 24) {
			if (s[e] == '\\' && e + 1 < len && !is_control(s[e + 1]))
				e++;
			e++;
		}
		while (e < len && e > pos + 1 && ((unsigned char)s[e] & 0xC0) == 0x80)
			e--;
		if (e < len && s[e] == '"')
			snprintf(out, size, "string %.*s", (int)(e - pos + 1), s + pos);
		else if (e >= len || s[e] == '\n')
			snprintf(out, size, "a string with no closing quote");
		else
			snprintf(out, size, "string %.*s...\"", (int)(e - pos), s + pos);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		size_t e = pos;
		while (e < len && is_word_char((unsigned char)s[e]) && e - pos < 24)
			e++;
		snprintf(out, size, "number %.*s", (int)(e - pos), s + pos);
	} else if (is_word_char(c)) {
		size_t e = pos;
		while (e < len && is_word_char((unsigned char)s[e]) && e - pos < 24)
			e++;
		snprintf(out, size, "'%.*s'", (int)(e - pos), s + pos);
	} else if (c == '\'') {
		snprintf(out, size, "\"'\"");
	} else if (is_control((char)c)) {
		snprintf(out, size, "control character U+%04X", c);
	} else if (c >= 0x80) {
		size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (pos + n > len)
			n = len - pos;
		snprintf(out, size, "'%.*s'", (int)n, s + pos);
	} else {
		snprintf(out, size, "'%c'", c);
	}
}

static void fail_at(struct scanner *sc, size_t pos, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void fail_at(struct scanner *sc, size_t pos, const char *fmt, ...)
{
	va_list ap;
	if (sc->failed)
		return;
	sc->failed = true;
	jsonpos_offset_pos(sc->s, sc->len, pos, &sc->err->line, &sc->err->col);
	va_start(ap, fmt);
	vsnprintf(sc->err->message, sizeof(sc->err->message), fmt, ap);
	va_end(ap);
}

/*
 * "expected <what>, found <token at pos>"; at the end of the text the
 * position is just after the last token, where the missing part belongs.
 */
static void fail_expected(struct scanner *sc, size_t pos, const char *what)
{
	char found[64];
	if (pos + 1 < sc->len && sc->s[pos] == '/' &&
	    (sc->s[pos + 1] == '/' || sc->s[pos + 1] == '*')) {
		fail_at(sc, pos, "comments are not allowed in JSON");
		return;
	}
	describe_found(sc, pos, found, sizeof(found));
	fail_at(sc, pos >= sc->len ? sc->tok_end : pos, "expected %s, found %s",
		what, found);
}

static void skip_ws(struct scanner *sc)
{
	const char *s = sc->s;
	size_t i = sc->pos, len = sc->len;
	while (i < len) {
		char c = s[i];
		if (c == '\n') {
			push_u32(&sc->p->lines, &sc->p->n_lines, &sc->p->cap_lines,
				 (uint32_t)(i + 1));
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		i++;
	}
	sc->pos = i;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[0..4), or -1. */
static long hex4(const char *s, size_t avail)
{
	long v = 0;
	if (avail < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hex_value(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* ---- tokens ---- */

/* A string starting at the quote at sc->pos; leaves pos after it. */
static void scan_string(struct scanner *sc)
{
	const char *s = sc->s;
	size_t start = sc->pos, i = sc->pos + 1, len = sc->len;
	for (;;) {
		if (i >= len || s[i] == '\n' || s[i] == '\r') {
			fail_at(sc, start, "unterminated string (missing closing '\"')");
			return;
		}
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			break;
		if (c < 0x20) {
			fail_at(sc, i, "unescaped control character U+%04X in string", c);
			return;
		}
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= len) {
			fail_at(sc, start, "unterminated string (missing closing '\"')");
			return;
		}
		char e = s[i + 1];
		if (strchr("\"\\/bfnrt", e) && e != '\0') {
			i += 2;
			continue;
		}
		if (e != 'u') {
			if ((unsigned char)e < 0x20 || (unsigned char)e >= 0x7f)
				fail_at(sc, i, "invalid escape in string");
			else
				fail_at(sc, i, "invalid escape '\\%c' in string", e);
			return;
		}
		long u = hex4(s + i + 2, len - i - 2);
		if (u < 0) {
			fail_at(sc, i, "invalid \\u escape in string, expected 4 hex digits");
			return;
		}
		if (u == 0) {
			/* Legal JSON, but cJSON and every C string end there. */
			fail_at(sc, i, "\\u0000 (NUL) is not allowed in strings");
			return;
		}
		if (u >= 0xdc00 && u <= 0xdfff) {
			fail_at(sc, i, "unpaired surrogate \\u%04lX in string", u);
			return;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			long lo = -1;
			if (i + 7 < len && s[i + 6] == '\\' && s[i + 7] == 'u')
				lo = hex4(s + i + 8, len - i - 8);
			if (lo < 0xdc00 || lo > 0xdfff) {
				fail_at(sc, i, "unpaired surrogate \\u%04lX in string", u);
				return;
			}
			i += 6;
		}
		i += 6;
	}
	sc->pos = i + 1;
	sc->tok_end = sc->pos;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number per RFC 8259 (stricter than cJSON, which takes "01" or "1."). */
static void scan_number(struct scanner *sc)
{
	const char *s = sc->s;
	size_t i = sc->pos, len = sc->len;
	if (s[i] == '-')
		i++;
	if (i >= len || !is_digit(s[i])) {
		fail_at(sc, sc->pos, "invalid number, expected a digit after '-'");
		return;
	}
	if (s[i] == '0' && i + 1 < len && is_digit(s[i + 1])) {
		fail_at(sc, sc->pos, "invalid number, leading zeros are not allowed");
		return;
	}
	while (i < len && is_digit(s[i]))
		i++;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || !is_digit(s[i])) {
			fail_at(sc, sc->pos, "invalid number, expected a digit after '.'");
			return;
		}
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !is_digit(s[i])) {
			fail_at(sc, sc->pos, "invalid number, expected a digit in the exponent");
			return;
		}
		while (i < len && is_digit(s[i]))
			i++;
	}
	sc->pos = i;
	sc->tok_end = i;
}

static void scan_literal(struct scanner *sc, bool after_comma)
{
	static const char *const words[] = {"true", "false", "null"};
	const char *s = sc->s;
	size_t i = sc->pos, len = sc->len;
	while (i < len && is_word_char((unsigned char)s[i]))
		i++;
	size_t n = i - sc->pos;
	for (size_t w = 0; w < ARRAY_LEN(words); w++) {
		if (n == strlen(words[w]) && memcmp(s + sc->pos, words[w], n) == 0) {
			sc->pos = i;
			sc->tok_end = i;
			return;
		}
	}
	for (size_t w = 0; w < ARRAY_LEN(words); w++) {
		if (n == strlen(words[w]) && strncasecmp(s + sc->pos, words[w], n) == 0) {
			fail_at(sc, sc->pos, "invalid literal '%.*s', expected '%s'",
				(int)n, s + sc->pos, words[w]);
			return;
		}
	}
	fail_expected(sc, sc->pos, after_comma ? "a value after ','" : "a value");
}

/* ---- structure ---- */

static uint32_t add_node(struct scanner *sc, uint32_t key_off)
{
	struct jsonpos *p = sc->p;
	if (p->n_nodes == p->cap_nodes) {
		p->cap_nodes = p->cap_nodes ? p->cap_nodes * 2 : 64;
		p->nodes = xrealloc(p->nodes, p->cap_nodes * sizeof(*p->nodes));
	}
	uint32_t id = (uint32_t)p->n_nodes++;
	p->nodes[id] = (struct node){(uint32_t)sc->pos, key_off, 0, 0};
	if (sc->depth > 0) {
		struct frame *f = &sc->stack[sc->depth - 1];
		push_u32(&f->kids, &f->n, &f->cap, id);
	}
	return id;
}

static void open_container(struct scanner *sc, uint32_t node, bool object)
{
	if (sc->depth >= sc->max_depth) {
		fail_at(sc, sc->pos, "nesting deeper than %d levels", sc->max_depth);
		return;
	}
	if (sc->depth == sc->cap_depth) {
		int cap = sc->cap_depth ? sc->cap_depth * 2 : 16;
		sc->stack = xrealloc(sc->stack, (size_t)cap * sizeof(*sc->stack));
		memset(sc->stack + sc->cap_depth, 0,
		       (size_t)(cap - sc->cap_depth) * sizeof(*sc->stack));
		sc->cap_depth = cap;
	}
	struct frame *f = &sc->stack[sc->depth++];
	f->node = node;
	f->object = object;
	f->n = 0;
	sc->pos++;
	sc->tok_end = sc->pos;
}

static void close_container(struct scanner *sc)
{
	struct jsonpos *p = sc->p;
	struct frame *f = &sc->stack[--sc->depth];
	struct node *n = &p->nodes[f->node];
	n->kids = (uint32_t)p->n_kids;
	n->n_kids = (uint32_t)f->n;
	for (size_t i = 0; i < f->n; i++)
		push_u32(&p->kids, &p->n_kids, &p->cap_kids, f->kids[i]);
	sc->pos++;
	sc->tok_end = sc->pos;
}

enum state { ST_VALUE, ST_KEY, ST_AFTER };

static void scan_document(struct scanner *sc)
{
	enum state st = ST_VALUE;
	bool after_comma = false;
	uint32_t key_off = NO_KEY;

	skip_ws(sc);
	while (!sc->failed) {
		const char *s = sc->s;
		size_t len = sc->len;
		char c = sc->pos < len ? s[sc->pos] : '\0';
		bool eof = sc->pos >= len;
		if (st == ST_VALUE) {
			uint32_t id;
			bool in_array = sc->depth > 0 && !sc->stack[sc->depth - 1].object;
			if (!eof && in_array && after_comma && c == ']') {
				fail_at(sc, sc->pos, "trailing comma before ']'");
				break;
			}
			if (eof || !(c == '{' || c == '[' || c == '"' || c == '-' ||
				     is_word_char((unsigned char)c))) {
				fail_expected(sc, sc->pos,
					      after_comma ? "a value after ','" : "a value");
				break;
			}
			bool was_after_comma = after_comma;
			id = add_node(sc, key_off);
			key_off = NO_KEY;
			after_comma = false;
			if (c == '{' || c == '[') {
				open_container(sc, id, c == '{');
				skip_ws(sc);
				if (sc->failed)
					break;
				char close = c == '{' ? '}' : ']';
				if (sc->pos < len && s[sc->pos] == close) {
					close_container(sc);
					st = ST_AFTER;
				} else {
					st = c == '{' ? ST_KEY : ST_VALUE;
				}
			} else {
				if (c == '"')
					scan_string(sc);
				else if (c == '-' || is_digit(c))
					scan_number(sc);
				else
					scan_literal(sc, was_after_comma);
				st = ST_AFTER;
			}
		} else if (st == ST_KEY) {
			if (!eof && c == '}' && after_comma) {
				fail_at(sc, sc->pos, "trailing comma before '}'");
				break;
			}
			if (eof || c != '"') {
				fail_expected(sc, sc->pos,
					      "a member name in double quotes");
				break;
			}
			key_off = (uint32_t)sc->pos;
			scan_string(sc);
			skip_ws(sc);
			if (sc->failed)
				break;
			if (sc->pos >= len || s[sc->pos] != ':') {
				fail_expected(sc, sc->pos, "':' after member name");
				break;
			}
			sc->pos++;
			sc->tok_end = sc->pos;
			after_comma = false;
			st = ST_VALUE;
		} else {
			if (sc->depth == 0) {
				if (!eof)
					fail_expected(sc, sc->pos,
						      "end of file after the JSON value");
				break;
			}
			bool object = sc->stack[sc->depth - 1].object;
			if (!eof && c == ',') {
				sc->pos++;
				sc->tok_end = sc->pos;
				after_comma = true;
				st = object ? ST_KEY : ST_VALUE;
			} else if (!eof && c == (object ? '}' : ']')) {
				close_container(sc);
			} else {
				fail_expected(sc, sc->pos,
					      object ? "',' or '}' after object member"
						     : "',' or ']' after array element");
				break;
			}
		}
		skip_ws(sc);
	}
}

struct jsonpos *jsonpos_scan(const char *text, size_t len, int max_depth,
			     struct jsonpos_error *err)
{
	struct jsonpos *p = xcalloc(1, sizeof(*p));
	struct scanner sc = {0};
	p->text = text;
	p->len = len;
	push_u32(&p->lines, &p->n_lines, &p->cap_lines, 0);
	sc.p = p;
	sc.s = text;
	sc.len = len;
	sc.err = err;
	sc.max_depth = max_depth > 0 ? max_depth : 1;
	memset(err, 0, sizeof(*err));
	if (len >= UINT32_MAX) {
		fail_at(&sc, 0, "document too large (more than 4 GiB)");
		goto out;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		sc.pos = sc.tok_end = 3;
	scan_document(&sc);
	for (int i = 0; i < sc.cap_depth; i++)
		free(sc.stack[i].kids);
	free(sc.stack);
out:
	if (sc.failed) {
		jsonpos_free(p);
		return NULL;
	}
	return p;
}

void jsonpos_free(struct jsonpos *p)
{
	if (!p)
		return;
	free(p->nodes);
	free(p->kids);
	free(p->lines);
	free(p);
}

bool jsonpos_parse(const char *text, size_t len, int max_depth, cJSON **root,
		   struct jsonpos **index, struct jsonpos_error *err)
{
	size_t skip = 0;
	const char *end = NULL;
	*root = NULL;
	*index = jsonpos_scan(text, len, max_depth, err);
	if (!*index)
		return false;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	*root = cJSON_ParseWithLengthOpts(text + skip, len - skip, &end, false);
	if (*root)
		return true;
	/* The scanner accepted what cJSON refused: its limits, or memory. */
	size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
	jsonpos_offset_pos(text, len, off, &err->line, &err->col);
	snprintf(err->message, sizeof(err->message),
		 "cannot parse JSON (out of memory or past the parser's limits)");
	jsonpos_free(*index);
	*index = NULL;
	return false;
}

/* ---- queries ---- */

jsonpos_node jsonpos_root(const struct jsonpos *p)
{
	return p && p->n_nodes ? 0 : JSONPOS_NONE;
}

static bool valid(const struct jsonpos *p, jsonpos_node n)
{
	return p && n >= 0 && (size_t)n < p->n_nodes;
}

size_t jsonpos_count(const struct jsonpos *p, jsonpos_node n)
{
	return valid(p, n) ? p->nodes[n].n_kids : 0;
}

jsonpos_node jsonpos_child(const struct jsonpos *p, jsonpos_node n, size_t i)
{
	if (!valid(p, n) || i >= p->nodes[n].n_kids)
		return JSONPOS_NONE;
	return p->kids[p->nodes[n].kids + i];
}

static size_t utf8_encode(unsigned long u, char out[4])
{
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | (u >> 12));
		out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (u >> 18));
	out[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/*
 * Does the JSON string whose opening quote is at text[off] decode to
 * name[0..n)?  The scanner has validated the string already.
 */
static bool string_equals(const struct jsonpos *p, size_t off, const char *name,
			  size_t n)
{
	const char *s = p->text;
	size_t i = off + 1, k = 0;
	for (;;) {
		char piece[4];
		size_t plen;
		if (s[i] == '"')
			return k == n;
		if (s[i] != '\\') {
			piece[0] = s[i];
			plen = 1;
			i++;
		} else {
			char e = s[i + 1];
			switch (e) {
			case 'b': piece[0] = '\b'; break;
			case 'f': piece[0] = '\f'; break;
			case 'n': piece[0] = '\n'; break;
			case 'r': piece[0] = '\r'; break;
			case 't': piece[0] = '\t'; break;
			case 'u': break;
			default: piece[0] = e; break;
			}
			plen = 1;
			i += 2;
			if (e == 'u') {
				unsigned long u = (unsigned long)hex4(s + i, p->len - i);
				i += 4;
				if (u >= 0xd800 && u <= 0xdbff) {
					unsigned long lo = (unsigned long)hex4(s + i + 2, p->len - i - 2);
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
				plen = utf8_encode(u, piece);
			}
		}
		if (k + plen > n || memcmp(name + k, piece, plen) != 0)
			return false;
		k += plen;
	}
}

jsonpos_node jsonpos_member(const struct jsonpos *p, jsonpos_node n,
			    const char *key, size_t key_len)
{
	if (!valid(p, n) || p->text[p->nodes[n].off] != '{')
		return JSONPOS_NONE;
	const struct node *o = &p->nodes[n];
	for (uint32_t i = 0; i < o->n_kids; i++) {
		uint32_t k = p->kids[o->kids + i];
		if (string_equals(p, p->nodes[k].key_off, key, key_len))
			return k;
	}
	return JSONPOS_NONE;
}

jsonpos_node jsonpos_lookup(const struct jsonpos *p, const char *pointer)
{
	jsonpos_node n = jsonpos_root(p);
	struct buf tok = BUF_INIT;
	const char *s = pointer;
	if (!pointer || (*s && *s != '/'))
		return JSONPOS_NONE;
	while (n != JSONPOS_NONE && *s == '/') {
		s++;
		buf_reset(&tok);
		for (; *s && *s != '/'; s++) {
			if (*s == '~' && (s[1] == '0' || s[1] == '1')) {
				buf_putc(&tok, s[1] == '0' ? '~' : '/');
				s++;
			} else {
				buf_putc(&tok, *s);
			}
		}
		const char *t = tok.data ? tok.data : "";
		char open = p->text[p->nodes[n].off];
		if (open == '{') {
			n = jsonpos_member(p, n, t, tok.len);
		} else if (open == '[') {
			size_t idx = 0;
			bool ok = tok.len > 0 && tok.len < 12 &&
				  (t[0] != '0' || tok.len == 1);
			for (size_t i = 0; ok && i < tok.len; i++) {
				ok = is_digit(t[i]);
				idx = idx * 10 + (size_t)(t[i] - '0');
			}
			n = ok ? jsonpos_child(p, n, idx) : JSONPOS_NONE;
		} else {
			n = JSONPOS_NONE;
		}
	}
	buf_free(&tok);
	return n;
}

static void offset_to_pos(const struct jsonpos *p, uint32_t off, int *line,
			  int *col)
{
	size_t lo = 0, hi = p->n_lines;   /* lines[lo] <= off < lines[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (int)(lo + 1);
	*col = (int)(off - p->lines[lo] + 1);
}

void jsonpos_value_pos(const struct jsonpos *p, jsonpos_node n, int *line,
		       int *col)
{
	if (!valid(p, n)) {
		*line = *col = 0;
		return;
	}
	offset_to_pos(p, p->nodes[n].off, line, col);
}

bool jsonpos_key_pos(const struct jsonpos *p, jsonpos_node n, int *line,
		     int *col)
{
	if (!valid(p, n) || p->nodes[n].key_off == NO_KEY) {
		*line = *col = 0;
		return false;
	}
	offset_to_pos(p, p->nodes[n].key_off, line, col);
	return true;
}

bool jsonpos_find(const struct jsonpos *p, const char *pointer, int *line,
		  int *col)
{
	jsonpos_node n = jsonpos_lookup(p, pointer);
	jsonpos_value_pos(p, n, line, col);
	return n != JSONPOS_NONE;
}

size_t jsonpos_ptr_push_key(struct buf *ptr, const char *key)
{
	size_t old = ptr->len;
	buf_putc(ptr, '/');
	for (; *key; key++) {
		if (*key == '~')
			buf_puts(ptr, "~0");
		else if (*key == '/')
			buf_puts(ptr, "~1");
		else
			buf_putc(ptr, *key);
	}
	return old;
}

size_t jsonpos_ptr_push_index(struct buf *ptr, size_t i)
{
	size_t old = ptr->len;
	buf_printf(ptr, "/%zu", i);
	return old;
}

void jsonpos_ptr_pop(struct buf *ptr, size_t len)
{
	ptr->len = len;
	if (ptr->data)
		ptr->data[len] = '\0';
}
