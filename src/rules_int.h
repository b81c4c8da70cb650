/*
 * rules_int.h -- what the three files of the rules module share:
 * rules.c (the stages and the checks of what rules return),
 * rules_sandbox.c (the confined Lua state) and rules_view.c (read-only
 * views of C data, and conversions between Lua values and JSON).
 * Not for use outside the rules module.
 */
#ifndef DRGEN_RULES_INT_H
#define DRGEN_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cJSON.h>
#include <lua.h>

#include "analyze.h"
#include "diag.h"
#include "model.h"
#include "rules.h"
#include "util.h"

enum rules_abort { ABORT_NONE, ABORT_BUDGET, ABORT_MEMORY, ABORT_TIME };

/* A rule file compiled and run once (its module value sits in the registry). */
struct rules_module {
	char *name;            /* logical name, "tiers" */
	int ref;               /* registry reference of the module table, or LUA_NOREF */
	bool failed;           /* loading failed (reported once) */
};

/* Small blocks of the Lua heap: free lists per size class, in slabs. */
#define SMALL_STEP 16
#define SMALL_MAX 256
#define SLAB_SIZE (64u << 10)

struct rules_slab {
	struct rules_slab *next;
	void *align;           /* keeps the blocks after the header 16-aligned */
};

struct rules {
	lua_State *L;

	/* The allocator's books (lua_Alloc with a cap) and its small blocks. */
	void *free_list[SMALL_MAX / SMALL_STEP];
	struct rules_slab *slabs;
	char *bump;
	size_t bump_left;
	size_t mem_used;
	size_t mem_limit;      /* RULES_MEMORY_MAX, or lower during a rule call */
	size_t mem_peak;
	bool mem_refused;      /* an allocation was refused in this call */
	const void *refused_ptr;    /* the last refused request, to tell */
	size_t refused_osize;       /* Lua's retry after its emergency */
	size_t refused_nsize;       /* collection from a first attempt */

	/* The instruction budget of the current call (count hook). */
	long budget_used;
	int abort;             /* enum rules_abort, sticky until the call ends */
	char *abort_where;     /* "tiers.lua:12:" where the abort was noticed */
	struct timespec call_start;
	unsigned hook_ticks;
	bool hook_armed;       /* a rule call is running */

	/* Rule lookup and the files used. */
	char **dirs;
	char **roots;          /* roots[i]: the folder dirs[i]'s files stay in, or NULL: dirs[i] */
	size_t ndirs;
	struct arena *arena;   /* names and paths of files */
	struct rules_file *files;
	char **chunks;         /* chunk name of each file ("tiers.lua") */
	size_t n_files, cap_files;
	struct rules_module *mods;
	size_t n_mods, cap_mods;

	/* The build the views show (set by each run function). */
	const struct model *m;
	const struct facts *f;
	const struct rules_results *res;
	struct diags *d;       /* where require and print report */
	unsigned n_prints;
	size_t print_bytes;    /* bytes of print notes so far (PRINT_BYTES_MAX) */

	/* Registry references of the view machinery. */
	int ref_metas;         /* view metatables by slot */
	int ref_roset;         /* read-only table proxies (weak keys) */
	int ref_base;          /* the allow-listed functions, copied into each _ENV */
	int ref_profile;       /* compliance.profile as a read-only table */

	struct arena *json_arena;   /* where converted strings live, or NULL */
	struct strmap *json_keys;   /* object keys already in json_arena */
	struct json_share *json_share;  /* identical subtrees converted so far */
	size_t results_bytes;  /* text and nodes kept from rule results so far */
	cJSON *pending_json;   /* a conversion in progress (freed on error) */
	void *pending_conv;    /* its state */
};

/*
 * Identical subtrees of the results a stage converts are kept once: the
 * 10,000 runbooks of a large plan repeat the same sections and steps, and
 * a repeat becomes one cJSON reference node to the first copy (which the
 * trees of rules_results keep alive until all are freed together).
 */
struct json_share *rules_share_new(void);
void rules_share_free(struct json_share *sh);

/* The struct rules of a Lua state (kept in its extra space). */
struct rules *rules_of(lua_State *L);

/* ---- rules_sandbox.c ---- */

/* Creates the capped state, the allow-listed library and the views. */
void rules_sandbox_open(struct rules *r);
void rules_sandbox_close(struct rules *r);

/*
 * Pushes the module value of rule file `name` (compiling and running it on
 * first use).  Returns false (pushing nothing) with a diagnostic when the
 * file is missing or fails; later calls fail silently.
 */
bool rules_sandbox_module(struct rules *r, const char *name, struct diags *d);

/* The user-visible path of a module loaded by rules_sandbox_module. */
const char *rules_sandbox_path(const struct rules *r, const char *name);

/*
 * Calls the function below its nargs arguments on the stack, under the
 * instruction, memory and time limits, leaving one result.  On failure
 * reports "file:line: message (in FN for WHAT \"ID\")" and leaves
 * nothing.  fn, what and id may be NULL.
 */
bool rules_sandbox_call(struct rules *r, int nargs, const char *name,
			const char *fn, const char *what, const char *id,
			struct diags *d);

/*
 * The position of a function value at idx: its file (user-visible path)
 * and the line where it is defined; for diagnostics about what it returned.
 */
void rules_sandbox_funcpos(struct rules *r, int idx, const char **file,
			   int *line);

/* ---- rules_view.c ---- */

/* Registers the view metatable and caches (called by rules_sandbox_open). */
void rules_view_open(struct rules *r);

/* Pushes read-only views. */
void rules_view_push_model(struct rules *r);
void rules_view_push_service(struct rules *r, size_t i);
void rules_view_push_datastore(struct rules *r, size_t i);
void rules_view_push_drill(struct rules *r, size_t i);
/* The context table every rule function receives (read-only). */
void rules_view_push_ctx(struct rules *r);

/* Freezes the table on top of the stack: replaces it by a read-only proxy. */
void rules_view_freeze(lua_State *L);
/* Pushes a JSON value as (deeply) read-only Lua data; NULL pushes nil. */
void rules_view_push_json(lua_State *L, const cJSON *j);
/* True when the value at idx is a view or a read-only proxy. */
bool rules_view_is_readonly(lua_State *L, int idx);
/* `next` that also walks views and proxies (the sandbox's next). */
int rules_view_next(lua_State *L);

/*
 * Converts the Lua value at idx to JSON: sequences become arrays (an empty
 * table an empty array), string-keyed tables objects with sorted keys,
 * views and proxies what they show.  Returns NULL and describes the problem
 * in err (with the path of the bad value) on a value JSON cannot hold.
 * Uses raw access only, so no rule code runs.
 */
cJSON *rules_view_to_json(struct rules *r, int idx, struct buf *err);

#endif
