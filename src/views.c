/*
 * views.c -- preparing the view builders, and what every document's view
 * is made of (views_int.h): the small put_* helpers, the `page` object,
 * lazy row lists and the rows that several documents show (services,
 * findings, datastores, drills, readiness cards, contacts).  Each
 * document's builder has a file of its own (views_index.c, views_plan.c,
 * views_runbook.c, views_audit.c, views_evidence.c), as have the sections
 * some of them share (views_chart.c, views_compliance.c, views_changes.c).
 *
 * Design: views_new indexes what the builders look up repeatedly (the
 * values every list shows about a service or datastore, as small rows;
 * the findings about each service; who depends on whom) so that building
 * one runbook costs time proportional to that service, not to the plan.
 * After views_new the struct is never written again, which is what makes
 * the builders safe to call from several threads.
 *
 * What results.json says about one service, datastore or drill is read
 * from an entry results.c builds for the occasion and the view frees at
 * once (the same builder writes results.json), so no document holds the
 * whole of results.json; its small parts (tiers, cost, waves, controls,
 * changes) come from the summary tree.  Keys are literals (added with the
 * ...CS calls) and values are always copies.
 * Nothing here decides policy: statuses come from results.json or the
 * rules; the only judgements made are facts ("every store is within its
 * RPO") and presentation (the 25 worst rows of a chart).
 */
#include "views_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "build_format.h"
#include "dates.h"
#include "mustache.h"
#include "track.h"
#include "util.h"

const char *const views_severity_names[VIEWS_N_SEVERITIES] = {"critical", "high", "medium",
							       "low", "info"};

/* ---- small helpers ------------------------------------------------------ */

const cJSON *views_get(const cJSON *o, const char *key)
{
	return o ? mustache_member(o, key) : NULL;
}

const char *views_get_str(const cJSON *o, const char *key)
{
	const cJSON *x = views_get(o, key);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

double views_get_num(const cJSON *o, const char *key)
{
	const cJSON *x = views_get(o, key);
	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

bool views_jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(views_get(o, key));
}

bool views_jbool_known(const cJSON *o, const char *key)
{
	return cJSON_IsBool(views_get(o, key));
}

void views_put_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
}

void views_put_num(cJSON *o, const char *key, double x)
{
	if (!isnan(x) && !isinf(x))
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateNumber(x));
}

void views_put_bool(cJSON *o, const char *key, bool b)
{
	cJSON_AddItemToObjectCS(o, key, cJSON_CreateBool(b));
}

void views_put_fmt(cJSON *o, const char *key, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

cJSON *views_put_obj(cJSON *o, const char *key)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObjectCS(o, key, x);
	return x;
}

cJSON *views_put_arr(cJSON *o, const char *key)
{
	cJSON *x = cJSON_CreateArray();
	cJSON_AddItemToObjectCS(o, key, x);
	return x;
}

cJSON *views_push_obj(cJSON *a)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToArray(a, x);
	return x;
}

/* Puts the string s with every '_' turned into a space ("full simulation"). */
void views_put_words(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return;
	char *t = xstrdup(s);
	for (char *p = t; *p; p++) {
		if (*p == '_')
			*p = ' ';
	}
	views_put_str(o, key, t);
	free(t);
}

/* Puts s in capitals (status words shown as text beside the colour). */
void views_put_upper(cJSON *o, const char *key, const char *s)
{
	if (!s)
		return;
	char *t = xstrdup(s);
	for (char *p = t; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (*p == '_')
			*p = ' ';
	}
	views_put_str(o, key, t);
	free(t);
}

/* A CSS class: prefix + s with anything outside [a-z0-9-] as '-'. */
void views_put_class(cJSON *o, const char *key, const char *prefix, const char *s)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, prefix);
	for (const char *p = s ? s : "none"; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf_putc(&b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
	}
	views_put_str(o, key, b.data);
	buf_free(&b);
}

/* Joins the strings of a JSON array with ", ". */
void views_put_joined(cJSON *o, const char *key, const cJSON *arr)
{
	struct buf b = BUF_INIT;
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		if (!cJSON_IsString(x))
			continue;
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, x->valuestring);
	}
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

static double round_to(double x, int decimals)
{
	double p = pow(10, decimals);
	double r = round(fabs(x) * p) / p;
	return x < 0 ? -r : r;
}

