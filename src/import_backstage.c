/*
 * import_backstage.c -- `drgen import backstage FILE... [-o FILE]
 * [--plan DIR]`: Backstage catalog entities into a plan.json
 * (docs/import-backstage.md).
 *
 * Components become services, Resources datastores (a Resource used by
 * several components belongs to one of them; the others depend on that
 * one), dependsOn / dependencyOf / consumesApis / subcomponentOf become
 * depends_on, Groups and Users contacts, spec.owner the owner.  With
 * --plan, the hand-kept plan.json is the base: everything in it stays
 * (impact, tiers, regions, runbooks, escalation, datastore criticality),
 * except that the catalog wins on topology (which services exist, which
 * datastores each has, depends_on, owner).  Output is deterministic:
 * entities are processed in order of their references, and the plan keeps
 * the hand plan's order with catalog additions after it, sorted by id.
 *
 * Every reference that names nothing, every id that had to be renamed and
 * every edge dropped (a cycle) is reported, with file:line:column of the
 * entity or value, and counted at the end.
 */
#include "import_backstage.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "jsonpos.h"
#include "load_plan.h"
#include "source.h"

#define SERVICE_ID_MAX 64

enum ekind { K_COMPONENT, K_RESOURCE, K_GROUP, K_USER, K_API, K_OTHER };

struct ent {
	enum ekind kind;
	const char *kind_name;     /* as written */
	const char *ref;           /* "component:default/name", lowercased */
	const char *name, *ns;
	const struct bs_node *doc;
	const char *file;
	const char *id;            /* service, datastore or contact id */
	size_t users_n;            /* resources: services using it */
	struct ent **users;
	struct ent *holder;        /* resources: the service that has it */
	size_t idx;                /* position in the sorted entities */
	size_t out_n;              /* kept dependencies (break_cycles) */
	struct ent **out;
};

struct edge {
	struct ent *from, *to;     /* from depends on to */
	const char *file;
	int line, col;
};

struct bctx {
	struct arena *a;
	struct diags *d;
	struct ent **ents;
	size_t n_ents;
	struct strmap *by_ref;
	struct strmap *ids;        /* taken ids, per prefix "s:", "d:", "c:" */
	struct strmap *providers;  /* api ref -> first providing component */
	struct strmap *edge_set;   /* "from>to" of the edges so far */
	struct edge *edges;
	size_t n_edges;
	cJSON *hand;               /* the hand plan (base), or NULL */
	const char *hand_file;     /* its path, for messages */
	unsigned dangling, renamed, dropped, ignored, errors;
	unsigned n_svc, n_ds, n_contacts;
};

PRINTF_LIKE(6, 7)
static void rep(struct bctx *c, enum diag_severity sev, const char *file,
		const struct bs_node *at, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (sev == DIAG_ERROR)
		c->errors++;
	va_start(ap, fmt);
	diag_vadd(c->d, sev, file, at ? at->line : 0, at ? at->col : 0, where,
		  fmt, ap);
	va_end(ap);
}

