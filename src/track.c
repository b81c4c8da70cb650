/*
 * track.c -- findings as an auditor tracks them (track.h, docs/audit.md).
 */
#include "track.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "util.h"

struct link {                /* a list of finding indices, in the arena */
	size_t finding;
	struct link *next;
};

struct track {
	const struct rules_results *r;
	struct arena *arena;
	struct track_finding *f;     /* parallel to r->findings */
	size_t n;
	size_t **by_control;         /* finding indices per control */
	size_t *n_by_control;
	size_t n_controls;
	const char **control_key;    /* "framework:control" per control */
};

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/*
 * Lowercase; runs of characters other than [a-z0-9.] become one "-": an
 * anchor needs no escaping in HTML, URLs or Markdown.
 */
static void slug(struct buf *b, const char *s)
{
	bool dash = false;
	for (; s && *s; s++) {
		char ch = *s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.';
		if (!keep) {
			dash = true;
			continue;
		}
		if (dash && b->len && b->data[b->len - 1] == '.')
			b->data[b->len - 1] = '-';   /* "art. 12" is "art-12" */
		else if (dash && b->len && b->data[b->len - 1] != '-')
			buf_putc(b, '-');
		dash = false;
		buf_putc(b, ch);
	}
}

void track_control_anchor(const char *framework, const char *control, char *out,
			  size_t size)
{
	struct buf b = BUF_INIT;
	slug(&b, framework);
	buf_putc(&b, '-');
	slug(&b, control);
	while (b.len && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == '-'))
		b.data[--b.len] = '\0';
	snprintf(out, size, "%s", b.data ? b.data : "");
	buf_free(&b);
}

void track_anchor(const char *prefix, const char *s, char *out, size_t size)
{
	track_control_anchor(prefix, s, out, size);
}

/* Who owns what finding f is about (a contact id), or NULL. */
static const char *owner_of(const struct model *m, const struct finding *f)
{
	const struct service *s = f->subject ? model_service_find(m, f->subject) : NULL;
	const struct datastore *ds = f->subject ? model_datastore_find(m, f->subject) : NULL;
	if (!s && ds && ds->service_index < m->n_services)
		s = &m->services[ds->service_index];
	if (s && s->owner)
		return s->owner;
	if (f->ref && f->subject) {   /* a drill's action: its own owner */
		for (size_t d = 0; d < m->n_drills; d++) {
			const struct drill *dr = &m->drills[d];
			if (strcmp(dr->id, f->subject) != 0)
				continue;
			for (size_t k = 0; k < dr->n_issues; k++) {
				if (dr->issues[k].id && strcmp(dr->issues[k].id, f->ref) == 0 &&
				    dr->issues[k].owner)
					return dr->issues[k].owner;
			}
		}
	}
	return m->meta.owner;   /* the plan, a drill, a control: the plan's owner */
}

static bool check_judges(const cJSON *policy, const char *kind, const char *check)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(policy, "controls"), kind);
	const cJSON *x;
	cJSON_ArrayForEach(x, list) {
		if (cJSON_IsString(x) && check && strcmp(x->valuestring, check) == 0)
			return true;
	}
	return false;
}

static bool is_id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

/* Adds finding fi to control ci once: stamp[fi] is the last control + 1 it was added to. */
static void add_link(struct track *t, size_t ci, size_t fi, size_t *cap, size_t *stamp)
{
	size_t *v = t->by_control[ci];
	size_t n = t->n_by_control[ci];
	if (stamp[fi] == ci + 1)
		return;
	stamp[fi] = ci + 1;
	if (n == cap[ci]) {
		cap[ci] = cap[ci] ? 2 * cap[ci] : 4;
		t->by_control[ci] = v = xrealloc(v, cap[ci] * sizeof(*v));
	}
	v[n] = fi;
	t->n_by_control[ci] = n + 1;
}

/*
 * Links findings to the controls whose failing checks judge their kind and
 * name their subject: every id-like word of a check's reason is looked up
 * among the subjects, so the cost is the length of the reasons, not
 * findings times controls.
 */
