/*
 * analyze.c -- facts derived from the model, in linear time.
 *
 * The backup log was already folded by load_backups into one summary per
 * datastore and location, so store facts are a pass over those summaries.
 * Recovery waves are Kahn's algorithm over the dependency graph (edges from
 * a dependency to its dependents, kept in one CSR array): a service's wave
 * is one more than the largest wave among its dependencies, and services
 * left with unresolved dependencies sit in a cycle and get wave 0.  The
 * loader refuses cycles; the check here only keeps a bad model from looping.
 * Drills are walked once in model order (date, then id), marking each
 * service once per drill, so a service named in both the scope and the
 * results counts once.
 *
 * Invariants: the model is never written; every time comparison is against
 * f->as_of and the model's period; no policy number lives here (the lag
 * tolerance comes from tiers.lua through struct objectives).
 */
#include "analyze.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

static const char *const currency_names[CURRENCY_COUNT] = {
	"ok", "late", "stale", "never"};

const char *analyze_currency_name(enum currency c)
{
	if ((unsigned)c >= CURRENCY_COUNT)
		return "never";
	return currency_names[c];
}

enum currency analyze_currency(int64_t age_seconds, double rpo_minutes,
			       double lag_tolerance_minutes)
{
	double rpo = isnan(rpo_minutes) || rpo_minutes < 0 ? 0 : rpo_minutes;
	double tol = isnan(lag_tolerance_minutes) || lag_tolerance_minutes < 0
		? 0 : lag_tolerance_minutes;
	double limit = (rpo > 0 ? rpo : tol) * 60.0;
	double age = (double)age_seconds;

	if (age_seconds < 0)
		return CURRENCY_NEVER;
	if (age <= limit)
		return CURRENCY_OK;
	if (age <= 2.0 * limit)
		return CURRENCY_LATE;
	return CURRENCY_STALE;
}

int64_t analyze_months_before(int64_t t, int months)
{
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t y, idx;
	unsigned m, d, last;

	date_civil_from_days(days, &y, &m, &d);
	idx = y * 12 + (int64_t)(m - 1) - months;
	y = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
	m = (unsigned)(idx - y * 12) + 1;
	last = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		last = 29;
	if (d > last)
		d = last;
	return date_days_from_civil(y, m, d) * 86400 + secs;
}

/* Encryption as the log spells it: "none" or nothing means a plain copy. */
static bool is_encrypted_name(const char *name)
{
	return name[0] != '\0' && strcmp(name, "none") != 0;
}

