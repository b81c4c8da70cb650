/*
 * mustache_parse.c -- from template text to the compiled node array.
 *
 * Three passes over one copy of the text (kept in the loader's arena, so
 * text nodes point into it and nothing is copied twice):
 *   1. lex: split into text and tags, following delimiter changes, and
 *      match every opening tag with its closing tag (errors stop here);
 *   2. standalone: a line holding only whitespace and one non-variable tag
 *      (or several, when one of them opens or closes a parent) loses its
 *      indentation and line ending; a standalone partial or parent keeps
 *      that indentation to add to each line it renders;
 *   3. build: tokens become nodes; sections become containers; a block
 *      whose opening line is standalone has its content dedented by the
 *      indentation of its first line (the spec's "block reindentation").
 * Partials and parents named statically are then found (and compiled)
 * through the loader, so rendering never compiles and never mutates.
 */
#include "mustache_int.h"

#include <stdlib.h>
#include <string.h>

enum tok_type {
	T_TEXT,
	T_VAR,
	T_RAW,
	T_SECTION,
	T_INVERTED,
	T_CLOSE,
	T_COMMENT,
	T_PARTIAL,
	T_PARENT,
	T_BLOCK,
	T_DELIM,
};

struct mtok {
	unsigned char type;     /* enum tok_type */
	bool dynamic;           /* {{>*name}} / {{<*name}} */
	bool standalone;        /* its line is removed */
	size_t start, end;      /* the whole token in the text */
	size_t tstart, tend;    /* text tokens: what remains after trimming */
	size_t name, name_len;  /* tags: the name, trimmed */
	size_t line_start;      /* offset of the first byte of its line */
	size_t ind_len;         /* standalone: indentation length from line_start */
	size_t next_line;       /* standalone: offset of the following line */
	size_t match;           /* opening <-> closing tag */
	int line, col;
};