static void link_controls(struct track *t, const cJSON *policy, const cJSON *controls)
{
	const struct rules_results *r = t->r;
	struct strmap *by_subject = strmap_new(r->n_findings + 1);
	size_t n_ctl = (size_t)cJSON_GetArraySize(controls);
	size_t *cap = xcalloc(n_ctl + 1, sizeof(*cap));
	size_t *stamp = xcalloc(r->n_findings + 1, sizeof(*stamp));

	t->n_controls = n_ctl;
	t->by_control = xcalloc(n_ctl + 1, sizeof(*t->by_control));
	t->n_by_control = xcalloc(n_ctl + 1, sizeof(*t->n_by_control));
	t->control_key = arena_calloc(t->arena, n_ctl + 1, sizeof(*t->control_key));
	for (size_t i = r->n_findings; i-- > 0;) {
		const char *subj = r->findings[i].subject;
		struct link *l = arena_alloc(t->arena, sizeof(*l));
		l->finding = i;
		l->next = strmap_get(by_subject, subj);
		strmap_put(by_subject, subj, l);
	}

	size_t ci = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, controls) {
		char key[256];
		snprintf(key, sizeof(key), "%s:%s", jstr(c, "framework") ? jstr(c, "framework") : "",
			 jstr(c, "control") ? jstr(c, "control") : "");
		t->control_key[ci] = arena_strdup(t->arena, key);
		/* a finding about the control itself (an expired exception) */
		for (struct link *l = strmap_get(by_subject, key); l; l = l->next)
			add_link(t, ci, l->finding, cap, stamp);
		const cJSON *k;
		cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(c, "checks")) {
			const char *st = jstr(k, "status"), *check = jstr(k, "check");
			const char *reason = jstr(k, "reason");
			if (!st || !reason || strcmp(st, "pass") == 0 || strcmp(st, "n/a") == 0)
				continue;
			for (const char *p = reason; *p;) {
				while (*p && !is_id_char(*p))
					p++;
				const char *w = p;
				while (*p && is_id_char(*p))
					p++;
				size_t len = (size_t)(p - w);
				while (len && w[len - 1] == '.')
					len--;
				if (!len)
					continue;
				for (struct link *l = strmap_getn(by_subject, w, len); l; l = l->next) {
					if (check_judges(policy, r->findings[l->finding].kind, check))
						add_link(t, ci, l->finding, cap, stamp);
				}
			}
		}
		ci++;
	}
	free(cap);
	free(stamp);
	strmap_free(by_subject);

	/* and the other way round: each finding's controls, in control order */
	size_t *count = xcalloc(r->n_findings + 1, sizeof(*count));
	for (size_t i = 0; i < n_ctl; i++) {
		for (size_t k = 0; k < t->n_by_control[i]; k++)
			count[t->by_control[i][k]]++;
	}
	for (size_t fi = 0; fi < r->n_findings; fi++)
		t->f[fi].controls = arena_calloc(t->arena, count[fi] + 1, sizeof(size_t));
	for (size_t i = 0; i < n_ctl; i++) {
		for (size_t k = 0; k < t->n_by_control[i]; k++) {
			struct track_finding *tf = &t->f[t->by_control[i][k]];
			tf->controls[tf->n_controls++] = i;
		}
	}
	free(count);
}

struct track *track_new(const struct model *m, const struct rules_results *r,
			const cJSON *policy, const cJSON *previous, const cJSON *controls)
{
	struct track *t = xcalloc(1, sizeof(*t));
	struct strmap *prev = strmap_new(64), *anchors, *responses;
	const cJSON *x, *days = cJSON_GetObjectItemCaseSensitive(policy, "due_days");
	char period[8];
	const char *prev_period = jstr(previous, "period");
	int64_t prev_as_of = DATE_NONE;
	const char *pa = jstr(previous, "as_of");

	if (pa && !date_parse_rfc3339(pa, strlen(pa), &prev_as_of))
		prev_as_of = DATE_NONE;
	t->r = r;
	t->arena = arena_new();
	t->n = r->n_findings;
	t->f = arena_calloc(t->arena, t->n + 1, sizeof(*t->f));
	date_format_month(m->period_start, period);

	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(previous, "findings")) {
		const char *id = jstr(x, "id");
		if (id)
			strmap_put(prev, id, (void *)x);
	}
	responses = strmap_new(m->n_responses + 1);
	for (size_t i = 0; i < m->n_responses; i++)
		strmap_put(responses, m->responses[i].finding, &m->responses[i]);
	anchors = strmap_new(t->n + 1);

	for (size_t i = 0; i < t->n; i++) {
		const struct finding *f = &r->findings[i];
		struct track_finding *tf = &t->f[i];
		struct buf b = BUF_INIT;

		buf_puts(&b, "finding-");
		slug(&b, f->id);
		char *anchor = arena_strdup(t->arena, b.data);
		for (unsigned k = 2; strmap_get(anchors, anchor); k++)
			anchor = arena_printf(t->arena, "%s-%u", b.data, k);
		strmap_put(anchors, anchor, anchor);
		tf->anchor = anchor;
		buf_free(&b);

		tf->owner = owner_of(m, f);
		tf->response = strmap_get(responses, f->id);
		tf->first_reported = m->as_of;
		if (!previous) {
			tf->status = "open";
		} else {
			const cJSON *p = strmap_get(prev, f->id);
			const char *since = jstr(p, "open_since"), *first = jstr(p, "first_reported");
			int64_t t0;
			if (!p) {
				tf->status = "new";
				snprintf(tf->open_since, sizeof(tf->open_since), "%s", period);
			} else {
				tf->status = "open";
				snprintf(tf->open_since, sizeof(tf->open_since), "%s",
					 since ? since : prev_period ? prev_period : "");
				if (first && date_parse_rfc3339(first, strlen(first), &t0))
					tf->first_reported = t0;
				else if (prev_as_of != DATE_NONE)
					tf->first_reported = prev_as_of;
			}
		}
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(days, f->severity);
		tf->due = DATE_NONE;
		if (cJSON_IsNumber(d) && isfinite(d->valuedouble) && d->valuedouble >= 0 &&
		    d->valuedouble < 36600) {
			tf->due = tf->first_reported + (int64_t)llround(d->valuedouble * 86400.0);
			tf->overdue = m->as_of > tf->due;
		}
	}
	strmap_free(anchors);
	strmap_free(responses);
	strmap_free(prev);
	link_controls(t, policy, controls);
	return t;
}

