/*
 * oscal.c -- the system security plan, assessment plan and assessment
 * results of a build, in NIST OSCAL 1.1.3 JSON (oscal.h, docs/oscal.md).
 *
 * Everything is read from what the build already decided: the model (the
 * organization, contacts, services, datastores, exceptions, attestations)
 * and results.json's parts (controls with their checks and evidence, the
 * frameworks, findings).  Nothing here judges: a control's OSCAL status
 * is a mapping of drgen's own, which travels along as a property.
 */
#include "oscal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "model.h"
#include "results.h"
#include "rules.h"
#include "util.h"

#define OSCAL_VERSION "1.1.3"
/* drgen's own properties and tokens live in this namespace. */
#define OSCAL_NS "urn:drgen:oscal"

/* drgen's UUID namespace (a random version-4 UUID, fixed once). */
static const unsigned char NAMESPACE[16] = {
	0xbf, 0xe4, 0x5f, 0x66, 0xb0, 0x54, 0x42, 0x36,
	0xba, 0x82, 0x04, 0xc0, 0x5f, 0x81, 0x59, 0x11,
};

void oscal_uuid5(const char *name, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx)
		out_of_memory();
	EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
	EVP_DigestUpdate(ctx, NAMESPACE, sizeof(NAMESPACE));
	EVP_DigestUpdate(ctx, name, strlen(name));
	EVP_DigestFinal_ex(ctx, md, &md_len);
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);   /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);   /* RFC variant */
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 15];
	}
	out[o] = '\0';
}

void oscal_control_token(const char *framework, const char *control, char *out,
			 size_t size)
{
	struct buf b = BUF_INIT;
	bool nist = strcmp(framework, "nist80053") == 0;

	if (!nist)
		buf_printf(&b, "%s-", framework);
	for (const char *s = control; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char last = b.len ? b.data[b.len - 1] : '\0';
		if (c == '(') {
			if (last != '.' && last != '-')
				buf_putc(&b, '.');
		} else if (c == ')') {
			continue;
		} else if (isalnum(c) || c == '.' || c == '_' || c == '-') {
			/* "Art. 11" -> "art-11": a dot before a space is the space's. */
			if (c == '.' && s[1] == ' ')
				continue;
			buf_putc(&b, (char)tolower(c));
		} else if (last != '-' && last != '.' && b.len) {
			buf_putc(&b, '-');
		}
	}
	while (b.len && (b.data[b.len - 1] == '-' || b.data[b.len - 1] == '.'))
		b.len--;
	/* A token starts with a letter or "_". */
	bool lead = b.len == 0 || !(isalpha((unsigned char)b.data[0]) || b.data[0] == '_');
	snprintf(out, size, "%s%.*s", lead ? "_" : "", (int)b.len, b.len ? b.data : "");
	buf_free(&b);
}

/* ---- building blocks ---------------------------------------------------- */

struct oscal {
	const struct oscal_input *in;
	const char *org;           /* organization id: every UUID's first part */
	const char *period;        /* "2026-11" */
	const char *as_of;
	struct strmap *file_by_href;    /* href -> its oscal_file */
	struct strmap *findings_by_subject;  /* subject -> struct finding_list */
	struct strmap *referenced;      /* subject UUIDs observations name */
	struct arena *keys;             /* the UUIDs those maps are keyed by */
};

/* The findings about one subject, by index (results_finding_at). */
struct finding_list {
	size_t *at;
	size_t n;
};

/* The UUID named org/<formatted name>, added to o as "uuid" (or key). */
PRINTF_LIKE(4, 5)
static const char *add_uuid(const struct oscal *x, cJSON *o, const char *key,
			    const char *fmt, ...)
{
	char id[37];
	va_list ap;
	struct buf name = BUF_INIT;

	buf_printf(&name, "%s/", x->org);
	va_start(ap, fmt);
	buf_vprintf(&name, fmt, ap);
	va_end(ap);
	oscal_uuid5(name.data, id);
	buf_free(&name);
	cJSON *s = cJSON_AddStringToObject(o, key ? key : "uuid", id);
	return s->valuestring;
}

static void uuid_of(const struct oscal *x, char out[37], const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void uuid_of(const struct oscal *x, char out[37], const char *fmt, ...)
{
	va_list ap;
	struct buf name = BUF_INIT;

	buf_printf(&name, "%s/", x->org);
	va_start(ap, fmt);
	buf_vprintf(&name, fmt, ap);
	va_end(ap);
	oscal_uuid5(name.data, out);
	buf_free(&name);
}

static cJSON *add_array(cJSON *o, const char *key)
{
	return cJSON_AddArrayToObject(o, key);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
}

/* A property; drgen's own names carry the drgen namespace. */
static void add_prop(cJSON *props, const char *name, const char *value, bool own)
{
	if (!value || !*value)
		return;
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", name);
	if (own)
		cJSON_AddStringToObject(p, "ns", OSCAL_NS);
	cJSON_AddStringToObject(p, "value", value);
	cJSON_AddItemToArray(props, p);
}

static const char *json_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Drops an array left empty: OSCAL arrays have at least one item. */
static void drop_if_empty(cJSON *o, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	if (a && cJSON_GetArraySize(a) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
}

/* ---- metadata: the organization and the people the verdicts name ------- */

static const struct contact *contact_by_id_or_name(const struct model *m, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < m->n_contacts; i++) {
		if (strcmp(m->contacts[i].id, s) == 0)
			return &m->contacts[i];
	}
	for (size_t i = 0; i < m->n_contacts; i++) {
		if (m->contacts[i].name && strcmp(m->contacts[i].name, s) == 0)
			return &m->contacts[i];
	}
	return NULL;
}

/* The people a role names: contact ids (or names) as given by the plan. */
struct role_list {
	const char *role;
	const char *title;
	const char **who;
	size_t n;
};

static void role_add(struct role_list *r, const char *who)
{
	if (!who || !*who)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->who[i], who) == 0)
			return;
	}
	r->who = xrealloc(r->who, (r->n + 1) * sizeof(*r->who));
	r->who[r->n++] = who;
}

enum { ROLE_PLAN_OWNER, ROLE_PLAN_APPROVER, ROLE_SERVICE_OWNER, ROLE_ATTESTER,
       ROLE_EXCEPTION_APPROVER, ROLE_COUNT };

