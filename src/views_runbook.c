/*
 * views_runbook.c -- the view of a service's runbook (runbooks/<id>.html,
 * .md), one per service.
 *
 * Building one runbook costs time proportional to that service: what it
 * shows of other services (dependencies, dependents) and its findings come
 * from the tables views_new made.  The first screen is the posture at a
 * glance; the sections come from the rules (runbook.lua), and the
 * service's own prose, made safe by cmark, comes first and may replace
 * the items of a generated section it names.
 */
#include "views_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

/* Escalation contacts in a runbook's "at a glance" box. */
#define GLANCE_CONTACTS 3

static int dep_cmp_wave(const struct views *v, size_t a, size_t b)
{
	int wa = v->f->services[a].recovery_wave, wb = v->f->services[b].recovery_wave;
	if (wa != wb)
		return wa < wb ? -1 : 1;
	return strcmp(v->m->services[a].id, v->m->services[b].id);
}

/* Sorts service indices by recovery wave, then id (insertion sort: lists are short). */
static void sort_by_wave(const struct views *v, size_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && dep_cmp_wave(v, idx[j - 1], x) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
}

/* The prose of a service, made safe (cmark; no raw HTML, no unsafe links). */
static void put_prose(cJSON *o, const char *key, const char *text, size_t len,
		      enum views_format f, int shift, struct markdown_ids *ids)
{
	size_t out_len;
	char *s;
	if (!text)
		return;
	s = f == VIEWS_HTML ? markdown_to_html_ids(text, len, shift, ids, &out_len)
			    : markdown_to_markdown(text, len, shift, &out_len);
	views_put_str(o, key, s);
	free(s);
}

/*
 * The generated section a prose heading names (docs/templates.md,
 * "Runbook prose"): its first word, case-insensitive, is one of these.
 */
static const char *const replaceable[] = {"detection", "declaration", "recovery",
					  "validation", "rollback"};

static const char *prose_replaces(const char *title)
{
	char word[16];
	size_t n = 0;
	if (!title)
		return NULL;
	while (*title == ' ')
		title++;
	while (title[n] && n + 1 < sizeof(word) && ((title[n] >= 'a' && title[n] <= 'z') ||
						   (title[n] >= 'A' && title[n] <= 'Z'))) {
		word[n] = (char)(title[n] | 0x20);
		n++;
	}
	word[n] = '\0';
	for (size_t k = 0; k < ARRAY_LEN(replaceable); k++) {
		if (strcmp(word, replaceable[k]) == 0)
			return replaceable[k];
	}
	return NULL;
}

/*
 * Commands as a Markdown fence longer than any run of backticks in them,
 * indented by `indent` so that it belongs to its list item.
 */
static void put_fence(cJSON *o, const char *key, const cJSON *cmds, size_t indent)
{
	struct buf b = BUF_INIT;
	size_t longest = 0, run = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cmds) {
		for (const char *p = cJSON_GetStringValue(c); p && *p; p++) {
			run = *p == '`' ? run + 1 : 0;
			if (run > longest)
				longest = run;
		}
	}
	size_t n = longest < 3 ? 3 : longest + 1;
	buf_printf(&b, "%*s", (int)indent, "");
	for (size_t k = 0; k < n; k++)
		buf_putc(&b, '`');
	buf_puts(&b, "sh\n");
	cJSON_ArrayForEach(c, cmds) {
		const char *t = cJSON_GetStringValue(c);
		for (const char *p = t ? t : ""; *p;) {   /* every line indented */
			const char *nl = strchr(p, '\n');
			size_t k = nl ? (size_t)(nl - p) : strlen(p);
			buf_printf(&b, "%*s%.*s\n", (int)indent, "", (int)k, p);
			p += k + (nl != NULL);
		}
	}
	buf_printf(&b, "%*s", (int)indent, "");
	for (size_t k = 0; k < n; k++)
		buf_putc(&b, '`');
	views_put_str(o, key, b.data);
	buf_free(&b);
}

