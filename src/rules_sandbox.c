/*
 * rules_sandbox.c -- the confined Lua state the rule files run in.
 *
 * Confinement is by construction, not by removal after the fact:
 *
 *  - The state comes from lua_newstate with our allocator, which keeps a
 *    count of the bytes in use and refuses growth past mem_limit (the whole
 *    build's cap, lowered to "usage at call start + RULES_CALL_MEMORY"
 *    while a rule function runs).
 *  - Only base, string, table, math and utf8 are opened.  The functions a
 *    rule may use are copied into a private table and the real global
 *    table is then emptied, so nothing else is reachable by name.  Every
 *    rule file (and every module it requires) gets a fresh _ENV holding
 *    fresh copies of that table and of the library tables, so no rule can
 *    change what another sees.  The string metatable is locked.
 *  - Replaced functions: load (text only, _ENV defaults to the caller's
 *    file), require (other rule files only, text only, same sandbox),
 *    setmetatable (no __gc: finalizers run with hooks off), rawset and next
 *    (aware of read-only views), print (becomes a diagnostic note, cut to
 *    a few KiB), string.find/match/gmatch/gsub (refused when the matcher's
 *    worst-case work is too large: it runs in C, out of the hook's reach)
 *    and string.rep (which loops in C even for an empty result).
 *    Removed: dofile, loadfile, collectgarbage, string.dump, math.random,
 *    math.randomseed (output must be reproducible), io, os, package,
 *    debug, coroutine.
 *  - A count hook charges every HOOK_STEP instructions to the call's budget.
 *    When the budget (or memory, or the wall-clock backstop) runs out the
 *    abort is sticky: the hook is re-armed to fire on every instruction
 *    and raises an error each time, so a pcall inside the rule can catch
 *    the error but cannot run one more instruction after catching it.
 *    A memory error names the line that asked for the memory.
 *
 * Rule files are named by logical name ("tiers", "compliance/evidence");
 * their chunk name is "@NAME.lua", short enough that Lua never abbreviates
 * it, and diagnostics map it back to the path the user can open.
 */
#include "rules_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lualib.h>

#include "dates.h"
#include "source.h"

#define HOOK_STEP 1000
#define NAME_MAX_LEN 64
#define PRINT_MAX 100
#define PRINT_NOTE_MAX 4096           /* bytes of one print note */
#define PRINT_BYTES_MAX (64u << 10)   /* bytes of print notes per build */

/* Functions of base a rule may use as they are. */
static const char *const base_allowed[] = {
	"assert", "error", "getmetatable", "ipairs", "pairs", "pcall",
	"rawequal", "rawget", "rawlen", "select", "tonumber", "tostring",
	"type", "xpcall", "_VERSION",
};

static const char *const abort_messages[] = {
	[ABORT_NONE] = "",
	[ABORT_BUDGET] = "instruction limit exceeded",
	[ABORT_MEMORY] = "memory limit exceeded",
	[ABORT_TIME] = "time limit exceeded",
};

struct rules *rules_of(lua_State *L)
{
	struct rules *r;

	memcpy(&r, lua_getextraspace(L), sizeof(r));
	return r;
}

static void sandbox_hook(lua_State *L, lua_Debug *ar);
static char *where_refused(lua_State *L);

/*
 * Up to Lua 5.4.4 the stack is grown by allocating a new one beside the
 * old, so the call frames can be read from inside any allocation; from
 * 5.4.5 on they are offsets while the stack moves, and only Lua's retry
 * after an emergency collection (never made while the stack moves) is a
 * safe moment.  Library buffers (string.rep) are not retried: on those
 * versions their refusal is placed by the hook, or has no line.
 */
#if LUA_VERSION_RELEASE_NUM <= 50404
#define FRAMES_READABLE_IN_ALLOC 1
#else
#define FRAMES_READABLE_IN_ALLOC 0
#endif

/* ---- allocator ---------------------------------------------------------- */

/*
 * Lua allocates and frees millions of small objects (tables, strings,
 * views); blocks up to SMALL_MAX bytes come from free lists per 16-byte
 * class carved out of 64 KiB slabs, which is several times faster than
 * malloc for this pattern and never triggers its consolidation passes.
 * Slabs are released when the state closes.  The books count the sizes
 * Lua asks for, so the cap means the same with either path.
 */
static size_t small_class(size_t size)
{
	return (size - 1) / SMALL_STEP;
}

static void *small_alloc(struct rules *r, size_t cls)
{
	size_t size = (cls + 1) * SMALL_STEP;
	void *p = r->free_list[cls];

	if (p) {
		r->free_list[cls] = *(void **)p;
		return p;
	}
	if (r->bump_left < size) {
		struct rules_slab *slab = malloc(SLAB_SIZE);
		if (!slab)
			return NULL;
		slab->next = r->slabs;
		r->slabs = slab;
		r->bump = (char *)slab + sizeof(*slab);
		r->bump_left = SLAB_SIZE - sizeof(*slab);
	}
	p = r->bump;
	r->bump += size;
	r->bump_left -= size;
	return p;
}

static void block_free(struct rules *r, void *p, size_t size)
{
	if (size <= SMALL_MAX) {
		size_t cls = small_class(size);
		*(void **)p = r->free_list[cls];
		r->free_list[cls] = p;
	} else {
		free(p);
	}
}

