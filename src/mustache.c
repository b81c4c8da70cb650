/*
 * mustache.c -- the loader: where templates come from, and its cache.
 *
 * A name is looked up in the in-memory texts first, then as
 * DIR/NAME.mustache in each directory in the order they were added; the
 * first hit wins.  Names are checked lexically (mustache_name_valid) and
 * the file found must lie, after resolving symbolic links, inside its
 * directory, so a template can never reach outside the directories.
 *
 * Every compiled template lives in the loader's arena until the loader is
 * freed; the cache maps a name to its template, including templates that
 * failed (so an error is reported once) and templates still being
 * compiled (so recursive partials find themselves).  One mutex guards the
 * arena, the cache and the list of files read; templates themselves are
 * immutable once compiled.
 */
#include "mustache_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"

struct mustache_loader *mustache_loader_new(void)
{
	struct mustache_loader *l = xcalloc(1, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->arena = arena_new();
	l->texts = strmap_new(16);
	l->cache = strmap_new(16);
	l->max_output = MUSTACHE_MAX_OUTPUT;
	l->max_steps = MUSTACHE_MAX_STEPS;
	atomic_init(&l->used_bytes, 0);
	atomic_init(&l->used_steps, 0);
	return l;
}

void mustache_loader_free(struct mustache_loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_dirs; i++)
		free(l->dirs[i]);
	free(l->dirs);
	free(l->files);
	strmap_free(l->texts);
	strmap_free(l->cache);
	arena_free(l->arena);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void mustache_loader_add_dir(struct mustache_loader *l, const char *dir)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	pthread_mutex_lock(&l->lock);
	l->dirs = xrealloc(l->dirs, (l->n_dirs + 1) * sizeof(*l->dirs));
	l->dirs[l->n_dirs++] = xstrndup(dir, len);
	pthread_mutex_unlock(&l->lock);
}

void mustache_loader_add_text(struct mustache_loader *l, const char *name,
			      const char *text, size_t len)
{
	pthread_mutex_lock(&l->lock);
	struct mtext *t = arena_alloc(l->arena, sizeof(*t));
	t->text = arena_strndup(l->arena, text, len);
	t->len = len;
	strmap_put(l->texts, arena_strdup(l->arena, name), t);
	pthread_mutex_unlock(&l->lock);
}

void mustache_loader_set_lenient(struct mustache_loader *l, bool lenient)
{
	l->lenient = lenient;
}

void mustache_loader_set_budget(struct mustache_loader *l, uint64_t bytes,
				uint64_t steps)
{
	l->budget_bytes = bytes;
	l->budget_steps = steps;
}

void mustache_loader_set_limits(struct mustache_loader *l, size_t max_output,
				uint64_t max_steps)
{
	l->max_output = max_output ? max_output : MUSTACHE_MAX_OUTPUT;
	l->max_steps = max_steps ? max_steps : MUSTACHE_MAX_STEPS;
}

const char *mustache_template_name(const struct mustache_template *t)
{
	return t->name;
}

bool mustache_name_valid(const char *name, size_t len)
{
	if (len == 0 || name[0] == '/')
		return false;
	size_t seg = 0;  /* start of the current segment */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/') {
			char c = name[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
				return false;
			continue;
		}
		size_t n = i - seg;
		if (n == 0 || (n == 1 && name[seg] == '.') ||
		    (n == 2 && name[seg] == '.' && name[seg + 1] == '.'))
			return false;
		seg = i + 1;
	}
	return true;
}

/* A cache entry for a template that could not be read. */
static void cache_failure(struct mustache_loader *l, const char *key,
			  const char *display)
{
	struct mustache_template *t = arena_calloc(l->arena, 1, sizeof(*t));
	t->name = arena_strdup(l->arena, display);
	t->loader = l;
	t->failed = true;
	strmap_put(l->cache, key, t);
}

static void record_file(struct mustache_loader *l, const char *name,
			const char *path, const struct source_file *f)
{
	if (l->n_files == l->cap_files) {
		l->cap_files = l->cap_files ? l->cap_files * 2 : 16;
		l->files = xrealloc(l->files, l->cap_files * sizeof(*l->files));
	}
	struct mustache_file *m = &l->files[l->n_files++];
	m->name = name;
	m->path = path;
	source_sha256_hex(f->data, f->len, m->sha256);
	m->size = f->len;
}