static void put_section_items(cJSON *x, const cJSON *sec, const struct pctx *pc,
			      bool ordered)
{
	cJSON *items = views_put_arr(x, "items");
	const cJSON *it;
	size_t n_items = 0;
	char m[32];
	cJSON_ArrayForEach(it, views_get(sec, "items")) {
		cJSON *y = views_push_obj(items);
		if (cJSON_IsString(it)) {
			views_put_str(y, "text", it->valuestring);
		} else {
			views_put_str(y, "text", views_get_str(it, "text"));
			views_put_str(y, "detail", views_get_str(it, "detail"));
			views_put_str(y, "kind", views_get_str(it, "kind"));
			views_put_str(y, "missing", views_get_str(it, "missing"));
			double mins = views_get_num(it, "minutes"), tot = views_get_num(it, "total");
			if (!isnan(mins)) {
				views_format_short(mins, 1, m, sizeof(m));
				views_put_fmt(y, "minutes", "%s min", m);
			}
			if (!isnan(tot)) {
				views_format_short(tot, 1, m, sizeof(m));
				views_put_fmt(y, "total", "%s min", m);
			}
			const cJSON *cmds = views_get(it, "commands");
			if (cJSON_GetArraySize(cmds) > 0) {
				cJSON *arr = views_put_arr(y, "commands");
				const cJSON *c;
				cJSON_ArrayForEach(c, cmds) {
					views_put_str(views_push_obj(arr), "command", cJSON_GetStringValue(c));
				}
				if (pc->f != VIEWS_HTML) {
					char num[24];
					int w = snprintf(num, sizeof(num), "%zu", n_items + 1);
					put_fence(y, "commands_md", cmds, ordered ? (size_t)w + 2 : 2);
				}
			}
			views_put_bool(y, "has_commands", cJSON_GetArraySize(cmds) > 0);
			/* a kind the plan's procedure can describe, without its commands */
			const char *kind = views_get_str(it, "kind");
			bool describable = false;
			for (size_t k = 0; kind && k < PROC_STEP_COUNT; k++)
				describable |= strcmp(kind, model_procedure_step_names[k]) == 0;
			views_put_bool(y, "no_command", describable && cJSON_GetArraySize(cmds) == 0);
		}
		views_put_num(y, "number", (double)++n_items);
	}
	views_put_bool(x, "has_items", n_items > 0);
}

/*
 * The sections of runbook.lua, with anchors.  The service's prose comes
 * first (`prose_first`); a prose section whose heading names a generated
 * section replaces that section's items (`replaced`, `prose`).
 */
static void put_sections(cJSON *view, const struct pctx *pc, size_t i,
			 struct markdown_ids *ids)
{
	const struct views *v = pc->v;
	const struct service *s = &v->m->services[i];
	const cJSON *rb = v->r && i < v->r->n_runbooks ? v->r->runbooks[i] : NULL;
	cJSON *arr = views_put_arr(view, "sections");
	const cJSON *sec;
	size_t number = 0;
	struct markdown_section *ps = NULL;
	size_t nps = s->runbook_text ? markdown_sections(s->runbook_text, s->runbook_len, &ps) : 0;
	bool *used = xcalloc(nps + 1, sizeof(*used));
	const char *claimed[ARRAY_LEN(replaceable)] = {NULL};

	/* Which prose section replaces which generated one (the first wins). */
	for (size_t k = 0; k < nps; k++) {
		const char *r = prose_replaces(ps[k].title);
		for (size_t j = 0; r && j < ARRAY_LEN(replaceable); j++) {
			if (strcmp(r, replaceable[j]) == 0 && !claimed[j]) {
				claimed[j] = r;
				used[k] = true;
			}
		}
	}
	/* The rest of the prose, in its own order, before the generated steps. */
	if (s->runbook_text) {
		struct buf first = BUF_INIT;
		for (size_t k = 0; k < nps; k++) {
			if (!used[k])
				buf_append(&first, s->runbook_text + ps[k].start, ps[k].end - ps[k].start);
		}
		if (first.len)
			put_prose(view, "prose_first", first.data, first.len, pc->f, 2, ids);
		buf_free(&first);
	}