static void *block_alloc(struct rules *r, size_t size)
{
	return size <= SMALL_MAX ? small_alloc(r, small_class(size)) : malloc(size);
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rules *r = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		if (ptr)
			block_free(r, ptr, osize);
		r->mem_used -= old;
		return NULL;
	}
	if (nsize > old && r->mem_used - old + nsize > r->mem_limit) {
		if (r->L && r->hook_armed) {
			if (!r->mem_refused)
				lua_sethook(r->L, sandbox_hook, LUA_MASKCOUNT, 1);
			if (!r->abort_where && (FRAMES_READABLE_IN_ALLOC ||
			    (r->mem_refused && ptr == r->refused_ptr &&
			     osize == r->refused_osize && nsize == r->refused_nsize)))
				r->abort_where = where_refused(r->L);
			r->refused_ptr = ptr;
			r->refused_osize = osize;
			r->refused_nsize = nsize;
		}
		r->mem_refused = true;
		return NULL;
	}
	if (!ptr) {
		p = block_alloc(r, nsize);
	} else if (osize <= SMALL_MAX && nsize <= SMALL_MAX &&
		   small_class(osize) == small_class(nsize)) {
		p = ptr;
	} else if (osize > SMALL_MAX && nsize > SMALL_MAX) {
		p = realloc(ptr, nsize);
		if (!p)
			return nsize <= old ? ptr : NULL;  /* a failed shrink keeps the block */
	} else {
		p = block_alloc(r, nsize);
		if (!p)
			return nsize <= old ? ptr : NULL;
		memcpy(p, ptr, old < nsize ? old : nsize);
		block_free(r, ptr, osize);
	}
	if (!p)
		return NULL;
	r->mem_used = r->mem_used - old + nsize;
	if (r->mem_used > r->mem_peak)
		r->mem_peak = r->mem_used;
	return p;
}

static int sandbox_panic(lua_State *L)
{
	/* Unreachable: every entry into Lua is protected.  Never longjmp blind. */
	(void)L;
	abort();
}

/* ---- positions ---------------------------------------------------------- */

/* The file record whose chunk name is `chunk` (len bytes). */
static const struct rules_file *file_by_chunk(const struct rules *r,
					      const char *chunk, size_t len)
{
	for (size_t i = 0; i < r->n_files; i++) {
		if (strlen(r->chunks[i]) == len && memcmp(chunk, r->chunks[i], len) == 0)
			return &r->files[i];
	}
	return NULL;
}

/*
 * Splits "NAME.lua:12: message" into the user-visible file, line and the
 * rest.  Returns false when msg does not start with a known rule position.
 */
static bool split_position(const struct rules *r, const char *msg,
			   const char **file, int *line, const char **rest)
{
	const char *colon = strchr(msg, ':');
	const struct rules_file *rf;
	char *end;
	long n;

	if (!colon || colon == msg)
		return false;
	rf = file_by_chunk(r, msg, (size_t)(colon - msg));
	if (!rf)
		return false;
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ':' || errno || n <= 0 || n > INT32_MAX)
		return false;
	*file = rf->path;
	*line = (int)n;
	*rest = end + 1;
	while (**rest == ' ')
		(*rest)++;
	return true;
}

void rules_sandbox_funcpos(struct rules *r, int idx, const char **file,
			   int *line)
{
	lua_Debug ar;
	const char *rest;

	*file = NULL;
	*line = 0;
	lua_pushvalue(r->L, idx);
	if (!lua_isfunction(r->L, -1) || !lua_getinfo(r->L, ">S", &ar))
		return;
	char pos[LUA_IDSIZE + 24];
	snprintf(pos, sizeof(pos), "%s:%d:", ar.short_src, ar.linedefined);
	if (split_position(r, pos, file, line, &rest))
		return;
	*file = NULL;
	*line = 0;
}

/* "NAME.lua:12:" of the running function described by ar, or NULL. */
static char *where_at(lua_State *L, lua_Debug *ar)
{
	if (!lua_getinfo(L, "Sl", ar) || ar->currentline <= 0)
		return NULL;
	return xasprintf("%s:%d:", ar->short_src, ar->currentline);
}

/*
 * "NAME.lua:12:" of the innermost Lua function running (a library
 * function it called, such as string.rep, has no line), or NULL.
 * Called from the allocator when its frames can be read (see
 * FRAMES_READABLE_IN_ALLOC).
 */
static char *where_refused(lua_State *L)
{
	lua_Debug ar;

	for (int level = 0; level < 64 && lua_getstack(L, level, &ar); level++) {
		char *w = where_at(L, &ar);
		if (w)
			return w;
	}
	return NULL;
}

/* ---- the count hook ----------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
	struct rules *r = rules_of(L);

	if (r->abort == ABORT_NONE) {
		r->budget_used += HOOK_STEP;
		if (r->mem_refused)
			r->abort = ABORT_MEMORY;
		else if (r->budget_used > RULES_CALL_INSTRUCTIONS)
			r->abort = ABORT_BUDGET;
		else if ((++r->hook_ticks & 63) == 0 &&
			 seconds_since(&r->call_start) > RULES_CALL_SECONDS)
			r->abort = ABORT_TIME;
		if (r->abort == ABORT_NONE)
			return;
		/* A refused allocation may have said where it was asked for. */
		if (r->abort != ABORT_MEMORY || !r->abort_where) {
			free(r->abort_where);
			r->abort_where = where_at(L, ar);
		}
		/* From now on every instruction fails: pcall cannot absorb it. */
		lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
	}
	lua_pushstring(L, abort_messages[r->abort]);
	lua_error(L);
}

/* ---- calls -------------------------------------------------------------- */

static void report_error(struct rules *r, int status, const char *name,
			 const char *fn, const char *what, const char *id,
			 struct diags *d)
{
	lua_State *L = r->L;
	const char *file = rules_sandbox_path(r, name);
	const char *rest = NULL;
	int line = 0;
	struct buf msg = BUF_INIT;

	if (r->abort == ABORT_NONE && r->mem_refused)
		r->abort = ABORT_MEMORY;
	if (r->abort != ABORT_NONE) {
		if (r->abort_where)
			split_position(r, r->abort_where, &file, &line, &rest);
		buf_puts(&msg, abort_messages[r->abort]);
		if (r->abort == ABORT_BUDGET)
			buf_printf(&msg, " (%ld instructions per call)",
				   (long)RULES_CALL_INSTRUCTIONS);
		else if (r->abort == ABORT_MEMORY)
			buf_printf(&msg, " (%u MiB per call)", RULES_CALL_MEMORY >> 20);
		else
			buf_printf(&msg, " (%d s per call)", RULES_CALL_SECONDS);
	} else if (status == LUA_ERRMEM) {
		buf_puts(&msg, "out of memory");
	} else if (lua_type(L, -1) == LUA_TSTRING) {
		const char *s = lua_tostring(L, -1);
		if (!split_position(r, s, &file, &line, &rest))
			rest = s;
		buf_puts(&msg, rest);
	} else {
		buf_printf(&msg, "rule raised an error value of type %s",
			   luaL_typename(L, -1));
	}
	if (fn && what && id)
		buf_printf(&msg, " (in %s for %s \"%s\")", fn, what, id);
	else if (fn)
		buf_printf(&msg, " (in %s)", fn);
	diag_add(d, DIAG_ERROR, file, line, 0, NULL, "%s", msg.data);
	buf_free(&msg);
}