static void collect_roles(const struct model *m, struct role_list roles[ROLE_COUNT])
{
	static const char *const ids[ROLE_COUNT][2] = {
		{"plan-owner", "Owner of the disaster-recovery plan"},
		{"plan-approver", "Approver of the disaster-recovery plan"},
		{"service-owner", "Owner of a service"},
		{"attester", "Attester of a statement the assessment relies on"},
		{"exception-approver", "Approver of an exception"},
	};
	for (int i = 0; i < ROLE_COUNT; i++) {
		roles[i] = (struct role_list){.role = ids[i][0], .title = ids[i][1]};
	}
	role_add(&roles[ROLE_PLAN_OWNER], m->meta.owner);
	role_add(&roles[ROLE_PLAN_APPROVER], m->meta.approved_by);
	for (size_t i = 0; i < m->n_services; i++)
		role_add(&roles[ROLE_SERVICE_OWNER], m->services[i].owner);
	for (size_t i = 0; i < m->n_attestations; i++)
		role_add(&roles[ROLE_ATTESTER], m->attestations[i].attester);
	for (size_t i = 0; i < m->n_exceptions; i++)
		role_add(&roles[ROLE_EXCEPTION_APPROVER], m->exceptions[i].approved_by);
}

/* The party UUID of a person as the plan names them (contact id or name). */
static void party_uuid(const struct oscal *x, const char *who, char out[37])
{
	const struct contact *c = contact_by_id_or_name(x->in->model, who);
	if (c)
		uuid_of(x, out, "party/contact/%s", c->id);
	else
		uuid_of(x, out, "party/person/%s", who);
}

static cJSON *metadata(const struct oscal *x, const char *title)
{
	const struct model *m = x->in->model;
	cJSON *md = cJSON_CreateObject();
	struct role_list roles[ROLE_COUNT];
	char id[37];

	cJSON_AddStringToObject(md, "title", title);
	cJSON_AddStringToObject(md, "last-modified", x->in->generated_at);
	cJSON_AddStringToObject(md, "version", x->period);
	cJSON_AddStringToObject(md, "oscal-version", OSCAL_VERSION);
	cJSON *props = add_array(md, "props");
	add_prop(props, "as-of", x->as_of, true);
	add_prop(props, "period", x->period, true);
	add_prop(props, "generator", x->in->drgen_version, true);

	collect_roles(m, roles);
	cJSON *rl = add_array(md, "roles");
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (roles[i].n == 0)
			continue;
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "id", roles[i].role);
		cJSON_AddStringToObject(r, "title", roles[i].title);
		cJSON_AddItemToArray(rl, r);
	}
	drop_if_empty(md, "roles");

	/* Parties: the organization, then every person a role names, once. */
	cJSON *parties = add_array(md, "parties");
	cJSON *org = cJSON_CreateObject();
	add_uuid(x, org, NULL, "party/organization");
	cJSON_AddStringToObject(org, "type", "organization");
	cJSON_AddStringToObject(org, "name", m->org.name ? m->org.name : x->org);
	add_str(org, "short-name", m->org.id);
	cJSON_AddItemToArray(parties, org);
	char org_uuid[37];
	uuid_of(x, org_uuid, "party/organization");
	struct strmap *seen = strmap_new(16);
	for (int i = 0; i < ROLE_COUNT; i++) {
		for (size_t k = 0; k < roles[i].n; k++) {
			const char *who = roles[i].who[k];
			party_uuid(x, who, id);
			if (strmap_get(seen, id))
				continue;
			strmap_put(seen, arena_strdup(x->keys, id), (void *)who);
			const struct contact *c = contact_by_id_or_name(m, who);
			cJSON *p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "uuid", id);
			cJSON_AddStringToObject(p, "type", "person");
			cJSON_AddStringToObject(p, "name", c && c->name ? c->name : who);
			if (c) {
				cJSON *pp = add_array(p, "props");
				add_prop(pp, "contact-id", c->id, true);
				add_prop(pp, "job-title", c->role, false);
				drop_if_empty(p, "props");
				if (c->email) {
					cJSON *em = add_array(p, "email-addresses");
					cJSON_AddItemToArray(em, cJSON_CreateString(c->email));
				}
			}
			cJSON *mo = add_array(p, "member-of-organizations");
			cJSON_AddItemToArray(mo, cJSON_CreateString(org_uuid));
			cJSON_AddItemToArray(parties, p);
		}
	}
	strmap_free(seen);

	cJSON *rp = add_array(md, "responsible-parties");
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (roles[i].n == 0)
			continue;
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "role-id", roles[i].role);
		cJSON *pu = add_array(r, "party-uuids");
		struct strmap *once = strmap_new(16);
		for (size_t k = 0; k < roles[i].n; k++) {
			party_uuid(x, roles[i].who[k], id);
			if (strmap_get(once, id))
				continue;
			strmap_put(once, arena_strdup(x->keys, id), (void *)roles[i].who[k]);
			cJSON_AddItemToArray(pu, cJSON_CreateString(id));
		}
		strmap_free(once);
		cJSON_AddItemToArray(rp, r);
		free(roles[i].who);
	}
	drop_if_empty(md, "responsible-parties");
	return md;
}

/* ---- back-matter: every evidence file, with its hash ------------------- */

static cJSON *back_matter(const struct oscal *x)
{
	cJSON *bm = cJSON_CreateObject();
	cJSON *res = add_array(bm, "resources");
	for (size_t i = 0; i < x->in->n_files; i++) {
		const struct oscal_file *f = &x->in->files[i];
		cJSON *r = cJSON_CreateObject();
		add_uuid(x, r, NULL, "period/%s/resource/%s", x->period, f->href);
		cJSON_AddStringToObject(r, "title", f->title);
		cJSON *props = add_array(r, "props");
		char size[32];
		snprintf(size, sizeof(size), "%llu", (unsigned long long)f->size);
		add_prop(props, "size", size, true);
		cJSON *rl = add_array(r, "rlinks");
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "href", f->href);
		cJSON *hs = add_array(l, "hashes");
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "algorithm", "SHA-256");
		cJSON_AddStringToObject(h, "value", f->sha256);
		cJSON_AddItemToArray(hs, h);
		cJSON_AddItemToArray(rl, l);
		cJSON_AddItemToArray(res, r);
	}
	drop_if_empty(bm, "resources");
	return bm;
}