	cJSON_ArrayForEach(sec, views_get(rb, "sections")) {
		const char *id = views_get_str(sec, "id");
		cJSON *x = views_push_obj(arr);
		views_put_str(x, "id", id);
		views_put_class(x, "anchor", "", id ? id : "section");
		views_put_str(x, "title", views_get_str(sec, "title"));
		views_put_str(x, "intro", views_get_str(sec, "intro"));
		views_put_bool(x, "ordered", views_jtrue(sec, "ordered"));
		views_put_num(x, "number", (double)++number);
		bool contacts = id && strcmp(id, "contacts") == 0;
		views_put_bool(x, "is_contacts", contacts);
		size_t k = 0;
		while (id && k < nps && !(used[k] && prose_replaces(ps[k].title) &&
					  strcmp(prose_replaces(ps[k].title), id) == 0))
			k++;
		if (id && k < nps) {
			/* the team's words instead of the generated ones */
			views_put_bool(x, "replaced", true);
			views_put_str(x, "prose_title", ps[k].title);
			put_prose(x, "prose", s->runbook_text + ps[k].start, ps[k].end - ps[k].start,
				  pc->f, 2, ids);
			views_put_arr(x, "items");
			views_put_bool(x, "has_items", false);
			used[k] = false;   /* one section each */
		} else {
			put_section_items(x, sec, pc, views_jtrue(sec, "ordered"));
		}
	}
	views_put_bool(view, "has_sections", cJSON_GetArraySize(arr) > 0);
	markdown_sections_free(ps, nps);
	free(used);
}

/* Currency from worst to best, for the posture at a glance. */
static int currency_rank(const char *c)
{
	static const char *const order[] = {"never", "stale", "late", "ok"};
	for (int k = 0; k < 4; k++) {
		if (c && strcmp(c, order[k]) == 0)
			return k;
	}
	return 4;
}

/* Whether drill issue is lists service id among its services. */
static bool issue_names(const struct drill_issue *is, const char *id)
{
	for (size_t k = 0; k < is->n_services; k++)
		if (strcmp(is->services[k], id) == 0)
			return true;
	return false;
}

