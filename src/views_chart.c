/*
 * views_chart.c -- the charts of the dashboard and the audit, as inline
 * SVG (chart_svg.h), HTML only.
 *
 * Each chart is a `chart_*` member holding the SVG, which carries a
 * description in words for those who cannot see it.  Long charts show
 * the worst CHART_MAX_ROWS rows and say how many they left out (the
 * tables list every row).
 */
#include "views_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_svg.h"

/* Rows shown by a chart before it says how many it left out. */
#define CHART_MAX_ROWS 25

void views_chart_services(cJSON *view, const struct pctx *pc, const size_t *per_tier)
{
	struct chart_bar bars[RULES_TIERS];
	char labels[RULES_TIERS][16], texts[RULES_TIERS][32], status[RULES_TIERS][16];
	struct buf desc = BUF_INIT, svg = BUF_INIT;

	if (!pc->charts)
		return;
	buf_puts(&desc, "Services per tier:");
	for (int t = 0; t < RULES_TIERS; t++) {
		snprintf(labels[t], sizeof(labels[t]), "Tier %d", t + 1);
		snprintf(texts[t], sizeof(texts[t]), "%zu", per_tier[t]);
		snprintf(status[t], sizeof(status[t]), "tier-%d", t + 1);
		bars[t] = (struct chart_bar){labels[t], (double)per_tier[t], NAN, texts[t], status[t],
					     NULL, false};
		buf_printf(&desc, "%s tier %d, %zu", t ? ";" : "", t + 1, per_tier[t]);
	}
	buf_putc(&desc, '.');
	chart_svg_columns(&svg, "chart-tiers", "Services per tier", desc.data, bars, RULES_TIERS);
	views_put_str(view, "chart_tiers", svg.data);
	buf_free(&desc);
	buf_free(&svg);
}

/* How far over its RPO a store is (never first, then by age over RPO). */
struct store_rank {
	size_t k;
	double score;
};

