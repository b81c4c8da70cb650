/*
 * mustache_int.h -- what mustache.c, mustache_parse.c and mustache_render.c
 * share: the compiled form of a template and the loader's internals.
 *
 * A compiled template is a flat array of nodes in document order.  A
 * container node (section, inverted section, parent, block) is followed by
 * its children; its `end` is the index one past its last descendant, so a
 * renderer skips a false section with `i = node->end` and never allocates.
 * The children of a parent node are only its block overrides.
 */
#ifndef DRGEN_MUSTACHE_INT_H
#define DRGEN_MUSTACHE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "mustache.h"

enum mnode_kind {
	MN_TEXT,      /* literal text */
	MN_VAR,       /* {{name}}: escaped */
	MN_RAW,       /* {{{name}}} or {{&name}} */
	MN_SECTION,   /* {{#name}} ... {{/name}} */
	MN_INVERTED,  /* {{^name}} ... {{/name}} */
	MN_PARTIAL,   /* {{>name}} */
	MN_PARENT,    /* {{<name}} overrides {{/name}} */
	MN_BLOCK,     /* {{$name}} default {{/name}} */
};

enum {
	MNF_DYNAMIC = 1,        /* {{>*name}}: the partial's name is looked up in the view */
	MNF_INDENT_DEFAULT = 2, /* block: its default content is indented too */
};

/* A dotted name split at compile time; nparts == 0 is the implicit ".". */
struct mname {
	const char *const *parts;  /* NUL-terminated segments */
	size_t nparts;
};

struct mnode {
	unsigned char kind;   /* enum mnode_kind */
	unsigned char flags;  /* MNF_* */
	size_t end;           /* containers: one past the last descendant */
	const char *text;     /* text, or the name as written */
	size_t len;
	struct mname name;    /* variables, sections, dynamic partials/parents */
	const char *indent;   /* partial/parent/block: indentation added to each line */
	size_t indent_len;
	/* partial/parent with a static name; NULL when missing (lenient) */
	const struct mustache_template *target;
	int line, col;
};

struct mustache_template {
	const char *name;     /* shown in diagnostics */
	struct mnode *nodes;
	size_t n;
	struct mustache_loader *loader;
	bool failed;          /* compile failed: renders nothing */
};

struct mustache_loader {
	pthread_mutex_t lock;     /* guards everything below */
	struct arena *arena;      /* templates, nodes, names, texts */
	char **dirs;
	size_t n_dirs;
	struct strmap *texts;     /* name -> struct mtext (in-memory templates) */
	struct strmap *cache;     /* name -> struct mustache_template */
	struct mustache_file *files;
	size_t n_files, cap_files;
	bool lenient;
	size_t max_output;
	uint64_t max_steps;
	/* The budget of all renders through this loader (0: none), and what
	 * they have used so far, from any thread. */
	uint64_t budget_bytes, budget_steps;
	_Atomic uint64_t used_bytes, used_steps;
	int compile_depth;        /* partials being compiled, nested */
};

struct mtext {
	const char *text;
	size_t len;
};

/*
 * Compiles text into a template owned by l (l->lock held).  Static
 * partials are resolved through mustache_find_locked.  Never returns NULL:
 * on errors the result has failed set and no nodes.  When cache_name is
 * not NULL the template is entered in the cache before its partials are
 * resolved, so that recursive partials find it.
 */
struct mustache_template *mustache_compile_locked(struct mustache_loader *l,
						  const char *display,
						  const char *cache_name,
						  const char *text, size_t len,
						  struct diags *d);

/*
 * Finds (and compiles on first use) the template called name[0..len),
 * l->lock held.  file/line/col locate the tag that names it, for
 * diagnostics.  Returns NULL when it is missing (*missing set, no
 * diagnostic: the caller decides), invalid, outside the directories or
 * malformed (diagnostic added, *missing clear).
 */
const struct mustache_template *mustache_find_locked(struct mustache_loader *l,
						     const char *name,
						     size_t len,
						     struct diags *d,
						     const char *file, int line,
						     int col, bool *missing);

/* Adds the "unknown partial" diagnostic for a tag. */
void mustache_report_missing(struct mustache_loader *l, struct diags *d,
			     const char *file, int line, int col,
			     const char *what, const char *name, size_t len);

#endif