static char *lower(struct arena *a, const char *s)
{
	char *r = arena_strdup(a, s);

	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/*
 * An entity reference "[kind:][namespace/]name" with defaults, in the
 * lowercased form of struct ent.ref (Backstage compares refs without case).
 */
static const char *ref_key(struct arena *a, const char *s, const char *kind)
{
	const char *colon = strchr(s, ':'), *slash;
	const char *k = kind, *ns = "default", *name;

	if (colon) {
		k = arena_strndup(a, s, (size_t)(colon - s));
		s = colon + 1;
	}
	slash = strchr(s, '/');
	if (slash) {
		ns = arena_strndup(a, s, (size_t)(slash - s));
		name = slash + 1;
	} else {
		name = s;
	}
	return lower(a, arena_printf(a, "%s:%s/%s", k, ns, name));
}

static const char *const kind_names[] = {"component", "resource", "group",
					 "user", "api"};
static const char *const ignored_kinds[] = {"system", "domain", "location",
					    "template"};

/* ---- entities ---- */

static void add_entity(struct bctx *c, const char *file, const struct bs_node *doc)
{
	const char *api = bs_str(doc, "apiVersion"), *kind = bs_str(doc, "kind");
	const struct bs_node *meta = bs_get(doc, "metadata");
	const char *name = bs_str(meta, "name"), *ns = bs_str(meta, "namespace");
	struct ent *e, *prev;
	char qa[96];
	int k;

	if (doc->kind != BS_MAP) {
		rep(c, DIAG_ERROR, file, doc, NULL,
		    "a catalog entity must be a mapping (apiVersion, kind, metadata, spec)");
		return;
	}
	if (!kind || !kind[0]) {
		rep(c, DIAG_ERROR, file, bs_get(doc, "kind") ? bs_get(doc, "kind") : doc,
		    NULL, "missing or invalid \"kind\": expected Component, Resource, Group, User, API, ...");
		return;
	}
	if (!api || strncmp(api, "backstage.io/", 13) != 0)
		rep(c, DIAG_WARNING, file, bs_get(doc, "apiVersion") ? bs_get(doc, "apiVersion") : doc,
		    NULL, "apiVersion %s is not backstage.io/...; read as Backstage",
		    api ? diag_quote(qa, sizeof(qa), api, 64) : "(missing)");
	k = model_enum_find(kind_names, ARRAY_LEN(kind_names), lower(c->a, kind));
	if (k < 0) {
		if (model_enum_find(ignored_kinds, ARRAY_LEN(ignored_kinds),
				    lower(c->a, kind)) < 0)
			rep(c, DIAG_WARNING, file, bs_get(doc, "kind"), NULL,
			    "unknown kind %s: not imported",
			    diag_quote(qa, sizeof(qa), kind, 64));
		c->ignored++;
		return;
	}
	if (!name || !name[0]) {
		rep(c, DIAG_ERROR, file, meta ? meta : doc, NULL,
		    "%s without metadata.name", kind);
		return;
	}
	e = arena_calloc(c->a, 1, sizeof(*e));
	e->kind = (enum ekind)k;
	e->kind_name = kind;
	e->name = name;
	e->ns = ns && ns[0] ? ns : "default";
	e->doc = doc;
	e->file = file;
	e->ref = lower(c->a, arena_printf(c->a, "%s:%s/%s", kind_names[k], e->ns, name));
	prev = strmap_get(c->by_ref, e->ref);
	if (prev) {
		rep(c, DIAG_ERROR, file, doc, NULL,
		    "duplicate entity %s (first in %s:%d)", e->ref, prev->file,
		    prev->doc->line);
		return;
	}
	strmap_put(c->by_ref, e->ref, e);
	c->ents = xrealloc(c->ents, (c->n_ents + 1) * sizeof(*c->ents));
	c->ents[c->n_ents++] = e;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = *(struct ent *const *)a, *y = *(struct ent *const *)b;

	return strcmp(x->ref, y->ref);
}

/* A service id from a Backstage name: [a-z0-9][a-z0-9-]*, 64 bytes. */
static const char *service_id(struct bctx *c, const struct ent *e)
{
	struct buf b = BUF_INIT;
	const char *src = strcmp(e->ns, "default") == 0
			  ? e->name : arena_printf(c->a, "%s-%s", e->ns, e->name);
	char *id;

	for (const char *p = src; *p; p++) {
		unsigned char ch = (unsigned char)tolower((unsigned char)*p);
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (!ok && (b.len == 0 || b.data[b.len - 1] == '-'))
			continue;
		buf_append(&b, ok ? (const char *)&ch : "-", 1);
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.len--;
	if (b.len > SERVICE_ID_MAX - 4)
		b.len = SERVICE_ID_MAX - 4;
	id = b.len ? arena_strndup(c->a, b.data, b.len) : "component";
	buf_free(&b);
	return id;
}

/* Makes id unique among ids of one sort (prefix), reporting a rename. */
static const char *claim(struct bctx *c, const char *prefix, const char *id,
			 const struct ent *e, const char *what)
{
	const char *got = id;

	for (unsigned i = 2; strmap_get(c->ids, arena_printf(c->a, "%s%s", prefix, got)); i++)
		got = arena_printf(c->a, "%s-%u", id, i);
	strmap_put(c->ids, arena_printf(c->a, "%s%s", prefix, got), (void *)e);
	if (strcmp(got, e->name) != 0) {
		rep(c, DIAG_WARNING, e->file, e->doc, NULL,
		    "renamed %s %s to %s id \"%s\"", e->kind_name, e->ref, what, got);
		c->renamed++;
	}
	return got;
}

static void assign_ids(struct bctx *c)
{
	for (size_t i = 0; i < c->n_ents; i++) {
		struct ent *e = c->ents[i];

		if (e->kind == K_COMPONENT)
			e->id = claim(c, "s:", service_id(c, e), e, "service");
		else if (e->kind == K_RESOURCE)
			e->id = claim(c, "d:", strcmp(e->ns, "default") == 0 ? e->name
				      : arena_printf(c->a, "%s/%s", e->ns, e->name), e, "datastore");
		else if (e->kind == K_GROUP || e->kind == K_USER)
			e->id = claim(c, "c:", e->name, e, "contact");
	}
}

/* ---- relations ---- */

static void add_edge(struct bctx *c, struct ent *from, struct ent *to,
		     const char *file, const struct bs_node *at)
{
	const char *key = arena_printf(c->a, "%zu>%zu", from->idx, to->idx);

	if (from == to || strmap_get(c->edge_set, key))
		return;
	strmap_put(c->edge_set, key, (void *)key);
	c->edges = xrealloc(c->edges, (c->n_edges + 1) * sizeof(*c->edges));
	c->edges[c->n_edges++] = (struct edge){from, to, file, at ? at->line : 0,
					       at ? at->col : 0};
}

static void add_user(struct bctx *c, struct ent *res, struct ent *svc)
{
	for (size_t i = 0; i < res->users_n; i++)
		if (res->users[i] == svc)
			return;
	res->users = xrealloc(res->users, (res->users_n + 1) * sizeof(*res->users));
	res->users[res->users_n++] = svc;
	(void)c;
}

/* The refs of spec.KEY (a sequence of strings, or one string). */
typedef void (*ref_fn)(struct bctx *c, struct ent *e, const char *key,
		       const struct bs_node *at, struct ent *target,
		       const char *ref);

static void each_ref(struct bctx *c, struct ent *e, const char *key,
		     const char *default_kind, ref_fn fn)
{
	const struct bs_node *v = bs_get(bs_get(e->doc, "spec"), key);
	size_t n;

	if (!v)
		return;
	if (v->kind == BS_MAP) {
		rep(c, DIAG_ERROR, e->file, v, NULL,
		    "spec.%s of %s: expected a list of entity references", key, e->ref);
		return;
	}
	n = v->kind == BS_SEQ ? v->n : 1;
	for (size_t i = 0; i < n; i++) {
		const struct bs_node *it = v->kind == BS_SEQ ? v->items[i] : v;
		const char *ref;

		if (it->kind != BS_SCALAR || !it->str[0]) {
			rep(c, DIAG_ERROR, e->file, it, NULL,
			    "spec.%s of %s: expected an entity reference", key, e->ref);
			continue;
		}
		ref = ref_key(c->a, it->str, default_kind);
		fn(c, e, key, it, strmap_get(c->by_ref, ref), ref);
	}
}

static void dangling(struct bctx *c, struct ent *e, const char *key,
		     const struct bs_node *at, const char *ref)
{
	rep(c, DIAG_WARNING, e->file, at, NULL,
	    "dangling reference: spec.%s of %s names %s, which is in none of the inputs",
	    key, e->ref, ref);
	c->dangling++;
}

static void on_depends(struct bctx *c, struct ent *e, const char *key,
		       const struct bs_node *at, struct ent *t, const char *ref)
{
	if (!t) {
		dangling(c, e, key, at, ref);
	} else if (t->kind == K_COMPONENT) {
		if (e->kind == K_COMPONENT)
			add_edge(c, e, t, e->file, at);
	} else if (t->kind == K_RESOURCE) {
		if (e->kind == K_COMPONENT)
			add_user(c, t, e);
	} else {
		rep(c, DIAG_WARNING, e->file, at, NULL,
		    "spec.%s of %s names %s, not a component or resource: not a dependency",
		    key, e->ref, ref);
	}
}

static void on_dependency_of(struct bctx *c, struct ent *e, const char *key,
			     const struct bs_node *at, struct ent *t,
			     const char *ref)
{
	if (!t) {
		dangling(c, e, key, at, ref);
	} else if (t->kind == K_COMPONENT && e->kind == K_COMPONENT) {
		add_edge(c, t, e, e->file, at);
	} else if (t->kind == K_COMPONENT && e->kind == K_RESOURCE) {
		add_user(c, e, t);
	}
}

/* subcomponentOf: the parent needs its part (the part does not depend on it). */
static void on_subcomponent(struct bctx *c, struct ent *e, const char *key,
			    const struct bs_node *at, struct ent *t,
			    const char *ref)
{
	if (!t)
		dangling(c, e, key, at, ref);
	else if (t->kind == K_COMPONENT)
		add_edge(c, t, e, e->file, at);
}

static void on_provides(struct bctx *c, struct ent *e, const char *key,
			const struct bs_node *at, struct ent *t, const char *ref)
{
	(void)key;
	(void)at;
	(void)t;
	if (!strmap_get(c->providers, ref))
		strmap_put(c->providers, ref, e);
}

static void on_consumes(struct bctx *c, struct ent *e, const char *key,
			const struct bs_node *at, struct ent *t, const char *ref)
{
	struct ent *p = strmap_get(c->providers, ref);

	if (p)
		add_edge(c, e, p, e->file, at);
	else if (t && t->kind == K_COMPONENT)
		add_edge(c, e, t, e->file, at);
	else if (t)
		rep(c, DIAG_WARNING, e->file, at, NULL,
		    "spec.%s of %s: no component provides %s", key, e->ref, ref);
	else
		dangling(c, e, key, at, ref);
}

/* Whether to is reachable from from along the edges kept so far. */
static bool reaches(struct bctx *c, struct ent *from, struct ent *to,
		    unsigned char *seen, struct ent **stack)
{
	size_t stack_n = 1;

	memset(seen, 0, c->n_ents);
	stack[0] = from;
	seen[from->idx] = 1;
	while (stack_n) {
		struct ent *x = stack[--stack_n];

		if (x == to)
			return true;
		for (size_t i = 0; i < x->out_n; i++) {
			struct ent *y = x->out[i];

			if (seen[y->idx])
				continue;
			seen[y->idx] = 1;
			stack[stack_n++] = y;   /* each entity at most once */
		}
	}
	return false;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	int r = strcmp(x->from->id, y->from->id);

	return r ? r : strcmp(x->to->id, y->to->id);
}

/* Drops, with a warning, each edge (in id order) that would close a cycle. */
static bool *break_cycles(struct bctx *c)
{
	bool *kept = xcalloc(c->n_edges ? c->n_edges : 1, sizeof(*kept));
	unsigned char *seen = xmalloc(c->n_ents ? c->n_ents : 1);
	struct ent **stack = xmalloc((c->n_ents ? c->n_ents : 1) * sizeof(*stack));

	if (c->n_edges)
		qsort(c->edges, c->n_edges, sizeof(*c->edges), cmp_edge);
	for (size_t i = 0; i < c->n_edges; i++) {
		struct edge *e = &c->edges[i];

		kept[i] = false;
		if (reaches(c, e->to, e->from, seen, stack)) {
			diag_add(c->d, DIAG_WARNING, e->file, e->line, e->col, NULL,
				 "dependency of \"%s\" on \"%s\" dropped: it would close a cycle",
				 e->from->id, e->to->id);
			c->dropped++;
			continue;
		}
		kept[i] = true;
		e->from->out = xrealloc(e->from->out, (e->from->out_n + 1) * sizeof(*e->from->out));
		e->from->out[e->from->out_n++] = e->to;
	}
	free(stack);
	free(seen);
	return kept;
}

/* ---- the hand plan ---- */

static cJSON *find_by_id(cJSON *arr, const char *id)
{
	cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "id");

		if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
			return it;
	}
	return NULL;
}