/* "#uuid" of the back-matter resource for href; false when there is none. */
static bool resource_ref(const struct oscal *x, const char *href, char out[38])
{
	if (!strmap_get(x->file_by_href, href))
		return false;
	out[0] = '#';
	uuid_of(x, out + 1, "period/%s/resource/%s", x->period, href);
	return true;
}

/* ---- the system: services as components, datastores as inventory ------ */

static const char *const CRITICALITY_NAMES[] = {"critical", "important", "standard"};

static cJSON *service_component(const struct oscal *x, size_t i)
{
	const struct service *s = &x->in->model->services[i];
	cJSON *c = cJSON_CreateObject();
	add_uuid(x, c, NULL, "component/service/%s", s->id);
	cJSON_AddStringToObject(c, "type", "service");
	cJSON_AddStringToObject(c, "title", s->name ? s->name : s->id);
	cJSON_AddStringToObject(c, "description",
				s->description ? s->description : s->name ? s->name : s->id);
	cJSON *props = add_array(c, "props");
	add_prop(props, "service-id", s->id, true);
	if (x->in->rules && i < x->in->rules->n_tiers) {
		const struct service_tier *t = &x->in->rules->tiers[i];
		char num[32];
		snprintf(num, sizeof(num), "%d", t->tier);
		add_prop(props, "tier", num, true);
		snprintf(num, sizeof(num), "%.15g", t->rto_minutes);
		add_prop(props, "rto-minutes", num, true);
		snprintf(num, sizeof(num), "%.15g", t->rpo_minutes);
		add_prop(props, "rpo-minutes", num, true);
		add_prop(props, "strategy", t->strategy, true);
	}
	for (size_t r = 0; r < s->n_regions; r++)
		add_prop(props, "region", s->regions[r], true);
	for (size_t d = 0; d < s->n_depends_on; d++)
		add_prop(props, "depends-on", s->depends_on[d], true);
	cJSON *st = cJSON_AddObjectToObject(c, "status");
	cJSON_AddStringToObject(st, "state", "operational");
	if (s->owner) {
		cJSON *rr = add_array(c, "responsible-roles");
		cJSON *r = cJSON_CreateObject();
		char id[37];
		cJSON_AddStringToObject(r, "role-id", "service-owner");
		party_uuid(x, s->owner, id);
		cJSON *pu = add_array(r, "party-uuids");
		cJSON_AddItemToArray(pu, cJSON_CreateString(id));
		cJSON_AddItemToArray(rr, r);
	}
	return c;
}

static cJSON *datastore_item(const struct oscal *x, size_t i)
{
	const struct model *m = x->in->model;
	const struct datastore *ds = &m->datastores[i];
	const struct service *s = &m->services[ds->service_index];
	cJSON *it = cJSON_CreateObject();
	add_uuid(x, it, NULL, "inventory/datastore/%s", ds->id);
	char *desc = xasprintf("Datastore %s of %s", ds->id, s->id);
	cJSON_AddStringToObject(it, "description", desc);
	free(desc);
	cJSON *props = add_array(it, "props");
	add_prop(props, "datastore-id", ds->id, true);
	add_prop(props, "software-name", ds->engine, false);
	if ((size_t)ds->criticality < sizeof(CRITICALITY_NAMES) / sizeof(*CRITICALITY_NAMES))
		add_prop(props, "criticality", CRITICALITY_NAMES[ds->criticality], true);
	drop_if_empty(it, "props");
	cJSON *ic = add_array(it, "implemented-components");
	cJSON *ref = cJSON_CreateObject();
	add_uuid(x, ref, "component-uuid", "component/service/%s", s->id);
	cJSON_AddItemToArray(ic, ref);
	return it;
}

/*
 * The services and datastores as components and inventory items, in plan
 * order: all of them (only_referenced false: the system security plan), or
 * those an observation names as a subject (the results' own definitions).
 */
static void add_system(const struct oscal *x, cJSON *defs, bool only_referenced)
{
	const struct model *m = x->in->model;
	char id[37];
	cJSON *comps = add_array(defs, "components");
	for (size_t i = 0; i < m->n_services; i++) {
		uuid_of(x, id, "component/service/%s", m->services[i].id);
		if (!only_referenced || strmap_get(x->referenced, id))
			cJSON_AddItemToArray(comps, service_component(x, i));
	}
	drop_if_empty(defs, "components");
	cJSON *inv = add_array(defs, "inventory-items");
	for (size_t i = 0; i < m->n_datastores; i++) {
		uuid_of(x, id, "inventory/datastore/%s", m->datastores[i].id);
		if (!only_referenced || strmap_get(x->referenced, id))
			cJSON_AddItemToArray(inv, datastore_item(x, i));
	}
	drop_if_empty(defs, "inventory-items");
}

/* ---- controls ------------------------------------------------------------ */

static void control_token(const cJSON *c, char *out, size_t size)
{
	oscal_control_token(json_str(c, "framework"), json_str(c, "control"), out, size);
}

/* reviewed-controls: one control selection per framework, in order. */
static cJSON *reviewed_controls(const struct oscal *x, const char *description)
{
	const cJSON *controls = cJSON_GetObjectItemCaseSensitive(x->in->results, "controls");
	const cJSON *fws = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(x->in->results, "compliance"), "frameworks");
	cJSON *rc = cJSON_CreateObject();
	cJSON_AddStringToObject(rc, "description", description);
	cJSON *sel = add_array(rc, "control-selections");
	const cJSON *fw;
	cJSON_ArrayForEach(fw, fws) {
		const char *id = json_str(fw, "framework");
		cJSON *s = cJSON_CreateObject();
		char *d = xasprintf("%s: %s", json_str(fw, "name") ? json_str(fw, "name") : id,
				    json_str(fw, "scope") ? json_str(fw, "scope") : "");
		cJSON_AddStringToObject(s, "description", d);
		free(d);
		cJSON *props = add_array(s, "props");
		add_prop(props, "framework", id, true);
		cJSON *inc = add_array(s, "include-controls");
		const cJSON *c;
		cJSON_ArrayForEach(c, controls) {
			if (strcmp(json_str(c, "framework"), id) != 0)
				continue;
			char tok[256];
			control_token(c, tok, sizeof(tok));
			cJSON *ci = cJSON_CreateObject();
			cJSON_AddStringToObject(ci, "control-id", tok);
			cJSON_AddItemToArray(inc, ci);
		}
		if (cJSON_GetArraySize(inc) == 0) {
			cJSON_Delete(s);
			continue;
		}
		cJSON_AddItemToArray(sel, s);
	}
	if (cJSON_GetArraySize(sel) == 0) {
		/* No framework selected: an empty selection says so. */
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "description", "no compliance framework is selected");
		cJSON_AddItemToArray(sel, s);
	}
	return rc;
}

