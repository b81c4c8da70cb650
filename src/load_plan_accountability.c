/*
 * load_plan_accountability.c -- attesters, approvers and exceptions of
 * plan.json (see load_plan_accountability.h).  Kept apart from load_plan.c
 * so that the key tables there stay the only place that knows the keys.
 */
#include "load_plan_accountability.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "util.h"

struct acc {
	struct model *m;
	const struct jsonpos *pos;
	const char *file;
	struct diags *d;
	char quoted[3][128];
	unsigned qi;
	const char **contact_ids;      /* for "did you mean" */
	const char **datastore_ids;
};

static const char *quote(struct acc *a, const char *s)
{
	return diag_quote(a->quoted[a->qi++ % 3], sizeof(a->quoted[0]), s, 72);
}

static void report(struct acc *a, const char *pointer, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void report(struct acc *a, const char *pointer, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;
	jsonpos_find(a->pos, pointer, &line, &col);
	va_start(ap, fmt);
	diag_vadd(a->d, DIAG_ERROR, a->file, line, col, pointer, fmt, ap);
	va_end(ap);
}

/* The contact `id` names (its name and role), or NULL after an error. */
static const struct contact *contact(struct acc *a, const char *id, const char *pointer)
{
	const struct contact *ct = strmap_get(a->m->contact_by_id, id);
	if (ct)
		return ct;
	/* A person's name where the contact id belongs: name the id. */
	for (size_t i = 0; i < a->m->n_contacts; i++) {
		const struct contact *x = &a->m->contacts[i];
		if (x->name && x->id && strcasecmp(x->name, id) == 0) {
			report(a, pointer, "unknown contact %s, did you mean %s (the contact named %s)",
			       quote(a, id), quote(a, x->id), quote(a, x->name));
			return NULL;
		}
	}
	const char *near = util_closest(id, a->contact_ids, a->m->n_contacts);
	if (near)
		report(a, pointer, "unknown contact %s, did you mean %s", quote(a, id),
		       quote(a, near));
	else
		report(a, pointer, "unknown contact %s", quote(a, id));
	return NULL;
}

static void attestations(struct acc *a)
{
	char ptr[96];
	for (size_t i = 0; i < a->m->n_attestations; i++) {
		struct attestation *at = &a->m->attestations[i];
		const struct contact *ct;
		if (at->attester) {
			snprintf(ptr, sizeof(ptr), "/attestations/%zu/attester", i);
			if ((ct = contact(a, at->attester, ptr))) {
				at->attester_name = ct->name;
				at->attester_role = ct->role;
			}
		}
		if (at->approved_by) {
			snprintf(ptr, sizeof(ptr), "/attestations/%zu/approved_by", i);
			if ((ct = contact(a, at->approved_by, ptr)))
				at->approved_by_name = ct->name;
		}
	}
}

static void exceptions(struct acc *a)
{
	struct model *m = a->m;
	char ptr[96];
	struct strmap *ids = strmap_new(m->n_exceptions ? m->n_exceptions : 1);

	for (size_t i = 0; i < m->n_exceptions; i++) {
		struct exception *e = &m->exceptions[i];
		const struct contact *ct;
		if (e->id) {
			const struct exception *first = strmap_get(ids, e->id);
			snprintf(ptr, sizeof(ptr), "/exceptions/%zu/id", i);
			if (first)
				report(a, ptr, "duplicate exception id %s (first defined on line %d)",
				       quote(a, e->id), first->pos.line);
			else
				strmap_put(ids, e->id, e);
		}
		if (e->approved_by) {
			snprintf(ptr, sizeof(ptr), "/exceptions/%zu/approved_by", i);
			if ((ct = contact(a, e->approved_by, ptr)))
				e->approved_by_name = ct->name;
		}
		if (e->approved_on != DATE_NONE && e->expires != DATE_NONE &&
		    e->expires < e->approved_on) {
			snprintf(ptr, sizeof(ptr), "/exceptions/%zu/expires", i);
			report(a, ptr, "exception %s expires before it was approved",
			       quote(a, e->id ? e->id : "?"));
		}
		for (size_t k = 0; k < e->n_datastores; k++) {
			const char *ds = e->datastores[k];
			if (!ds[0] || strmap_get(m->datastore_by_id, ds))
				continue;  /* "" was reported as the wrong type already */
			snprintf(ptr, sizeof(ptr), "/exceptions/%zu/datastores/%zu", i, k);
			const char *near = util_closest(ds, a->datastore_ids, m->n_datastores);
			if (near)
				report(a, ptr, "unknown datastore %s, did you mean %s", quote(a, ds),
				       quote(a, near));
			else
				report(a, ptr, "unknown datastore %s", quote(a, ds));
		}
	}
	strmap_free(ids);
}

void load_plan_accountability(struct model *m, const struct jsonpos *pos, const char *file,
			      struct diags *d)
{
	struct acc a = {.m = m, .pos = pos, .file = file, .d = d};
	if (m->n_attestations == 0 && m->n_exceptions == 0)
		return;
	a.contact_ids = xcalloc(m->n_contacts + 1, sizeof(*a.contact_ids));
	a.datastore_ids = xcalloc(m->n_datastores + 1, sizeof(*a.datastore_ids));
	for (size_t i = 0; i < m->n_contacts; i++)
		a.contact_ids[i] = m->contacts[i].id ? m->contacts[i].id : "";
	for (size_t i = 0; i < m->n_datastores; i++)
		a.datastore_ids[i] = m->datastores[i].id ? m->datastores[i].id : "";
	attestations(&a);
	exceptions(&a);
	free(a.contact_ids);
	free(a.datastore_ids);
}