static bool find_string(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	return false;
}

static cJSON *array_of(cJSON *obj, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		a = cJSON_AddArrayToObject(obj, key);
	}
	return a;
}

/* The hand service holding datastore id, or NULL. */
static cJSON *hand_holder(cJSON *plan, const char *ds)
{
	cJSON *svcs = cJSON_GetObjectItemCaseSensitive(plan, "services"), *s;

	cJSON_ArrayForEach(s, svcs)
		if (find_by_id(cJSON_GetObjectItemCaseSensitive(s, "datastores"), ds))
			return s;
	return NULL;
}

static void set_str(cJSON *obj, const char *key, const char *v, bool replace)
{
	if (!v || !v[0])
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
		if (!replace)
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	}
	cJSON_AddStringToObject(obj, key, v);
}

/* Which using service has a Resource (docs/import-backstage.md). */
static void choose_holders(struct bctx *c)
{
	for (size_t i = 0; i < c->n_ents; i++) {
		struct ent *r = c->ents[i];
		const char *pin, *owner;
		cJSON *hs;

		if (r->kind != K_RESOURCE || !r->users_n)
			continue;
		qsort(r->users, r->users_n, sizeof(*r->users), cmp_ent);
		pin = bs_str(bs_get(bs_get(r->doc, "metadata"), "annotations"),
			     "drgen.io/service");
		hs = c->hand ? hand_holder(c->hand, r->id) : NULL;
		for (size_t k = 0; k < r->users_n && !r->holder; k++) {
			const char *id = r->users[k]->id;

			const cJSON *hid = hs ? cJSON_GetObjectItemCaseSensitive(hs, "id") : NULL;

			if ((pin && strcmp(pin, id) == 0) ||
			    (!pin && cJSON_IsString(hid) && strcmp(hid->valuestring, id) == 0))
				r->holder = r->users[k];
		}
		owner = bs_str(bs_get(r->doc, "spec"), "owner");
		for (size_t k = 0; k < r->users_n && !r->holder && owner; k++) {
			const char *o = bs_str(bs_get(r->users[k]->doc, "spec"), "owner");

			if (o && strcmp(ref_key(c->a, o, "group"), ref_key(c->a, owner, "group")) == 0)
				r->holder = r->users[k];
		}
		if (!r->holder)
			r->holder = r->users[0];
		for (size_t k = 0; k < r->users_n; k++)
			add_edge(c, r->users[k], r->holder, r->file, r->doc);
	}
}

