/*
 * mustache_render.c -- walking the compiled nodes against a cJSON view.
 *
 * All state of a render lives in struct rstate on the caller's stack: the
 * context stack, the indentation added by standalone partials and blocks,
 * the chain of block overrides of the parents being rendered, and the
 * counters that bound depth, work and output.  Templates are only read,
 * so renders of one template may run in several threads at once; the only
 * shared thing touched is the loader, under its mutex, to find a partial
 * whose name comes from the view ({{>*name}}).
 *
 * Indentation is added when output starts a line that template text began
 * (bol), never inside interpolated values, and not on empty lines.
 *
 * Block overrides: rendering {{<parent}} pushes a frame naming the parent
 * node, whose children are the overriding blocks.  A block takes the
 * override of the outermost frame that has one (the most derived template
 * wins); the override is rendered with only the frames outside that one,
 * since only templates extending the overriding one may override again.
 */
#include "mustache_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct override_frame {
	const struct mustache_template *t;
	size_t node;                        /* the MN_PARENT node */
	const struct override_frame *outer;
};

struct rstate {
	struct buf *out;
	size_t base;               /* out->len when the render began */
	size_t flushed;            /* bytes handed to the sink so far */
	mustache_sink *sink;       /* or NULL: everything stays in out */
	void *sink_ctx;
	const cJSON **stack;       /* context stack, innermost last */
	size_t depth, cap;
	struct buf indent;         /* indentation of the current line starts */
	bool bol;                  /* the output is at the start of a template line */
	const struct override_frame *chain;
	int nesting;
	uint64_t steps;
	size_t max_output;
	uint64_t max_steps;
	struct mustache_loader *budget;  /* the build's budget, or NULL */
	struct diags *d;
	enum mustache_escape esc;
	bool failed;
};

static void render_nodes(struct rstate *st, const struct mustache_template *t,
			 size_t from, size_t to);

/* ---- output ---- */

static inline void put(struct buf *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void put_indent(struct rstate *st)
{
	if (st->bol && st->indent.len)
		put(st->out, st->indent.data, st->indent.len);
	st->bol = false;
}

/* Template text: indentation goes before each non-empty line it starts. */
static void emit_text(struct rstate *st, const char *s, size_t n)
{
	if (st->indent.len == 0) {
		put(st->out, s, n);
		st->bol = s[n - 1] == '\n';
		return;
	}
	const char *end = s + n;
	while (s < end) {
		if (st->bol && *s != '\n' && !(*s == '\r' && s + 1 < end && s[1] == '\n'))
			put(st->out, st->indent.data, st->indent.len);
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t k = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		put(st->out, s, k);
		st->bol = nl != NULL;
		s += k;
	}
}

static const unsigned char escape_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char *const escape_text[] = {
	NULL, "&amp;", "&lt;", "&gt;", "&quot;", "&#39;",
};
static const unsigned char escape_len[] = {0, 5, 4, 4, 6, 5};

static void put_escaped(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		unsigned c = escape_class[p[i]];
		if (!c)
			continue;
		put(b, s + run, i - run);
		put(b, escape_text[c], escape_len[c]);
		run = i + 1;
	}
	put(b, s + run, n - run);
}

/*
 * Markdown: punctuation that could start emphasis, code, links, tables or
 * headings is backslash-escaped; & < > become entities so no raw HTML can
 * form; a line break would end a table row, so it becomes a space.
 */
static void put_escaped_markdown(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		switch (c) {
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '~': case '#':
			put(b, "\\", 1);
			put(b, &s[i], 1);
			break;
		case '&':
			put(b, "&amp;", 5);
			break;
		case '<':
			put(b, "&lt;", 4);
			break;
		case '>':
			put(b, "&gt;", 4);
			break;
		case '\n':
			put(b, " ", 1);
			break;
		case '\r':
			break;
		default:
			put(b, &s[i], 1);
		}
	}
}

/*
 * Numbers as the spec shows them: integers without a decimal point, other
 * values in the shortest of %.15g..%.17g that reads back as the same
 * double (1.21, not 1.2100000000000000).
 */
static size_t format_number(double v, char *out, size_t size)
{
	int n = 0;
	if (isnan(v) || isinf(v))
		return 0;
	if (v == 0)
		n = snprintf(out, size, "0");
	else if (v == floor(v) && fabs(v) < 1e17)
		n = snprintf(out, size, "%.0f", v);
	else
		for (int prec = 15; prec <= 17; prec++) {
			n = snprintf(out, size, "%.*g", prec, v);
			if (strtod(out, NULL) == v)
				break;
		}
	return n > 0 ? (size_t)n : 0;
}