/* ---- the three documents ------------------------------------------------ */

/* The document in results.json's layout (two-space indent, newline at the end). */
static char *print_doc(cJSON *root, size_t *len)
{
	char *text = results_print(root, len);
	cJSON_Delete(root);
	return text;
}

/*
 * A new document of OSCAL model `model` ("system-security-plan"): its root,
 * the model's object with a UUID of the period and the metadata titled
 * "ORG: disaster-recovery WHAT, PERIOD".  Returns the model's object.
 */
static cJSON *new_document(const struct oscal *x, cJSON **root, const char *model,
			   const char *what)
{
	const struct model *m = x->in->model;
	*root = cJSON_CreateObject();
	cJSON *doc = cJSON_AddObjectToObject(*root, model);
	add_uuid(x, doc, NULL, "period/%s/%s", x->period, model);
	char *title = xasprintf("%s: disaster-recovery %s, %s",
				m->org.name ? m->org.name : x->org, what, x->period);
	cJSON_AddItemToObject(doc, "metadata", metadata(x, title));
	free(title);
	return doc;
}

static char *build_ssp(const struct oscal *x, size_t *len)
{
	const struct model *m = x->in->model;
	cJSON *root;
	cJSON *ssp = new_document(x, &root, "system-security-plan", "system security plan");
	char ref[38];
	cJSON *ip = cJSON_AddObjectToObject(ssp, "import-profile");
	if (resource_ref(x, "controls.json", ref))
		cJSON_AddStringToObject(ip, "href", ref);
	else
		cJSON_AddStringToObject(ip, "href", "assessment-plan.json");
	cJSON_AddStringToObject(ip, "remarks",
				"The controls in scope are those of the frameworks the plan selects "
				"(compliance.frameworks), as drgen's rules map them; the "
				"assessment plan lists them.");

	cJSON *sc = cJSON_AddObjectToObject(ssp, "system-characteristics");
	cJSON *ids = add_array(sc, "system-ids");
	cJSON *sid = cJSON_CreateObject();
	cJSON_AddStringToObject(sid, "identifier-type", "https://ietf.org/rfc/rfc4122");
	char sys[37];
	uuid_of(x, sys, "system");
	cJSON_AddStringToObject(sid, "id", sys);
	cJSON_AddItemToArray(ids, sid);
	cJSON_AddStringToObject(sc, "system-name", m->org.name ? m->org.name : x->org);
	add_str(sc, "system-name-short", m->org.id);
	char *desc = xasprintf("The services and datastores of %s's disaster-recovery plan "
			       "(version %s): %zu services, %zu datastores.",
			       m->org.name ? m->org.name : x->org,
			       m->meta.version ? m->meta.version : "unversioned",
			       m->n_services, m->n_datastores);
	cJSON_AddStringToObject(sc, "description", desc);
	free(desc);
	cJSON *si = cJSON_AddObjectToObject(sc, "system-information");
	cJSON *its = add_array(si, "information-types");
	/* One information type per data-scope tag the services carry. */
	struct strmap *tags = strmap_new(16);
	for (size_t i = 0; i < m->n_services; i++) {
		for (size_t k = 0; k < m->services[i].n_data_scope; k++) {
			const char *tag = m->services[i].data_scope[k];
			if (strmap_get(tags, tag))
				continue;
			strmap_put(tags, tag, (void *)tag);
			cJSON *t = cJSON_CreateObject();
			add_uuid(x, t, NULL, "information-type/%s", tag);
			cJSON_AddStringToObject(t, "title", tag);
			char *d = xasprintf("Data the plan tags \"%s\" (data_scope)", tag);
			cJSON_AddStringToObject(t, "description", d);
			free(d);
			cJSON_AddItemToArray(its, t);
		}
	}
	strmap_free(tags);
	if (cJSON_GetArraySize(its) == 0) {
		cJSON *t = cJSON_CreateObject();
		add_uuid(x, t, NULL, "information-type/untagged");
		cJSON_AddStringToObject(t, "title", "untagged");
		cJSON_AddStringToObject(t, "description",
					"The plan tags no service with a data scope.");
		cJSON_AddItemToArray(its, t);
	}
	cJSON *st = cJSON_AddObjectToObject(sc, "status");
	cJSON_AddStringToObject(st, "state", "operational");
	cJSON *ab = cJSON_AddObjectToObject(sc, "authorization-boundary");
	cJSON_AddStringToObject(ab, "description",
				"The services, datastores and regions the plan declares.");

	cJSON *impl = cJSON_AddObjectToObject(ssp, "system-implementation");
	cJSON *users = add_array(impl, "users");
	cJSON *u = cJSON_CreateObject();
	add_uuid(x, u, NULL, "user/dr-contact");
	cJSON_AddStringToObject(u, "title", "Disaster-recovery contact");
	cJSON_AddStringToObject(u, "description",
				"A person on the plan's contact list and escalation paths.");
	cJSON_AddItemToArray(users, u);
	add_system(x, impl, false);
	if (!cJSON_GetObjectItemCaseSensitive(impl, "components")) {
		/* A plan without services: the plan itself is the component. */
		cJSON *comps = add_array(impl, "components");
		cJSON *c = cJSON_CreateObject();
		add_uuid(x, c, NULL, "component/this-system");
		cJSON_AddStringToObject(c, "type", "this-system");
		cJSON_AddStringToObject(c, "title", "The plan");
		cJSON_AddStringToObject(c, "description", "The plan declares no service.");
		cJSON_AddObjectToObject(c, "status");
		cJSON_AddStringToObject(cJSON_GetObjectItem(c, "status"), "state", "operational");
		cJSON_AddItemToArray(comps, c);
	}

	cJSON *ci = cJSON_AddObjectToObject(ssp, "control-implementation");
	cJSON_AddStringToObject(ci, "description",
				"The controls of the selected frameworks that the disaster-recovery "
				"plan's data bears on; their assessment is in assessment-results.json.");
	cJSON *reqs = add_array(ci, "implemented-requirements");
	const cJSON *controls = cJSON_GetObjectItemCaseSensitive(x->in->results, "controls");
	const cJSON *c;
	cJSON_ArrayForEach(c, controls) {
		char tok[256];
		control_token(c, tok, sizeof(tok));
		cJSON *r = cJSON_CreateObject();
		add_uuid(x, r, NULL, "implemented-requirement/%s/%s", json_str(c, "framework"),
			 json_str(c, "control"));
		cJSON_AddStringToObject(r, "control-id", tok);
		cJSON *props = add_array(r, "props");
		add_prop(props, "framework", json_str(c, "framework"), true);
		add_prop(props, "control", json_str(c, "control"), true);
		cJSON_AddItemToArray(reqs, r);
	}
	if (cJSON_GetArraySize(reqs) == 0) {
		cJSON *r = cJSON_CreateObject();
		add_uuid(x, r, NULL, "implemented-requirement/none");
		cJSON_AddStringToObject(r, "control-id", "cp-2");
		cJSON_AddStringToObject(r, "remarks",
					"No framework is selected; the contingency plan itself stands in.");
		cJSON_AddItemToArray(reqs, r);
	}
	cJSON_AddItemToObject(ssp, "back-matter", back_matter(x));
	return print_doc(root, len);
}