struct lexer {
	const char *src;
	size_t len;
	const char *otag, *ctag;   /* current delimiters (point into src) */
	size_t olen, clen;
	size_t pos;
	size_t lc_off, lc_ls;      /* position cache for line/column */
	int lc_line;
	struct mtok *toks;
	size_t n, cap;
	size_t stack[MUSTACHE_MAX_NESTING];
	size_t depth;
	const char *file;
	struct diags *d;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Line, column and line start of offset off (offsets only grow). */
static void lex_position(struct lexer *lx, size_t off, int *line, int *col,
			 size_t *ls)
{
	while (lx->lc_off < off) {
		const char *nl = memchr(lx->src + lx->lc_off, '\n', off - lx->lc_off);
		if (!nl) {
			lx->lc_off = off;
			break;
		}
		lx->lc_line++;
		lx->lc_off = (size_t)(nl - lx->src) + 1;
		lx->lc_ls = lx->lc_off;
	}
	*line = lx->lc_line;
	*col = (int)(off - lx->lc_ls) + 1;
	*ls = lx->lc_ls;
}

static struct mtok *lex_push(struct lexer *lx, enum tok_type type, size_t start,
			     size_t end)
{
	if (lx->n == lx->cap) {
		lx->cap = lx->cap ? lx->cap * 2 : 64;
		lx->toks = xrealloc(lx->toks, lx->cap * sizeof(*lx->toks));
	}
	struct mtok *t = &lx->toks[lx->n++];
	memset(t, 0, sizeof(*t));
	t->type = (unsigned char)type;
	t->start = t->tstart = start;
	t->end = t->tend = end;
	return t;
}

static const char *find(const struct lexer *lx, size_t from, const char *pat,
			size_t plen)
{
	if (from >= lx->len)
		return NULL;
	return memmem(lx->src + from, lx->len - from, pat, plen);
}

static const char *kind_word(enum tok_type type)
{
	switch (type) {
	case T_INVERTED: return "inverted section";
	case T_PARENT:   return "parent";
	case T_BLOCK:    return "block";
	default:         return "section";
	}
}

/* Parses "{{=OPEN CLOSE=}}"'s inside [s, e); false when malformed. */
static bool lex_delimiters(struct lexer *lx, size_t s, size_t e)
{
	size_t a, alen, b, blen;
	while (s < e && is_space(lx->src[s]))
		s++;
	a = s;
	while (s < e && !is_space(lx->src[s]))
		s++;
	alen = s - a;
	while (s < e && is_space(lx->src[s]))
		s++;
	b = s;
	while (s < e && !is_space(lx->src[s]))
		s++;
	blen = s - b;
	while (s < e && is_space(lx->src[s]))
		s++;
	if (s != e || alen == 0 || blen == 0 ||
	    memchr(lx->src + a, '=', alen) || memchr(lx->src + b, '=', blen))
		return false;
	lx->otag = lx->src + a;
	lx->olen = alen;
	lx->ctag = lx->src + b;
	lx->clen = blen;
	return true;
}

/* Opens or closes a section on the stack. */
static bool lex_nest(struct lexer *lx, size_t i)
{
	struct mtok *t = &lx->toks[i];
	const char *src = lx->src;
	switch (t->type) {
	case T_SECTION:
	case T_INVERTED:
	case T_PARENT:
	case T_BLOCK:
		if (lx->depth == MUSTACHE_MAX_NESTING) {
			diag_error(lx->d, lx->file, t->line, t->col,
				   "sections nested deeper than %d levels",
				   MUSTACHE_MAX_NESTING);
			return false;
		}
		lx->stack[lx->depth++] = i;
		return true;
	case T_CLOSE:
		break;
	default:
		return true;
	}
	if (lx->depth == 0) {
		diag_error(lx->d, lx->file, t->line, t->col,
			   "closing tag '%.*s' has no open section",
			   (int)t->name_len, src + t->name);
		return false;
	}
	struct mtok *open = &lx->toks[lx->stack[lx->depth - 1]];
	if (open->name_len != t->name_len ||
	    memcmp(src + open->name, src + t->name, t->name_len) != 0) {
		diag_error(lx->d, lx->file, t->line, t->col,
			   "closing tag '%.*s' does not match the open %s '%.*s' "
			   "(line %d, column %d)",
			   (int)t->name_len, src + t->name, kind_word(open->type),
			   (int)open->name_len, src + open->name, open->line,
			   open->col);
		return false;
	}
	lx->depth--;
	open->match = i;
	t->match = lx->stack[lx->depth];
	return true;
}

/* The content of a tag (between the delimiters) becomes a token. */
static bool lex_classify(struct lexer *lx, struct mtok *t, size_t cs, size_t ce,
			 bool triple)
{
	const char *src = lx->src;
	size_t s = cs;
	if (triple) {
		t->type = T_RAW;
	} else if (cs == ce) {
		diag_error(lx->d, lx->file, t->line, t->col, "empty tag");
		return false;
	} else {
		switch (src[cs]) {
		case '!': t->type = T_COMMENT; return true;
		case '=':
			t->type = T_DELIM;
			if (ce - cs < 2 || src[ce - 1] != '=' ||
			    !lex_delimiters(lx, cs + 1, ce - 1)) {
				diag_error(lx->d, lx->file, t->line, t->col,
					   "bad delimiter change '%.*s': expected two "
					   "delimiters without '=' or spaces, as in "
					   "{{=<%% %%>=}}",
					   (int)(t->end - t->start), src + t->start);
				return false;
			}
			return true;
		case '#': t->type = T_SECTION; s++; break;
		case '^': t->type = T_INVERTED; s++; break;
		case '/': t->type = T_CLOSE; s++; break;
		case '>': t->type = T_PARTIAL; s++; break;
		case '<': t->type = T_PARENT; s++; break;
		case '$': t->type = T_BLOCK; s++; break;
		case '&': t->type = T_RAW; s++; break;
		default:  t->type = T_VAR; break;
		}
	}
	while (s < ce && is_space(src[s]))
		s++;
	if ((t->type == T_PARTIAL || t->type == T_PARENT) && s < ce &&
	    src[s] == '*') {
		t->dynamic = true;
		s++;
		while (s < ce && is_space(src[s]))
			s++;
	}
	size_t e = ce;
	while (e > s && is_space(src[e - 1]))
		e--;
	if (s == e) {
		diag_error(lx->d, lx->file, t->line, t->col,
			   "missing name in tag '%.*s'",
			   (int)(t->end - t->start), src + t->start);
		return false;
	}
	for (size_t k = s; k < e; k++) {
		if (is_space(src[k])) {
			diag_error(lx->d, lx->file, t->line, t->col,
				   "unexpected space in the name '%.*s'",
				   (int)(e - s), src + s);
			return false;
		}
	}
	t->name = s;
	t->name_len = e - s;
	return true;
}

/* Lexes the tag whose opening delimiter starts at `at`. */
static bool lex_tag(struct lexer *lx, size_t at)
{
	int line, col;
	size_t ls;
	lex_position(lx, at, &line, &col, &ls);
	size_t p = at + lx->olen;
	size_t cs, ce, end;
	bool triple = p < lx->len && lx->src[p] == '{';
	if (triple) {
		/*
		 * The first closing delimiter must be part of "}" + ctag: either
		 * preceded by '}' ("<%{x}%>") or itself starting a "}" + ctag
		 * ("{{{x}}}", where "}}" first matches the first two braces).
		 */
		const char *c0 = find(lx, p + 1, lx->ctag, lx->clen);
		const char *c1 = NULL;
		size_t at0 = c0 ? (size_t)(c0 - lx->src) : 0;
		if (c0 && at0 > p + 1 && c0[-1] == '}')
			c1 = c0 - 1;
		else if (c0 && c0[0] == '}' && at0 + 1 + lx->clen <= lx->len &&
			 memcmp(c0 + 1, lx->ctag, lx->clen) == 0)
			c1 = c0;
		if (!c1) {
			diag_error(lx->d, lx->file, line, col,
				   "unclosed tag: expected '}%.*s'", (int)lx->clen,
				   lx->ctag);
			return false;
		}
		cs = p + 1;
		ce = (size_t)(c1 - lx->src);
		end = ce + 1 + lx->clen;
	} else {
		const char *c = find(lx, p, lx->ctag, lx->clen);
		if (!c) {
			diag_error(lx->d, lx->file, line, col,
				   "unclosed tag: expected '%.*s'", (int)lx->clen,
				   lx->ctag);
			return false;
		}
		cs = p;
		ce = (size_t)(c - lx->src);
		end = ce + lx->clen;
	}
	struct mtok *t = lex_push(lx, T_VAR, at, end);
	t->line = line;
	t->col = col;
	t->line_start = ls;
	lx->pos = end;
	if (!lex_classify(lx, t, cs, ce, triple))
		return false;
	return lex_nest(lx, lx->n - 1);
}

static bool lex(struct lexer *lx)
{
	while (lx->pos < lx->len) {
		const char *q = find(lx, lx->pos, lx->otag, lx->olen);
		size_t at = q ? (size_t)(q - lx->src) : lx->len;
		if (at > lx->pos) {
			struct mtok *t = lex_push(lx, T_TEXT, lx->pos, at);
			lex_position(lx, t->start, &t->line, &t->col, &t->line_start);
		}
		if (!q)
			break;
		if (!lex_tag(lx, at))
			return false;
	}
	if (lx->depth > 0) {
		const struct mtok *t = &lx->toks[lx->stack[lx->depth - 1]];
		diag_error(lx->d, lx->file, t->line, t->col,
			   "unclosed %s '%.*s': no {{/%.*s}} before the end of the template",
			   kind_word(t->type), (int)t->name_len, lx->src + t->name,
			   (int)t->name_len, lx->src + t->name);
		return false;
	}
	return true;
}

/* ---- standalone lines ---- */

/* The tags seen on the current line. */
struct line_acc {
	size_t ls;        /* offset of the line's first byte */
	size_t first, last;
	size_t ntags;
	bool blank;       /* nothing but whitespace and standalone-able tags */
	bool has_parent;  /* a parent opens or closes on it */
};

/*
 * Ends the line described by a.  nl_tok is the text token holding its
 * line ending (ntoks at the end of the template); next is the offset just
 * past the line ending.
 */
static void line_end(struct mtok *toks, size_t ntoks, const struct line_acc *a,
		     size_t nl_tok, size_t next)
{
	if (a->ntags == 0 || !a->blank || (a->ntags > 1 && !a->has_parent))
		return;
	if (a->first > 0 && toks[a->first - 1].type == T_TEXT) {
		struct mtok *t = &toks[a->first - 1];
		if (t->tend > a->ls)
			t->tend = a->ls;
	}
	for (size_t k = a->first; k <= a->last; k++) {
		struct mtok *t = &toks[k];
		if (t->type == T_TEXT) {
			t->tstart = t->tend;
			continue;
		}
		t->standalone = true;
		t->line_start = a->ls;
		t->ind_len = toks[a->first].start - a->ls;
		t->next_line = next;
	}
	if (nl_tok < ntoks) {
		if (toks[nl_tok].tstart < next)
			toks[nl_tok].tstart = next;
	} else if (a->last + 1 < ntoks && toks[a->last + 1].type == T_TEXT) {
		toks[a->last + 1].tstart = toks[a->last + 1].tend;
	}
}

static void mark_standalone(struct mtok *toks, size_t n, const char *src)
{
	struct line_acc a = {.ls = 0, .blank = true};
	for (size_t i = 0; i < n; i++) {
		struct mtok *t = &toks[i];
		if (t->type != T_TEXT) {
			if (a.ntags++ == 0)
				a.first = i;
			a.last = i;
			if (t->type == T_VAR || t->type == T_RAW)
				a.blank = false;
			if (t->type == T_PARENT ||
			    (t->type == T_CLOSE && toks[t->match].type == T_PARENT))
				a.has_parent = true;
			continue;
		}
		size_t o = t->start;
		while (o < t->end) {
			char c = src[o];
			if (c == '\n') {
				line_end(toks, n, &a, i, o + 1);
				a = (struct line_acc){.ls = o + 1, .blank = true};
				o++;
			} else if (c == ' ' || c == '\t' || c == '\r') {
				o++;
			} else {
				a.blank = false;
				const char *nl = memchr(src + o, '\n', t->end - o);
				o = nl ? (size_t)(nl - src) : t->end;
			}
		}
	}
	line_end(toks, n, &a, n, toks && n ? toks[n - 1].end : 0);
}

/* ---- building nodes ---- */

struct builder {
	struct mustache_loader *l;
	const char *src;
	size_t len;
	struct mtok *toks;
	struct mnode *nodes;
	size_t n, cap;
	const char *file;
	struct diags *d;
	bool failed;
};

static size_t add_node(struct builder *b, enum mnode_kind kind,
		       const struct mtok *t)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->nodes = xrealloc(b->nodes, b->cap * sizeof(*b->nodes));
	}
	struct mnode *n = &b->nodes[b->n];
	memset(n, 0, sizeof(*n));
	n->kind = (unsigned char)kind;
	n->line = t->line;
	n->col = t->col;
	if (t->type != T_TEXT) {
		n->text = b->src + t->name;
		n->len = t->name_len;
	}
	n->end = b->n + 1;
	return b->n++;
}