static void store_facts_fill(struct store_facts *sf, const struct datastore *ds,
			     int64_t as_of)
{
	sf->newest_success = DATE_NONE;
	sf->newest_location = -1;
	sf->age_seconds = -1;
	sf->age_minutes = -1;
	sf->last_restore_test = DATE_NONE;
	sf->last_restore_test_failed = DATE_NONE;
	sf->last_restore_test_tested_time = DATE_NONE;
	sf->last_restore_test_location = -1;
	sf->last_integrity_check = DATE_NONE;
	sf->last_integrity_check_failed = DATE_NONE;
	sf->rpo_minutes = NAN;
	sf->currency = CURRENCY_NEVER;

	for (int loc = 0; loc < LOC_COUNT; loc++) {
		const struct backup_location_summary *s = &ds->backups.at[loc];
		struct location_facts *lf = &sf->at[loc];

		lf->has_success = s->newest_success != DATE_NONE;
		lf->newest_success = s->newest_success;
		lf->age_seconds = -1;
		if (lf->has_success) {
			int64_t age = as_of - s->newest_success;
			lf->age_seconds = age < 0 ? 0 : age;
			lf->newest_success_id = s->newest_success_id;
			lf->newest_encrypted = is_encrypted_name(s->newest_encryption);
		}
		lf->successes = s->successes;
		lf->successes_unencrypted = s->successes_unencrypted;
		lf->successes_immutable = s->successes_immutable;
		lf->failures_in_period = s->failures_in_period;
		lf->bytes_retained = s->bytes_retained;
		lf->last_restore_test = ds->backups.tests[RMETHOD_RESTORE].newest_ok_at[loc];

		sf->locations_ok[loc] = lf->has_success;
		sf->n_locations_ok += lf->has_success;
		sf->successes += s->successes;
		sf->successes_unencrypted += s->successes_unencrypted;
		sf->successes_immutable += s->successes_immutable;
		sf->continuous |= s->successes_by_type[BTYPE_CONTINUOUS] > 0;
		sf->failures_in_period += s->failures_in_period;
		sf->bytes_retained += s->bytes_retained;
		if (lf->has_success && (sf->newest_success == DATE_NONE ||
					s->newest_success > sf->newest_success)) {
			sf->newest_success = s->newest_success;
			sf->newest_location = loc;
		}
	}
	/* Restore tests come from restore-test records only (never from a
	 * backup's own "verification"), by method. */
	const struct restore_test_summary *rt = &ds->backups.tests[RMETHOD_RESTORE];
	const struct restore_test_summary *ic = &ds->backups.tests[RMETHOD_INTEGRITY_CHECK];
	if (rt->newest_ok != DATE_NONE) {
		sf->last_restore_test = rt->newest_ok;
		sf->last_restore_test_id = rt->newest_ok_id;
		sf->last_restore_test_tested_backup =
			rt->newest_ok_tested_backup[0] ? rt->newest_ok_tested_backup : NULL;
		sf->last_restore_test_tested_time = rt->newest_ok_tested_time;
		sf->last_restore_test_location = rt->newest_ok_location;
	}
	if (rt->newest_failed != DATE_NONE) {
		sf->last_restore_test_failed = rt->newest_failed;
		sf->last_restore_test_failed_id = rt->newest_failed_id;
	}
	if (ic->newest_ok != DATE_NONE) {
		sf->last_integrity_check = ic->newest_ok;
		sf->last_integrity_check_id = ic->newest_ok_id;
	}
	if (ic->newest_failed != DATE_NONE) {
		sf->last_integrity_check_failed = ic->newest_failed;
		sf->last_integrity_check_failed_id = ic->newest_failed_id;
	}
	sf->restore_tests = rt->tests;
	sf->integrity_checks = ic->tests;
	sf->offsite = sf->locations_ok[LOC_OFFSITE];
	sf->encrypted = sf->newest_success != DATE_NONE &&
			sf->successes_unencrypted == 0;
	sf->immutable = sf->successes_immutable > 0;
	sf->restore_test_failing =
		sf->last_restore_test_failed != DATE_NONE &&
		(sf->last_restore_test == DATE_NONE ||
		 sf->last_restore_test_failed > sf->last_restore_test);
	if (sf->newest_location >= 0) {
		sf->age_seconds = sf->at[sf->newest_location].age_seconds;
		sf->age_minutes = (double)sf->age_seconds / 60.0;
	}
}

/* Recovery order sorts these: wave (0 = in a cycle, last), then id. */
struct order_key {
	int wave;
	const char *id;
	size_t index;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;
	int c;