bool rules_sandbox_call(struct rules *r, int nargs, const char *name,
			const char *fn, const char *what, const char *id,
			struct diags *d)
{
	lua_State *L = r->L;
	size_t limit = r->mem_used + RULES_CALL_MEMORY;
	int status;

	r->abort = ABORT_NONE;
	r->mem_refused = false;
	r->refused_ptr = NULL;
	r->refused_osize = r->refused_nsize = 0;
	r->budget_used = 0;
	r->hook_ticks = 0;
	free(r->abort_where);
	r->abort_where = NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->call_start);
	r->mem_limit = limit < RULES_MEMORY_MAX ? limit : RULES_MEMORY_MAX;
	r->hook_armed = true;
	lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, HOOK_STEP);

	status = lua_pcall(L, nargs, 1, 0);

	lua_sethook(L, NULL, 0, 0);
	r->hook_armed = false;
	r->mem_limit = RULES_MEMORY_MAX;
	if (status == LUA_OK && r->abort == ABORT_NONE && !r->mem_refused)
		return true;
	report_error(r, status, name, fn, what, id, d);
	lua_pop(L, 1);
	if (r->abort == ABORT_MEMORY)   /* give the memory back for later calls */
		lua_gc(L, LUA_GCCOLLECT);
	r->mem_refused = false;
	return false;
}

/* ---- rule files --------------------------------------------------------- */

/* Logical names: segments of [A-Za-z0-9_-] joined by '/', no leading '-'. */
static bool name_valid(const char *name)
{
	size_t len = strlen(name);
	bool seg_start = true;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (c == '/') {
			if (seg_start)
				return false;
			seg_start = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' ||
		      (c == '-' && !seg_start)))
			return false;
		seg_start = false;
	}
	return !seg_start;
}

/*
 * dir/name.lua of the first directory from dirs[start] on that has it
 * (its index in *dir); caller frees.  NULL when none has it.
 */
static char *find_rule_file(const struct rules *r, const char *name,
			    size_t start, size_t *dir)
{
	for (size_t i = start; i < r->ndirs; i++) {
		const char *d = r->dirs[i];
		size_t dl = strlen(d);
		char *path;
		struct stat st;

		while (dl > 1 && d[dl - 1] == '/')
			dl--;
		path = xasprintf("%.*s/%s.lua", (int)dl, d, name);
		if (stat(path, &st) == 0) {  /* not regular: an error when read */
			*dir = i;
			return path;
		}
		free(path);
	}
	return NULL;
}

static void describe_dirs(const struct rules *r, const char *name, size_t start,
			  struct buf *b)
{
	buf_printf(b, "rule file %s.lua not found", name);
	if (start >= r->ndirs) {
		buf_puts(b, start ? " after the last rule directory" :
			 " (no rule directories)");
		return;
	}
	buf_puts(b, " (looked in ");
	for (size_t i = start; i < r->ndirs; i++)
		buf_printf(b, "%s%s", i > start ? ", " : "", r->dirs[i]);
	buf_puts(b, ")");
}

/*
 * Records a file read (once per path).  Its chunk name is "NAME.lua", or
 * "NAME.lua#2" for a second file of the same name (the rule an override
 * extends), so error positions map back to the right path.  A file read
 * again (the runbook stage starts a fresh interpreter) must not have
 * changed: the manifest lists the first read.  Returns SIZE_MAX if it has.
 */
static size_t record_file(struct rules *r, const char *name, const char *path,
			  const struct source_file *sf)
{
	unsigned same = 0;
	char sha[65];

	for (size_t i = 0; i < r->n_files; i++) {
		if (strcmp(r->files[i].path, path) == 0) {
			source_sha256_hex(sf->data, sf->len, sha);
			return strcmp(sha, r->files[i].sha256) == 0 ? i : SIZE_MAX;
		}
		if (strcmp(r->files[i].name, name) == 0)
			same++;
	}
	if (r->n_files == r->cap_files) {
		r->cap_files = r->cap_files ? r->cap_files * 2 : 8;
		r->files = xrealloc(r->files, r->cap_files * sizeof(*r->files));
		r->chunks = xrealloc(r->chunks, r->cap_files * sizeof(*r->chunks));
	}
	struct rules_file *f = &r->files[r->n_files];
	memset(f, 0, sizeof(*f));
	f->name = arena_strdup(r->arena, name);
	f->path = arena_strdup(r->arena, path);
	source_sha256_hex(sf->data, sf->len, f->sha256);
	f->size = sf->len;
	r->chunks[r->n_files] = same ? arena_printf(r->arena, "%s.lua#%u", name, same + 1) :
				       arena_printf(r->arena, "%s.lua", name);
	return r->n_files++;
}

static int sb_load(lua_State *L);
static int sb_require(lua_State *L);

/*
 * Pushes a fresh environment: copies of the allow-listed functions and
 * library tables, _G naming itself, and load/require bound to it.
 * `loaded` is the stack index of the require cache it shares; name and
 * dir say which file the environment is for (require of its own name
 * loads the file it replaces, from a later directory).
 */
