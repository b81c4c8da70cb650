/*
 * fuzz_jsonpos.c -- libFuzzer target for the JSON position index.
 *
 * The input is a JSON text, passed in a buffer of exactly its size (no
 * terminating NUL: jsonpos takes <pointer, length>, so any read past the
 * end is a sanitizer report).  Odd-length inputs are scanned with a small
 * nesting limit so the depth check is reached often.
 *
 * Properties checked (jsonpos.h):
 *   - a syntax error has a position (line, column >= 1) and a message that
 *     is valid UTF-8 without control bytes when the input is valid UTF-8
 *     (loaders show it to the user as it is);
 *   - every node's position points at the first byte of a value, every
 *     member's key position at a '"', array elements have no key;
 *   - after jsonpos_parse, the index has cJSON's shape: same kind and
 *     number of children at every node, in the same order, and
 *     jsonpos_member / jsonpos_lookup find each member whose key is the
 *     first of its name in its object (always: the scan refuses
 *     "\u0000", which cJSON would cut short, so cJSON's keys are the
 *     text's keys).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "jsonpos.h"
#include "source.h"
#include "util.h"

struct ctx {
	const char *text;
	size_t len;
	const struct jsonpos *p;
	bool keys_exact;         /* cJSON's keys equal the text's keys */
	struct buf ptr;          /* JSON pointer of the node being visited */
};

/* Offset of a line/column pair, from the text itself. */
static size_t offset_of(const struct ctx *c, int line, int col)
{
	size_t off = 0;
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(c->text + off, '\n', c->len - off);
		FUZZ_ASSERT(nl);
		off = (size_t)(nl - c->text) + 1;
	}
	FUZZ_ASSERT(col >= 1 && off + (size_t)col - 1 < c->len);
	return off + (size_t)col - 1;
}

static char value_byte(const struct ctx *c, jsonpos_node n)
{
	int line, col;
	jsonpos_value_pos(c->p, n, &line, &col);
	FUZZ_ASSERT(line >= 1 && col >= 1);
	char ch = c->text[offset_of(c, line, col)];
	FUZZ_ASSERT(ch && strchr("{[\"-0123456789tfn", ch));
	return ch;
}

static void check_key(const struct ctx *c, jsonpos_node n, bool member)
{
	int line, col;
	bool has = jsonpos_key_pos(c->p, n, &line, &col);
	FUZZ_ASSERT(has == member);
	if (has)
		FUZZ_ASSERT(c->text[offset_of(c, line, col)] == '"');
}