/* Splits a dotted name; "." is the implicit iterator. */
static void set_name(struct builder *b, size_t idx, const struct mtok *t)
{
	struct mnode *n = &b->nodes[idx];
	const char *s = b->src + t->name;
	size_t len = t->name_len;
	if (len == 1 && s[0] == '.')
		return;
	size_t parts = 1;
	for (size_t k = 0; k < len; k++)
		parts += s[k] == '.';
	const char **v = arena_calloc(b->l->arena, parts, sizeof(*v));
	size_t np = 0, from = 0;
	for (size_t k = 0; k <= len; k++) {
		if (k < len && s[k] != '.')
			continue;
		if (k == from) {
			diag_error(b->d, b->file, t->line, t->col,
				   "invalid name '%.*s': empty part between dots",
				   (int)len, s);
			b->failed = true;
			return;
		}
		v[np++] = arena_strndup(b->l->arena, s + from, k - from);
		from = k + 1;
	}
	n->name.parts = v;
	n->name.nparts = np;
}

/*
 * A text token, with up to `dedent` blanks removed from the start of each
 * of its lines (the content of a reindented block).
 */
static void add_text(struct builder *b, const struct mtok *t, size_t dedent)
{
	size_t s = t->tstart, e = t->tend;
	if (s >= e)
		return;
	size_t idx = add_node(b, MN_TEXT, t);
	struct mnode *n = &b->nodes[idx];
	n->text = b->src + s;
	n->len = e - s;
	if (dedent == 0)
		return;
	struct buf out = BUF_INIT;
	bool at_line = s == 0 || b->src[s - 1] == '\n';
	size_t o = s;
	while (o < e) {
		if (at_line) {
			size_t k = 0;
			while (k < dedent && o < e && is_blank(b->src[o]))
				k++, o++;
		}
		const char *nl = memchr(b->src + o, '\n', e - o);
		size_t stop = nl ? (size_t)(nl - b->src) + 1 : e;
		buf_append(&out, b->src + o, stop - o);
		o = stop;
		at_line = nl != NULL;
	}
	if (out.len != e - s) {
		n->text = arena_strndup(b->l->arena, out.data ? out.data : "", out.len);
		n->len = out.len;
		if (n->len == 0)
			b->n--;  /* nothing left */
	}
	buf_free(&out);
}