/* The methods drgen uses: examining records, drills, attestations, the plan. */
static const struct {
	const char *id, *title, *description;
} ACTIVITIES[] = {
	{"examine-backup-records", "Examine backup and restore-test records",
	 "Every backup and restore-test record of the plan's logs up to the as-of time is "
	 "read and summarised per datastore and location (currency, failures, copies, "
	 "encryption, immutability, restore tests)."},
	{"examine-drills", "Examine drill records",
	 "Every drill report up to the as-of time is read: its type, scope, the recovery time "
	 "and data loss measured per service against their targets, and its actions."},
	{"examine-attestations", "Examine attestations and exceptions",
	 "The statements the plan records (attestations, exceptions) are checked for their "
	 "attester or approver, date and expiry; their content is the attester's."},
	{"examine-plan", "Examine the plan",
	 "The plan's declarations are checked: tiers, objectives, owners, contacts and "
	 "escalation, regions, dependencies and reviews."},
};

static const char *check_activity(const char *check)
{
	if (!check)
		return "examine-plan";
	if (strstr(check, "drill") || strstr(check, "rto_achieved") ||
	    strstr(check, "switchover") || strstr(check, "exercised") ||
	    strstr(check, "element_tested"))
		return "examine-drills";
	if (strstr(check, "backup") || strstr(check, "restore") || strstr(check, "offsite") ||
	    strstr(check, "encryption") || strstr(check, "immutable") ||
	    strstr(check, "replication"))
		return "examine-backup-records";
	return "examine-plan";
}

static char *build_ap(const struct oscal *x, size_t *len)
{
	const struct model *m = x->in->model;
	cJSON *root;
	cJSON *ap = new_document(x, &root, "assessment-plan", "assessment plan");
	cJSON *is = cJSON_AddObjectToObject(ap, "import-ssp");
	cJSON_AddStringToObject(is, "href", "system-security-plan.json");
	cJSON *ld = cJSON_AddObjectToObject(ap, "local-definitions");
	cJSON *acts = add_array(ld, "activities");
	for (size_t i = 0; i < sizeof(ACTIVITIES) / sizeof(*ACTIVITIES); i++) {
		cJSON *a = cJSON_CreateObject();
		add_uuid(x, a, NULL, "activity/%s", ACTIVITIES[i].id);
		cJSON_AddStringToObject(a, "title", ACTIVITIES[i].title);
		cJSON_AddStringToObject(a, "description", ACTIVITIES[i].description);
		cJSON *props = add_array(a, "props");
		add_prop(props, "method", "EXAMINE", false);
		cJSON_AddItemToArray(acts, a);
	}
	cJSON_AddItemToObject(ap, "reviewed-controls",
			      reviewed_controls(x, "The controls of the frameworks the plan selects."));
	cJSON *subs = add_array(ap, "assessment-subjects");
	static const char *const types[] = {"component", "inventory-item"};
	size_t counts[] = {m->n_services, m->n_datastores};
	for (int t = 0; t < 2; t++) {
		if (counts[t] == 0)
			continue;
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "type", types[t]);
		cJSON_AddStringToObject(s, "description", t == 0 ?
					"Every service of the plan" : "Every datastore of the plan");
		cJSON_AddObjectToObject(s, "include-all");
		cJSON_AddItemToArray(subs, s);
	}
	drop_if_empty(ap, "assessment-subjects");
	cJSON_AddItemToObject(ap, "back-matter", back_matter(x));
	return print_doc(root, len);
}

/*
 * Whether drgen's status meets the control's objective: pass; n/a (nothing
 * in scope); alternative (a HIPAA addressable specification met by a
 * documented alternative measure, on data that does not fail).
 */
static bool objective_met(const char *status)
{
	return strcmp(status, "pass") == 0 || strcmp(status, "n/a") == 0 ||
	       strcmp(status, "alternative") == 0;
}

/* drgen's status of a control as an OSCAL objective status. */
static void objective_status(cJSON *target, const char *status, const char *reason)
{
	cJSON *st = cJSON_AddObjectToObject(target, "status");
	bool pass = strcmp(status, "pass") == 0;
	cJSON_AddStringToObject(st, "state", objective_met(status) ? "satisfied" : "not-satisfied");
	cJSON_AddStringToObject(st, "reason", pass ? "pass" :
				strcmp(status, "fail") == 0 ? "fail" : "other");
	if (reason && *reason)
		cJSON_AddStringToObject(st, "remarks", reason);
}

/* Adds datastore DS or else service SVC of the plan (either may be NULL)
 * to an observation's subjects, once, with drgen's outcome for it when the
 * check judged it (STATUS, or NULL); false when neither is in the plan. */
