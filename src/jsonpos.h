/*
 * jsonpos.h -- where each value of a JSON text was written.
 *
 * cJSON builds a tree without positions.  jsonpos scans the same text once,
 * checks it against the JSON grammar (RFC 8259) and records, for every
 * value, the byte offset of the value and of its member key.  Loaders then
 * name the user's line and column for any value they complain about,
 * either by JSON pointer (jsonpos_find) or by walking the index beside
 * the cJSON tree (jsonpos_child), which is O(1) per step.
 *
 * One deliberate departure from the grammar: the escape \u0000 in a string
 * is a syntax error, since cJSON (and every C string) would cut the value
 * there, silently ("Card\u0000<b>HIDDEN</b>" would read "Card").
 *
 * The scanner is iterative: nesting deeper than the limit given is a syntax
 * error, never a stack overflow.  Its syntax messages say what was expected
 * and what was found ("expected ',' or '}' after object member, found ']'").
 *
 * jsonpos_parse does both passes: scan first (good messages, depth limit),
 * then cJSON, whose nesting limit (CJSON_NESTING_LIMIT, 1000) is then never
 * reached because JSONPOS_MAX_DEPTH is lower.
 */
#ifndef DRGEN_JSONPOS_H
#define DRGEN_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util.h"

/* Default nesting limit for documents drgen reads. */
#define JSONPOS_MAX_DEPTH 512

struct jsonpos;

/* A syntax error: 1-based line and byte column, and a message. */
struct jsonpos_error {
	int line;
	int col;
	char message[160];
};

/* A value in the index; JSONPOS_NONE when there is none. */
typedef long jsonpos_node;
#define JSONPOS_NONE (-1L)

/*
 * Scans text[0..len).  A leading UTF-8 byte order mark is skipped.  On a
 * syntax error (or nesting deeper than max_depth) returns NULL and fills
 * *err.  Otherwise the caller frees the index with jsonpos_free; the index
 * keeps a pointer to text, which must outlive it.
 */
struct jsonpos *jsonpos_scan(const char *text, size_t len, int max_depth,
			     struct jsonpos_error *err);
void jsonpos_free(struct jsonpos *p);

/*
 * Scan, then parse with cJSON.  On success *root (cJSON_Delete) and *index
 * (jsonpos_free) are set and true is returned; on failure both are NULL and
 * *err says where and why.
 */
bool jsonpos_parse(const char *text, size_t len, int max_depth, cJSON **root,
		   struct jsonpos **index, struct jsonpos_error *err);

/* The top-level value. */
jsonpos_node jsonpos_root(const struct jsonpos *p);
/* Number of members or elements of a container (0 for scalars). */
size_t jsonpos_count(const struct jsonpos *p, jsonpos_node n);
/*
 * The i-th member (object) or element (array) of n, in document order,
 * which is also cJSON's order; JSONPOS_NONE when out of range.
 */
jsonpos_node jsonpos_child(const struct jsonpos *p, jsonpos_node n, size_t i);
/* The first member of object n whose key is key[0..key_len). */
jsonpos_node jsonpos_member(const struct jsonpos *p, jsonpos_node n,
			    const char *key, size_t key_len);
/*
 * Resolves an RFC 6901 pointer ("" is the root, "/services/3/id"; "~0" and
 * "~1" stand for '~' and '/').  JSONPOS_NONE when it names nothing.
 */
jsonpos_node jsonpos_lookup(const struct jsonpos *p, const char *pointer);

/* Line and column of the first byte of a value. */
void jsonpos_value_pos(const struct jsonpos *p, jsonpos_node n, int *line,
		       int *col);
/* Line and column of a member's key; false for array elements and the root. */
bool jsonpos_key_pos(const struct jsonpos *p, jsonpos_node n, int *line,
		     int *col);

/* Convenience: the value's position by pointer; false (0, 0) when absent. */
bool jsonpos_find(const struct jsonpos *p, const char *pointer, int *line,
		  int *col);

/* Line and column of a byte offset in text (1-based; columns in bytes). */
void jsonpos_offset_pos(const char *text, size_t len, size_t offset,
			int *line, int *col);

/*
 * Building a JSON pointer while walking a document: push a member name
 * (escaped as RFC 6901 says: "~" as "~0", "/" as "~1") or an array index;
 * each push returns the length to pop back to.
 */
size_t jsonpos_ptr_push_key(struct buf *ptr, const char *key);
size_t jsonpos_ptr_push_index(struct buf *ptr, size_t i);
void jsonpos_ptr_pop(struct buf *ptr, size_t len);

#endif