static void push_env(struct rules *r, int loaded, const char *name, size_t dir)
{
	lua_State *L = r->L;
	int env;

	loaded = lua_absindex(L, loaded);
	lua_createtable(L, 0, 32);
	env = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_base);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -1) == LUA_TTABLE) {   /* a library: copy it */
			int lib = lua_gettop(L);
			lua_createtable(L, 0, 24);
			lua_pushnil(L);
			while (lua_next(L, lib)) {
				lua_pushvalue(L, -2);
				lua_insert(L, -2);
				lua_rawset(L, -4);
			}
			lua_replace(L, lib);
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, env);
	}
	lua_pop(L, 1);
	lua_pushvalue(L, env);
	lua_setfield(L, env, "_G");
	lua_pushvalue(L, env);
	lua_pushcclosure(L, sb_load, 1);
	lua_setfield(L, env, "load");
	lua_pushvalue(L, loaded);
	lua_pushstring(L, name);
	lua_pushinteger(L, (lua_Integer)dir);
	lua_pushcclosure(L, sb_require, 3);
	lua_setfield(L, env, "require");
}

/*
 * Reads and compiles rule file `name`, looking from dirs[start] on, with a
 * fresh _ENV sharing the require cache at `loaded`.  Pushes the chunk, or
 * returns false with the problem in err (and *line set when the file is
 * at fault).
 */
static bool compile_rule(struct rules *r, const char *name, size_t start,
			 int loaded, struct buf *err, const char **file, int *line)
{
	lua_State *L = r->L;
	struct source_file sf;
	size_t dir = 0;
	char *path = find_rule_file(r, name, start, &dir);
	size_t fi;
	int status;

	loaded = lua_absindex(L, loaded);
	*file = NULL;
	*line = 0;
	if (!path) {
		describe_dirs(r, name, start, err);
		return false;
	}
	const char *root = r->roots[dir] ? r->roots[dir] : r->dirs[dir];
	if (!source_read_under(root, path, SOURCE_MAX_RULE, &sf, r->d)) {
		buf_printf(err, "cannot read rule file %s", path);
		free(path);
		return false;
	}
	fi = record_file(r, name, path, &sf);
	if (fi == SIZE_MAX) {
		buf_printf(err, "rule file %s changed while drgen was running", path);
		free(path);
		source_file_free(&sf);
		return false;
	}
	free(path);
	char *chunk = xasprintf("@%s", r->chunks[fi]);
	status = luaL_loadbufferx(L, sf.data, sf.len, chunk, "t");
	free(chunk);
	source_file_free(&sf);
	*file = r->files[fi].path;
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		const char *rest = msg;
		if (!msg || !split_position(r, msg, file, line, &rest))
			rest = msg ? msg : "cannot compile";
		buf_puts(err, rest);
		lua_pop(L, 1);
		return false;
	}
	push_env(r, loaded, name, dir);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);  /* a chunk always has _ENV; be safe anyway */
	return true;
}

const char *rules_sandbox_path(const struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_files; i++) {
		if (strcmp(r->files[i].name, name) == 0)
			return r->files[i].path;
	}
	return NULL;
}

static struct rules_module *module_find(struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_mods; i++) {
		if (strcmp(r->mods[i].name, name) == 0)
			return &r->mods[i];
	}
	if (r->n_mods == r->cap_mods) {
		r->cap_mods = r->cap_mods ? r->cap_mods * 2 : 8;
		r->mods = xrealloc(r->mods, r->cap_mods * sizeof(*r->mods));
	}
	struct rules_module *mod = &r->mods[r->n_mods++];
	mod->name = xstrdup(name);
	mod->ref = LUA_NOREF;
	mod->failed = false;
	return mod;
}

bool rules_sandbox_module(struct rules *r, const char *name, struct diags *d)
{
	lua_State *L = r->L;
	struct rules_module *mod = module_find(r, name);
	struct buf err = BUF_INIT;
	const char *file;
	int line, top = lua_gettop(L);

	if (mod->ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, mod->ref);
		return true;
	}
	if (mod->failed)
		return false;
	mod->failed = true;
	r->d = d;
	if (!name_valid(name)) {
		diag_add(d, DIAG_ERROR, NULL, 0, 0, NULL,
			 "invalid rule name \"%s\"", name);
		goto out;
	}
	lua_newtable(L);  /* the require cache of this file and its modules */
	if (!compile_rule(r, name, 0, -1, &err, &file, &line)) {
		diag_add(d, DIAG_ERROR, file, line, 0, NULL, "%s", err.data);
		goto out;
	}
	if (!rules_sandbox_call(r, 0, name, NULL, NULL, NULL, d))
		goto out;
	if (lua_type(L, -1) != LUA_TTABLE) {
		diag_add(d, DIAG_ERROR, rules_sandbox_path(r, name), 0, 0, NULL,
			 "rule file must return a table of functions, not %s",
			 luaL_typename(L, -1));
		goto out;
	}
	mod->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	mod->failed = false;
out:
	buf_free(&err);
	lua_settop(L, top);
	if (mod->failed)
		return false;
	lua_rawgeti(L, LUA_REGISTRYINDEX, mod->ref);
	return true;
}

/* ---- replaced base functions -------------------------------------------- */

/* load(chunk [, chunkname [, mode [, env]]]): strings and text only. */
static int sb_load(lua_State *L)
{
	size_t len;
	const char *s = lua_tolstring(L, 1, &len);
	const char *name = luaL_optstring(L, 2, "load");
	const char *mode = luaL_optstring(L, 3, "t");
	char chunk[LUA_IDSIZE];
	int status;

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "load accepts only a string in rules");
	if (!strchr(mode, 't'))
		return luaL_error(L, "load: rules may load text chunks only");
	snprintf(chunk, sizeof(chunk), "=%s", name);
	status = luaL_loadbufferx(L, s, len, chunk, "t");
	if (status != LUA_OK) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	if (lua_isnone(L, 4))
		lua_pushvalue(L, lua_upvalueindex(1));
	else
		lua_pushvalue(L, 4);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

/*
 * require(name): another rule file, from the same directories, compiled in
 * text mode into its own environment and run once per requiring rule file.
 * A file that requires its own name gets the file it replaces (the same
 * name in a later directory), so an override can build on the shipped rule.
 */
