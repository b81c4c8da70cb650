/*
 * views_changes.c -- what changed since a previous build, for the
 * dashboard and the audit (results.json `changes`, made by changes.c when
 * the build is given --previous).
 *
 * Nothing is compared here: changes.c decided what changed; this file
 * only orders the changes and puts them into words and CSS classes.
 */
#include "views_int.h"

#include <stdlib.h>
#include <string.h>

static void put_direction(cJSON *o, const char *dir)
{
	views_put_str(o, "direction", dir);
	views_put_upper(o, "direction_label", dir);
	views_put_str(o, "direction_class", !dir ? "st-none" : strcmp(dir, "worse") == 0 ? "st-fail"
			: strcmp(dir, "better") == 0 ? "st-pass" : "st-none");
}

static void put_control_change(cJSON *arr, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *fw = views_get_str(x, "framework");
	views_put_str(o, "framework", fw);
	views_put_str(o, "control", views_get_str(x, "control"));
	views_put_str(o, "title", views_get_str(x, "title"));
	views_put_str(o, "from", views_get_str(x, "from"));
	views_put_upper(o, "from_label", views_get_str(x, "from"));
	views_put_class(o, "from_class", "st-", views_get_str(x, "from"));
	views_put_str(o, "to", views_get_str(x, "to"));
	views_put_upper(o, "to_label", views_get_str(x, "to"));
	views_put_class(o, "to_class", "st-", views_get_str(x, "to"));
	views_put_bool(o, "regression", views_jtrue(x, "regression"));
}

static void put_finding_change(cJSON *arr, const struct pctx *pc, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *subject = views_get_str(x, "subject");
	long s = -1;
	views_put_str(o, "id", views_get_str(x, "id"));
	views_put_str(o, "kind", views_get_str(x, "kind"));
	views_put_words(o, "kind_label", views_get_str(x, "kind"));
	views_put_severity(o, views_get_str(x, "severity"));
	views_put_str(o, "subject", subject);
	views_put_str(o, "message", views_get_str(x, "message"));
	if (subject) {
		const struct datastore *ds = model_datastore_find(pc->v->m, subject);
		s = views_service_index(pc->v, subject);
		if (s < 0 && ds && ds->service_index < pc->v->m->n_services)
			s = (long)ds->service_index;
	}
	if (s >= 0)
		views_put_fmt(o, "subject_href", "%srunbooks/%s.%s", pc->root,
			      pc->v->m->services[s].id, pc->ext);
}

/* A changed value of a service: tier as is, objectives in minutes as "5 min". */
static void put_field_value(cJSON *o, const char *key, const char *field, const cJSON *x)
{
	size_t n = strlen(field);
	struct buf b = BUF_INIT;
	if (n > 8 && strcmp(field + n - 8, "_minutes") == 0 && cJSON_IsNumber(x)) {
		views_put_objective(o, key, x->valuedouble);
		return;
	}
	views_put_scalar(&b, x);
	views_put_str(o, key, b.data ? b.data : "");
	buf_free(&b);
}

static void put_service_change(cJSON *arr, const struct pctx *pc, const cJSON *x)
{
	cJSON *o = views_push_obj(arr);
	const char *id = views_get_str(x, "id");
	long s = views_service_index(pc->v, id);
	const cJSON *c;
	views_put_str(o, "id", id);
	views_put_str(o, "name", views_get_str(x, "name") ? views_get_str(x, "name") : id);
	if (s >= 0)
		views_put_fmt(o, "href", "%srunbooks/%s.%s", pc->root, id, pc->ext);
	cJSON *list = views_put_arr(o, "changes");
	cJSON_ArrayForEach(c, views_get(x, "changes")) {
		const char *field = views_get_str(c, "field");
		cJSON *y = views_push_obj(list);
		if (!field)
			field = "";
		size_t n = strlen(field);
		char *label = xstrndup(field, n > 8 && strcmp(field + n - 8, "_minutes") == 0
				       ? n - 8 : n);
		views_put_str(y, "field", field);
		views_put_upper(y, "field_label", label);
		free(label);
		put_field_value(y, "from", field, views_get(c, "from"));
		put_field_value(y, "to", field, views_get(c, "to"));
	}
}

/*
 * `changes` (index and audit, with --previous): what changed since the
 * previous results.json, as changes.c computed it; `has_previous` false
 * without one.
 */