/* The contact id spec.owner names: a Group or User of the inputs, or a
 * contact of the hand plan with that name; NULL (reported) otherwise. */
static const char *owner_contact(struct bctx *c, struct ent *e)
{
	const struct bs_node *at = bs_get(bs_get(e->doc, "spec"), "owner");
	const char *ref, *name, *slash;
	struct ent *t;

	if (!at || at->kind != BS_SCALAR || !at->str[0])
		return NULL;
	ref = ref_key(c->a, at->str, "group");
	t = strmap_get(c->by_ref, ref);
	if (!t && !strchr(at->str, ':'))
		t = strmap_get(c->by_ref, ref_key(c->a, at->str, "user"));
	if (t && (t->kind == K_GROUP || t->kind == K_USER))
		return t->id;
	slash = strrchr(at->str, '/');
	name = strrchr(slash ? slash : at->str, ':');
	name = name ? name + 1 : slash ? slash + 1 : at->str;
	if (c->hand && find_by_id(cJSON_GetObjectItemCaseSensitive(c->hand, "contacts"), name))
		return name;
	dangling(c, e, "owner", at, ref);
	return NULL;
}

static const char *owner_name(const struct ent *e)
{
	const char *o = bs_str(bs_get(e->doc, "spec"), "owner"), *p;

	if (!o)
		return NULL;
	p = strrchr(o, '/');
	if (!p)
		p = strrchr(o, ':');
	return p ? p + 1 : o;
}