static int sb_require(lua_State *L)
{
	struct rules *r = rules_of(L);
	const char *arg = luaL_checkstring(L, 1);
	const char *self = lua_tostring(L, lua_upvalueindex(2));
	size_t self_dir = (size_t)lua_tointeger(L, lua_upvalueindex(3));
	char name[NAME_MAX_LEN + 1], key[NAME_MAX_LEN + 24];
	size_t len = strlen(arg), start;
	struct buf err = BUF_INIT;
	const char *file;
	int line, loaded = lua_upvalueindex(1);

	if (len > NAME_MAX_LEN)
		return luaL_error(L, "require: invalid rule name \"%s\"", arg);
	for (size_t i = 0; i <= len; i++)
		name[i] = arg[i] == '.' ? '/' : arg[i];
	if (!name_valid(name))
		return luaL_error(L, "require: invalid rule name \"%s\"", arg);
	start = self && strcmp(self, name) == 0 ? self_dir + 1 : 0;
	snprintf(key, sizeof(key), "%s#%zu", name, start);
	if (lua_getfield(L, loaded, key) != LUA_TNIL) {
		if (lua_touserdata(L, -1) == (void *)sb_require)
			return luaL_error(L, "require: \"%s\" requires itself (a cycle)", arg);
		return 1;
	}
	lua_pop(L, 1);
	lua_pushlightuserdata(L, (void *)sb_require);  /* loading */
	lua_setfield(L, loaded, key);
	if (!compile_rule(r, name, start, loaded, &err, &file, &line)) {
		lua_pushnil(L);
		lua_setfield(L, loaded, key);
		/* The message must be a Lua string before err is freed. */
		if (line > 0) {
			const struct rules_file *rf = NULL;
			for (size_t i = 0; i < r->n_files; i++) {
				if (strcmp(r->files[i].path, file) == 0)
					rf = &r->files[i];
			}
			lua_pushfstring(L, "%s:%d: %s", rf ? r->chunks[rf - r->files] : name,
					line, err.data ? err.data : "");
		} else {
			luaL_where(L, 1);
			lua_pushfstring(L, "require: %s", err.data ? err.data : "");
			lua_concat(L, 2);
		}
		buf_free(&err);
		return lua_error(L);
	}
	buf_free(&err);
	if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
		lua_pushnil(L);
		lua_setfield(L, loaded, key);
		return lua_error(L);
	}
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, loaded, key);
	return 1;
}