void views_changes_put(cJSON *view, const struct pctx *pc)
{
	const cJSON *ch = views_get(pc->v->results, "changes");
	const cJSON *x;
	views_put_bool(view, "has_previous", cJSON_IsObject(ch));
	if (!cJSON_IsObject(ch))
		return;
	cJSON *o = views_put_obj(view, "changes");
	const cJSON *prev = views_get(ch, "previous");
	const cJSON *sum = views_get(ch, "summary");
	views_put_str(o, "previous_period", views_get_str(prev, "period"));
	views_put_stamp(o, "previous_as_of", views_get_str(prev, "as_of"));
	views_put_bool(o, "has_changes", views_jtrue(ch, "has_changes"));
	put_direction(o, views_get_str(sum, "readiness"));
	views_put_num(o, "regressions", views_get_num(sum, "regressions"));
	cJSON *sc = views_put_obj(o, "summary_counts");
	static const char *const counted[] = {"findings_new", "findings_resolved",
					      "controls_worse", "controls_better"};
	for (size_t i = 0; i < ARRAY_LEN(counted); i++)
		views_put_num(sc, counted[i], views_get_num(sum, counted[i]));
	views_put_bool(o, "has_regressions", views_get_num(sum, "regressions") > 0);

	static const char *const control_lists[] = {
		"controls_worse", "controls_better", "controls_changed", "controls_added",
		"controls_removed",
	};
	for (size_t i = 0; i < ARRAY_LEN(control_lists); i++) {
		cJSON *arr = views_put_arr(o, control_lists[i]);
		cJSON_ArrayForEach(x, views_get(ch, control_lists[i])) {
			put_control_change(arr, x);
		}
	}
	static const char *const finding_lists[] = {"findings_new", "findings_resolved"};
	for (size_t i = 0; i < ARRAY_LEN(finding_lists); i++) {
		const cJSON *src = views_get(ch, finding_lists[i]);
		size_t n = (size_t)cJSON_GetArraySize(src), k = 0;
		const cJSON **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
		cJSON *arr = views_put_arr(o, finding_lists[i]);
		cJSON_ArrayForEach(x, src) {
			sorted[k++] = x;
		}
		/* most severe first, like every list */
		views_sort_by_severity((const void **)sorted, n, views_json_severity);
		for (k = 0; k < n; k++)
			put_finding_change(arr, pc, sorted[k]);
		free(sorted);
	}
	cJSON *svc = views_put_arr(o, "services_changed");
	cJSON_ArrayForEach(x, views_get(ch, "services_changed")) {
		put_service_change(svc, pc, x);
	}
	static const char *const service_lists[] = {"services_added", "services_removed"};
	for (size_t i = 0; i < ARRAY_LEN(service_lists); i++) {
		cJSON *arr = views_put_arr(o, service_lists[i]);
		cJSON_ArrayForEach(x, views_get(ch, service_lists[i])) {
			cJSON *y = views_push_obj(arr);
			views_put_str(y, "id", views_get_str(x, "id"));
			views_put_str(y, "name", views_get_str(x, "name") ? views_get_str(x, "name") : views_get_str(x, "id"));
		}
	}
	cJSON *rd = views_put_arr(o, "readiness");
	cJSON_ArrayForEach(x, views_get(ch, "readiness")) {
		cJSON *y = views_push_obj(rd);
		views_put_str(y, "metric", views_get_str(x, "metric"));
		views_put_words(y, "metric_label", views_get_str(x, "metric"));
		views_put_num(y, "from", views_get_num(x, "from"));
		views_put_num(y, "to", views_get_num(x, "to"));
		put_direction(y, views_get_str(x, "direction"));
	}
	/* has_<list> for each list, so templates can skip empty ones. */
	static const char *const all[] = {
		"controls_worse", "controls_better", "controls_changed", "controls_added",
		"controls_removed", "findings_new", "findings_resolved", "services_changed",
		"services_added", "services_removed", "readiness",
	};
	static const char *const has[] = {
		"has_controls_worse", "has_controls_better", "has_controls_changed",
		"has_controls_added", "has_controls_removed", "has_findings_new",
		"has_findings_resolved", "has_services_changed", "has_services_added",
		"has_services_removed", "has_readiness",
	};
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		views_put_bool(o, has[i], cJSON_GetArraySize(views_get(o, all[i])) > 0);
}