static void merge_contacts(struct bctx *c, cJSON *plan)
{
	cJSON *contacts = array_of(plan, "contacts");

	for (size_t i = 0; i < c->n_ents; i++) {
		struct ent *e = c->ents[i];
		const struct bs_node *profile = bs_get(bs_get(e->doc, "spec"), "profile");
		const char *disp = bs_str(profile, "displayName");
		const struct bs_node *member = bs_get(bs_get(e->doc, "spec"), "memberOf");
		cJSON *o;

		if (e->kind != K_GROUP && e->kind != K_USER)
			continue;
		if (!disp)
			disp = bs_str(bs_get(e->doc, "metadata"), "title");
		o = find_by_id(contacts, e->id);
		if (!o) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", e->id);
			cJSON_AddItemToArray(contacts, o);
		}
		set_str(o, "name", disp && disp[0] ? disp : e->name, false);
		set_str(o, "email", bs_str(profile, "email"), false);
		if (e->kind == K_GROUP)
			set_str(o, "role", arena_printf(c->a, "%s (Backstage group)",
				bs_str(bs_get(e->doc, "spec"), "type") ? bs_str(bs_get(e->doc, "spec"), "type") : "team"), false);
		else if (member && member->kind == BS_SEQ && member->n &&
			 member->items[0]->kind == BS_SCALAR)
			set_str(o, "team", member->items[0]->str, false);
		c->n_contacts++;
	}
}