static bool add_subject(const struct oscal *x, cJSON *subjects, struct strmap *seen,
			const char *ds, const char *svc, const char *status)
{
	const struct model *m = x->in->model;
	char id[37];
	const char *type;
	const char *title;
	if (ds && m->datastore_by_id && strmap_get(m->datastore_by_id, ds)) {
		uuid_of(x, id, "inventory/datastore/%s", ds);
		type = "inventory-item";
		title = ds;
	} else if (svc && strmap_get(m->service_by_id, svc)) {
		uuid_of(x, id, "component/service/%s", svc);
		type = "component";
		title = svc;
	} else {
		return false;
	}
	if (strmap_get(seen, id))
		return true;
	const char *key = arena_strdup(x->keys, id);   /* maps keep the pointer */
	strmap_put(seen, key, (void *)title);
	strmap_put(x->referenced, key, (void *)title);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "subject-uuid", id);
	cJSON_AddStringToObject(s, "type", type);
	cJSON_AddStringToObject(s, "title", title);
	if (status) {
		cJSON *props = add_array(s, "props");
		add_prop(props, "status", status, true);
	}
	cJSON_AddItemToArray(subjects, s);
	return true;
}

/* The subjects of an observation: first those the check judged (its
 * results.json subjects that are services or datastores, each with its
 * outcome), then those its evidence names. */
static void add_subjects(const struct oscal *x, cJSON *o, const cJSON *check,
			 const cJSON *evidence)
{
	cJSON *subjects = add_array(o, "subjects");
	struct strmap *seen = strmap_new(16);
	const cJSON *e, *judged = check ? cJSON_GetObjectItemCaseSensitive(check, "subjects") : NULL;
	cJSON_ArrayForEach(e, judged) {
		const char *type = json_str(e, "type"), *id = json_str(e, "id");
		if (type && id)
			add_subject(x, subjects, seen, strcmp(type, "datastore") == 0 ? id : NULL,
				    strcmp(type, "service") == 0 ? id : NULL, json_str(e, "status"));
	}
	cJSON_ArrayForEach(e, evidence)
		add_subject(x, subjects, seen, json_str(e, "datastore"), json_str(e, "service"),
			    NULL);
	strmap_free(seen);
	drop_if_empty(o, "subjects");
}

/* One evidence item as text: its keys and values, file first. */
static char *evidence_text(const cJSON *e)
{
	struct buf b = BUF_INIT;
	const cJSON *kv;
	cJSON_ArrayForEach(kv, e) {
		char *v = cJSON_IsString(kv) ? NULL : cJSON_PrintUnformatted(kv);
		buf_printf(&b, "%s%s: %s", b.len ? "; " : "", kv->string,
			   v ? v : kv->valuestring);
		free(v);
	}
	return buf_detach(&b, NULL);
}

static void add_evidence(const struct oscal *x, cJSON *obs, const cJSON *evidence)
{
	cJSON *re = add_array(obs, "relevant-evidence");
	char ref[38];
	const cJSON *e;
	cJSON_ArrayForEach(e, evidence) {
		cJSON *r = cJSON_CreateObject();
		/* A plan file links to its copy; a record (whose item also
		 * names the file it was read from) to results.json. */
		const char *file = json_str(e, "record") ? NULL : json_str(e, "file");
		if (file && resource_ref(x, file, ref))
			cJSON_AddStringToObject(r, "href", ref);
		else if (resource_ref(x, "results.json", ref))
			cJSON_AddStringToObject(r, "href", ref);
		char *text = evidence_text(e);
		cJSON_AddStringToObject(r, "description", text);
		free(text);
		cJSON_AddItemToArray(re, r);
	}
	if (cJSON_GetArraySize(re) == 0) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "description", "no evidence item: see the reason");
		cJSON_AddItemToArray(re, r);
	}
}

/* The findings of results.json about a subject of the control's evidence. */
static void add_remediations(const struct oscal *x, cJSON *risk, const cJSON *c,
			     const char *fw, const char *control)
{
	const cJSON *evidence = cJSON_GetObjectItemCaseSensitive(c, "evidence");
	const cJSON *linked = cJSON_GetObjectItemCaseSensitive(c, "findings");
	cJSON *rem = add_array(risk, "remediations");
	/* The findings the control links to, else those about its subjects;
	 * each once, in results.json's order. */
	struct strmap *ids = strmap_new(16);
	const cJSON *e;
	if (linked) {
		cJSON_ArrayForEach(e, linked) {
			if (cJSON_IsString(e))
				strmap_put(ids, e->valuestring, (void *)e->valuestring);
		}
	} else {
		cJSON_ArrayForEach(e, evidence) {
			const char *subj[2] = {json_str(e, "service"), json_str(e, "datastore")};
			for (int k = 0; k < 2; k++) {
				const struct finding_list *fl =
					subj[k] ? strmap_get(x->findings_by_subject, subj[k]) : NULL;
				for (size_t j = 0; fl && j < fl->n; j++) {
					const struct finding *f =
						results_finding_at(x->in->entries, fl->at[j]);
					strmap_put(ids, f->id, (void *)f->id);
				}
			}
		}
	}
	size_t n = strmap_count(ids) ? results_finding_count(x->in->entries) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct finding *f = results_finding_at(x->in->entries, i);
		if (!strmap_get(ids, f->id) || !f->recommendation)
			continue;
		cJSON *r = cJSON_CreateObject();
		add_uuid(x, r, NULL, "period/%s/remediation/%s/%s/%s", x->period, fw, control,
			 f->id);
		cJSON_AddStringToObject(r, "lifecycle", "recommendation");
		cJSON_AddStringToObject(r, "title", f->recommendation);
		cJSON_AddStringToObject(r, "description", f->message);
		cJSON *props = add_array(r, "props");
		add_prop(props, "finding-id", f->id, true);
		add_prop(props, "severity", f->severity, true);
		cJSON_AddItemToArray(rem, r);
	}
	strmap_free(ids);
	drop_if_empty(risk, "remediations");
}

/* A property in a group (the props of one exception travel together). */
static void add_group_prop(cJSON *props, const char *name, const char *value,
			   const char *group)
{
	if (!value || !*value)
		return;
	add_prop(props, name, value, true);
	cJSON *p = cJSON_GetArrayItem(props, cJSON_GetArraySize(props) - 1);
	if (group && *group)
		cJSON_AddStringToObject(p, "group", group);
}