static void emit_value(struct rstate *st, const cJSON *v, bool escape)
{
	char num[40];
	const char *s;
	size_t n;
	if (!v)
		return;
	if (cJSON_IsString(v) || cJSON_IsRaw(v)) {
		s = v->valuestring;
		n = s ? strlen(s) : 0;
	} else if (cJSON_IsNumber(v)) {
		s = num;
		n = format_number(v->valuedouble, num, sizeof(num));
	} else if (cJSON_IsTrue(v)) {
		s = "true";
		n = 4;
	} else if (cJSON_IsFalse(v)) {
		s = "false";
		n = 5;
	} else {
		return;  /* null, objects and lists interpolate as nothing */
	}
	if (n == 0)
		return;
	put_indent(st);
	if (escape && st->esc == MUSTACHE_ESCAPE_MARKDOWN)
		put_escaped_markdown(st->out, s, n);
	else if (escape)
		put_escaped(st->out, s, n);
	else
		put(st->out, s, n);
}

/* Hands what is in out to the sink once there is enough of it. */
static void flush(struct rstate *st)
{
	size_t len = st->out->len - st->base;
	if (!st->sink || len < MUSTACHE_FLUSH_BYTES || st->failed)
		return;
	if (!st->sink(st->sink_ctx, st->out->data + st->base, len))
		st->failed = true;
	if (st->budget)
		atomic_fetch_add(&st->budget->used_bytes, len);
	st->flushed += len;
	st->out->len = st->base;
}

/* ---- context ---- */

static void push(struct rstate *st, const cJSON *v)
{
	if (st->depth == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 32;
		st->stack = xrealloc(st->stack, st->cap * sizeof(*st->stack));
	}
	st->stack[st->depth++] = v;
}

/*
 * Most keys of a view differ from the wanted one in their first byte, so
 * that is compared before the whole name: lookups are most of what
 * rendering does.
 */
const cJSON *mustache_member(const cJSON *o, const char *key)
{
	for (const cJSON *c = o->child; c; c = c->next) {
		if (c->string && c->string[0] == key[0] && strcmp(c->string, key) == 0)
			return c;
	}
	return NULL;
}

/*
 * The first part of a dotted name is looked up from the innermost context
 * outwards; the other parts only inside what the first found.
 */
static const cJSON *lookup(const struct rstate *st, const struct mname *nm)
{
	if (nm->nparts == 0)
		return st->stack[st->depth - 1];
	const cJSON *v = NULL;
	for (size_t k = st->depth; k-- > 0;) {
		const cJSON *f = st->stack[k];
		if (f && cJSON_IsObject(f) && (v = mustache_member(f, nm->parts[0])))
			break;
	}
	for (size_t p = 1; v && p < nm->nparts; p++)
		v = cJSON_IsObject(v) ? mustache_member(v, nm->parts[p]) : NULL;
	return v;
}

cJSON *mustache_list_node(struct mustache_list *l)
{
	cJSON *node = cJSON_CreateArray();
	node->type |= MUSTACHE_LIST_FLAG;
	node->valuestring = (char *)l;
	return node;
}

const struct mustache_list *mustache_list_of(const cJSON *node)
{
	if (!node || !(node->type & MUSTACHE_LIST_FLAG) || !cJSON_IsArray(node))
		return NULL;
	return (const struct mustache_list *)(const void *)node->valuestring;
}

cJSON *mustache_view_expand(const cJSON *v)
{
	const struct mustache_list *l = mustache_list_of(v);
	cJSON *out;

	if (l) {
		out = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++) {
			cJSON *e = l->item(l, i);
			cJSON_AddItemToArray(out, mustache_view_expand(e));
			cJSON_Delete(e);
		}
		return out;
	}
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return cJSON_Duplicate(v, false);
	out = cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject();
	for (const cJSON *c = v->child; c; c = c->next) {
		if (cJSON_IsArray(v))
			cJSON_AddItemToArray(out, mustache_view_expand(c));
		else
			cJSON_AddItemToObject(out, c->string, mustache_view_expand(c));
	}
	return out;
}

/* Falsey: missing, false, null and the empty list. */
static bool truthy(const cJSON *v)
{
	const struct mustache_list *l = mustache_list_of(v);
	if (l)
		return l->n > 0;
	if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v) || cJSON_IsInvalid(v))
		return false;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	return true;
}

/* ---- limits ---- */

static void fail_at(struct rstate *st, const struct mustache_template *t,
		    const struct mnode *n, const char *fmt, ...) PRINTF_LIKE(4, 5);