static int store_rank_cmp(const void *a, const void *b)
{
	const struct store_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static double effective_rpo(const struct views *v, double rpo)
{
	double tol = v->f->lag_tolerance_minutes;
	if (isnan(rpo))
		rpo = 0;
	if (rpo > 0)
		return rpo;
	return isnan(tol) || tol < 0 ? 0 : tol;
}

/*
 * Backup age against RPO for stores[0..n) (model indices; NULL: all), the worst
 * CHART_MAX_ROWS of them.  The target shown is the RPO currency is judged
 * against (the RPO, or the lag tolerance for RPO 0, docs/analysis.md).
 */
void views_chart_backups(cJSON *view, const struct pctx *pc, const size_t *stores, size_t n,
			 const char *id)
{
	const struct views *v = pc->v;
	struct store_rank *rank;
	struct chart_bar *bars;
	char (*texts)[48];
	struct buf desc = BUF_INIT, svg = BUF_INIT;
	size_t shown;

	if (!pc->charts || n == 0)
		return;
	rank = xcalloc(n, sizeof(*rank));
	for (size_t i = 0; i < n; i++) {
		size_t k = stores ? stores[i] : i;
		const struct results_datastore_row *sj = &v->store[k];
		double age = sj->age_minutes;
		double rpo = effective_rpo(v, sj->rpo_minutes);
		rank[i].k = k;
		rank[i].score = isnan(age) ? INFINITY : rpo > 0 ? age / rpo : age;
	}
	qsort(rank, n, sizeof(*rank), store_rank_cmp);
	shown = n < CHART_MAX_ROWS ? n : CHART_MAX_ROWS;
	bars = xcalloc(shown, sizeof(*bars));
	texts = xcalloc(shown, sizeof(*texts));
	buf_printf(&desc, "Age of the newest successful backup of each datastore against "
		   "its recovery point objective%s:", n > shown ? ", worst first" : "");
	for (size_t i = 0; i < shown; i++) {
		const struct results_datastore_row *sj = &v->store[rank[i].k];
		double age = sj->age_minutes;
		double rpo = effective_rpo(v, sj->rpo_minutes);
		char rpo_s[48];
		const char *cur = sj->currency;
		if (isnan(age))
			snprintf(texts[i], sizeof(texts[i]), "never backed up");
		else
			views_format_age(age, texts[i], sizeof(texts[i]));
		views_format_objective(rpo, rpo_s, sizeof(rpo_s));
		bars[i] = (struct chart_bar){v->m->datastores[rank[i].k].id,
					     isnan(age) ? 0 : age, rpo, texts[i], cur, NULL,
					     isnan(age)};
		if (isnan(sj->rpo_minutes) || sj->rpo_minutes <= 0)
			buf_printf(&desc, "%s %s: %s old, RPO 0 min, judged with the %s "
				   "replication-lag tolerance, %s", i ? ";" : "",
				   v->m->datastores[rank[i].k].id, texts[i], rpo_s,
				   cur ? cur : "unknown");
		else
			buf_printf(&desc, "%s %s: %s old, RPO %s, %s", i ? ";" : "",
				   v->m->datastores[rank[i].k].id, texts[i], rpo_s,
				   cur ? cur : "unknown");
	}
	buf_putc(&desc, '.');
	chart_svg_bars(&svg, id, "Backup age against RPO", desc.data, bars, shown,
		       "age of the newest good copy", 1);
	views_put_str(view, "chart_backups", svg.data);
	views_put_num(view, "chart_backups_shown", (double)shown);
	views_put_num(view, "chart_backups_total", (double)n);
	views_put_bool(view, "chart_backups_capped", n > shown);
	free(rank);
	free(bars);
	free(texts);
	buf_free(&desc);
	buf_free(&svg);
}

/* Drill results with a measured recovery time, in the last 12 months. */
struct result_rank {
	size_t drill;
	int result;        /* index in the drill's results */
	double score;      /* RTO achievement; lower is worse */
	size_t order;
};

static int result_rank_cmp(const void *a, const void *b)
{
	const struct result_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Why a drill result failed, in words ("RTO", "integrity", "RPO, availability"),
 * from the findings the drill rules raised about it (kind, subject service,
 * ref drill; availability is about the drill as a whole, subject the drill).
 * The rules decide what fails; this only names it.
 */
static void drill_fail_reasons(const struct views *v, const char *drill, const char *svc,
			       char *out, size_t size)
{
	static const struct { const char *kind, *word; } reasons[] = {
		{"not_recovered", "not recovered"}, {"rto_missed", "RTO"}, {"rpo_missed", "RPO"},
		{"integrity_failed", "integrity"}, {"availability_missed", "availability"},
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t r = 0; r < ARRAY_LEN(reasons); r++) {
		bool whole = strcmp(reasons[r].kind, "availability_missed") == 0;
		for (size_t j = 0; j < v->n_findings; j++) {
			const struct finding *f = v->finding[j];
			if (!f->kind || strcmp(f->kind, reasons[r].kind) != 0)
				continue;
			if (whole ? !f->subject || strcmp(f->subject, drill) != 0
				  : !f->ref || strcmp(f->ref, drill) != 0 || !svc || !f->subject ||
				    strcmp(f->subject, svc) != 0)
				continue;
			int k = snprintf(out + len, size - len, "%s%s", len ? ", " : "",
					 reasons[r].word);
			if (k > 0 && (size_t)k < size - len)
				len += (size_t)k;
			break;
		}
	}
}

void views_chart_drills(cJSON *view, const struct pctx *pc)
{
	const struct views *v = pc->v;
	struct result_rank *rank = NULL;
	size_t n = 0, cap = 0, shown;
	struct chart_bar *bars;
	char (*labels)[160], (*texts)[48], (*notes)[80];
	struct buf desc = BUF_INIT, svg = BUF_INIT;

	if (!pc->charts)
		return;
	for (size_t d = v->m->n_drills; d-- > 0;) {
		if (!views_drill_in_12m(v, d) || v->m->drills[d].n_results == 0)
			continue;
		cJSON *dj = results_drill(v->rs, d);
		const cJSON *rj;
		int k = 0;
		cJSON_ArrayForEach(rj, views_get(dj, "results")) {
			k++;
			if (isnan(views_get_num(rj, "recovery_minutes")) || isnan(views_get_num(rj, "target_rto_minutes")))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				rank = xrealloc(rank, cap * sizeof(*rank));
			}
			double a = views_get_num(rj, "rto_achievement");
			rank[n] = (struct result_rank){d, k - 1, isnan(a) ? 1 : a, n};
			n++;
		}
		cJSON_Delete(dj);
	}
	if (n == 0) {
		free(rank);
		return;
	}
	qsort(rank, n, sizeof(*rank), result_rank_cmp);
	shown = n < CHART_MAX_ROWS ? n : CHART_MAX_ROWS;
	bars = xcalloc(shown, sizeof(*bars));
	labels = xcalloc(shown, sizeof(*labels));
	texts = xcalloc(shown, sizeof(*texts));
	notes = xcalloc(shown, sizeof(*notes));
	buf_printf(&desc, "Recovery time against the RTO target in drills of the last 12 months%s:",
		   n > shown ? ", worst first" : "");
	for (size_t i = 0; i < shown; i++) {
		cJSON *dj = results_drill(v->rs, rank[i].drill);
		const cJSON *rj = cJSON_GetArrayItem(views_get(dj, "results"), rank[i].result);
		const char *svc = views_get_str(rj, "service");
		char target[48];
		bool known = views_jbool_known(rj, "passed");
		const char *status = !known ? NULL : views_jtrue(rj, "passed") ? "pass" : "fail";
		char date[11];
		date_format_day(v->m->drills[rank[i].drill].date, date);
		snprintf(labels[i], sizeof(labels[i]), "%s %s", svc ? svc : "?", date);
		views_format_objective(views_get_num(rj, "recovery_minutes"), texts[i], sizeof(texts[i]));
		views_format_objective(views_get_num(rj, "target_rto_minutes"), target, sizeof(target));
		if (status && strcmp(status, "fail") == 0)
			drill_fail_reasons(v, v->m->drills[rank[i].drill].id, svc, notes[i],
					   sizeof(notes[i]));
		bars[i] = (struct chart_bar){labels[i], views_get_num(rj, "recovery_minutes"),
					     views_get_num(rj, "target_rto_minutes"), texts[i], status,
					     notes[i], false};
		buf_printf(&desc, "%s %s in drill %s: recovered in %s, target %s%s%s%s%s", i ? ";" : "",
			   svc ? svc : "?", v->m->drills[rank[i].drill].id, texts[i], target,
			   status ? ", " : "", status ? status : "", notes[i][0] ? ": " : "",
			   notes[i]);
		cJSON_Delete(dj);
	}
	buf_putc(&desc, '.');
	chart_svg_bars(&svg, "chart-drills", "Drill recovery time against RTO target", desc.data,
		       bars, shown, "recovery time", 1);
	views_put_str(view, "chart_drills", svg.data);
	views_put_num(view, "chart_drills_shown", (double)shown);
	views_put_num(view, "chart_drills_total", (double)n);
	views_put_bool(view, "chart_drills_capped", n > shown);
	free(rank);
	free(bars);
	free(labels);
	free(texts);
	free(notes);
	buf_free(&desc);
	buf_free(&svg);
}