/* Indentation [from, from + len) without its first `dedent` bytes. */
static void set_indent(struct builder *b, size_t idx, size_t from, size_t len,
		       size_t dedent)
{
	size_t k = dedent < len ? dedent : len;
	b->nodes[idx].indent = b->src + from + k;
	b->nodes[idx].indent_len = len - k;
}

static void build_range(struct builder *b, size_t from, size_t to, size_t dedent);

static void build_block(struct builder *b, size_t i, size_t dedent)
{
	const struct mtok *t = &b->toks[i];
	size_t idx = add_node(b, MN_BLOCK, t);
	size_t inner = dedent;
	if (t->standalone) {
		/* Content starts on the next line: its indentation is the block's. */
		size_t w = 0;
		while (t->next_line + w < b->len && is_blank(b->src[t->next_line + w]))
			w++;
		set_indent(b, idx, t->next_line, w, dedent);
		b->nodes[idx].flags |= MNF_INDENT_DEFAULT;
		inner = w;
	} else {
		/* Inline, after blanks only: an override's later lines line up. */
		size_t o = t->line_start;
		while (o < t->start && is_blank(b->src[o]))
			o++;
		if (o == t->start)
			set_indent(b, idx, t->line_start, t->start - t->line_start,
				   dedent);
	}
	build_range(b, i + 1, t->match, inner);
	b->nodes[idx].end = b->n;
}