static void fail_at(struct rstate *st, const struct mustache_template *t,
		    const struct mnode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(st->d, DIAG_ERROR, t->name, n->line, n->col, NULL, fmt, ap);
	va_end(ap);
	st->failed = true;
}

/*
 * The build's budget (mustache_loader_set_budget): false, with a
 * diagnostic at node n of t, once this render would take it past either
 * bound.  Steps are taken from the shared counter MUSTACHE_BUDGET_BATCH at
 * a time; bytes are checked as the shared total plus what this render
 * holds and has not yet handed on.
 */
static bool within_budget(struct rstate *st, const struct mustache_template *t,
			  const struct mnode *n)
{
	struct mustache_loader *b = st->budget;
	if (b->budget_steps && st->steps % MUSTACHE_BUDGET_BATCH == 0 &&
	    atomic_fetch_add(&b->used_steps, MUSTACHE_BUDGET_BATCH) + MUSTACHE_BUDGET_BATCH >
		    b->budget_steps) {
		fail_at(st, t, n,
			"rendering this build took more than %" PRIu64 " template steps "
			"in all (the build's budget; see drgen help limits)",
			b->budget_steps);
		return false;
	}
	if (b->budget_bytes &&
	    atomic_load_explicit(&b->used_bytes, memory_order_relaxed) +
			    (st->out->len - st->base) > b->budget_bytes) {
		fail_at(st, t, n,
			"documents of this build larger than %" PRIu64 " bytes "
			"in all (the build's budget; see drgen help limits)",
			b->budget_bytes);
		return false;
	}
	return true;
}

/* Entering a section, partial, parent or block: bounded nesting. */
static bool enter(struct rstate *st, const struct mustache_template *t,
		  const struct mnode *n)
{
	if (++st->nesting > MUSTACHE_MAX_DEPTH) {
		fail_at(st, t, n,
			"sections, partials and blocks nested deeper than %d levels "
			"while rendering '%.*s' (recursive partial?)",
			MUSTACHE_MAX_DEPTH, (int)n->len, n->text);
		return false;
	}
	return true;
}

static size_t push_indent(struct rstate *st, const struct mnode *n)
{
	size_t old = st->indent.len;
	if (n->indent_len)
		buf_append(&st->indent, n->indent, n->indent_len);
	return old;
}

/* ---- nodes ---- */

static void render_section(struct rstate *st, const struct mustache_template *t,
			   size_t i)
{
	const struct mnode *n = &t->nodes[i];
	const cJSON *v = lookup(st, &n->name);
	const struct mustache_list *l = mustache_list_of(v);
	if (!truthy(v) || !enter(st, t, n))
		return;
	if (l) {
		for (size_t k = 0; k < l->n && !st->failed; k++) {
			cJSON *e = l->item(l, k);
			push(st, e);
			render_nodes(st, t, i + 1, n->end);
			st->depth--;
			cJSON_Delete(e);
			flush(st);
		}
	} else if (cJSON_IsArray(v)) {
		for (const cJSON *e = v->child; e && !st->failed; e = e->next) {
			push(st, e);
			render_nodes(st, t, i + 1, n->end);
			st->depth--;
		}
	} else {
		push(st, v);
		render_nodes(st, t, i + 1, n->end);
		st->depth--;
	}
	st->nesting--;
}

/* The template a partial or parent node names; NULL renders nothing. */
static const struct mustache_template *
target_of(struct rstate *st, const struct mustache_template *t,
	  const struct mnode *n)
{
	if (!(n->flags & MNF_DYNAMIC))
		return n->target;
	const cJSON *v = lookup(st, &n->name);
	if (!v || !cJSON_IsString(v) || !v->valuestring)
		return NULL;  /* a failed lookup is falsey: nothing */
	struct mustache_loader *l = t->loader;
	const char *name = v->valuestring;
	bool missing;
	pthread_mutex_lock(&l->lock);
	const struct mustache_template *p = mustache_find_locked(
		l, name, strlen(name), st->d, t->name, n->line, n->col, &missing);
	if (!p && missing && !l->lenient)
		mustache_report_missing(l, st->d, t->name, n->line, n->col,
					n->kind == MN_PARENT ? "parent" : "partial",
					name, strlen(name));
	pthread_mutex_unlock(&l->lock);
	if (!p && (!missing || !l->lenient))
		st->failed = true;
	return p;
}