	if (x->wave != y->wave) {
		if (x->wave == 0)
			return 1;
		if (y->wave == 0)
			return -1;
		return x->wave < y->wave ? -1 : 1;
	}
	c = strcmp(x->id, y->id);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void compute_waves(struct facts *f, const struct model *m)
{
	size_t n = m->n_services, n_edges = 0, head = 0, tail = 0;
	size_t *start, *edges, *fill, *pending, *queue;
	struct order_key *keys;

	start = xcalloc(n + 1, sizeof(*start));
	for (size_t s = 0; s < n; s++) {
		const struct service *sv = &m->services[s];
		for (size_t k = 0; k < sv->n_depends_on; k++)
			start[sv->depends_on_index[k] + 1]++;
		n_edges += sv->n_depends_on;
	}
	for (size_t s = 0; s < n; s++)
		start[s + 1] += start[s];
	edges = xmalloc((n_edges ? n_edges : 1) * sizeof(*edges));
	fill = xmalloc((n ? n : 1) * sizeof(*fill));
	pending = xmalloc((n ? n : 1) * sizeof(*pending));
	queue = xmalloc((n ? n : 1) * sizeof(*queue));
	memcpy(fill, start, n * sizeof(*fill));
	for (size_t s = 0; s < n; s++) {
		const struct service *sv = &m->services[s];
		for (size_t k = 0; k < sv->n_depends_on; k++)
			edges[fill[sv->depends_on_index[k]]++] = s;
		pending[s] = sv->n_depends_on;
		if (pending[s] == 0) {
			f->services[s].recovery_wave = 1;
			queue[tail++] = s;
		}
	}
	while (head < tail) {
		size_t u = queue[head++];
		int next = f->services[u].recovery_wave + 1;
		if (f->services[u].recovery_wave > f->n_waves)
			f->n_waves = f->services[u].recovery_wave;
		for (size_t e = start[u]; e < start[u + 1]; e++) {
			size_t t = edges[e];
			if (f->services[t].recovery_wave < next)
				f->services[t].recovery_wave = next;
			if (--pending[t] == 0)
				queue[tail++] = t;
		}
	}
	keys = xmalloc((n ? n : 1) * sizeof(*keys));
	for (size_t s = 0; s < n; s++) {
		if (pending[s] != 0) {
			f->services[s].recovery_wave = 0;
			f->n_in_cycle++;
		}
		keys[s] = (struct order_key){f->services[s].recovery_wave,
					     m->services[s].id, s};
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), order_cmp);
	for (size_t s = 0; s < n; s++)
		f->recovery_order[s] = keys[s].index;
	free(keys);
	free(start);
	free(edges);
	free(fill);
	free(pending);
	free(queue);
}

/* The distinct services a drill names (results, then scope) into out. */
static size_t drill_services(const struct model *m, const struct drill *d,
			     size_t mark_value, size_t *mark, size_t *out)
{
	size_t n = 0;

	for (size_t r = 0; r < d->n_results + d->n_scope_services; r++) {
		size_t s;
		if (r < d->n_results) {
			s = d->results[r].service_index;
		} else {
			const struct service *sv =
				model_service_find(m, d->scope_services[r - d->n_results]);
			if (!sv)
				continue;
			s = (size_t)(sv - m->services);
		}
		if (s >= m->n_services || mark[s] == mark_value)
			continue;
		mark[s] = mark_value;
		out[n++] = s;
	}
	return n;
}

static void count_drills(struct facts *f, const struct model *m, struct arena *a)
{
	size_t n = m->n_services, total = 0, k = 0;
	size_t *mark = xcalloc(n ? n : 1, sizeof(*mark));
	size_t *dstart = xmalloc((m->n_drills + 1) * sizeof(*dstart));
	int64_t *last_date = xmalloc((n ? n : 1) * sizeof(*last_date));
	size_t *named;

	for (size_t i = 0; i < m->n_drills; i++)
		total += m->drills[i].n_results + m->drills[i].n_scope_services;
	named = xmalloc((total ? total : 1) * sizeof(*named));

	/*
	 * Pass 1 resolves each drill's distinct services once (scope names are
	 * hash look-ups) into named[dstart[i] .. dstart[i + 1]) and counts them
	 * per service; pass 2 fills the per-service lists from that array.
	 */
	for (size_t i = 0; i < m->n_drills; i++) {
		const struct drill *d = &m->drills[i];
		dstart[i] = k;
		/*
		 * load_drills already left out drills after as_of (the one
		 * filter every consumer shares); this only guards models built
		 * by hand.
		 */
		if (d->date == DATE_NONE || d->date > f->as_of)
			continue;
		k += drill_services(m, d, i + 1, mark, named + k);
	}
	dstart[m->n_drills] = k;
	for (size_t j = 0; j < k; j++)
		f->services[named[j]].n_drills++;
	for (size_t s = 0; s < n; s++) {
		struct service_facts *sf = &f->services[s];
		sf->drills = arena_calloc(a, sf->n_drills ? sf->n_drills : 1,
					  sizeof(*sf->drills));
		sf->n_drills = 0;
		last_date[s] = DATE_NONE;
	}
	for (size_t i = 0; i < m->n_drills; i++) {
		const struct drill *d = &m->drills[i];
		bool in_period = d->date >= f->period_start && d->date < f->period_end;
		bool in_12m = d->date >= f->window_12m_start;
		for (size_t j = dstart[i]; j < dstart[i + 1]; j++) {
			size_t s = named[j];
			struct service_facts *sf = &f->services[s];
			sf->drills[sf->n_drills++] = i;
			if (in_period) {
				sf->n_drills_period++;
				sf->drills_period_by_type[d->type]++;
			}
			if (in_12m) {
				sf->n_drills_12m++;
				sf->drills_12m_by_type[d->type]++;
			}
			if (sf->last_drill_by_type[d->type] == DATE_NONE ||
			    d->date >= sf->last_drill_by_type[d->type])
				sf->last_drill_by_type[d->type] = d->date;
			if (last_date[s] == DATE_NONE || d->date >= last_date[s]) {
				last_date[s] = d->date;
				sf->last_drill = (long)i;
			}
		}
	}
	free(named);
	free(dstart);
	free(last_date);
	free(mark);
}