/* The datastore object for Resource r: the hand plan's (detached), or new. */
static cJSON *datastore_for(struct bctx *c, cJSON *plan, struct ent *r)
{
	cJSON *hs = hand_holder(plan, r->id);
	const struct bs_node *ann = bs_get(bs_get(r->doc, "metadata"), "annotations");
	const char *crit = bs_str(ann, "drgen.io/criticality");
	cJSON *ds;

	if (hs) {
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(hs, "datastores");
		int k = 0;
		cJSON *it;

		cJSON_ArrayForEach(it, arr) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "id");

			if (cJSON_IsString(v) && strcmp(v->valuestring, r->id) == 0)
				break;
			k++;
		}
		ds = cJSON_DetachItemFromArray(arr, k);
		if (crit)
			set_str(ds, "criticality", crit, true);
		set_str(ds, "engine", bs_str(ann, "drgen.io/engine"), false);
		return ds;
	}
	ds = cJSON_CreateObject();
	cJSON_AddStringToObject(ds, "id", r->id);
	if (!crit) {
		rep(c, DIAG_NOTE, r->file, r->doc, NULL,
		    "datastore \"%s\": criticality \"important\" by default (set it in plan.json "
		    "or annotation drgen.io/criticality)", r->id);
		crit = "important";
	}
	cJSON_AddStringToObject(ds, "criticality", crit);
	set_str(ds, "engine", bs_str(ann, "drgen.io/engine"), false);
	return ds;
}

static void merge_services(struct bctx *c, cJSON *plan, const bool *kept)
{
	cJSON *svcs = array_of(plan, "services"), *s;
	struct strmap *catalog = strmap_new(c->n_ents);

	for (size_t i = 0; i < c->n_ents; i++) {
		struct ent *e = c->ents[i];
		const struct bs_node *meta = bs_get(e->doc, "metadata");
		const char *owner, *title = bs_str(meta, "title");
		cJSON *deps;

		if (e->kind != K_COMPONENT)
			continue;
		strmap_put(catalog, e->id, e);
		s = find_by_id(svcs, e->id);
		if (!s) {
			s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "id", e->id);
			cJSON_AddItemToArray(svcs, s);
		}
		set_str(s, "name", title && title[0] ? title : e->name, false);
		set_str(s, "description", bs_str(meta, "description"), false);
		owner = owner_contact(c, e);
		set_str(s, "owner", owner, true);
		set_str(s, "team", owner_name(e), false);
		/* Topology: the catalog wins. */
		deps = cJSON_CreateArray();
		for (size_t k = 0; k < c->n_edges; k++)
			if (kept[k] && c->edges[k].from == e)
				cJSON_AddItemToArray(deps, cJSON_CreateString(c->edges[k].to->id));
		{
			const cJSON *old = cJSON_GetObjectItemCaseSensitive(s, "depends_on"), *it;

			cJSON_ArrayForEach(it, old)
				if (cJSON_IsString(it) && !find_string(deps, it->valuestring))
					diag_add(c->d, DIAG_NOTE, c->hand_file, 0, 0, NULL,
						 "service \"%s\": dependency on \"%s\" from plan.json "
						 "dropped (not in the catalog, which wins on topology)",
						 e->id, it->valuestring);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(s, "depends_on");
		if (cJSON_GetArraySize(deps))
			cJSON_AddItemToObject(s, "depends_on", deps);
		else
			cJSON_Delete(deps);
		c->n_svc++;
	}
	/* Datastores, after every service exists (a move may cross them). */
	for (size_t i = 0; i < c->n_ents; i++) {
		struct ent *r = c->ents[i];
		cJSON *dss;

		if (r->kind != K_RESOURCE)
			continue;
		if (!r->holder) {
			if (c->hand && hand_holder(plan, r->id))
				continue;    /* the hand plan places it */
			rep(c, DIAG_WARNING, r->file, r->doc, NULL,
			    "%s is used by no component: not imported (a datastore belongs to a service)",
			    r->ref);
			continue;
		}
		s = find_by_id(svcs, r->holder->id);
		{
			cJSON *ds = datastore_for(c, plan, r);

			dss = array_of(s, "datastores");
			cJSON_AddItemToArray(dss, ds);
		}
		c->n_ds++;
	}
	cJSON_ArrayForEach(s, svcs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
		cJSON *dss = cJSON_GetObjectItemCaseSensitive(s, "datastores");

		if (cJSON_IsArray(dss) && cJSON_GetArraySize(dss) == 0)
			cJSON_DeleteItemFromObjectCaseSensitive(s, "datastores");
		if (cJSON_IsString(id) && !strmap_get(catalog, id->valuestring))
			diag_add(c->d, DIAG_NOTE, c->hand_file, 0, 0, NULL,
				 "service \"%s\" is not in the catalog: kept from plan.json",
				 id->valuestring);
	}
	strmap_free(catalog);
}

