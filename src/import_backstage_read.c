/*
 * import_backstage_read.c -- Backstage catalog files into small node trees.
 *
 * YAML goes through libyaml's event (streaming) parser, never its document
 * loader: we build only what we need and count as we go, so a hostile file
 * meets a limit before it costs memory or time:
 *  - a file is at most BS_MAX_FILE bytes (checked by the caller's read);
 *  - nesting deeper than BS_MAX_DEPTH is an error at the opening node;
 *  - at most BS_MAX_NODES nodes per file;
 *  - aliases are never copied: an alias points at its anchor's node, and
 *    the nodes reachable through aliases are counted (each node knows its
 *    expanded weight); more than BS_MAX_EXPANDED is an "alias expansion"
 *    error, so a billion-laughs document is refused after a few hundred
 *    events.  An alias to an anchor that is not complete yet (a recursive
 *    alias) is refused as undefined.
 * JSON (the catalog API's answer) goes through jsonpos, for line and
 * column, then cJSON.  Every error names file:line:column.
 */
#include "import_backstage.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "jsonpos.h"

/* Duplicate keys are looked for among the first this many of a mapping. */
#define BS_MAX_KEY_CHECK 1000

const struct bs_node *bs_get(const struct bs_node *n, const char *key)
{
	if (!n || n->kind != BS_MAP)
		return NULL;
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->keys[i], key) == 0)
			return n->items[i];
	return NULL;
}

const char *bs_str(const struct bs_node *n, const char *key)
{
	const struct bs_node *v = bs_get(n, key);

	return v && v->kind == BS_SCALAR ? v->str : NULL;
}

static size_t sat_add(size_t a, size_t b)
{
	size_t s = a + b;

	return s > BS_MAX_EXPANDED + 1 || s < a ? BS_MAX_EXPANDED + 1 : s;
}

/* ---- YAML ---- */

struct frame {
	struct bs_node *node;
	size_t cap;
	const char **keys;       /* maps: pending keys (xrealloc'd) */
	struct bs_node **items;  /* xrealloc'd, copied to the arena at the end */
	const char *pending_key; /* maps: the key waiting for its value */
	bool have_key;
	int key_line, key_col;   /* where pending_key was written */
	const char *anchor;      /* to register when the node is complete */
};

struct yctx {
	struct arena *a;
	const char *file;
	struct diags *d;
	struct frame stack[BS_MAX_DEPTH + 1];
	int depth;
	size_t nodes, expanded;
	struct strmap *anchors;
	struct bs_docs *out;
	struct bs_node *doc;     /* the current document's root */
};

static struct bs_node *new_node(struct yctx *c, enum bs_kind kind,
				const yaml_mark_t *mark)
{
	struct bs_node *n = arena_calloc(c->a, 1, sizeof(*n));

	n->kind = kind;
	n->line = (int)mark->line + 1;
	n->col = (int)mark->column + 1;
	n->weight = 1;
	c->nodes++;
	return n;
}

/* Adds a complete node to the open container (or makes it the document). */
static bool attach(struct yctx *c, struct bs_node *n)
{
	struct frame *f;

	if (c->depth == 0) {
		c->doc = n;
		return true;
	}
	f = &c->stack[c->depth - 1];
	f->node->weight = sat_add(f->node->weight, n->weight);
	if (f->node->kind == BS_MAP && !f->have_key) {
		if (n->kind != BS_SCALAR) {
			diag_add(c->d, DIAG_ERROR, c->file, n->line, n->col, NULL,
				 "a mapping key must be a plain value, not a %s",
				 n->kind == BS_MAP ? "mapping" : "sequence");
			return false;
		}
		f->pending_key = n->str;
		f->key_line = n->line;
		f->key_col = n->col;
		f->have_key = true;
		return true;
	}
	if (f->node->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
		if (f->node->kind == BS_MAP)
			f->keys = xrealloc(f->keys, f->cap * sizeof(*f->keys));
	}
	if (f->node->kind == BS_MAP) {
		/* A key given twice: an error, as in plan.json (bounded work). */
		for (size_t i = 0; i < f->node->n && i < BS_MAX_KEY_CHECK; i++) {
			if (strcmp(f->keys[i], f->pending_key) == 0) {
				char q[96];

				diag_add(c->d, DIAG_ERROR, c->file, f->key_line,
					 f->key_col, NULL,
					 "duplicate key %s (first on line %d)",
					 diag_quote(q, sizeof(q), f->pending_key, 64),
					 f->items[i]->line);
				return false;
			}
		}
		f->keys[f->node->n] = f->pending_key;
		f->have_key = false;
	}
	f->items[f->node->n++] = n;
	return true;
}