/* The facts and their arena: one allocation owner, freed by analyze_free. */
struct facts_owned {
	struct facts f;
	struct arena *arena;
};

struct facts *analyze_model(const struct model *m)
{
	struct facts_owned *o = xcalloc(1, sizeof(*o));
	struct facts *f = &o->f;

	o->arena = arena_new();
	f->as_of = m->as_of;
	f->period_start = m->period_start;
	f->period_end = m->period_end;
	f->window_12m_start = m->as_of == DATE_NONE
		? DATE_NONE : analyze_months_before(m->as_of, 12);
	f->lag_tolerance_minutes = NAN;

	f->n_stores = m->n_datastores;
	f->stores = arena_calloc(o->arena, f->n_stores ? f->n_stores : 1,
				 sizeof(*f->stores));
	for (size_t i = 0; i < m->n_datastores; i++)
		store_facts_fill(&f->stores[i], &m->datastores[i], m->as_of);

	f->n_services = m->n_services;
	f->services = arena_calloc(o->arena, f->n_services ? f->n_services : 1,
				   sizeof(*f->services));
	f->n_recovery_order = m->n_services;
	f->recovery_order = arena_calloc(o->arena, f->n_services ? f->n_services : 1,
					 sizeof(*f->recovery_order));
	for (size_t s = 0; s < m->n_services; s++) {
		struct service_facts *sf = &f->services[s];
		sf->last_drill = -1;
		sf->rpo_minutes = NAN;
		for (int t = 0; t < DRILL_TYPE_COUNT; t++)
			sf->last_drill_by_type[t] = DATE_NONE;
	}
	compute_waves(f, m);
	count_drills(f, m, o->arena);
	return f;
}

static size_t distinct_regions(const struct service *sv)
{
	size_t n = 0;

	for (size_t i = 0; i < sv->n_regions; i++) {
		size_t j = 0;
		while (j < i && sv->region_index[j] != sv->region_index[i])
			j++;
		n += j == i;
	}
	return n;
}

static bool tier_valid(int t)
{
	return t >= 1 && t <= 4;
}