/* The posture of service i on the first screen: stores, drill, findings, actions. */
static void put_posture(cJSON *view, const struct pctx *pc, size_t i)
{
	const struct views *v = pc->v;
	const struct model *m = v->m;
	const struct service *s = &m->services[i];
	cJSON *g = views_put_obj(view, "posture");

	/* Datastores, worst currency first. */
	cJSON *stores = views_put_arr(g, "stores");
	size_t *idx = xcalloc(s->n_datastores + 1, sizeof(*idx));
	int *rank = xcalloc(s->n_datastores + 1, sizeof(*rank));
	for (size_t k = 0; k < s->n_datastores; k++) {
		cJSON *sj = results_datastore(v->rs, s->datastore_index[k]);
		idx[k] = s->datastore_index[k];
		rank[k] = currency_rank(views_get_str(sj, "currency"));
		cJSON_Delete(sj);
	}
	for (size_t a = 1; a < s->n_datastores; a++) {   /* insertion sort, stable */
		size_t x = idx[a], j = a;
		int r = rank[a];
		while (j > 0 && rank[j - 1] > r) {
			idx[j] = idx[j - 1];
			rank[j] = rank[j - 1];
			j--;
		}
		idx[j] = x;
		rank[j] = r;
	}
	for (size_t k = 0; k < s->n_datastores; k++)
		views_fill_store(views_push_obj(stores), pc, idx[k]);
	views_put_bool(g, "has_stores", s->n_datastores > 0);
	free(idx);
	free(rank);

	/* Findings about the service, counted by severity. */
	static const char *const sevs[] = {"critical", "high", "medium", "low", "info"};
	cJSON *counts = views_put_arr(g, "finding_counts");
	size_t total = 0;
	for (size_t k = 0; k < ARRAY_LEN(sevs); k++) {
		size_t n = 0;
		for (size_t j = v->svc_findings_at[i]; j < v->svc_findings_at[i + 1]; j++)
			n += strcmp(v->finding[v->svc_findings[j]]->severity, sevs[k]) == 0;
		if (n == 0)
			continue;
		cJSON *c = views_push_obj(counts);
		views_put_num(c, "count", (double)n);
		views_put_severity(c, sevs[k]);
		total += n;
	}
	views_put_num(g, "findings_total", (double)total);
	views_put_bool(g, "has_findings", total > 0);

	/* Overdue actions that concern this service: those naming it, and
	 * those naming no service of drills that included it. */
	cJSON *acts = views_put_arr(g, "overdue_actions");
	for (size_t d = 0; d < m->n_drills; d++) {
		const struct drill *dr = &m->drills[d];
		bool mine = false;
		for (size_t k = 0; k < dr->n_results && !mine; k++)
			mine = dr->results[k].service && strcmp(dr->results[k].service, s->id) == 0;
		for (size_t k = 0; k < dr->n_scope_services && !mine; k++)
			mine = strcmp(dr->scope_services[k], s->id) == 0;
		for (size_t k = 0; k < dr->n_issues; k++) {
			const struct drill_issue *is = &dr->issues[k];
			if (!views_issue_overdue(v, is) ||
			    !(is->n_services ? issue_names(is, s->id) : mine))
				continue;
			views_put_action(views_push_obj(acts), dr, is);
		}
	}
	views_put_bool(g, "has_overdue_actions", cJSON_GetArraySize(acts) > 0);

	/* What runbook.lua derived: strategy, budget, missing facts. */
	const cJSON *rb = v->r && i < v->r->n_runbooks ? v->r->runbooks[i] : NULL;
	views_put_str(g, "strategy", views_get_str(rb, "strategy"));
	views_put_str(g, "strategy_gap", views_get_str(rb, "strategy_gap"));
	const cJSON *bud = views_get(rb, "budget");
	if (bud) {
		cJSON *b = views_put_obj(g, "budget");
		views_put_str(b, "text", views_get_str(bud, "text"));
		views_put_str(b, "rto", views_get_str(bud, "rto"));
		views_put_bool(b, "exceeds", views_jtrue(bud, "exceeds"));
	}
	cJSON *miss = views_put_arr(g, "missing");
	const cJSON *mj;
	cJSON_ArrayForEach(mj, views_get(rb, "missing")) {
		views_put_str(views_push_obj(miss), "fact", cJSON_GetStringValue(mj));
	}
	views_put_bool(g, "has_missing", cJSON_GetArraySize(miss) > 0);

	/* The prose's first warning, repeated. */
	if (s->runbook_text) {
		const char *title = NULL;
		char *w = markdown_first_alert(s->runbook_text, s->runbook_len, &title);
		if (w) {
			cJSON *o = views_put_obj(g, "warning");
			views_put_str(o, "title", title);
			if (pc->f == VIEWS_HTML) {
				put_prose(o, "prose", w, strlen(w), pc->f, 2, NULL);
			} else {
				/* Markdown: the same alert, quoted line by line */
				size_t n;
				char *md = markdown_to_markdown(w, strlen(w), 2, &n);
				struct buf q = BUF_INIT;
				for (char *line = md; *line;) {
					char *nl = strchr(line, '\n');
					size_t k = nl ? (size_t)(nl - line) : strlen(line);
					buf_puts(&q, k ? "> " : ">");
					buf_append(&q, line, k);
					buf_putc(&q, '\n');
					line += k + (nl != NULL);
				}
				views_put_str(o, "prose", q.data ? q.data : "");
				buf_free(&q);
				free(md);
			}
			free(w);
		}
	}
}

/* GitHub's heading anchor of a Markdown title: "#the-teams-procedure". */
static void put_md_anchor(cJSON *o, const char *title)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '#');
	for (const unsigned char *p = (const unsigned char *)title; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p >= 0x80)
			buf_putc(&b, (char)*p);
		else if (*p >= 'A' && *p <= 'Z')
			buf_putc(&b, (char)(*p - 'A' + 'a'));
		else if (*p == ' ')
			buf_putc(&b, '-');
	}
	views_put_str(o, "md_href", b.data);
	buf_free(&b);
}