/* A partial or parent's name: static (checked now) or dynamic. */
static void set_partial(struct builder *b, size_t idx, const struct mtok *t,
			size_t dedent)
{
	if (t->dynamic) {
		b->nodes[idx].flags |= MNF_DYNAMIC;
		set_name(b, idx, t);
	} else if (!mustache_name_valid(b->src + t->name, t->name_len)) {
		diag_error(b->d, b->file, t->line, t->col,
			   "invalid %s name '%.*s': use letters, digits, '_', '-', "
			   "'.' and '/' only, without '..' or a leading '/'",
			   t->type == T_PARENT ? "parent" : "partial",
			   (int)t->name_len, b->src + t->name);
		b->failed = true;
	}
	if (t->standalone)
		set_indent(b, idx, t->line_start, t->ind_len, dedent);
}

static void build_range(struct builder *b, size_t from, size_t to, size_t dedent)
{
	size_t i = from;
	while (i < to) {
		const struct mtok *t = &b->toks[i];
		size_t idx;
		switch (t->type) {
		case T_TEXT:
			add_text(b, t, dedent);
			i++;
			break;
		case T_VAR:
		case T_RAW:
			idx = add_node(b, t->type == T_VAR ? MN_VAR : MN_RAW, t);
			set_name(b, idx, t);
			i++;
			break;
		case T_SECTION:
		case T_INVERTED:
			idx = add_node(b, t->type == T_SECTION ? MN_SECTION : MN_INVERTED, t);
			set_name(b, idx, t);
			build_range(b, i + 1, t->match, dedent);
			b->nodes[idx].end = b->n;
			i = t->match + 1;
			break;
		case T_PARTIAL:
			idx = add_node(b, MN_PARTIAL, t);
			set_partial(b, idx, t, dedent);
			i++;
			break;
		case T_PARENT:
			idx = add_node(b, MN_PARENT, t);
			set_partial(b, idx, t, dedent);
			/* Only the blocks directly inside count; the rest is ignored. */
			for (size_t j = i + 1; j < t->match;) {
				const struct mtok *c = &b->toks[j];
				if (c->type == T_BLOCK)
					build_block(b, j, dedent);
				if (c->type == T_BLOCK || c->type == T_SECTION ||
				    c->type == T_INVERTED || c->type == T_PARENT)
					j = c->match + 1;
				else
					j++;
			}
			b->nodes[idx].end = b->n;
			i = t->match + 1;
			break;
		case T_BLOCK:
			build_block(b, i, dedent);
			i = t->match + 1;
			break;
		default:  /* comments, delimiter changes */
			i++;
			break;
		}
	}
}