/* Reads and compiles DIR/NAME.mustache when it exists; *found says whether it did. */
static const struct mustache_template *
load_from_dir(struct mustache_loader *l, const char *dir, const char *key,
	      struct diags *d, const char *file, int line, int col, bool *found)
{
	const struct mustache_template *t = NULL;
	char *path = xasprintf("%s/%s.mustache", dir, key);
	struct stat st;
	*found = stat(path, &st) == 0;
	if (!*found)
		goto out_free;
	if (!source_path_inside(dir, path)) {
		diag_error(d, file, line, col,
			   "template '%s' resolves outside the template directory %s",
			   key, dir);
		cache_failure(l, key, path);
		goto out_free;
	}
	struct source_file f;
	if (!source_read_under(dir, path, SOURCE_MAX_TEMPLATE, &f, d)) {
		cache_failure(l, key, path);
		goto out_free;
	}
	const char *apath = arena_strdup(l->arena, path);
	record_file(l, key, apath, &f);
	l->compile_depth++;
	struct mustache_template *c =
		mustache_compile_locked(l, apath, key, f.data, f.len, d);
	l->compile_depth--;
	source_file_free(&f);
	t = c->failed ? NULL : c;
out_free:
	free(path);
	return t;
}

const struct mustache_template *mustache_find_locked(struct mustache_loader *l,
						     const char *name,
						     size_t len,
						     struct diags *d,
						     const char *file, int line,
						     int col, bool *missing)
{
	*missing = false;
	if (!mustache_name_valid(name, len)) {
		diag_error(d, file, line, col,
			   "invalid template name '%.*s': use letters, digits, '_', "
			   "'-', '.' and '/' only, without '..' or a leading '/'",
			   (int)len, name);
		return NULL;
	}
	const struct mustache_template *t = strmap_getn(l->cache, name, len);
	if (t)
		return t->failed ? NULL : t;
	if (l->compile_depth >= MUSTACHE_MAX_DEPTH) {
		diag_error(d, file, line, col,
			   "partials nested deeper than %d levels while compiling '%.*s'",
			   MUSTACHE_MAX_DEPTH, (int)len, name);
		return NULL;
	}
	const char *key = arena_strndup(l->arena, name, len);
	const struct mtext *mt = strmap_get(l->texts, key);
	if (mt) {
		l->compile_depth++;
		struct mustache_template *c =
			mustache_compile_locked(l, key, key, mt->text, mt->len, d);
		l->compile_depth--;
		return c->failed ? NULL : c;
	}
	for (size_t i = 0; i < l->n_dirs; i++) {
		bool found;
		t = load_from_dir(l, l->dirs[i], key, d, file, line, col, &found);
		if (found)
			return t;
	}
	*missing = true;
	return NULL;
}

void mustache_report_missing(struct mustache_loader *l, struct diags *d,
			     const char *file, int line, int col,
			     const char *what, const char *name, size_t len)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < l->n_dirs; i++)
		buf_printf(&b, "%s%s/%.*s.mustache", i ? ", " : "", l->dirs[i],
			   (int)len, name);
	if (l->n_dirs)
		diag_error(d, file, line, col, "unknown %s '%.*s' (looked for %s)",
			   what, (int)len, name, b.data);
	else
		diag_error(d, file, line, col,
			   "unknown %s '%.*s' (no template directory given)", what,
			   (int)len, name);
	buf_free(&b);
}

const struct mustache_template *mustache_compile(const char *name,
						 const char *text, size_t len,
						 struct mustache_loader *l,
						 struct diags *d)
{
	pthread_mutex_lock(&l->lock);
	size_t before = diags_count(d, DIAG_ERROR);
	struct mustache_template *t =
		mustache_compile_locked(l, name, NULL, text, len, d);
	if (t->failed && diags_count(d, DIAG_ERROR) == before)
		diag_error(d, name, 0, 0,
			   "template uses a partial that failed to compile");
	pthread_mutex_unlock(&l->lock);
	return t->failed ? NULL : t;
}

const struct mustache_template *mustache_loader_get(struct mustache_loader *l,
						    const char *name,
						    struct diags *d)
{
	pthread_mutex_lock(&l->lock);
	bool missing;
	size_t before = diags_count(d, DIAG_ERROR);
	const struct mustache_template *t =
		mustache_find_locked(l, name, strlen(name), d, NULL, 0, 0, &missing);
	if (!t && missing)
		mustache_report_missing(l, d, NULL, 0, 0, "template", name,
					strlen(name));
	else if (!t && diags_count(d, DIAG_ERROR) == before)
		diag_error(d, NULL, 0, 0, "template '%s' failed to compile", name);
	pthread_mutex_unlock(&l->lock);
	return t;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mustache_file *)a)->path,
		      ((const struct mustache_file *)b)->path);
}

size_t mustache_loader_files(struct mustache_loader *l,
			     const struct mustache_file **out)
{
	pthread_mutex_lock(&l->lock);
	if (l->n_files > 1)
		qsort(l->files, l->n_files, sizeof(*l->files), file_cmp);
	size_t n = l->n_files;
	*out = l->files;
	pthread_mutex_unlock(&l->lock);
	return n;
}