static void render_partial(struct rstate *st, const struct mustache_template *t,
			   size_t i)
{
	const struct mnode *n = &t->nodes[i];
	const struct mustache_template *p = target_of(st, t, n);
	if (!p || !enter(st, t, n))
		return;
	size_t old = push_indent(st, n);
	if (n->kind == MN_PARENT) {
		struct override_frame f = {t, i, st->chain};
		const struct override_frame *saved = st->chain;
		st->chain = &f;
		render_nodes(st, p, 0, p->n);
		st->chain = saved;
	} else {
		render_nodes(st, p, 0, p->n);
	}
	st->indent.len = old;
	st->nesting--;
}

static void render_block(struct rstate *st, const struct mustache_template *t,
			 size_t i)
{
	const struct mnode *n = &t->nodes[i];
	const struct override_frame *hit = NULL;
	size_t hit_node = 0;
	for (const struct override_frame *f = st->chain; f; f = f->outer) {
		const struct mnode *nodes = f->t->nodes;
		size_t end = nodes[f->node].end;
		for (size_t j = f->node + 1; j < end; j = nodes[j].end) {
			if (nodes[j].len == n->len &&
			    memcmp(nodes[j].text, n->text, n->len) == 0) {
				hit = f;
				hit_node = j;
				break;
			}
		}
	}
	if (!enter(st, t, n))
		return;
	size_t old = st->indent.len;
	if (hit) {
		const struct override_frame *saved = st->chain;
		push_indent(st, n);
		st->chain = hit->outer;
		render_nodes(st, hit->t, hit_node + 1, hit->t->nodes[hit_node].end);
		st->chain = saved;
	} else {
		if (n->flags & MNF_INDENT_DEFAULT)
			push_indent(st, n);
		render_nodes(st, t, i + 1, n->end);
	}
	st->indent.len = old;
	st->nesting--;
}

static void render_nodes(struct rstate *st, const struct mustache_template *t,
			 size_t from, size_t to)
{
	size_t i = from;
	while (i < to && !st->failed) {
		const struct mnode *n = &t->nodes[i];
		if (++st->steps > st->max_steps) {
			fail_at(st, t, n,
				"rendering took more than %" PRIu64 " steps "
				"(recursive partials?)", st->max_steps);
			return;
		}
		if (st->out->len - st->base + st->flushed > st->max_output) {
			fail_at(st, t, n, "rendered output larger than %zu bytes",
				st->max_output);
			return;
		}
		if (st->budget && !within_budget(st, t, n))
			return;
		switch (n->kind) {
		case MN_TEXT:
			emit_text(st, n->text, n->len);
			i++;
			break;
		case MN_VAR:
		case MN_RAW:
			emit_value(st, lookup(st, &n->name), n->kind == MN_VAR);
			i++;
			break;
		case MN_SECTION:
			render_section(st, t, i);
			i = n->end;
			break;
		case MN_INVERTED:
			if (!truthy(lookup(st, &n->name)) && enter(st, t, n)) {
				render_nodes(st, t, i + 1, n->end);
				st->nesting--;
			}
			i = n->end;
			break;
		case MN_PARTIAL:
		case MN_PARENT:
			render_partial(st, t, i);
			i = n->end;
			break;
		case MN_BLOCK:
			render_block(st, t, i);
			i = n->end;
			break;
		default:
			i++;
			break;
		}
	}
}

bool mustache_render(const struct mustache_template *t, const cJSON *view,
		     struct buf *out, struct diags *d)
{
	return mustache_render_escaped(t, view, MUSTACHE_ESCAPE_HTML, out, d);
}

bool mustache_render_escaped(const struct mustache_template *t, const cJSON *view,
			     enum mustache_escape esc, struct buf *out, struct diags *d)
{
	return mustache_render_to(t, view, esc, out, NULL, NULL, d);
}

bool mustache_render_to(const struct mustache_template *t, const cJSON *view,
			enum mustache_escape esc, struct buf *out,
			mustache_sink *sink, void *sink_ctx, struct diags *d)
{
	struct rstate st = {
		.esc = esc,
		.out = out,
		.sink = sink,
		.sink_ctx = sink_ctx,
		.bol = true,
		.max_output = t->loader->max_output,
		.max_steps = t->loader->max_steps,
		.budget = t->loader->budget_bytes || t->loader->budget_steps
			? t->loader : NULL,
		.d = d,
	};
	buf_grow(out, 0);
	st.base = out->len;
	push(&st, view);
	if (!t->failed)
		render_nodes(&st, t, 0, t->n);
	out->data[out->len] = '\0';
	if (st.budget) {
		atomic_fetch_add(&st.budget->used_bytes, out->len - st.base);
		atomic_fetch_add(&st.budget->used_steps, st.steps % MUSTACHE_BUDGET_BATCH);
	}
	free(st.stack);
	buf_free(&st.indent);
	return !st.failed;
}