/* ---- the command ---- */

static const char usage[] =
	"usage: drgen import backstage FILE... [-o FILE] [--plan DIR] [-q]\n";

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "drgen import backstage: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return EXIT_INPUT;
}

static cJSON *read_hand_plan(struct bctx *c, const char *dir)
{
	struct source_set *src = source_set_new(dir);
	struct source_file f;
	struct jsonpos_error err;
	struct jsonpos *idx = NULL;
	cJSON *root = NULL;

	if (source_read(src, "plan.json", "plan", SOURCE_MAX_JSON, &f, c->d)) {
		if (!jsonpos_parse(f.data, f.len, JSONPOS_MAX_DEPTH, &root, &idx, &err)) {
			diag_add(c->d, DIAG_ERROR, f.path, err.line, err.col, NULL,
				 "%s", err.message);
			root = NULL;
		} else if (!cJSON_IsObject(root)) {
			diag_add(c->d, DIAG_ERROR, f.path, 1, 1, NULL,
				 "plan.json must be a JSON object");
			cJSON_Delete(root);
			root = NULL;
		} else {
			static const char *const arrays[] = {"/services", "/contacts"};

			/* Never replace what the user wrote: wrong shapes stop here. */
			for (size_t i = 0; i < ARRAY_LEN(arrays) && root; i++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, arrays[i] + 1);
				int line = 0, col = 0;

				if (!v || cJSON_IsArray(v))
					continue;
				jsonpos_find(idx, arrays[i], &line, &col);
				diag_add(c->d, DIAG_ERROR, f.path, line, col, arrays[i],
					 "expected an array (run drgen check on the hand plan)");
				cJSON_Delete(root);
				root = NULL;
			}
		}
		jsonpos_free(idx);
		source_file_free(&f);
	}
	if (!root)
		c->errors++;
	source_set_free(src);
	return root;
}

static cJSON *skeleton(void)
{
	cJSON *p = cJSON_CreateObject(), *org;

	cJSON_AddNumberToObject(p, "drgen", 1);
	org = cJSON_AddObjectToObject(p, "organization");
	cJSON_AddStringToObject(org, "id", "backstage-catalog");
	cJSON_AddStringToObject(org, "name", "Backstage catalog");
	cJSON_AddObjectToObject(p, "plan");
	cJSON_AddArrayToObject(p, "contacts");
	cJSON_AddArrayToObject(p, "services");
	return p;
}

/*
 * Writes text to path (or standard output) whole or not at all: into
 * PATH.tmp first, then renamed over PATH, so that `-o plan/plan.json` never
 * leaves a cut hand plan behind.
 */