/* Finds the partials and parents named statically (l->lock held). */
static void resolve(struct mustache_template *tpl, struct diags *d)
{
	struct mustache_loader *l = tpl->loader;
	for (size_t i = 0; i < tpl->n; i++) {
		struct mnode *n = &tpl->nodes[i];
		if ((n->kind != MN_PARTIAL && n->kind != MN_PARENT) ||
		    (n->flags & MNF_DYNAMIC))
			continue;
		bool missing;
		n->target = mustache_find_locked(l, n->text, n->len, d, tpl->name,
						 n->line, n->col, &missing);
		if (n->target)
			continue;
		if (missing && l->lenient)
			continue;
		if (missing)
			mustache_report_missing(l, d, tpl->name, n->line, n->col,
						n->kind == MN_PARENT ? "parent" : "partial",
						n->text, n->len);
		tpl->failed = true;
	}
}

struct mustache_template *mustache_compile_locked(struct mustache_loader *l,
						  const char *display,
						  const char *cache_name,
						  const char *text, size_t len,
						  struct diags *d)
{
	struct mustache_template *tpl = arena_calloc(l->arena, 1, sizeof(*tpl));
	tpl->name = arena_strdup(l->arena, display);
	tpl->loader = l;
	if (cache_name)
		strmap_put(l->cache, arena_strdup(l->arena, cache_name), tpl);

	char *src = arena_strndup(l->arena, text ? text : "", text ? len : 0);
	struct lexer lx = {
		.src = src, .len = text ? len : 0,
		.otag = "{{", .olen = 2, .ctag = "}}", .clen = 2,
		.lc_line = 1, .file = tpl->name, .d = d,
	};
	struct builder b = {
		.l = l, .src = src, .len = lx.len, .file = tpl->name, .d = d,
	};
	if (!lex(&lx)) {
		tpl->failed = true;
		goto out;
	}
	mark_standalone(lx.toks, lx.n, src);
	b.toks = lx.toks;
	build_range(&b, 0, lx.n, 0);
	if (b.failed) {
		tpl->failed = true;
		goto out;
	}
	if (b.n) {
		tpl->nodes = arena_alloc(l->arena, b.n * sizeof(*tpl->nodes));
		memcpy(tpl->nodes, b.nodes, b.n * sizeof(*tpl->nodes));
		tpl->n = b.n;
	}
	resolve(tpl, d);
out:
	if (tpl->failed)
		tpl->n = 0;
	free(lx.toks);
	free(b.nodes);
	return tpl;
}
