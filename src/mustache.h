/*
 * mustache.h -- Mustache templates: compile once, render many times.
 *
 * The language is the public Mustache specification (core modules plus
 * ~inheritance and ~dynamic-names; no lambdas).  A template is compiled
 * into an immutable node array; partials and parents named in it are
 * compiled at the same time and cached in the loader, so that many
 * documents share one compiled layout.  Views are cJSON trees.
 *
 * Ownership: the loader owns every template it compiles (including those
 * returned by mustache_compile) and frees them all in mustache_loader_free.
 *
 * Threads: mustache_render never modifies a template, so any number of
 * threads may render the same template at once.  The loader's cache is
 * guarded by a mutex (dynamic partial names are looked up while
 * rendering); compile and render may therefore also run concurrently.
 *
 * Errors are diagnostics (file, line, column of the template) appended to
 * the struct diags given; nothing is printed.
 */
#ifndef DRGEN_MUSTACHE_H
#define DRGEN_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "util.h"

/* Sections nested inside one template (compile error beyond this). */
#define MUSTACHE_MAX_NESTING 100
/*
 * Sections, partials, parents and blocks entered while rendering, all
 * counted together; also bounds chains of partials while compiling.  A
 * recursive partial that never stops is reported, not a stack overflow.
 */
#define MUSTACHE_MAX_DEPTH 256
/* Default limits of one render (mustache_loader_set_limits). */
#define MUSTACHE_MAX_OUTPUT ((size_t)256 << 20)  /* bytes written */
#define MUSTACHE_MAX_STEPS  ((uint64_t)50000000)  /* nodes visited */

struct mustache_loader;
struct mustache_template;

/* A template file read from a directory, for the evidence manifest. */
struct mustache_file {
	const char *name;  /* the name used in templates ("runbook", "partials/head") */
	const char *path;  /* the file read: DIR/NAME.mustache */
	char sha256[65];   /* of the text read (lowercase hex) */
	uint64_t size;
};

/* A loader with no directories and no in-memory templates. */
struct mustache_loader *mustache_loader_new(void);
/* Frees the loader and every template it compiled.  NULL is allowed. */
void mustache_loader_free(struct mustache_loader *l);

/*
 * Adds a directory to search, after those added before (drgen: the plan's
 * templates/, then --templates DIR, then the shipped templates/).  NAME is
 * found as DIR/NAME.mustache.  dir is copied; it need not exist.
 */
void mustache_loader_add_dir(struct mustache_loader *l, const char *dir);

/*
 * Registers an in-memory template, found before any directory (tests, the
 * spec runner).  name and text are copied.  Replaces an earlier text of
 * the same name unless that one has already been compiled.
 */
void mustache_loader_add_text(struct mustache_loader *l, const char *name,
			      const char *text, size_t len);

/*
 * By default a partial or parent that cannot be found is an error.  The
 * specification says it renders as the empty string; lenient mode does
 * that (used by the conformance runner).  Like the limits below, set it
 * before compiling or rendering.
 */
void mustache_loader_set_lenient(struct mustache_loader *l, bool lenient);

/* Limits of each render: bytes of output and nodes visited (0 = default). */
void mustache_loader_set_limits(struct mustache_loader *l, size_t max_output,
				uint64_t max_steps);

/*
 * A budget shared by every render through l, on any thread (0 = none):
 * bytes of output and nodes visited, summed over all renders.  A render
 * that would go past it fails at the template node it reached, with a
 * diagnostic naming the template ("... budget of this build ...").  The
 * counters are atomic; steps are added in batches of
 * MUSTACHE_BUDGET_BATCH, bytes as they reach the sink and when a render
 * ends.
 */
#define MUSTACHE_BUDGET_BATCH 1024
void mustache_loader_set_budget(struct mustache_loader *l, uint64_t bytes,
				uint64_t steps);

/*
 * Compiles text[0..len) (copied).  name is the file name shown in
 * diagnostics.  Partials and parents with static names are found through
 * the loader now.  Returns NULL after adding diagnostics when the template
 * or a partial it needs is malformed or missing.  The result is borrowed
 * from the loader (valid until mustache_loader_free).
 */
const struct mustache_template *mustache_compile(const char *name,
						 const char *text, size_t len,
						 struct mustache_loader *l,
						 struct diags *d);