void track_free(struct track *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_controls; i++)
		free(t->by_control[i]);
	free(t->by_control);
	free(t->n_by_control);
	arena_free(t->arena);
	free(t);
}

const struct track_finding *track_of(const struct track *t, const struct finding *f)
{
	return &t->f[f - t->r->findings];
}

const char *track_control_key(const struct track *t, size_t ci)
{
	return ci < t->n_controls ? t->control_key[ci] : "";
}

const size_t *track_control_findings(const struct track *t, size_t ci, size_t *n)
{
	*n = ci < t->n_controls ? t->n_by_control[ci] : 0;
	return ci < t->n_controls ? t->by_control[ci] : NULL;
}

void track_annotate_controls(const struct track *t, const struct rules_results *r,
			     cJSON *controls)
{
	size_t ci = 0;
	cJSON *c;
	cJSON_ArrayForEach(c, controls) {
		char a[256];
		size_t n;
		const size_t *fi = track_control_findings(t, ci++, &n);
		track_control_anchor(jstr(c, "framework"), jstr(c, "control"), a, sizeof(a));
		cJSON_DeleteItemFromObjectCaseSensitive(c, "anchor");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "findings");
		cJSON_AddStringToObject(c, "anchor", a);
		cJSON *list = cJSON_AddArrayToObject(c, "findings");
		for (size_t k = 0; k < n; k++)
			cJSON_AddItemToArray(list, cJSON_CreateString(r->findings[fi[k]].id));
	}
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char s[DATE_RFC3339_SIZE];
	if (t == DATE_NONE) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	date_format_rfc3339(t, s);
	cJSON_AddStringToObject(o, key, s);
}

void track_put_finding(const struct track *t, const struct model *m,
		       const struct finding *f, cJSON *entry)
{
	const struct track_finding *tf = track_of(t, f);
	(void)m;
	cJSON_AddStringToObject(entry, "anchor", tf->anchor);
	if (tf->owner)
		cJSON_AddStringToObject(entry, "owner", tf->owner);
	else
		cJSON_AddNullToObject(entry, "owner");
	cJSON_AddStringToObject(entry, "status", tf->status);
	if (tf->open_since[0])
		cJSON_AddStringToObject(entry, "open_since", tf->open_since);
	else
		cJSON_AddNullToObject(entry, "open_since");
	add_time(entry, "first_reported", tf->first_reported);
	add_time(entry, "due", tf->due);
	cJSON_AddBoolToObject(entry, "overdue", tf->overdue);
	cJSON *ctl = cJSON_AddArrayToObject(entry, "controls");
	for (size_t k = 0; k < tf->n_controls; k++)
		cJSON_AddItemToArray(ctl, cJSON_CreateString(t->control_key[tf->controls[k]]));
	if (!tf->response) {
		cJSON_AddNullToObject(entry, "management_response");
		return;
	}
	const struct mgmt_response *rsp = tf->response;
	cJSON *o = cJSON_AddObjectToObject(entry, "management_response");
	cJSON_AddStringToObject(o, "response", rsp->response);
	if (rsp->owner)
		cJSON_AddStringToObject(o, "owner", rsp->owner);
	else
		cJSON_AddNullToObject(o, "owner");
	add_time(o, "target_date", rsp->target_date);
	cJSON_AddBoolToObject(o, "accepts_risk", rsp->accepts_risk);
	if (rsp->exception)
		cJSON_AddStringToObject(o, "exception", rsp->exception);
	else
		cJSON_AddNullToObject(o, "exception");
}