void analyze_objectives(struct facts *f, const struct model *m,
			const struct objectives *obj)
{
	size_t n_inv = 0, n_single = 0;

	free(f->inversions);
	free(f->single_region);
	f->inversions = NULL;
	f->single_region = NULL;
	f->n_inversions = 0;
	f->n_single_region = 0;
	memset(f->currency_count, 0, sizeof(f->currency_count));
	f->lag_tolerance_minutes = obj->lag_tolerance_minutes;

	for (size_t s = 0; s < m->n_services; s++) {
		const struct service *sv = &m->services[s];
		struct service_facts *sf = &f->services[s];
		sf->tier = obj->tier[s];
		sf->rpo_minutes = obj->rpo_minutes[s];
		sf->multi_region_required = obj->multi_region[s];
		sf->n_distinct_regions = distinct_regions(sv);
		sf->single_region = sf->multi_region_required &&
				    sf->n_distinct_regions < 2;
		n_single += sf->single_region;
		for (size_t k = 0; k < sv->n_depends_on; k++) {
			int dt = obj->tier[sv->depends_on_index[k]];
			if (tier_valid(sf->tier) && tier_valid(dt) && dt > sf->tier)
				n_inv++;
		}
	}
	f->inversions = xmalloc((n_inv ? n_inv : 1) * sizeof(*f->inversions));
	f->single_region = xmalloc((n_single ? n_single : 1) *
				   sizeof(*f->single_region));
	for (size_t s = 0; s < m->n_services; s++) {
		const struct service *sv = &m->services[s];
		int st = obj->tier[s];
		if (f->services[s].single_region)
			f->single_region[f->n_single_region++] = s;
		for (size_t k = 0; k < sv->n_depends_on; k++) {
			size_t d = sv->depends_on_index[k];
			int dt = obj->tier[d];
			if (!(tier_valid(st) && tier_valid(dt) && dt > st))
				continue;
			f->inversions[f->n_inversions++] = (struct tier_inversion){
				.service = s, .dependency = d,
				.service_tier = st, .dependency_tier = dt};
		}
	}

	for (size_t i = 0; i < m->n_datastores; i++) {
		struct store_facts *st = &f->stores[i];
		size_t owner = m->datastores[i].service_index;
		st->rpo_minutes = owner < m->n_services ? obj->rpo_minutes[owner] : NAN;
		st->currency = analyze_currency(st->age_seconds, st->rpo_minutes,
						obj->lag_tolerance_minutes);
		f->currency_count[st->currency]++;
	}
	f->objectives_set = true;
}

void analyze_free(struct facts *f)
{
	struct facts_owned *o = (struct facts_owned *)f;

	if (!f)
		return;
	free(f->inversions);
	free(f->single_region);
	arena_free(o->arena);
	free(o);
}

/* Decimal seconds since the epoch, nothing else (SOURCE_DATE_EPOCH). */
static bool parse_epoch(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s[0] || (s[0] < '0' || s[0] > '9'))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool analyze_time_window(const char *as_of_arg, const char *period_arg,
			 const char *source_date_epoch, int64_t now,
			 struct time_window *w, struct diags *d)
{
	bool have_period = false;
	char a[DATE_RFC3339_SIZE], p[8];

	w->as_of = DATE_NONE;
	w->period_start = DATE_NONE;
	w->period_end = DATE_NONE;
	if (period_arg) {
		if (!date_parse_month(period_arg, strlen(period_arg),
				      &w->period_start, &w->period_end)) {
			diag_error(d, NULL, 0, 0,
				   "invalid --period \"%s\": expected YYYY-MM",
				   period_arg);
			return false;
		}
		have_period = true;
	}
	if (as_of_arg) {
		if (!date_parse_any(as_of_arg, strlen(as_of_arg), &w->as_of)) {
			diag_error(d, NULL, 0, 0,
				   "invalid --as-of \"%s\": expected an RFC 3339 "
				   "time with offset or YYYY-MM-DD", as_of_arg);
			return false;
		}
	} else if (have_period) {
		w->as_of = w->period_end;
	} else if (source_date_epoch && source_date_epoch[0]) {
		if (!parse_epoch(source_date_epoch, &w->as_of)) {
			diag_error(d, NULL, 0, 0,
				   "invalid SOURCE_DATE_EPOCH \"%s\": expected "
				   "seconds since 1970-01-01", source_date_epoch);
			return false;
		}
	} else {
		w->as_of = now;
	}
	if (!have_period) {
		/* The month before the one holding as_of: the newest that ended. */
		int64_t prev = analyze_months_before(w->as_of, 1);
		date_format_month(prev, p);
		date_parse_month(p, 7, &w->period_start, &w->period_end);
		/* Without --as-of, SOURCE_DATE_EPOCH or now only choose the period;
		 * facts are taken at its end, as with --period alone, so nothing
		 * after the period counts in it. */
		if (!as_of_arg)
			w->as_of = w->period_end;
	} else if (w->as_of < w->period_start) {
		date_format_rfc3339(w->as_of, a);
		diag_error(d, NULL, 0, 0,
			   "--as-of %s is before the start of --period %s", a,
			   period_arg);
		return false;
	}
	return true;
}