/*
 * Finds the template NAME (in memory, then DIR/NAME.mustache in each
 * directory), compiling it the first time.  Returns NULL with a
 * diagnostic when it is missing, malformed or outside the directories.
 * Borrowed from the loader.
 */
const struct mustache_template *mustache_loader_get(struct mustache_loader *l,
						    const char *name,
						    struct diags *d);

/* The file name given to mustache_compile, or the path a template was read from. */
const char *mustache_template_name(const struct mustache_template *t);

/*
 * Renders t with view (NULL renders as an empty context) and appends the
 * result to out.  Returns false with diagnostics when a dynamic partial is
 * missing or a limit is reached; out then holds a truncated rendering.
 */
bool mustache_render(const struct mustache_template *t, const cJSON *view,
		     struct buf *out, struct diags *d);

/*
 * A list whose items are built only while the renderer is at them, so a
 * view that lists tens of thousands of rows never holds them all: each
 * item is built, rendered and freed in turn.  The node is an empty cJSON
 * array (every cJSON function sees an ordinary empty array) flagged
 * MUSTACHE_LIST_FLAG, whose valuestring carries the struct; cJSON_Delete
 * frees that with free(), so a list and whatever its item function needs
 * are one malloc'ed block that embeds struct mustache_list first.
 * item() must be thread-safe like the rest of a view, and returns a new
 * tree the renderer deletes.
 */
#define MUSTACHE_LIST_FLAG (1 << 12)

struct mustache_list {
	size_t n;
	cJSON *(*item)(const struct mustache_list *l, size_t i);
};

/* The node for list l (malloc'ed; owned by the node from now on). */
cJSON *mustache_list_node(struct mustache_list *l);
/* Member `key` of object o (case-sensitive), as {{key}} finds it; or NULL. */
const cJSON *mustache_member(const cJSON *o, const char *key);

/* The list a node carries, or NULL for any other node. */
const struct mustache_list *mustache_list_of(const cJSON *node);
/*
 * A copy of view with every lazy list built into an ordinary array (for
 * tests and for looking at a whole view).  Caller frees with cJSON_Delete.
 */
cJSON *mustache_view_expand(const cJSON *view);

/*
 * What {{name}} escapes.  HTML (the default) escapes & < > " '.  MARKDOWN is
 * for GitHub-flavoured Markdown documents: it backslash-escapes the
 * punctuation that forms emphasis, code, links, tables and headings
 * (\\ ` * _ [ ] | ~ #), writes & < > as entities so no raw HTML can form,
 * and turns line breaks into spaces so a value cannot end a table row.
 * {{{name}}} and {{&name}} are never escaped.
 */
enum mustache_escape { MUSTACHE_ESCAPE_HTML, MUSTACHE_ESCAPE_MARKDOWN };

/* mustache_render with the given escaping. */
bool mustache_render_escaped(const struct mustache_template *t, const cJSON *view,
			     enum mustache_escape esc, struct buf *out,
			     struct diags *d);

/*
 * mustache_render_escaped that hands finished output to sink while it
 * renders: after each item of a lazy list, once out holds at least
 * MUSTACHE_FLUSH_BYTES, sink gets out's contents and out is emptied, so
 * a document of tens of megabytes is never held whole.  When it returns,
 * out holds the rest (sink is never called with it).  A sink that returns
 * false stops the render (false, no diagnostic: the sink reports).
 */
#define MUSTACHE_FLUSH_BYTES ((size_t)1 << 20)
typedef bool mustache_sink(void *ctx, const char *data, size_t len);
bool mustache_render_to(const struct mustache_template *t, const cJSON *view,
			enum mustache_escape esc, struct buf *out,
			mustache_sink *sink, void *sink_ctx, struct diags *d);

/*
 * The template files read from directories so far, sorted by path.
 * Borrowed; valid until the loader next reads a file (call it when no
 * render is running).
 */
size_t mustache_loader_files(struct mustache_loader *l,
			     const struct mustache_file **out);

/*
 * Whether name may name a partial: [A-Za-z0-9_./-] only, not empty, not
 * absolute, no empty, "." or ".." segments.
 */
bool mustache_name_valid(const char *name, size_t len);

#endif