/*
 * The exceptions applied to a control (results.json `exceptions`): each
 * one's id, its approver as a party, the approval date and the expiry,
 * grouped by the exception's id.  The earliest expiry is the risk's
 * deadline.
 */
static void add_waivers(const struct oscal *x, cJSON *props, const cJSON *c,
			const char **deadline)
{
	const cJSON *ex;
	*deadline = NULL;
	cJSON_ArrayForEach(ex, cJSON_GetObjectItemCaseSensitive(c, "exceptions")) {
		const char *id = json_str(ex, "id");
		char group[128];
		oscal_control_token("exception", id ? id : "", group, sizeof(group));
		add_group_prop(props, "exception", id, group);
		const char *by = json_str(ex, "approved_by_id") ? json_str(ex, "approved_by_id")
			: json_str(ex, "approved_by");
		if (by) {
			char party[37];
			party_uuid(x, by, party);
			add_group_prop(props, "exception-approver", party, group);
		}
		add_group_prop(props, "exception-approved-on", json_str(ex, "approved_on"), group);
		const char *exp = json_str(ex, "expires");
		add_group_prop(props, "exception-expires", exp, group);
		if (exp && (!*deadline || strcmp(exp, *deadline) < 0))
			*deadline = exp;
	}
}

static void add_observation(const struct oscal *x, cJSON *observations, const cJSON *c,
			    const cJSON *check, const char *fw, const char *control, char out[37])
{
	const char *name = check ? json_str(check, "check") : json_str(c, "attestation_topic");
	if (!name)
		name = "attestation";
	cJSON *o = cJSON_CreateObject();
	add_uuid(x, o, NULL, "period/%s/observation/%s/%s/%s", x->period, fw, control, name);
	uuid_of(x, out, "period/%s/observation/%s/%s/%s", x->period, fw, control, name);
	char *title = xasprintf("%s %s: %s", fw, control, name);
	cJSON_AddStringToObject(o, "title", title);
	free(title);
	const char *reason = check ? json_str(check, "reason") : json_str(c, "reason");
	cJSON_AddStringToObject(o, "description", reason && *reason ? reason : name);
	cJSON *props = add_array(o, "props");
	add_prop(props, "check", name, true);
	add_prop(props, "status", check ? json_str(check, "status") : json_str(c, "status"), true);
	char act[37];
	uuid_of(x, act, "activity/%s", check ? check_activity(name) : "examine-attestations");
	add_prop(props, "activity-uuid", act, true);
	cJSON *methods = add_array(o, "methods");
	cJSON_AddItemToArray(methods, cJSON_CreateString("EXAMINE"));
	cJSON *types = add_array(o, "types");
	cJSON_AddItemToArray(types, cJSON_CreateString("control-objective"));
	cJSON *origins = add_array(o, "origins");
	cJSON *orig = cJSON_CreateObject();
	cJSON *actors = add_array(orig, "actors");
	cJSON *actor = cJSON_CreateObject();
	cJSON_AddStringToObject(actor, "type", "tool");
	add_uuid(x, actor, "actor-uuid", "component/drgen");
	cJSON_AddItemToArray(actors, actor);
	cJSON_AddItemToArray(origins, orig);
	const cJSON *evidence = check && cJSON_GetObjectItemCaseSensitive(check, "evidence") ?
		cJSON_GetObjectItemCaseSensitive(check, "evidence") :
		cJSON_GetObjectItemCaseSensitive(c, "evidence");
	add_subjects(x, o, check, evidence);
	add_evidence(x, o, evidence);
	cJSON_AddStringToObject(o, "collected", x->as_of);
	cJSON_AddItemToArray(observations, o);
}