void views_format_number(double x, int decimals, char *out, size_t size)
{
	char num[64];
	size_t o = 0;
	const char *p, *dot;
	size_t intlen;

	if (size == 0)
		return;
	out[0] = '\0';
	if (isnan(x) || isinf(x) || fabs(x) >= 1e18)
		return;
	snprintf(num, sizeof(num), "%.*f", decimals, round_to(x, decimals));
	p = num;
	if (*p == '-') {
		p++;
		if (strspn(p, "0.") != strlen(p) && o + 1 < size)
			out[o++] = '-';
	}
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (size_t i = 0; i < intlen && o + 2 < size; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	for (const char *q = dot; q && *q && o + 1 < size; q++)
		out[o++] = *q;
	out[o] = '\0';
}

/* The shortest decimal form with at most `max` places: 1.5, 2, 0.125. */
void views_format_short(double x, int max, char *out, size_t size)
{
	views_format_number(x, max, out, size);
	if (strchr(out, '.')) {
		size_t n = strlen(out);
		while (n > 0 && out[n - 1] == '0')
			out[--n] = '\0';
		if (n > 0 && out[n - 1] == '.')
			out[--n] = '\0';
	}
}

/* A JSON scalar as text: strings as they are, numbers shortest, else JSON. */
void views_put_scalar(struct buf *b, const cJSON *x)
{
	char n[64];
	if (cJSON_IsString(x)) {
		buf_puts(b, x->valuestring);
	} else if (cJSON_IsNumber(x)) {
		views_format_short(x->valuedouble, 4, n, sizeof(n));
		buf_puts(b, n);
	} else if (cJSON_IsBool(x)) {
		buf_puts(b, cJSON_IsTrue(x) ? "true" : "false");
	} else if (!cJSON_IsNull(x)) {
		char *t = cJSON_PrintUnformatted(x);
		buf_puts(b, t ? t : "");
		free(t);
	}
}

void views_format_objective(double minutes, char *out, size_t size)
{
	char n[24];
	if (size)
		out[0] = '\0';
	if (isnan(minutes) || isinf(minutes) || minutes < 0)
		return;
	if (minutes < 60) {
		views_format_short(minutes, 1, n, sizeof(n));
		snprintf(out, size, "%s min", n);
	} else {
		views_format_short(minutes / 60, 1, n, sizeof(n));
		snprintf(out, size, "%s h", n);
	}
}

void views_format_age(double minutes, char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	if (isnan(minutes) || isinf(minutes) || minutes < 0)
		return;
	long long m = (long long)floor(minutes + 0.5);
	if (minutes < 1)
		snprintf(out, size, "< 1 min");
	else if (m < 60)
		snprintf(out, size, "%lld min", m);
	else if (m < 48 * 60)
		snprintf(out, size, m % 60 ? "%lld h %lld min" : "%lld h", m / 60, m % 60);
	else
		snprintf(out, size, (m / 60) % 24 ? "%lld d %lld h" : "%lld d",
			 m / 1440, (m / 60) % 24);
}

void views_put_objective(cJSON *o, const char *key, double minutes)
{
	char s[48];
	if (isnan(minutes))
		return;
	views_format_objective(minutes, s, sizeof(s));
	views_put_str(o, key, s);
}

static void put_age(cJSON *o, const char *key, double minutes)
{
	char s[48];
	if (isnan(minutes) || minutes < 0)
		return;
	views_format_age(minutes, s, sizeof(s));
	views_put_str(o, key, s);
}

/* A fraction 0..1 as "87.5 %". */
static void put_percent(cJSON *o, const char *key, double frac)
{
	char s[48];
	if (isnan(frac))
		return;
	views_format_short(frac * 100, 1, s, sizeof(s));
	views_put_fmt(o, key, "%s %%", s);
}

/*
 * An RFC 3339 time from results.json for people: "2026-10-06" at
 * midnight, else "2026-10-06 14:30 UTC".
 */
static void put_when(cJSON *o, const char *key, const char *rfc3339)
{
	if (!rfc3339)
		return;
	size_t n = strlen(rfc3339);
	if (n == 20 && rfc3339[10] == 'T' && rfc3339[19] == 'Z') {
		if (strcmp(rfc3339 + 11, "00:00:00Z") == 0)
			views_put_fmt(o, key, "%.10s", rfc3339);
		else
			views_put_fmt(o, key, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
	} else {
		views_put_str(o, key, rfc3339);
	}
}

/* A timestamp from results.json, always with its time: "2026-10-31 23:07 UTC". */
void views_put_stamp(cJSON *o, const char *key, const char *rfc3339)
{
	if (!rfc3339)
		return;
	if (strlen(rfc3339) == 20 && rfc3339[10] == 'T' && rfc3339[19] == 'Z')
		views_put_fmt(o, key, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
	else
		views_put_str(o, key, rfc3339);
}

void views_put_time(cJSON *o, const char *key, int64_t t)
{
	char s[DATE_RFC3339_SIZE];
	if (t == DATE_NONE)
		return;
	date_format_rfc3339(t, s);
	put_when(o, key, s);
}

void views_put_time_day(cJSON *o, const char *key, int64_t t)
{
	char s[11];
	if (t == DATE_NONE)
		return;
	date_format_day(t, s);
	views_put_str(o, key, s);
}

/* "+353 1 555 0100" as a tel: target (digits and a leading +). */
static void put_tel(cJSON *o, const char *key, const char *phone)
{
	struct buf b = BUF_INIT;
	if (!phone || phone[strspn(phone, "0123456789 +-().")] != '\0')
		return;  /* only a plain phone number becomes a link */
	buf_puts(&b, "tel:");
	for (const char *p = phone; *p; p++) {
		if ((*p >= '0' && *p <= '9') || (*p == '+' && b.len == 4))
			buf_putc(&b, *p);
	}
	if (b.len > 4)
		views_put_str(o, key, b.data);
	buf_free(&b);
}

/* An e-mail address as a mailto: target, only when it looks like one. */
static void put_mailto(cJSON *o, const char *key, const char *email)
{
	if (!email || !strchr(email, '@') || strpbrk(email, " <>\"'():;,\\\t\r\n"))
		return;
	views_put_fmt(o, key, "mailto:%s", email);
}

/* ---- preparing --------------------------------------------------------- */

size_t views_severity_rank(const char *sev)
{
	for (size_t i = 0; sev && i < ARRAY_LEN(views_severity_names); i++) {
		if (strcmp(sev, views_severity_names[i]) == 0)
			return i;
	}
	return ARRAY_LEN(views_severity_names);
}

/*
 * Findings most severe first, keeping their order (results.json's, by id)
 * within a severity: one stable pass per severity.
 */
void views_sort_by_severity(const void **items, size_t n,
			    const char *(*severity_of)(const void *item))
{
	const void **tmp = xcalloc(n + 1, sizeof(*tmp));
	size_t k = 0;
	for (size_t r = 0; r <= ARRAY_LEN(views_severity_names); r++) {
		for (size_t i = 0; i < n; i++) {
			if (views_severity_rank(severity_of(items[i])) == r)
				tmp[k++] = items[i];
		}
	}
	memcpy(items, tmp, n * sizeof(*items));
	free(tmp);
}

static const char *finding_severity(const void *item)
{
	return ((const struct finding *)item)->severity;
}

const char *views_json_severity(const void *item)
{
	return views_get_str(item, "severity");
}

/* The service a finding is about: its subject is the service or one of its stores. */
static long finding_service(const struct views *v, const struct finding *fnd)
{
	const char *subject = fnd->subject;
	const struct service *s;
	const struct datastore *ds;
	if (!subject)
		return -1;
	s = model_service_find(v->m, subject);
	if (s)
		return (long)(s - v->m->services);
	ds = model_datastore_find(v->m, subject);
	if (ds && ds->service_index < v->m->n_services)
		return (long)ds->service_index;
	return -1;
}

/* Groups pairs (key, value) into offsets and values (a CSR table). */
void views_group(size_t n_keys, const size_t *keys, const size_t *vals, size_t n,
		 size_t **at_out, size_t **vals_out)
{
	size_t *at = xcalloc(n_keys + 1, sizeof(*at));
	size_t *out = xcalloc(n ? n : 1, sizeof(*out));
	size_t *fill = xcalloc(n_keys + 1, sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		at[keys[i] + 1]++;
	for (size_t k = 0; k < n_keys; k++)
		at[k + 1] += at[k];
	for (size_t i = 0; i < n; i++)
		out[at[keys[i]] + fill[keys[i]]++] = vals[i];
	free(fill);
	*at_out = at;
	*vals_out = out;
}

/* The controls whose lists go to a page of their own (views_int.h). */
static void find_control_pages(struct views *v)
{
	const cJSON *controls = views_get(v->results, "controls"), *c;
	v->n_controls = (size_t)cJSON_GetArraySize(controls);
	v->controls = xcalloc(v->n_controls + 1, sizeof(*v->controls));
	v->control_paged = xcalloc(v->n_controls + 1, sizeof(*v->control_paged));
	v->control_pages = xcalloc(v->n_controls + 1, sizeof(*v->control_pages));
	size_t ci = 0;
	cJSON_ArrayForEach(c, controls) {
		size_t n_findings = 0;
		if (v->in->track)
			track_control_findings(v->in->track, ci, &n_findings);
		size_t items = (size_t)cJSON_GetArraySize(views_get(c, "evidence")) + n_findings;
		v->controls[ci] = c;
		if (items > VIEWS_CONTROL_PAGE_ITEMS) {
			v->control_paged[ci] = true;
			v->control_pages[v->n_control_pages++] = ci;
		}
		ci++;
	}
}

void views_control_anchor(const cJSON *c, char *out, size_t size)
{
	track_control_anchor(views_get_str(c, "framework"), views_get_str(c, "control"),
			     out, size);
}

size_t views_control_page_count(const struct views *v)
{
	return v->n_control_pages;
}

void views_control_page_name(const struct views *v, size_t i, char *out, size_t size)
{
	views_control_anchor(v->controls[v->control_pages[i]], out, size);
}

struct views *views_new(const struct render_input *in)
{
	struct views *v = xcalloc(1, sizeof(*v));
	const struct model *m = in->model;
	size_t n = 0;

	v->in = in;
	v->m = m;
	v->f = in->facts;
	v->r = in->rules;
	v->results = in->results;
	v->rs = in->entries;
	v->svc = xcalloc(m->n_services + 1, sizeof(*v->svc));
	for (size_t i = 0; i < m->n_services; i++)
		results_service_row(v->rs, i, &v->svc[i]);
	v->store = xcalloc(m->n_datastores + 1, sizeof(*v->store));
	for (size_t k = 0; k < m->n_datastores; k++)
		results_datastore_row(v->rs, k, &v->store[k]);

	v->n_findings = results_finding_count(v->rs);
	v->finding = xcalloc(v->n_findings + 1, sizeof(*v->finding));
	for (size_t i = 0; i < v->n_findings; i++)
		v->finding[i] = results_finding_at(v->rs, i);
	views_sort_by_severity((const void **)v->finding, v->n_findings, finding_severity);

	/* Findings per service. */
	size_t *keys = xcalloc(v->n_findings + 1, sizeof(*keys));
	size_t *vals = xcalloc(v->n_findings + 1, sizeof(*vals));
	for (size_t i = 0; i < v->n_findings; i++) {
		long s = finding_service(v, v->finding[i]);
		if (s >= 0) {
			keys[n] = (size_t)s;
			vals[n++] = i;
		}
	}
	views_group(m->n_services, keys, vals, n, &v->svc_findings_at, &v->svc_findings);
	free(keys);
	free(vals);

	/* Dependents: who needs each service. */
	n = 0;
	for (size_t i = 0; i < m->n_services; i++)
		n += m->services[i].n_depends_on;
	keys = xcalloc(n + 1, sizeof(*keys));
	vals = xcalloc(n + 1, sizeof(*vals));
	n = 0;
	for (size_t i = 0; i < m->n_services; i++) {
		for (size_t d = 0; d < m->services[i].n_depends_on; d++) {
			keys[n] = m->services[i].depends_on_index[d];
			vals[n++] = i;
		}
	}
	views_group(m->n_services, keys, vals, n, &v->dependents_at, &v->dependents);
	free(keys);
	free(vals);
	find_control_pages(v);

	date_format_month(m->period_start, v->period);
	date_format_rfc3339(m->as_of, v->as_of);
	snprintf(v->as_of_display, sizeof(v->as_of_display), "%.10s %.5s UTC",
		 v->as_of, v->as_of + 11);
	date_format_day(m->period_start, v->period_first);
	date_format_day(m->period_end - 1, v->period_last);
	return v;
}

void views_free(struct views *v)
{
	if (!v)
		return;
	free(v->svc);
	free(v->store);
	free(v->finding);
	free(v->svc_findings);
	free(v->svc_findings_at);
	free(v->dependents);
	free(v->dependents_at);
	free(v->controls);
	free(v->control_pages);
	free(v->control_paged);
	free(v);
}

size_t views_service_count(const struct views *v)
{
	return v->m->n_services;
}

const char *views_service_id(const struct views *v, size_t i)
{
	return v->m->services[i].id;
}

const char *views_period(const struct views *v)
{
	return v->period;
}

/* ---- pieces shared by several documents ---------------------------------- */

struct pctx views_pctx_make(const struct views *v, enum views_format f, int depth)
{
	static const char *const roots[] = {"", "../", "../../"};
	struct pctx pc = {v, f, roots[depth < 0 ? 0 : depth > 2 ? 2 : depth],
			  f == VIEWS_HTML ? "html" : "md",
			  f == VIEWS_HTML, false};
	return pc;
}

/* ---- long lists -----------------------------------------------------------
 * A table of thousands of rows (findings, datastores, drills, services) is
 * a lazy Mustache list (mustache.h): the renderer builds each row when it
 * reaches it and frees it after, so the view of a 60,000-finding audit
 * holds one row at a time.  Row r shows item idx[r] (a model index, or a
 * finding's position) as fill() makes it.
 */
struct row_list {
	struct mustache_list list;   /* first: all the renderer sees */
	struct pctx pc;
	fill_row *fill;
	size_t idx[];
};

static cJSON *row_list_item(const struct mustache_list *l, size_t i)
{
	const struct row_list *rl = (const struct row_list *)(const void *)l;
	cJSON *o = cJSON_CreateObject();
	rl->fill(o, &rl->pc, rl->idx[i]);
	return o;
}

/* Puts list `key`: rows fill(idx[0]), ..., fill(idx[n - 1]); idx NULL means 0..n-1. */
void views_put_rows(cJSON *o, const char *key, const struct pctx *pc, fill_row *fill,
		    const size_t *idx, size_t n)
{
	struct row_list *rl = xmalloc(sizeof(*rl) + (n + 1) * sizeof(rl->idx[0]));
	rl->list = (struct mustache_list){n, row_list_item};
	rl->pc = *pc;
	rl->fill = fill;
	for (size_t i = 0; i < n; i++)
		rl->idx[i] = idx ? idx[i] : i;
	cJSON_AddItemToObjectCS(o, key, mustache_list_node(&rl->list));
}

void views_rows_add(struct rows *r, size_t k)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->idx = xrealloc(r->idx, r->cap * sizeof(*r->idx));
	}
	r->idx[r->n++] = k;
}

static bool built(const struct views *v, unsigned bit)
{
	return (v->in->formats & bit) != 0;
}

/* The `page` object every document has. */
cJSON *views_put_page(cJSON *view, const struct pctx *pc, const char *current,
		      const char *self_stem)
{
	const struct views *v = pc->v;
	cJSON *page = views_put_obj(view, "page");
	cJSON *links, *cur, *ev;
	unsigned other = pc->f == VIEWS_HTML ? BUILD_MD : BUILD_HTML;

	views_put_str(page, "org", v->m->org.name ? v->m->org.name : v->m->org.id);
	views_put_str(page, "org_id", v->m->org.id);
	views_put_str(page, "period", v->period);
	views_put_str(page, "period_first", v->period_first);
	views_put_str(page, "period_last", v->period_last);
	views_put_str(page, "as_of", v->as_of_display);
	views_put_str(page, "as_of_rfc3339", v->as_of);
	views_put_str(page, "generated_at", v->in->generated_at);
	views_put_str(page, "version", DRGEN_VERSION);
	views_put_str(page, "root", pc->root);
	views_put_str(page, "ext", pc->ext);
	views_put_bool(page, "html", pc->f == VIEWS_HTML);
	views_put_bool(page, "md", pc->f == VIEWS_MD);
	views_put_str(page, "currency", v->m->org.currency);

	links = views_put_obj(page, "links");
	if (built(v, BUILD_HTML))
		views_put_fmt(links, "index", "%sindex.html", pc->root);
	views_put_fmt(links, "plan", "%splan.%s", pc->root, pc->ext);
	views_put_fmt(links, "audit", "%saudit/%s.%s", pc->root, v->period, pc->ext);
	views_put_fmt(links, "runbooks", "%sindex.html#runbooks", pc->root);
	ev = views_put_obj(links, "evidence");
	views_put_fmt(ev, "results", "%sevidence/results.json", pc->root);
	views_put_fmt(ev, "backups", "%sevidence/backups.csv", pc->root);
	if (built(v, BUILD_JUNIT))
		views_put_fmt(ev, "controls", "%sevidence/controls.xml", pc->root);
	views_put_fmt(ev, "manifest", "%sevidence/manifest.json", pc->root);
	views_put_fmt(ev, "sums", "%sevidence/SHA256SUMS", pc->root);
	if (built(v, BUILD_HTML))
		views_put_fmt(links, "evidence_page", "%sevidence.html", pc->root);
	if (self_stem && built(v, other))
		views_put_fmt(page, "alternate", "%s.%s", self_stem,
			      pc->f == VIEWS_HTML ? "md" : "html");

	cur = views_put_obj(page, "current");
	views_put_bool(cur, current, true);
	return page;
}

cJSON *views_page(cJSON *view, const struct views *v, enum views_format f, const char *current)
{
	struct pctx pc = views_pctx_make(v, f, 0);
	return views_put_page(view, &pc, current, NULL);
}

/* A link to service i's runbook and what every list shows about it. */
void views_fill_service_ref(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	const struct service *s = &v->m->services[i];
	const struct results_service_row *row = &v->svc[i];

	views_put_str(o, "id", s->id);
	views_put_str(o, "name", s->name ? s->name : s->id);
	views_put_fmt(o, "href", "%srunbooks/%s.%s", pc->root, s->id, pc->ext);
	views_put_num(o, "tier", row->tier);
	if (row->tier >= 1 && row->tier <= RULES_TIERS)
		views_put_fmt(o, "tier_class", "tier-%d", (int)row->tier);
	views_put_str(o, "tier_name", row->tier_name);
	views_put_bool(o, "tier_override", row->overridden);
	views_put_bool(o, "unclassified", row->unclassified);
	views_put_objective(o, "rpo", row->rpo_minutes);
	views_put_objective(o, "rto", row->rto_minutes);
	views_put_str(o, "strategy", row->strategy);
	views_put_num(o, "wave", row->recovery_wave);
}

cJSON *views_push_service_ref(cJSON *arr, const struct pctx *pc, size_t i)
{
	cJSON *o = views_push_obj(arr);
	views_fill_service_ref(o, pc, i);
	return o;
}

long views_service_index(const struct views *v, const char *id)
{
	const struct service *s = id ? model_service_find(v->m, id) : NULL;
	return s ? (long)(s - v->m->services) : -1;
}

void views_put_severity(cJSON *o, const char *sev)
{
	views_put_str(o, "severity", sev);
	views_put_upper(o, "severity_label", sev);
	views_put_class(o, "severity_class", "sev-", sev);
}

/* A link to anchor `anchor` of the audit: "#a" inside it, else its path. */
void views_put_audit_href(cJSON *o, const char *key, const struct pctx *pc,
			  const char *anchor)
{
	if (!views_get(o, "anchor"))
		views_put_str(o, "anchor", anchor);
	if (pc->audit)
		views_put_fmt(o, key, "#%s", anchor);
	else
		views_put_fmt(o, key, "%saudit/%s.%s#%s", pc->root, pc->v->period, pc->ext, anchor);
}

const char *views_contact_name(const struct views *v, const char *id)
{
	const struct contact *c = id ? model_contact_find(v->m, id) : NULL;
	return c && c->name ? c->name : id;
}

/* "framework:control" as the control's label and audit link. */
static void put_control_ref(cJSON *o, const struct pctx *pc, const char *key)
{
	const char *colon = key ? strchr(key, ':') : NULL;
	char anchor[256], fw[64];
	if (!colon)
		return;
	snprintf(fw, sizeof(fw), "%.*s", (int)(colon - key < 63 ? colon - key : 63), key);
	track_control_anchor(fw, colon + 1, anchor, sizeof(anchor));
	views_put_str(o, "framework", fw);
	views_put_str(o, "control", colon + 1);
	views_put_str(o, "anchor", anchor);
	views_put_audit_href(o, "href", pc, anchor);
}

/* Status of a tracked finding: "NEW", "OPEN since 2026-09", "OPEN". */
static void put_tracking(cJSON *o, const struct pctx *pc, const struct finding *fj)
{
	const struct views *v = pc->v;
	const struct track_finding *tf;
	if (!v->in->track)
		return;
	tf = track_of(v->in->track, fj);
	views_put_str(o, "anchor", tf->anchor);
	views_put_audit_href(o, "href", pc, tf->anchor);
	views_put_str(o, "owner_id", tf->owner);
	views_put_str(o, "owner", views_contact_name(v, tf->owner));
	views_put_str(o, "status", tf->status);
	views_put_bool(o, "is_new", strcmp(tf->status, "new") == 0);
	views_put_str(o, "open_since", tf->open_since[0] ? tf->open_since : NULL);
	if (strcmp(tf->status, "new") == 0)
		views_put_str(o, "status_label", "NEW this period");
	else if (tf->open_since[0])
		views_put_fmt(o, "status_label", "OPEN since %s", tf->open_since);
	else
		views_put_str(o, "status_label", "OPEN");
	views_put_str(o, "status_class", strcmp(tf->status, "new") == 0 ? "st-fail" : "st-late");
	views_put_time_day(o, "due", tf->due);
	views_put_bool(o, "overdue", tf->overdue);
	cJSON *ctl = views_put_arr(o, "controls");
	for (size_t k = 0; k < tf->n_controls; k++)
		put_control_ref(views_push_obj(ctl), pc, track_control_key(v->in->track, tf->controls[k]));
	views_put_bool(o, "has_controls", tf->n_controls > 0);
	const struct mgmt_response *r = tf->response;
	views_put_bool(o, "has_response", r != NULL);
	if (!r)
		return;
	cJSON *x = views_put_obj(o, "response");
	views_put_str(x, "text", r->response);
	views_put_str(x, "by", views_contact_name(v, r->owner));
	views_put_time_day(x, "target_date", r->target_date);
	views_put_bool(x, "accepts_risk", r->accepts_risk);
	views_put_str(x, "exception", r->exception);
	if (r->exception && r->exception_index < v->m->n_exceptions) {
		const struct exception *e = &v->m->exceptions[r->exception_index];
		bool expired = e->expires != DATE_NONE && e->expires < v->m->as_of;
		views_put_bool(x, "exception_expired", expired);
		views_put_time_day(x, "exception_expires", e->expires);
		char a[256];
		track_anchor("exception", r->exception, a, sizeof(a));
		views_put_str(x, "exception_anchor", a);
		views_put_audit_href(x, "exception_href", pc, a);
	}
}

void views_fill_finding(cJSON *o, const struct pctx *pc, size_t j)
{
	const struct finding *fj = pc->v->finding[j];
	long s = finding_service(pc->v, fj);

	views_put_str(o, "id", fj->id);
	views_put_str(o, "kind", fj->kind);
	views_put_words(o, "kind_label", fj->kind);
	views_put_severity(o, fj->severity);
	views_put_str(o, "subject", fj->subject);
	if (s >= 0)
		views_put_fmt(o, "subject_href", "%srunbooks/%s.%s", pc->root,
			      pc->v->m->services[s].id, pc->ext);
	views_put_str(o, "ref", fj->ref);
	views_put_str(o, "message", fj->message);
	views_put_str(o, "recommendation", fj->recommendation);
	views_put_str(o, "rule", fj->rule);
	put_tracking(o, pc, fj);
}

void views_put_currency(cJSON *o, const char *cur)
{
	views_put_str(o, "currency", cur);
	views_put_upper(o, "currency_label", cur ? cur : "unknown");
	views_put_class(o, "currency_class", "st-", cur ? cur : "none");
}

/* One datastore as the backup tables show it. */
void views_fill_store(cJSON *o, const struct pctx *pc, size_t k)
{
	const struct views *v = pc->v;
	const struct datastore *ds = &v->m->datastores[k];
	cJSON *sj = results_datastore(v->rs, k);
	const cJSON *by = views_get(sj, "by_location");
	cJSON *locs;
	char size[64];

	views_put_str(o, "id", ds->id);
	views_put_str(o, "engine", ds->engine);
	views_put_str(o, "criticality", model_criticality_names[ds->criticality]);
	views_put_upper(o, "criticality_label", model_criticality_names[ds->criticality]);
	if (!isnan(ds->size_gb)) {
		views_format_number(ds->size_gb, 0, size, sizeof(size));
		views_put_fmt(o, "size", "%s GB", size);
	}
	if (ds->service_index < v->m->n_services)
		views_fill_service_ref(views_put_obj(o, "service"), pc, ds->service_index);
	views_put_objective(o, "rpo", views_get_num(sj, "rpo_minutes"));
	{
		/* RPO 0 is judged with the lag tolerance: say so next to the 0. */
		double rpo = views_get_num(sj, "rpo_minutes");
		double tol = v->f->lag_tolerance_minutes;
		if ((isnan(rpo) || rpo <= 0) && !isnan(tol))
			views_put_objective(o, "rpo_tolerance", tol);
	}
	views_put_currency(o, views_get_str(sj, "currency"));
	views_put_stamp(o, "newest_success", views_get_str(sj, "newest_success"));
	views_put_str(o, "newest_location", views_get_str(sj, "newest_location"));
	views_put_str(o, "newest_success_id", views_get_str(sj, "newest_success_id"));
	put_age(o, "age", views_get_num(sj, "age_minutes"));
	views_put_joined(o, "locations", views_get(sj, "locations"));
	views_put_bool(o, "offsite", views_jtrue(sj, "offsite"));
	views_put_bool(o, "encrypted", views_jtrue(sj, "encrypted"));
	views_put_bool(o, "immutable", views_jtrue(sj, "immutable"));
	views_put_stamp(o, "last_restore_test", views_get_str(sj, "last_restore_test"));
	views_put_bool(o, "restore_test_failing", views_jtrue(sj, "restore_test_failing"));
	views_put_stamp(o, "last_restore_test_failed", views_get_str(sj, "last_restore_test_failed"));
	views_put_num(o, "failures_in_period", views_get_num(sj, "failures_in_period"));
	views_put_str(o, "policy", views_get_str(sj, "policy"));

	locs = views_put_arr(o, "by_location");
	for (int l = 0; l < LOC_COUNT; l++) {
		const cJSON *lj = views_get(by, model_location_names[l]);
		cJSON *x = views_push_obj(locs);
		double succ = views_get_num(lj, "successes");
		views_put_str(x, "location", model_location_names[l]);
		views_put_bool(x, "has_copy", succ > 0 && views_get_str(lj, "newest_success"));
		views_put_stamp(x, "newest_success", views_get_str(lj, "newest_success"));
		put_age(x, "age", views_get_num(lj, "age_minutes"));
		views_put_bool(x, "encrypted", views_jtrue(lj, "encrypted"));
		views_put_bool(x, "immutable", views_jtrue(lj, "immutable"));
		views_put_num(x, "failures_in_period", views_get_num(lj, "failures_in_period"));
	}
	cJSON_Delete(sj);
}

/*
 * Pass/fail of a drill or result: "PASSED", "FAILED", "NO DATA" (it
 * measured nothing) or "NOT SCORED".
 */
static void put_outcome(cJSON *o, const cJSON *src)
{
	const char *st = views_get_str(src, "status");

	if (st && strcmp(st, "no_data") == 0) {
		views_put_bool(o, "passed", false);
		views_put_bool(o, "scored", true);
		views_put_str(o, "status_label", "NO DATA");
		views_put_str(o, "status_class", "st-none");
	} else if (views_jbool_known(src, "passed")) {
		bool p = views_jtrue(src, "passed");
		views_put_bool(o, "passed", p);
		views_put_bool(o, "scored", true);
		views_put_str(o, "status_label", p ? "PASSED" : "FAILED");
		views_put_str(o, "status_class", p ? "st-pass" : "st-fail");
	} else {
		views_put_bool(o, "scored", false);
		views_put_str(o, "status_label", "NOT SCORED");
		views_put_str(o, "status_class", "st-none");
	}
}

static void fill_drill_result(cJSON *x, const struct pctx *pc, const cJSON *rj)
{
	long s = views_service_index(pc->v, views_get_str(rj, "service"));
	char n[48];

	if (s >= 0)
		views_fill_service_ref(views_put_obj(x, "service"), pc, (size_t)s);
	else
		views_put_obj(x, "service");
	views_put_objective(x, "target_rto", views_get_num(rj, "target_rto_minutes"));
	views_put_objective(x, "recovery", views_get_num(rj, "recovery_minutes"));
	put_percent(x, "rto_achievement", views_get_num(rj, "rto_achievement"));
	views_put_objective(x, "target_rpo", views_get_num(rj, "target_rpo_minutes"));
	views_put_objective(x, "data_loss", views_get_num(rj, "data_loss_minutes"));
	put_percent(x, "rpo_achievement", views_get_num(rj, "rpo_achievement"));
	views_put_bool(x, "recovered", views_jtrue(rj, "recovered"));
	if (!isnan(views_get_num(rj, "data_integrity"))) {
		views_format_short(views_get_num(rj, "data_integrity") * 100, 2, n, sizeof(n));
		views_put_fmt(x, "data_integrity", "%s %%", n);
	}
	views_put_str(x, "failure", views_get_str(rj, "failure"));
	put_outcome(x, rj);
}

/* Open drill actions past their due date (a fact: due < as-of). */
bool views_issue_overdue(const struct views *v, const struct drill_issue *is)
{
	return is->open && is->due != DATE_NONE && is->due < v->m->as_of;
}

void views_put_action(cJSON *o, const struct drill *dr, const struct drill_issue *is)
{
	views_put_str(o, "drill", dr->id);
	views_put_str(o, "id", is->id);
	views_put_str(o, "title", is->title);
	views_put_severity(o, is->severity);
	views_put_time(o, "due", is->due);
}

/* Drill di; dj is its results.json entry. */
static void fill_drill_from(cJSON *o, const struct pctx *pc, size_t di, const cJSON *dj,
			    bool with_results)
{
	const struct drill *d = &pc->v->m->drills[di];
	char n[48];

	views_put_str(o, "id", d->id);
	views_put_str(o, "type", model_drill_type_names[d->type]);
	views_put_words(o, "type_label", model_drill_type_names[d->type]);
	put_when(o, "date", views_get_str(dj, "date"));
	views_put_time_day(o, "day", d->date);
	views_put_str(o, "source", d->source);
	put_outcome(o, dj);
	if (!isnan(d->availability)) {
		views_format_short(d->availability * 100, 3, n, sizeof(n));
		views_put_fmt(o, "availability", "%s %%", n);
	}
	if (!isnan(d->traffic_percent)) {
		views_format_short(d->traffic_percent, 1, n, sizeof(n));
		views_put_fmt(o, "traffic", "%s %%", n);
	}
	views_put_num(o, "results_count", (double)d->n_results);
	views_put_num(o, "issues_count", (double)d->n_issues);
	if (with_results) {
		cJSON *res = views_put_arr(o, "results");
		const cJSON *rj;
		cJSON_ArrayForEach(rj, views_get(dj, "results")) {
			fill_drill_result(views_push_obj(res), pc, rj);
		}
		views_put_bool(o, "has_results", cJSON_GetArraySize(res) > 0);
	}
}

static void fill_drill(cJSON *o, const struct pctx *pc, size_t di, bool with_results)
{
	cJSON *dj = results_drill(pc->v->rs, di);
	fill_drill_from(o, pc, di, dj, with_results);
	cJSON_Delete(dj);
}

void views_fill_drill_full(cJSON *o, const struct pctx *pc, size_t di)
{
	fill_drill(o, pc, di, true);
}

void views_fill_drill_brief(cJSON *o, const struct pctx *pc, size_t di)
{
	fill_drill(o, pc, di, false);
}

/*
 * `last_drill`: the newest drill that concerned service i, with the
 * service's own result in it; `outcome` is that result's status when it
 * was scored, else the drill's.
 */
void views_put_last_drill(cJSON *o, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	long ld = v->f->services[i].last_drill;
	const cJSON *mine = NULL, *rj;

	views_put_bool(o, "has_last_drill", ld >= 0);
	if (ld < 0)
		return;
	cJSON *d = views_put_obj(o, "last_drill");
	cJSON *dj = results_drill(v->rs, (size_t)ld);
	fill_drill_from(d, pc, (size_t)ld, dj, false);
	cJSON_ArrayForEach(rj, views_get(dj, "results")) {
		const char *sid = views_get_str(rj, "service");
		if (sid && strcmp(sid, v->m->services[i].id) == 0) {
			mine = rj;
			break;
		}
	}
	if (mine)
		fill_drill_result(views_put_obj(d, "result"), pc, mine);
	views_put_bool(d, "has_result", mine != NULL);
	put_outcome(views_put_obj(d, "outcome"), mine && views_jbool_known(mine, "passed") ? mine : dj);
	cJSON_Delete(dj);
}

/* A count of a total, as a readiness card. */
static void put_kpi(cJSON *kpis, const char *key, size_t count, size_t total)
{
	cJSON *k = views_put_obj(kpis, key);
	views_put_num(k, "count", (double)count);
	views_put_num(k, "total", (double)total);
	if (total > 0)
		put_percent(k, "percent", (double)count / (double)total);
	views_put_str(k, "class", total == 0 ? "kpi-none" : count == total ? "kpi-good"
		      : count == 0 ? "kpi-bad" : "kpi-warn");
}

/* Results of drills dated within the last 12 months, newest first (indices). */
bool views_drill_in_12m(const struct views *v, size_t di)
{
	int64_t t = v->m->drills[di].date;
	return t != DATE_NONE && t >= v->f->window_12m_start && t <= v->m->as_of;
}

/* A time field of a results.json object, or DATE_NONE. */
static int64_t json_time(const cJSON *o, const char *key)
{
	const char *s = views_get_str(o, key);
	int64_t t;
	return s && date_parse_any(s, strlen(s), &t) ? t : DATE_NONE;
}

/*
 * The same four counts as the cards, from a previous results.json (its
 * own as-of and 12-month window): NAN where it does not say.
 */
struct kpi_counts {
	double within_rpo, restore_tested, drills_passed, findings;
};

static struct kpi_counts previous_kpis(const cJSON *prev)
{
	struct kpi_counts k = {NAN, NAN, NAN, NAN};
	int64_t as_of = json_time(prev, "as_of"), since;
	const cJSON *x;

	k.within_rpo = views_get_num(views_get(views_get(prev, "summary"), "currency"), "ok");
	if (cJSON_IsArray(views_get(prev, "findings")))
		k.findings = (double)cJSON_GetArraySize(views_get(prev, "findings"));
	if (as_of == DATE_NONE)
		return k;
	since = analyze_months_before(as_of, 12);
	if (cJSON_IsArray(views_get(prev, "datastores"))) {
		k.restore_tested = 0;
		cJSON_ArrayForEach(x, views_get(prev, "datastores")) {
			int64_t t = json_time(x, "last_restore_test");
			k.restore_tested += t != DATE_NONE && t >= since;
		}
	}
	if (cJSON_IsArray(views_get(prev, "drills"))) {
		k.drills_passed = 0;
		cJSON_ArrayForEach(x, views_get(prev, "drills")) {
			int64_t t = json_time(x, "date");
			k.drills_passed += t != DATE_NONE && t >= since && t <= as_of &&
					   cJSON_IsTrue(views_get(x, "passed"));
		}
	}
	return k;
}

/*
 * `delta` of a card, with --previous: {text "+2" / "-1" / "no change",
 * since (the previous period), direction better|worse|same, class}.
 */
static void put_delta(cJSON *kpi, double from, double to, bool higher_is_better,
		      const char *since)
{
	if (isnan(from) || isnan(to) || !kpi)
		return;
	cJSON *d = views_put_obj(kpi, "delta");
	double diff = to - from;
	const char *dir = diff == 0 ? "same" : (diff > 0) == higher_is_better ? "better" : "worse";
	if (diff == 0)
		views_put_str(d, "text", "no change");
	else
		views_put_fmt(d, "text", "%s%.0f", diff > 0 ? "+" : "\xE2\x88\x92", fabs(diff));
	views_put_str(d, "since", since ? since : "the previous build");
	views_put_str(d, "direction", dir);
	views_put_bool(d, "changed", diff != 0);
	views_put_fmt(d, "class", "delta-%s", dir);
}

static void put_kpi_deltas(cJSON *kpis, const struct views *v, const struct kpi_counts *now)
{
	const cJSON *prev = v->in->previous;
	if (!prev)
		return;
	struct kpi_counts was = previous_kpis(prev);
	const char *since = views_get_str(prev, "period");
	put_delta(cJSON_GetObjectItem(kpis, "stores_within_rpo"), was.within_rpo, now->within_rpo,
		  true, since);
	put_delta(cJSON_GetObjectItem(kpis, "restore_tested"), was.restore_tested,
		  now->restore_tested, true, since);
	put_delta(cJSON_GetObjectItem(kpis, "drills_passed"), was.drills_passed, now->drills_passed,
		  true, since);
	put_delta(cJSON_GetObjectItem(kpis, "findings"), was.findings, now->findings, false, since);
}

/* The readiness cards of the dashboard and the audit. */
void views_put_readiness(cJSON *view, const struct views *v)
{
	cJSON *kpis = views_put_obj(view, "kpis");
	size_t ok = 0, tested = 0, passed = 0, scored = 0;
	size_t sev[ARRAY_LEN(views_severity_names)] = {0};

	for (size_t k = 0; k < v->m->n_datastores; k++) {
		const char *cur = v->store[k].currency;
		int64_t rt = v->store[k].last_restore_test;
		if (cur && strcmp(cur, "ok") == 0)
			ok++;
		if (rt != DATE_NONE && rt >= v->f->window_12m_start)
			tested++;
	}
	for (size_t d = 0; d < v->m->n_drills; d++) {
		int p = results_drill_passed(v->rs, d);
		if (!views_drill_in_12m(v, d) || p < 0)
			continue;
		scored++;
		passed += p == 1;
	}
	put_kpi(kpis, "stores_within_rpo", ok, v->m->n_datastores);
	put_kpi(kpis, "restore_tested", tested, v->m->n_datastores);
	put_kpi(kpis, "drills_passed", passed, scored);

	for (size_t j = 0; j < v->n_findings; j++) {
		const char *s = v->finding[j]->severity;
		for (size_t i = 0; s && i < ARRAY_LEN(views_severity_names); i++) {
			if (strcmp(s, views_severity_names[i]) == 0)
				sev[i]++;
		}
	}
	cJSON *fk = views_put_obj(kpis, "findings");
	views_put_num(fk, "total", (double)v->n_findings);
	views_put_num(fk, "critical", (double)sev[0]);
	views_put_num(fk, "high", (double)sev[1]);
	views_put_str(fk, "class", sev[0] ? "kpi-bad" : sev[1] ? "kpi-warn" : "kpi-good");
	struct kpi_counts now = {(double)ok, (double)tested, (double)passed, (double)v->n_findings};
	put_kpi_deltas(kpis, v, &now);

	cJSON *bysev = views_put_arr(view, "findings_by_severity");
	for (size_t i = 0; i < ARRAY_LEN(views_severity_names); i++) {
		cJSON *x = views_push_obj(bysev);
		views_put_severity(x, views_severity_names[i]);
		views_put_num(x, "count", (double)sev[i]);
	}
	views_put_num(view, "findings_total", (double)v->n_findings);
	views_put_bool(view, "has_findings", v->n_findings > 0);
}

void views_put_contact(cJSON *o, const struct contact *c)
{
	views_put_str(o, "id", c->id);
	views_put_str(o, "name", c->name ? c->name : c->id);
	views_put_str(o, "role", c->role);
	views_put_str(o, "team", c->team);
	views_put_str(o, "phone", c->phone);
	put_tel(o, "phone_href", c->phone);
	views_put_str(o, "email", c->email);
	put_mailto(o, "email_href", c->email);
	views_put_time(o, "last_verified", c->last_verified);
}

void views_put_escalation(cJSON *arr, const struct views *v,
			  const struct escalation_step *steps, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++) {
		cJSON *x = views_push_obj(arr);
		char after[48];
		views_put_num(x, "level", steps[i].level);
		if (!isnan(steps[i].after_minutes) && steps[i].after_minutes > 0) {
			views_format_objective(steps[i].after_minutes, after, sizeof(after));
			views_put_str(x, "after", after);
		}
		views_put_bool(x, "immediately", isnan(steps[i].after_minutes) ||
			       steps[i].after_minutes <= 0);
		if (steps[i].contact_index < v->m->n_contacts)
			views_put_contact(views_put_obj(x, "contact"), &v->m->contacts[steps[i].contact_index]);
	}
}