/* The index alone (jsonpos_scan), iteratively: the depth is unbounded here. */
static void check_index(const struct ctx *c)
{
	size_t cap = 64, n = 0;
	jsonpos_node *stack = xmalloc(cap * sizeof(*stack));
	jsonpos_node root = jsonpos_root(c->p);
	FUZZ_ASSERT(root != JSONPOS_NONE);
	check_key(c, root, false);
	stack[n++] = root;
	while (n > 0) {
		jsonpos_node v = stack[--n];
		char ch = value_byte(c, v);
		size_t kids = jsonpos_count(c->p, v);
		if (ch != '{' && ch != '[')
			FUZZ_ASSERT(kids == 0);
		FUZZ_ASSERT(jsonpos_child(c->p, v, kids) == JSONPOS_NONE);
		for (size_t i = 0; i < kids; i++) {
			jsonpos_node k = jsonpos_child(c->p, v, i);
			FUZZ_ASSERT(k != JSONPOS_NONE && k != v);
			check_key(c, k, ch == '{');
			if (n == cap) {
				cap *= 2;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[n++] = k;
		}
	}
	free(stack);
}

static void ptr_push(struct buf *b, const char *key)
{
	buf_putc(b, '/');
	for (const char *s = key; *s; s++) {
		if (*s == '~')
			buf_puts(b, "~0");
		else if (*s == '/')
			buf_puts(b, "~1");
		else
			buf_putc(b, *s);
	}
}

/* The index beside cJSON's tree.  canonical: lookup by pointer finds n. */
static void check_tree(struct ctx *c, const cJSON *j, jsonpos_node n, bool canonical)
{
	char ch = value_byte(c, n);
	size_t kids = jsonpos_count(c->p, n);
	if (cJSON_IsObject(j))
		FUZZ_ASSERT(ch == '{');
	else if (cJSON_IsArray(j))
		FUZZ_ASSERT(ch == '[');
	else if (cJSON_IsString(j))
		FUZZ_ASSERT(ch == '"');
	else if (cJSON_IsNumber(j))
		FUZZ_ASSERT(ch == '-' || (ch >= '0' && ch <= '9'));
	else if (cJSON_IsBool(j))
		FUZZ_ASSERT(ch == 't' || ch == 'f');
	else
		FUZZ_ASSERT(cJSON_IsNull(j) && ch == 'n');
	FUZZ_ASSERT((size_t)cJSON_GetArraySize(j) == kids ||
		    !(cJSON_IsObject(j) || cJSON_IsArray(j)));
	if (canonical && c->keys_exact && c->ptr.len < 4096) {
		const char *ptr = c->ptr.data ? c->ptr.data : "";
		FUZZ_ASSERT(jsonpos_lookup(c->p, ptr) == n);
	}
	size_t i = 0;
	for (const cJSON *k = j->child; k; k = k->next, i++) {
		jsonpos_node kn = jsonpos_child(c->p, n, i);
		FUZZ_ASSERT(kn != JSONPOS_NONE);
		size_t old = c->ptr.len;
		bool canon = canonical;
		if (cJSON_IsObject(j)) {
			FUZZ_ASSERT(k->string);
			if (c->keys_exact) {
				jsonpos_node first = jsonpos_member(c->p, n, k->string,
								    strlen(k->string));
				FUZZ_ASSERT(first != JSONPOS_NONE && first <= kn);
				canon = canon && first == kn;
			}
			ptr_push(&c->ptr, k->string);
		} else {
			buf_printf(&c->ptr, "/%zu", i);
		}
		check_tree(c, k, kn, canon);
		c->ptr.len = old;
		if (c->ptr.data)
			c->ptr.data[old] = '\0';
	}
	FUZZ_ASSERT(i == kids);
}

static void check_error(const struct jsonpos_error *err, bool utf8)
{
	FUZZ_ASSERT(err->line >= 1 && err->col >= 1);
	size_t len = strnlen(err->message, sizeof(err->message));
	FUZZ_ASSERT(len > 0 && len < sizeof(err->message));
	if (!utf8)
		return;
	size_t bad;
	if (!source_utf8_valid(err->message, len, &bad)) {
		fprintf(stderr, "message: %s\n", err->message);
		FUZZ_ASSERT(!"syntax message is not valid UTF-8");
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)err->message[i];
		if (ch < 0x20 || ch == 0x7f) {
			fprintf(stderr, "message: %s\n", err->message);
			FUZZ_ASSERT(!"control byte in a syntax message");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size ? size : 1);
	memcpy(text, data, size);
	size_t bad;
	bool utf8 = source_utf8_valid(text, size, &bad);
	int depth = size % 2 ? 16 : JSONPOS_MAX_DEPTH;
	struct jsonpos_error err;
	struct ctx c = {text, size, NULL, true, BUF_INIT};

	struct jsonpos *p = jsonpos_scan(text, size, depth, &err);
	if (!p) {
		check_error(&err, utf8);
	} else {
		c.p = p;
		check_index(&c);
		jsonpos_free(p);
	}

	cJSON *root;
	struct jsonpos *index;
	if (jsonpos_parse(text, size, depth, &root, &index, &err)) {
		FUZZ_ASSERT(root && index);
		c.p = index;
		check_tree(&c, root, jsonpos_root(index), true);
		cJSON_Delete(root);
		jsonpos_free(index);
	} else {
		FUZZ_ASSERT(!root && !index);
		check_error(&err, utf8);
	}
	buf_free(&c.ptr);
	free(text);
	return 0;
}