static const char *anchor_name(struct yctx *c, const yaml_char_t *anchor)
{
	return anchor ? arena_strdup(c->a, (const char *)anchor) : NULL;
}

static void finish_anchor(struct yctx *c, const char *anchor,
			  struct bs_node *n)
{
	if (anchor)
		strmap_put(c->anchors, anchor, n);
}

static bool on_event(struct yctx *c, const yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	struct bs_node *n;
	struct frame *f;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		c->doc = NULL;
		strmap_free(c->anchors);
		c->anchors = strmap_new(16);
		return true;
	case YAML_DOCUMENT_END_EVENT:
		/* An empty document (a trailing "---") holds nothing. */
		if (c->doc && !(c->doc->kind == BS_SCALAR && !c->doc->str[0])) {
			c->out->docs = xrealloc(c->out->docs, (c->out->n + 1) *
						sizeof(*c->out->docs));
			c->out->docs[c->out->n++] = c->doc;
		}
		return true;
	case YAML_SCALAR_EVENT:
		n = new_node(c, BS_SCALAR, m);
		n->str = arena_strndup(c->a, (const char *)e->data.scalar.value,
				       e->data.scalar.length);
		if (!attach(c, n))
			return false;
		finish_anchor(c, anchor_name(c, e->data.scalar.anchor), n);
		break;
	case YAML_ALIAS_EVENT:
		n = strmap_get(c->anchors, (const char *)e->data.alias.anchor);
		if (!n) {
			char q[96];

			diag_quote(q, sizeof(q), (const char *)e->data.alias.anchor, 64);
			/* The name without its quotes: *name, as written. */
			q[strlen(q) - 1] = '\0';
			diag_add(c->d, DIAG_ERROR, c->file, (int)m->line + 1,
				 (int)m->column + 1, NULL,
				 "alias *%s names no complete anchor before it", q + 1);
			return false;
		}
		c->expanded = sat_add(c->expanded, n->weight);
		if (c->expanded > BS_MAX_EXPANDED) {
			diag_add(c->d, DIAG_ERROR, c->file, (int)m->line + 1,
				 (int)m->column + 1, NULL,
				 "alias expansion too large: aliases would expand "
				 "to more than %d nodes (an alias bomb?)",
				 BS_MAX_EXPANDED);
			return false;
		}
		if (!attach(c, n))
			return false;
		break;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (c->depth >= BS_MAX_DEPTH) {
			diag_add(c->d, DIAG_ERROR, c->file, (int)m->line + 1,
				 (int)m->column + 1, NULL,
				 "nesting deeper than %d levels", BS_MAX_DEPTH);
			return false;
		}
		n = new_node(c, e->type == YAML_MAPPING_START_EVENT ? BS_MAP
								    : BS_SEQ, m);
		f = &c->stack[c->depth++];
		memset(f, 0, sizeof(*f));
		f->node = n;
		f->anchor = anchor_name(c, e->type == YAML_MAPPING_START_EVENT
					    ? e->data.mapping_start.anchor
					    : e->data.sequence_start.anchor);
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		f = &c->stack[--c->depth];
		n = f->node;
		if (n->n) {
			n->items = arena_alloc(c->a, n->n * sizeof(*n->items));
			memcpy(n->items, f->items, n->n * sizeof(*n->items));
			if (n->kind == BS_MAP) {
				n->keys = arena_alloc(c->a, n->n * sizeof(*n->keys));
				memcpy(n->keys, f->keys, n->n * sizeof(*n->keys));
			}
		}
		free(f->items);
		free(f->keys);
		f->items = NULL;
		f->keys = NULL;
		if (!attach(c, n))
			return false;
		finish_anchor(c, f->anchor, n);
		break;
	default:
		return true;
	}
	if (c->nodes > BS_MAX_NODES) {
		diag_add(c->d, DIAG_ERROR, c->file, (int)m->line + 1,
			 (int)m->column + 1, NULL,
			 "more than %d nodes in one file", BS_MAX_NODES);
		return false;
	}
	return true;
}

