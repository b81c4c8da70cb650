/*
 * import_backstage.h -- `drgen import backstage`: Backstage catalog
 * entities (YAML, multi-document, or the catalog API's JSON) into plan.json
 * services, datastores, dependencies and contacts (docs/import-backstage.md).
 *
 * import_backstage_main is the command; the node reader below (in
 * import_backstage_read.c) is public for tests: it turns a YAML stream or a
 * JSON text into one small tree per document, with the line and column of
 * every node, under hostile-input limits.
 */
#ifndef DRGEN_IMPORT_BACKSTAGE_H
#define DRGEN_IMPORT_BACKSTAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

/* Limits on one input file (documented in docs/import-backstage.md). */
#define BS_MAX_FILE (16u << 20)        /* bytes */
#define BS_MAX_DEPTH 64                /* nesting of mappings and sequences */
#define BS_MAX_NODES 1000000           /* nodes parsed */
#define BS_MAX_EXPANDED 1000000        /* nodes reachable through aliases */

enum bs_kind { BS_SCALAR, BS_MAP, BS_SEQ };

struct bs_node {
	enum bs_kind kind;
	int line, col;              /* 1-based */
	const char *str;            /* BS_SCALAR: the text (in the arena) */
	size_t n;                   /* BS_MAP: pairs; BS_SEQ: items */
	const char **keys;          /* BS_MAP: n keys */
	struct bs_node **items;     /* n values (maps) or items (sequences) */
	size_t weight;              /* nodes reachable from here, aliases expanded */
};

/* One document of a file (a YAML document, or an entity of a JSON list). */
struct bs_docs {
	size_t n;
	struct bs_node **docs;
};

/*
 * Reads a file's text: JSON when its first non-blank byte is '{' or '['
 * (an array of entities, {"items": [...]} as the catalog API returns, or
 * one entity), YAML otherwise.  Nodes live in a.  Returns false after
 * diagnostics (file:line:column) when the text is unusable.
 */
bool bs_read(struct arena *a, const char *file, const char *text, size_t len,
	     struct bs_docs *out, struct diags *d);

/* The value of key in map n (NULL when n is not a map or has no such key). */
const struct bs_node *bs_get(const struct bs_node *n, const char *key);
/* Its text when it is a scalar, else NULL. */
const char *bs_str(const struct bs_node *n, const char *key);

int import_backstage_main(int argc, char **argv);

#endif