static bool write_out(const char *path, const char *text, struct diags *d)
{
	char *tmp;
	FILE *fp;
	bool ok;

	if (!path) {
		ok = fputs(text, stdout) >= 0 && fputc('\n', stdout) != EOF &&
		     fflush(stdout) == 0;
		if (!ok)
			diag_add(d, DIAG_ERROR, "stdout", 0, 0, NULL, "write failed");
		return ok;
	}
	tmp = xasprintf("%s.tmp", path);
	fp = fopen(tmp, "w");
	if (!fp) {
		diag_add(d, DIAG_ERROR, tmp, 0, 0, NULL, "cannot write: %s", strerror(errno));
		free(tmp);
		return false;
	}
	ok = fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
	ok = fclose(fp) == 0 && ok;
	if (ok && rename(tmp, path) != 0) {
		diag_add(d, DIAG_ERROR, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
		ok = false;
	} else if (!ok) {
		diag_add(d, DIAG_ERROR, tmp, 0, 0, NULL, "write failed");
	}
	if (!ok)
		remove(tmp);
	free(tmp);
	return ok;
}

int import_backstage_main(int argc, char **argv)
{
	struct bctx c;
	const char *out = NULL, *plan_dir = NULL;
	const char **files = xmalloc((size_t)(argc + 1) * sizeof(*files));
	size_t n_files = 0;
	bool quiet = false, *kept = NULL;
	int rc = EXIT_OK;
	char *text = NULL;
	cJSON *plan;

	memset(&c, 0, sizeof(c));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			free(files);
			return EXIT_OK;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
			   strcmp(a, "--plan") == 0) {
			if (i + 1 >= argc) {
				free(files);
				return fail_usage("%s needs a value", a);
			}
			*(a[1] == 'o' || a[2] == 'o' ? &out : &plan_dir) = argv[++i];
		} else if (strncmp(a, "--output=", 9) == 0) {
			out = a + 9;
		} else if (strncmp(a, "--plan=", 7) == 0) {
			plan_dir = a + 7;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (a[0] == '-' && a[1]) {
			free(files);
			return fail_usage("unknown option \"%s\"", a);
		} else {
			files[n_files++] = a;
		}
	}
	if (!n_files) {
		free(files);
		return fail_usage("%s", "no catalog file given");
	}

	c.a = arena_new();
	c.d = diags_new();
	c.by_ref = strmap_new(256);
	c.ids = strmap_new(256);
	c.providers = strmap_new(64);
	c.edge_set = strmap_new(256);
	for (size_t i = 0; i < n_files; i++) {
		struct source_file f;
		struct bs_docs docs = {0, NULL};

		if (!source_read_path(files[i], BS_MAX_FILE, &f, c.d)) {
			c.errors++;
			continue;
		}
		if (bs_read(c.a, files[i], f.data, f.len, &docs, c.d))
			for (size_t k = 0; k < docs.n; k++)
				add_entity(&c, files[i], docs.docs[k]);
		else
			c.errors++;
		free(docs.docs);
		source_file_free(&f);
	}
	if (plan_dir) {
		c.hand_file = arena_printf(c.a, "%s/plan.json", plan_dir);
		c.hand = read_hand_plan(&c, plan_dir);
	}
	if (c.errors)
		goto report;

	if (c.n_ents)
		qsort(c.ents, c.n_ents, sizeof(*c.ents), cmp_ent);
	for (size_t i = 0; i < c.n_ents; i++)
		c.ents[i]->idx = i;
	assign_ids(&c);
	for (size_t i = 0; i < c.n_ents; i++)
		if (c.ents[i]->kind == K_COMPONENT)
			each_ref(&c, c.ents[i], "providesApis", "api", on_provides);
	for (size_t i = 0; i < c.n_ents; i++) {
		struct ent *e = c.ents[i];

		if (e->kind != K_COMPONENT && e->kind != K_RESOURCE)
			continue;
		each_ref(&c, e, "dependsOn", "component", on_depends);
		each_ref(&c, e, "dependencyOf", "component", on_dependency_of);
		if (e->kind == K_COMPONENT) {
			each_ref(&c, e, "consumesApis", "api", on_consumes);
			each_ref(&c, e, "subcomponentOf", "component", on_subcomponent);
		}
	}
	choose_holders(&c);
	kept = break_cycles(&c);
	plan = c.hand ? c.hand : skeleton();
	c.hand = plan;
	merge_contacts(&c, plan);
	merge_services(&c, plan, kept);
	if (!c.errors) {
		text = cJSON_Print(plan);
		if (!text || !write_out(out, text, c.d))
			c.errors++;
	}
	cJSON_Delete(plan);
	c.hand = NULL;

report:
	diags_sort(c.d);
	diags_print(c.d, stderr, cli_stderr_is_tty() != 0, quiet);
	if (c.errors) {
		rc = EXIT_INPUT;
		fprintf(stderr, "drgen import backstage: %u error%s, nothing written\n",
			c.errors, util_plural(c.errors));
	} else if (!quiet) {
		fprintf(stderr,
			"drgen import backstage: %zu file%s, %zu entit%s: %u service%s, "
			"%u datastore%s, %u contact%s; %u ignored, %u dangling reference%s, "
			"%u renamed, %u dependenc%s dropped (cycles)\n",
			n_files, util_plural(n_files), c.n_ents, c.n_ents == 1 ? "y" : "ies",
			c.n_svc, util_plural(c.n_svc), c.n_ds, util_plural(c.n_ds),
			c.n_contacts, util_plural(c.n_contacts), c.ignored, c.dangling,
			util_plural(c.dangling), c.renamed, c.dropped,
			c.dropped == 1 ? "y" : "ies");
	}
	if (c.hand)
		cJSON_Delete(c.hand);
	free(text);
	free(kept);
	for (size_t i = 0; i < c.n_ents; i++) {
		free(c.ents[i]->users);
		free(c.ents[i]->out);
	}
	free(c.ents);
	free(c.edges);
	strmap_free(c.by_ref);
	strmap_free(c.ids);
	strmap_free(c.providers);
	strmap_free(c.edge_set);
	diags_free(c.d);
	arena_free(c.a);
	free(files);
	return rc;
}