static bool read_yaml(struct arena *a, const char *file, const char *text,
		      size_t len, struct bs_docs *out, struct diags *d)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct yctx c;
	bool ok = true, done = false;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.file = file;
	c.d = d;
	c.out = out;
	c.anchors = strmap_new(16);
	if (!yaml_parser_initialize(&p)) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL, "cannot start the YAML parser");
		strmap_free(c.anchors);
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			const yaml_mark_t *m = p.problem ? &p.problem_mark
							 : &p.mark;

			if (p.context)
				diag_add(d, DIAG_ERROR, file, (int)m->line + 1,
					 (int)m->column + 1, NULL,
					 "malformed YAML: %s %s (started at line %d, column %d)",
					 p.problem ? p.problem : "parse error", p.context,
					 (int)p.context_mark.line + 1,
					 (int)p.context_mark.column + 1);
			else
				diag_add(d, DIAG_ERROR, file, (int)m->line + 1,
					 (int)m->column + 1, NULL, "malformed YAML: %s",
					 p.problem ? p.problem : "parse error");
			ok = false;
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		if (!on_event(&c, &e)) {
			ok = false;
			done = true;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	while (c.depth > 0) {
		struct frame *f = &c.stack[--c.depth];

		free(f->items);
		free(f->keys);
	}
	strmap_free(c.anchors);
	return ok;
}

/* ---- JSON ---- */

static struct bs_node *from_json(struct arena *a, const struct jsonpos *idx,
				 const cJSON *j, jsonpos_node jn)
{
	struct bs_node *n = arena_calloc(a, 1, sizeof(*n));
	size_t i = 0;

	jsonpos_value_pos(idx, jn, &n->line, &n->col);
	n->weight = 1;
	if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
		n->kind = cJSON_IsObject(j) ? BS_MAP : BS_SEQ;
		n->n = (size_t)cJSON_GetArraySize(j);
		n->items = arena_calloc(a, n->n ? n->n : 1, sizeof(*n->items));
		if (n->kind == BS_MAP)
			n->keys = arena_calloc(a, n->n ? n->n : 1, sizeof(*n->keys));
		for (const cJSON *it = j->child; it; it = it->next, i++) {
			n->items[i] = from_json(a, idx, it, jsonpos_child(idx, jn, i));
			if (n->kind == BS_MAP)
				n->keys[i] = arena_strdup(a, it->string);
			n->weight = sat_add(n->weight, n->items[i]->weight);
		}
		return n;
	}
	n->kind = BS_SCALAR;
	if (cJSON_IsString(j))
		n->str = arena_strdup(a, j->valuestring);
	else if (cJSON_IsNumber(j))
		n->str = arena_printf(a, "%.17g", j->valuedouble);
	else if (cJSON_IsBool(j))
		n->str = cJSON_IsTrue(j) ? "true" : "false";
	else
		n->str = "";
	return n;
}

static void add_doc(struct bs_docs *out, struct bs_node *n)
{
	out->docs = xrealloc(out->docs, (out->n + 1) * sizeof(*out->docs));
	out->docs[out->n++] = n;
}

static bool read_json(struct arena *a, const char *file, const char *text,
		      size_t len, struct bs_docs *out, struct diags *d)
{
	struct jsonpos_error err;
	struct jsonpos *idx;
	cJSON *root;
	struct bs_node *n;
	const struct bs_node *items;

	if (!jsonpos_parse(text, len, BS_MAX_DEPTH, &root, &idx, &err)) {
		diag_add(d, DIAG_ERROR, file, err.line, err.col, NULL,
			 "malformed JSON: %s", err.message);
		return false;
	}
	n = from_json(a, idx, root, jsonpos_root(idx));
	cJSON_Delete(root);
	jsonpos_free(idx);
	items = bs_get(n, "items");
	if (n->kind == BS_MAP && items && items->kind == BS_SEQ)
		n = (struct bs_node *)items;
	if (n->kind == BS_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			add_doc(out, n->items[i]);
	} else {
		add_doc(out, n);
	}
	return true;
}

bool bs_read(struct arena *a, const char *file, const char *text, size_t len,
	     struct bs_docs *out, struct diags *d)
{
	size_t i = 0;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	if (len > BS_MAX_FILE) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
			 "file too large (limit %u bytes)", BS_MAX_FILE);
		return false;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\t' ||
			   text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '['))
		return read_json(a, file, text, len, out, d);
	return read_yaml(a, file, text, len, out, d);
}