static int sb_setmetatable(lua_State *L)
{
	int t = lua_type(L, 2);

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (rules_view_is_readonly(L, 1))
		return luaL_error(L, "attempt to modify a read-only view");
	if (t == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc metamethods are not allowed in rules");
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static int sb_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (rules_view_is_readonly(L, 1))
		return luaL_error(L, "attempt to modify a read-only view");
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

/*
 * print(...): a diagnostic note at the caller's line (for debugging rules).
 * Each note keeps at most PRINT_NOTE_MAX bytes (saying how many were cut)
 * and a build at most PRINT_MAX notes and PRINT_BYTES_MAX bytes of them:
 * the arguments are never copied whole, so printing a huge string costs
 * neither memory nor stderr.
 */
static int sb_print(lua_State *L)
{
	struct rules *r = rules_of(L);
	int n = lua_gettop(L);
	char note[PRINT_NOTE_MAX + 1];   /* on the C stack: a __tostring error leaks nothing */
	size_t room, used = 0, total = 0;
	lua_Debug ar;
	const char *file = NULL, *rest;
	int line = 0;

	if (!r->d || r->n_prints > PRINT_MAX)
		return 0;
	if (r->n_prints++ == PRINT_MAX || r->print_bytes >= PRINT_BYTES_MAX) {
		r->n_prints = PRINT_MAX + 1;
		diag_add(r->d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "further print output of rules suppressed (at most %d notes "
			 "and %u KiB per build)", PRINT_MAX, PRINT_BYTES_MAX >> 10);
		return 0;
	}
	room = PRINT_BYTES_MAX - r->print_bytes;
	if (room > PRINT_NOTE_MAX)
		room = PRINT_NOTE_MAX;
	for (int i = 1; i <= n; i++) {
		size_t len, take;
		const char *s;

		if (i > 1) {
			if (used < room)
				note[used++] = '\t';
			total++;
		}
		s = luaL_tolstring(L, i, &len);   /* a string is not copied */
		take = room - used < len ? room - used : len;
		if (take < len)   /* cut at the start of a UTF-8 sequence */
			while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
				take--;
		memcpy(note + used, s, take);
		used += take;
		total += len;
		lua_pop(L, 1);
	}
	if (lua_getstack(L, 1, &ar)) {
		char *w = where_at(L, &ar);
		if (w && !split_position(r, w, &file, &line, &rest)) {
			file = NULL;
			line = 0;
		}
		free(w);
	}
	note[used] = '\0';
	r->print_bytes += used;
	if (total > used)
		diag_add(r->d, DIAG_NOTE, file, line, 0, NULL, "print: %s... (%zu bytes cut)",
			 note, total - used);
	else
		diag_add(r->d, DIAG_NOTE, file, line, 0, NULL, "print: %s", note);
	return 0;
}

/* ---- bounded string patterns -------------------------------------------- */

/*
 * Lua's pattern matcher runs in C, where the count hook never fires, and
 * backtracks: string.find(("a"):rep(40), ("a?"):rep(40) .. ("a"):rep(40)
 * .. "b") takes 2^40 steps.  Before find, match, gmatch and gsub run, an
 * upper bound of the matcher's work is computed from the pattern and the
 * subject, and a call whose bound is above PATTERN_WORK_MAX is refused.
 *
 * The bound: (start positions: 1 when anchored by '^', else n + 1)
 *   x (pattern length + 1)
 *   x for each item followed by '*', '+' or '-': 1 + the longest run of
 *     subject bytes the item matches (the choices it can backtrack over)
 *   x 2 for each item followed by '?'
 *   x (n + 1) for each %b and back-reference %1..%9.
 * A pattern without special characters (or plain find) is a substring
 * search: (n - m + 1) x m byte comparisons, bounded by PLAIN_WORK_MAX.
 * Measured on this matcher, a bound of 1e10 is at most about 3 s of work.
 */
#define PATTERN_WORK_MAX 1e10
#define PLAIN_WORK_MAX 1e11
#define PATTERN_SPECIALS "^$*+?.([%-"

static bool class_match(int c, int cl)
{
	bool res;

	switch (cl | 0x20) {
	case 'a': res = isalpha(c); break;
	case 'c': res = iscntrl(c); break;
	case 'd': res = isdigit(c); break;
	case 'g': res = isgraph(c); break;
	case 'l': res = islower(c); break;
	case 'p': res = ispunct(c); break;
	case 's': res = isspace(c); break;
	case 'u': res = isupper(c); break;
	case 'w': res = isalnum(c); break;
	case 'x': res = isxdigit(c); break;
	default: return cl == c;
	}
	if (isupper(cl))
		res = !res;
	return res;
}

/* Whether byte c matches the set p[0..end) ("[" .. "]", brackets included). */
static bool set_match(int c, const char *p, const char *end)
{
	bool neg = false;

	p++;                      /* '[' */
	end--;                    /* ']' */
	if (*p == '^') {
		neg = true;
		p++;
	}
	while (p < end) {
		if (*p == '%' && p + 1 < end) {
			p++;
			if (class_match(c, (unsigned char)*p))
				return !neg;
			p++;
		} else if (p + 2 < end && p[1] == '-') {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
				return !neg;
			p += 3;
		} else {
			if ((unsigned char)*p == c)
				return !neg;
			p++;
		}
	}
	return neg;
}

/* Whether byte c matches the single item p[0..end). */
static bool item_match(int c, const char *p, const char *end)
{
	if (*p == '.')
		return true;
	if (*p == '%')
		return class_match(c, (unsigned char)p[1]);
	if (*p == '[')
		return set_match(c, p, end);
	return (unsigned char)*p == c;
}

/* The end of the set starting at p ('['), or NULL when it is not closed. */
static const char *set_end(const char *p, const char *end)
{
	p++;
	if (p < end && *p == '^')
		p++;
	do {                      /* a ']' first is a member */
		if (p >= end)
			return NULL;
		if (*p == '%')
			p++;
		p++;
	} while (p < end && *p != ']');
	return p < end ? p + 1 : NULL;
}

/* The longest run of subject bytes the item p[0..end) matches. */
static size_t longest_run(const char *s, size_t n, const char *p, const char *end)
{
	size_t best = 0, run = 0;

	if (*p == '.')
		return n;
	for (size_t i = 0; i < n; i++) {
		if (item_match((unsigned char)s[i], p, end)) {
			if (++run > best)
				best = run;
		} else {
			run = 0;
		}
	}
	return best;
}

/* Whether Lua searches for p as a plain string (no special characters). */
static bool no_specials(const char *p, size_t m)
{
	size_t upto = 0;

	do {   /* strpbrk stops at a NUL: look at each part */
		if (strpbrk(p + upto, PATTERN_SPECIALS))
			return false;
		upto += strlen(p + upto) + 1;
	} while (upto <= m);
	return true;
}

/* The bound on the matcher's steps described above (may be +inf). */
static double pattern_work(const char *s, size_t n, const char *p, size_t m,
			   bool plain, bool anchor)
{
	const char *q = p, *end = p + m;
	double work;

	if (plain || no_specials(p, m))
		return m > n ? 1.0 : ((double)(n - m) + 1) * ((double)m + 1);
	work = (double)m + 1;
	if (anchor && q < end && *q == '^')
		q++;
	else
		work *= (double)n + 1;
	while (q < end && work <= PLAIN_WORK_MAX * 16) {
		const char *item = q, *next;

		if (*q == '(' || *q == ')' || (*q == '$' && q + 1 == end)) {
			q++;
			continue;
		}
		if (*q == '%' && q + 1 < end) {
			char d = q[1];
			if (d == 'b') {
				work *= (double)n + 1;
				q += q + 4 <= end ? 4 : 2;
				continue;
			}
			if (d == 'f') {
				q += 2;
				next = q < end && *q == '[' ? set_end(q, end) : NULL;
				q = next ? next : end;
				continue;
			}
			if (d >= '0' && d <= '9') {
				work *= (double)n + 1;
				q += 2;
				continue;
			}
			next = q + 2;
		} else if (*q == '[') {
			next = set_end(q, end);
			if (!next)
				return work;   /* malformed: Lua reports it */
		} else {
			next = q + 1;
		}
		q = next;
		if (q < end && (*q == '*' || *q == '+' || *q == '-')) {
			work *= (double)longest_run(s, n, item, next) + 1;
			q++;
		} else if (q < end && *q == '?') {
			work *= 2;
			q++;
		}
	}
	return work;
}

/*
 * Calls the library function in upvalue 1 with the arguments on the stack
 * and returns its results.  Its own errors were raised one C frame below
 * the rule (so with no position): they get the rule's file and line.
 */
static int call_library(lua_State *L, int nresults)
{
	struct rules *r = rules_of(L);
	const char *msg, *file, *rest;
	int line;

	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	if (lua_pcall(L, lua_gettop(L) - 1, nresults, 0) == LUA_OK)
		return lua_gettop(L);
	msg = lua_tostring(L, -1);
	if (r->abort != ABORT_NONE || r->mem_refused || lua_type(L, -1) != LUA_TSTRING ||
	    split_position(r, msg, &file, &line, &rest))
		return lua_error(L);   /* a limit, or a rule's error (gsub's function) */
	luaL_where(L, 1);
	lua_insert(L, -2);
	lua_concat(L, 2);
	return lua_error(L);
}

/*
 * string.find, match, gmatch and gsub: the library's own function (the
 * upvalue) after checking the bound.  The upvalue 2 says which: 'f' find
 * (plain argument 4), 'm' match, 'g' gmatch (no anchor), 's' gsub.
 */
static int sb_pattern(lua_State *L)
{
	size_t n, m;
	const char *s = luaL_checklstring(L, 1, &n);
	const char *p = luaL_checklstring(L, 2, &m);
	int kind = (int)lua_tointeger(L, lua_upvalueindex(2));
	bool plain = kind == 'f' && lua_toboolean(L, 4);
	double work = pattern_work(s, n, p, m, plain, kind != 'g');
	bool simple = plain || no_specials(p, m);

	if (work > (simple ? PLAIN_WORK_MAX : PATTERN_WORK_MAX)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "pattern too costly for a subject of %zu bytes "
			 "(up to %.3g matcher steps; the limit is %.3g per call)",
			 n, work, simple ? PLAIN_WORK_MAX : PATTERN_WORK_MAX);
		return luaL_error(L, "%s", msg);
	}
	return call_library(L, LUA_MULTRET);
}

/*
 * string.rep(s, n [, sep]): the library loops n times even when s and sep
 * are empty (string.rep("", 1e18) never returns); the result is "" then.
 * Other huge results are refused by the memory limit.
 */
static int sb_rep(lua_State *L)
{
	size_t l, lsep;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);

	if (l + lsep == 0 || n <= 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	return call_library(L, 1);
}

/* Replaces the pattern functions and rep of the string table at -1. */
static void bound_string_lib(lua_State *L)
{
	static const struct { const char *name; int kind; } fns[] = {
		{"find", 'f'}, {"match", 'm'}, {"gmatch", 'g'}, {"gsub", 's'},
	};

	for (size_t i = 0; i < ARRAY_LEN(fns); i++) {
		lua_getfield(L, -1, fns[i].name);
		lua_pushinteger(L, fns[i].kind);
		lua_pushcclosure(L, sb_pattern, 2);
		lua_setfield(L, -2, fns[i].name);
	}
	lua_getfield(L, -1, "rep");
	lua_pushcclosure(L, sb_rep, 1);
	lua_setfield(L, -2, "rep");
}

/* ---- the drgen helper library ------------------------------------------- */

static double round_half_away(double x, int decimals)
{
	double f = pow(10.0, decimals);
	double y = fabs(x) * f;
	double r = floor(y + 0.5);

	/* 1.00005 * 10^4 lands on 10000.499999...: decide in decimal. */
	if (r - y < 0.5 && r - y > 0.5 - 1e-9 * (y > 1 ? y : 1))
		r = floor(y) + 1;
	return copysign(r / f, x);
}

/* drgen.round(x [, decimals]): half away from zero. */
static int dg_round(lua_State *L)
{
	double x = luaL_checknumber(L, 1);
	lua_Integer dec = luaL_optinteger(L, 2, 0);

	luaL_argcheck(L, dec >= 0 && dec <= 12, 2, "decimals must be 0..12");
	if (isnan(x) || isinf(x)) {
		lua_pushnumber(L, x);
		return 1;
	}
	lua_pushnumber(L, round_half_away(x, (int)dec));
	return 1;
}

/* v in the shortest of "%.10g", with a fast path for whole numbers. */
static size_t format_plain(char *out, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		char tmp[24];
		size_t n = 0, o = 0;
		long long i = (long long)v;
		unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i :
					       (unsigned long long)i;
		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (i < 0)
			out[o++] = '-';
		while (n)
			out[o++] = tmp[--n];
		out[o] = '\0';
		return o;
	}
	return (size_t)snprintf(out, size, "%.10g", v);
}