static cJSON *build_result(const struct oscal *x)
{
	const cJSON *results = x->in->results;
	cJSON *r = cJSON_CreateObject();
	add_uuid(x, r, NULL, "period/%s/result", x->period);
	char *title = xasprintf("Disaster-recovery controls, %s", x->period);
	cJSON_AddStringToObject(r, "title", title);
	free(title);
	cJSON_AddStringToObject(r, "description",
				"drgen's judgement of every control of the selected frameworks "
				"against the plan, its backup and restore-test records and its drills "
				"up to the as-of time.");
	cJSON_AddStringToObject(r, "start", json_str(results, "period_start"));
	cJSON_AddStringToObject(r, "end", x->as_of);
	cJSON *props = add_array(r, "props");
	add_prop(props, "as-of", x->as_of, true);
	add_prop(props, "period", x->period, true);

	/* Filled once the observations have named their subjects. */
	cJSON *ld = cJSON_AddObjectToObject(r, "local-definitions");



	cJSON_AddItemToObject(r, "reviewed-controls",
			      reviewed_controls(x, "Every control of the selected frameworks."));

	cJSON *observations = add_array(r, "observations");
	cJSON *risks = add_array(r, "risks");
	cJSON *findings = add_array(r, "findings");
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(results, "controls")) {
		const char *fw = json_str(c, "framework"), *control = json_str(c, "control");
		const char *status = json_str(c, "status"), *reason = json_str(c, "reason");
		char tok[256];
		control_token(c, tok, sizeof(tok));

		cJSON *f = cJSON_CreateObject();
		add_uuid(x, f, NULL, "finding/%s/%s", fw, control);
		char *ft = xasprintf("%s %s: %s", fw, control,
				     json_str(c, "title") ? json_str(c, "title") : "");
		cJSON_AddStringToObject(f, "title", ft);
		free(ft);
		cJSON_AddStringToObject(f, "description", reason && *reason ? reason : status);
		cJSON *fp = add_array(f, "props");
		add_prop(fp, "drgen-status", status, true);
		add_prop(fp, "framework", fw, true);
		add_prop(fp, "control", control, true);
		add_prop(fp, "ask-for", json_str(c, "ask"), true);
		const char *deadline = NULL;
		if (strcmp(status, "waived") == 0)
			add_waivers(x, fp, c, &deadline);
		cJSON *target = cJSON_AddObjectToObject(f, "target");
		cJSON_AddStringToObject(target, "type", "objective-id");
		cJSON_AddStringToObject(target, "target-id", tok);
		objective_status(target, status, NULL);
		add_uuid(x, f, "implementation-statement-uuid", "implemented-requirement/%s/%s",
			 fw, control);

		cJSON *ro = add_array(f, "related-observations");
		const cJSON *checks = cJSON_GetObjectItemCaseSensitive(c, "checks");
		const cJSON *ch;
		char ob[37];
		cJSON_ArrayForEach(ch, checks) {
			add_observation(x, observations, c, ch, fw, control, ob);
			cJSON *ref = cJSON_CreateObject();
			cJSON_AddStringToObject(ref, "observation-uuid", ob);
			cJSON_AddItemToArray(ro, ref);
		}
		if (cJSON_GetArraySize(checks) == 0 &&
		    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "evidence")) > 0) {
			add_observation(x, observations, c, NULL, fw, control, ob);
			cJSON *ref = cJSON_CreateObject();
			cJSON_AddStringToObject(ref, "observation-uuid", ob);
			cJSON_AddItemToArray(ro, ref);
		}
		drop_if_empty(f, "related-observations");

		if (!objective_met(status)) {
			cJSON *risk = cJSON_CreateObject();
			add_uuid(x, risk, NULL, "period/%s/risk/%s/%s", x->period, fw, control);
			char *rt = xasprintf("%s %s is %s", fw, control, status);
			cJSON_AddStringToObject(risk, "title", rt);
			free(rt);
			cJSON_AddStringToObject(risk, "description", reason && *reason ? reason : status);
			const char *ask = json_str(c, "ask");
			char *stmt = ask ? xasprintf("The control is not shown to be met. Ask for: %s", ask)
				: xstrdup("The control is not shown to be met.");
			cJSON_AddStringToObject(risk, "statement", stmt);
			free(stmt);
			cJSON *rp = add_array(risk, "props");
			add_prop(rp, "drgen-status", status, true);
			drop_if_empty(risk, "props");
			bool waived = strcmp(status, "waived") == 0;
			cJSON_AddStringToObject(risk, "status", waived ? "deviation-approved" : "open");
			if (waived && deadline) {
				/* An expiry date is the end of that day, UTC. */
				char *at = xasprintf("%sT23:59:59Z", deadline);
				cJSON_AddStringToObject(risk, "deadline", at);
				free(at);
			}
			add_remediations(x, risk, c, fw, control);
			cJSON_AddItemToArray(risks, risk);
			cJSON *rr = add_array(f, "related-risks");
			cJSON *ref = cJSON_CreateObject();
			add_uuid(x, ref, "risk-uuid", "period/%s/risk/%s/%s", x->period, fw, control);
			cJSON_AddItemToArray(rr, ref);
		}
		cJSON_AddItemToArray(findings, f);
	}
	drop_if_empty(r, "observations");
	drop_if_empty(r, "risks");
	drop_if_empty(r, "findings");

	add_system(x, ld, true);
	cJSON *comps = cJSON_GetObjectItemCaseSensitive(ld, "components");
	if (!comps)
		comps = add_array(ld, "components");
	cJSON *tool = cJSON_CreateObject();
	add_uuid(x, tool, NULL, "component/drgen");
	cJSON_AddStringToObject(tool, "type", "software");
	char *tt = xasprintf("drgen %s", x->in->drgen_version);
	cJSON_AddStringToObject(tool, "title", tt);
	free(tt);
	cJSON_AddStringToObject(tool, "description",
				"The tool that examined the records and wrote these results.");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(tool, "status"), "state", "operational");
	cJSON_AddItemToArray(comps, tool);
	return r;
}

static char *build_ar(const struct oscal *x, size_t *len)
{
	cJSON *root;
	cJSON *ar = new_document(x, &root, "assessment-results", "assessment results");
	cJSON *ia = cJSON_AddObjectToObject(ar, "import-ap");
	cJSON_AddStringToObject(ia, "href", "assessment-plan.json");
	cJSON *results = add_array(ar, "results");
	cJSON_AddItemToArray(results, build_result(x));
	cJSON_AddItemToObject(ar, "back-matter", back_matter(x));
	return print_doc(root, len);
}

bool oscal_write(const struct oscal_input *in, oscal_write_fn *write, void *ctx)
{
	const cJSON *org = cJSON_GetObjectItemCaseSensitive(in->results, "organization");
	struct oscal x = {
		.in = in,
		.org = json_str(org, "id") ? json_str(org, "id") : "organization",
		.period = json_str(in->results, "period"),
		.as_of = json_str(in->results, "as_of"),
	};
	x.referenced = strmap_new(64);
	x.keys = arena_new();
	x.file_by_href = strmap_new(in->n_files);
	for (size_t i = 0; i < in->n_files; i++)
		strmap_put(x.file_by_href, in->files[i].href, (void *)&in->files[i]);
	size_t n_findings = results_finding_count(in->entries);
	x.findings_by_subject = strmap_new(n_findings);
	for (size_t i = 0; i < n_findings; i++) {
		const struct finding *f = results_finding_at(in->entries, i);
		if (!f->subject)
			continue;
		struct finding_list *fl = strmap_get(x.findings_by_subject, f->subject);
		if (!fl) {
			fl = xcalloc(1, sizeof(*fl));
			strmap_put(x.findings_by_subject, f->subject, fl);
		}
		fl->at = xrealloc(fl->at, (fl->n + 1) * sizeof(*fl->at));
		fl->at[fl->n++] = i;
	}
	/* One document at a time: its tree and text are freed before the next. */
	static const struct {
		const char *rel;
		char *(*build)(const struct oscal *, size_t *);
	} docs[] = {
		{OSCAL_SSP_FILE, build_ssp}, {OSCAL_AP_FILE, build_ap}, {OSCAL_AR_FILE, build_ar},
	};
	bool ok = true;
	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs) && ok; i++) {
		size_t len;
		char *text = docs[i].build(&x, &len);
		ok = write(ctx, docs[i].rel, text, len);
		free(text);
	}
	size_t pos = 0;
	const char *key;
	void *v;
	while (strmap_next(x.findings_by_subject, &pos, &key, &v)) {
		struct finding_list *fl = v;
		free(fl->at);
		free(fl);
	}
	strmap_free(x.findings_by_subject);
	strmap_free(x.file_by_href);
	strmap_free(x.referenced);
	arena_free(x.keys);
	return ok;
}