/* The table of contents: the page's sections, in order. */
static void put_toc(cJSON *view)
{
	cJSON *toc = views_put_arr(view, "toc");
	if (views_get_str(view, "prose_first")) {
		cJSON *e = views_push_obj(toc);
		views_put_str(e, "href", "#procedures");
		views_put_str(e, "title", "Service procedures");
		put_md_anchor(e, "Service procedures");
	}
	cJSON *e = views_push_obj(toc);
	views_put_str(e, "href", "#dependencies");
	views_put_str(e, "title", "Dependencies and recovery order");
	put_md_anchor(e, "Dependencies and recovery order");
	const cJSON *sec;
	cJSON_ArrayForEach(sec, views_get(view, "sections")) {
		cJSON *x = views_push_obj(toc);
		views_put_fmt(x, "href", "#%s", views_get_str(sec, "anchor"));
		views_put_str(x, "title", views_get_str(sec, "title"));
		put_md_anchor(x, views_get_str(sec, "title"));
	}
	static const char *const tail[][2] = {{"#datastores", "Datastores and backups"},
					      {"#drill", "Last drill"},
					      {"#findings", "Open findings"}};
	for (size_t k = 0; k < ARRAY_LEN(tail); k++) {
		cJSON *x = views_push_obj(toc);
		views_put_str(x, "href", tail[k][0]);
		views_put_str(x, "title", tail[k][1]);
		put_md_anchor(x, tail[k][1]);
	}
}