static void push_plural(lua_State *L, double v, const char *unit)
{
	char buf[96];
	size_t n = format_plain(buf, 40, v), ul = strlen(unit);

	buf[n++] = ' ';
	memcpy(buf + n, unit, ul);
	n += ul;
	if (v != 1)
		buf[n++] = 's';
	lua_pushlstring(L, buf, n);
}

/* drgen.format_minutes(m): "5 minutes", "1 hour", "72 hours", "30 seconds". */
static int dg_format_minutes(lua_State *L)
{
	double m = luaL_checknumber(L, 1);

	luaL_argcheck(L, m >= 0 && !isinf(m), 1, "minutes must be a number >= 0");
	if (m > 0 && m < 1)
		push_plural(L, round_half_away(m * 60, 1), "second");
	else if (m >= 60 && fmod(m, 60) == 0)
		push_plural(L, m / 60, "hour");
	else if (m >= 120)
		push_plural(L, round_half_away(m / 60, 1), "hour");
	else
		push_plural(L, round_half_away(m, 1), "minute");
	return 1;
}

static int64_t check_time(lua_State *L, int arg)
{
	lua_Integer t;
	int isint;

	t = lua_tointegerx(L, arg, &isint);
	if (!isint) {
		luaL_typeerror(L, arg, "time (integer seconds)");
		return 0;
	}
	return (int64_t)t;
}

static int dg_format_date(lua_State *L)
{
	char out[11];

	if (lua_isnoneornil(L, 1)) {
		lua_pushnil(L);
		return 1;
	}
	date_format_day(check_time(L, 1), out);
	lua_pushstring(L, out);
	return 1;
}

static int dg_format_time(lua_State *L)
{
	char out[DATE_RFC3339_SIZE];

	if (lua_isnoneornil(L, 1)) {
		lua_pushnil(L);
		return 1;
	}
	date_format_rfc3339(check_time(L, 1), out);
	lua_pushstring(L, out);
	return 1;
}

static int dg_format_month(lua_State *L)
{
	char out[8];

	if (lua_isnoneornil(L, 1)) {
		lua_pushnil(L);
		return 1;
	}
	date_format_month(check_time(L, 1), out);
	lua_pushstring(L, out);
	return 1;
}

/* drgen.parse_date(s): seconds since the epoch, or nil. */
static int dg_parse_date(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	int64_t t;

	if (!date_parse_any(s, len, &t))
		lua_pushnil(L);
	else
		lua_pushinteger(L, (lua_Integer)t);
	return 1;
}

/* drgen.months_before(t, n) and months_after: calendar months, day clamped. */
static int dg_months_before(lua_State *L)
{
	int64_t t = check_time(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);

	luaL_argcheck(L, n > -120000 && n < 120000, 2, "too many months");
	lua_pushinteger(L, (lua_Integer)analyze_months_before(t, (int)n));
	return 1;
}

static int dg_months_after(lua_State *L)
{
	int64_t t = check_time(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);

	luaL_argcheck(L, n > -120000 && n < 120000, 2, "too many months");
	lua_pushinteger(L, (lua_Integer)analyze_months_before(t, (int)-n));
	return 1;
}

/* drgen.days_between(a, b): (b - a) in days, fractional. */
static int dg_days_between(lua_State *L)
{
	int64_t a = check_time(L, 1), b = check_time(L, 2);

	lua_pushnumber(L, ((double)b - (double)a) / 86400.0);
	return 1;
}

/* drgen.format_number(x [, decimals]): "100,000", "1,234.50". */
static int dg_format_number(lua_State *L)
{
	double x = luaL_checknumber(L, 1);
	lua_Integer dec = luaL_optinteger(L, 2, 0);
	char num[64], out[96];
	const char *p, *dot;
	size_t o = 0, intlen;

	luaL_argcheck(L, dec >= 0 && dec <= 12, 2, "decimals must be 0..12");
	luaL_argcheck(L, !isnan(x) && !isinf(x) && fabs(x) < 1e18, 1,
		      "number out of range");
	snprintf(num, sizeof(num), "%.*f", (int)dec, round_half_away(x, (int)dec));
	p = num;
	if (*p == '-') {
		out[o++] = *p++;
		if (strspn(p, "0.") == strlen(p))  /* no "-0" */
			o = 0;
	}
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	if (dot) {
		size_t rest = strlen(dot);
		memcpy(out + o, dot, rest);
		o += rest;
	}
	out[o] = '\0';
	lua_pushstring(L, out);
	return 1;
}

static const luaL_Reg drgen_lib[] = {
	{"round", dg_round},
	{"format_minutes", dg_format_minutes},
	{"format_number", dg_format_number},
	{"format_date", dg_format_date},
	{"format_time", dg_format_time},
	{"format_month", dg_format_month},
	{"parse_date", dg_parse_date},
	{"months_before", dg_months_before},
	{"months_after", dg_months_after},
	{"days_between", dg_days_between},
	{NULL, NULL},
};

/* ---- opening the state -------------------------------------------------- */

/* Moves field `name` of the table at -1 into the base table at `base`. */
static void take_lib(lua_State *L, int base, const char *name,
		     const char *const *drop, size_t ndrop)
{
	for (size_t i = 0; i < ndrop; i++) {
		lua_pushnil(L);
		lua_setfield(L, -2, drop[i]);
	}
	lua_setfield(L, base, name);
}

void rules_sandbox_open(struct rules *r)
{
	static const char *const string_drop[] = {"dump"};
	static const char *const math_drop[] = {"random", "randomseed"};
	lua_State *L;
	int base;

	r->mem_limit = RULES_MEMORY_MAX;
	L = lua_newstate(sandbox_alloc, r);
	if (!L) {
		fputs("drgen: out of memory\n", stderr);
		abort();
	}
	r->L = L;
	memcpy(lua_getextraspace(L), &r, sizeof(r));
	lua_atpanic(L, sandbox_panic);
	lua_gc(L, LUA_GCGEN, 0, 0);

	lua_newtable(L);
	base = lua_gettop(L);

	luaL_requiref(L, "_G", luaopen_base, 0);
	for (size_t i = 0; i < ARRAY_LEN(base_allowed); i++) {
		lua_getfield(L, -1, base_allowed[i]);
		lua_setfield(L, base, base_allowed[i]);
	}
	/* Empty the real global table: nothing is reachable through it. */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_pushnil(L);
		lua_rawset(L, -4);
	}
	lua_pop(L, 1);

	luaL_requiref(L, "string", luaopen_string, 0);
	bound_string_lib(L);
	take_lib(L, base, "string", string_drop, ARRAY_LEN(string_drop));
	luaL_requiref(L, "table", luaopen_table, 0);
	take_lib(L, base, "table", NULL, 0);
	luaL_requiref(L, "math", luaopen_math, 0);
	take_lib(L, base, "math", math_drop, ARRAY_LEN(math_drop));
	luaL_requiref(L, "utf8", luaopen_utf8, 0);
	take_lib(L, base, "utf8", NULL, 0);

	/* Lock the string metatable: its __index is the shared string table. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushliteral(L, "locked");
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);

	luaL_newlib(L, drgen_lib);
	lua_pushinteger(L, 60);
	lua_setfield(L, -2, "MINUTE");
	lua_pushinteger(L, 3600);
	lua_setfield(L, -2, "HOUR");
	lua_pushinteger(L, 86400);
	lua_setfield(L, -2, "DAY");
	lua_setfield(L, base, "drgen");

	lua_pushcfunction(L, sb_setmetatable);
	lua_setfield(L, base, "setmetatable");
	lua_pushcfunction(L, sb_rawset);
	lua_setfield(L, base, "rawset");
	lua_pushcfunction(L, rules_view_next);
	lua_setfield(L, base, "next");
	lua_pushcfunction(L, sb_print);
	lua_setfield(L, base, "print");

	r->ref_base = luaL_ref(L, LUA_REGISTRYINDEX);
	rules_view_open(r);
}

void rules_sandbox_close(struct rules *r)
{
	if (r->L)
		lua_close(r->L);
	r->L = NULL;
	for (size_t i = 0; i < r->n_mods; i++)
		free(r->mods[i].name);
	free(r->mods);
	r->mods = NULL;
	r->n_mods = 0;
	r->cap_mods = 0;
	free(r->abort_where);
	r->abort_where = NULL;
	while (r->slabs) {
		struct rules_slab *next = r->slabs->next;
		free(r->slabs);
		r->slabs = next;
	}
	memset(r->free_list, 0, sizeof(r->free_list));
	r->bump = NULL;
	r->bump_left = 0;
}