cJSON *views_runbook(const struct views *v, size_t i, enum views_format f)
{
	struct pctx pc = views_pctx_make(v, f, 1);
	const struct model *m = v->m;
	const struct service *s = &m->services[i];
	cJSON *sj = results_service(v->rs, i);
	cJSON *view = cJSON_CreateObject();
	cJSON *svc, *x;
	size_t n_esc;
	const struct escalation_step *esc = model_service_escalation(m, s, &n_esc);
	views_put_page(view, &pc, "runbook", s->id);

	svc = views_put_obj(view, "service");
	views_fill_service_ref(svc, &pc, i);
	views_put_str(svc, "description", s->description);
	views_put_str(svc, "tier_reason", views_get_str(sj, "tier_reason"));
	views_put_str(svc, "team", s->team);
	if (s->owner && s->owner_index < m->n_contacts)
		views_put_contact(views_put_obj(svc, "owner"), &m->contacts[s->owner_index]);
	cJSON *regions = views_put_arr(svc, "regions");
	for (size_t k = 0; k < s->n_regions; k++) {
		cJSON *r = views_push_obj(regions);
		views_put_str(r, "id", s->regions[k]);
		if (s->region_index[k] < m->n_regions)
			views_put_str(r, "role", model_region_role_names[m->regions[s->region_index[k]].role]);
		views_put_bool(r, "last", k + 1 == s->n_regions);
	}
	views_put_joined(svc, "regions_list", views_get(sj, "regions"));
	if (cJSON_GetArraySize(views_get(sj, "data_scope")) > 0)   /* never "Data in scope: ." */
		views_put_joined(svc, "data_scope", views_get(sj, "data_scope"));
	views_put_bool(svc, "single_region", views_jtrue(sj, "single_region"));
	if (v->r && i < v->r->n_runbooks)
		views_put_bool(svc, "automatic_failover", views_jtrue(v->r->runbooks[i], "automatic_failover"));
	views_put_num(svc, "waves_total", (double)v->f->n_waves);
	if (s->runbook_path)
		views_put_str(svc, "runbook_file", s->runbook_path);

	/* At a glance: the first contacts to call. */
	cJSON *glance = views_put_arr(view, "glance_contacts");
	views_put_escalation(glance, v, esc, n_esc, GLANCE_CONTACTS);
	views_put_escalation(views_put_arr(view, "escalation"), v, esc, n_esc, n_esc);
	views_put_bool(view, "own_escalation", s->escalation != NULL);

	/* Dependencies, in the order to recover them. */
	size_t *deps = xcalloc(s->n_depends_on + 1, sizeof(*deps));
	memcpy(deps, s->depends_on_index, s->n_depends_on * sizeof(*deps));
	sort_by_wave(v, deps, s->n_depends_on);
	x = views_put_arr(view, "dependencies");
	for (size_t k = 0; k < s->n_depends_on; k++) {
		cJSON *d = views_push_service_ref(x, &pc, deps[k]);
		views_put_num(d, "order", (double)(k + 1));
		/* A tier inversion (docs/analysis.md): the dependency's tier is worse. */
		double mine = v->svc[i].tier, theirs = v->svc[deps[k]].tier;
		views_put_bool(d, "inversion", !isnan(mine) && !isnan(theirs) && theirs > mine);
	}
	views_put_bool(view, "has_dependencies", s->n_depends_on > 0);
	free(deps);

	size_t nd = v->dependents_at[i + 1] - v->dependents_at[i];
	size_t *dependents = xcalloc(nd + 1, sizeof(*dependents));
	memcpy(dependents, v->dependents + v->dependents_at[i], nd * sizeof(*dependents));
	sort_by_wave(v, dependents, nd);
	x = views_put_arr(view, "dependents");
	for (size_t k = 0; k < nd; k++)
		views_put_bool(views_push_service_ref(x, &pc, dependents[k]), "last", k + 1 == nd);
	views_put_bool(view, "has_dependents", nd > 0);
	free(dependents);

	/* Heading ids: the page's own first, then the prose's, all unique. */
	struct markdown_ids ids = {0};
	static const char *const page_ids[] = {
		"glance", "toc", "procedures", "dependencies", "datastores", "drill", "findings",
		"pre-disaster", "detection", "declaration", "pre-checks", "recovery", "validation",
		"rollback", "contacts", "call-first"};
	char idbuf[64], want[64];
	for (size_t k = 0; k < ARRAY_LEN(page_ids); k++) {
		markdown_ids_take(&ids, page_ids[k], idbuf, sizeof(idbuf));
		snprintf(want, sizeof(want), "%s-h", page_ids[k]);
		markdown_ids_take(&ids, want, idbuf, sizeof(idbuf));
	}
	put_sections(view, &pc, i, &ids);
	markdown_ids_free(&ids);
	put_posture(view, &pc, i);
	put_toc(view);

	/* Health checks (validation). */
	x = views_put_arr(view, "health_checks");
	for (size_t k = 0; k < s->n_health_checks; k++) {
		cJSON *h = views_push_obj(x);
		views_put_str(h, "name", s->health_checks[k].name);
		views_put_str(h, "endpoint", s->health_checks[k].endpoint);
		views_put_num(h, "expected_status", s->health_checks[k].expected_status);
	}
	views_put_bool(view, "has_health_checks", s->n_health_checks > 0);

	/* Datastores and their backups. */
	x = views_put_arr(view, "datastores");
	for (size_t k = 0; k < s->n_datastores; k++)
		views_fill_store(views_push_obj(x), &pc, s->datastore_index[k]);
	views_put_bool(view, "has_datastores", s->n_datastores > 0);

	views_put_last_drill(view, &pc, i);
	const cJSON *dc = views_get(sj, "drills");
	views_put_num(view, "drills_12m", views_get_num(dc, "last_12_months"));
	views_put_num(view, "drills_period", views_get_num(dc, "in_period"));

	/* Findings about the service or its stores. */
	x = views_put_arr(view, "findings");
	for (size_t k = v->svc_findings_at[i]; k < v->svc_findings_at[i + 1]; k++) {
		cJSON *o = views_push_obj(x);
		views_fill_finding(o, &pc, v->svc_findings[k]);
		/* this page: no link to itself */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "subject_href");
	}
	views_put_bool(view, "has_findings", cJSON_GetArraySize(x) > 0);
	cJSON_Delete(sj);
	return view;
}
