/*
 * gen_plan.c -- a synthetic plan directory of any size, for benchmarks and
 * scale tests (SPEC section 9, docs/performance.md).
 *
 *   gen_plan [--services N] [--records N] [--drills N] [--files N]
 *            [--seed S] [--threads N] -o DIR
 *
 * Defaults are the "large plan": 10,000 services, 5,000,000 backup
 * records in 6 NDJSON files, 20,000 drills.  The report period is 2026-10
 * and the as-of time 2026-11-01T00:00:00Z, like the Kestrel sample.
 *
 * The organization has the sample's shapes at scale: services in all four
 * tiers (by revenue loss per hour, a few explicit overrides), a dependency
 * DAG in layers (a service only depends on services of lower layers, so
 * there is no cycle and recovery takes several waves), one to three
 * datastores per service of every criticality, some single-region services
 * and tier inversions, runbook prose for one service in twenty.  The backup
 * logs come from several "writers", each with its own habits (time offsets,
 * fractions of seconds, key order, optional keys left out), sorted by time
 * like a real log; a few datastores go quiet (late, stale, never backed up),
 * some copies are unencrypted, a few records name datastores the plan does
 * not have.  Drills are JSON arrays per month, a few single-drill files and
 * two JUnit XML files.  Everything is valid input: `drgen build` exits 0.
 *
 * Deterministic: the bytes depend only on the flags (not on --threads).
 * Every random choice comes from a splitmix64 stream derived from the seed
 * and a fixed stream number; each log file has its own stream, so files
 * can be written by different threads in any order.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DAY 86400LL
#define HOUR 3600LL

/* 2026-11-01T00:00:00Z and friends, seconds since the epoch. */
#define AS_OF        1793491200LL
#define PERIOD_START 1790812800LL  /* 2026-10-01 */
#define LOG_START    (PERIOD_START - 6 * DAY)   /* 2026-09-25 */
#define HIST_START   1761955200LL  /* 2025-11-01 */
#define DRILL_START  HIST_START
#define DRILL_END    (AS_OF - 1)

#define LAYERS 6
#define MAX_DEPS 5
#define MAX_DS 3
#define N_REGIONS 4
#define UNKNOWN_IDS 20

/* ------------------------------------------------------------------ */
/* Random numbers */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static struct rng rng_stream(uint64_t seed, uint64_t stream)
{
	struct rng r = {seed * 0x2545F4914F6CDD1Dull ^ (stream + 1) * 0x9E3779B97F4A7C15ull};
	rng_next(&r);
	return r;
}

/* Uniform in [0, n). */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* ------------------------------------------------------------------ */
/* Output: one buffer per file, written out in large pieces */

#define OUT_CAP (1u << 20)

struct out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len;
	bool failed;
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen_plan: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void out_open(struct out *o, const char *path)
{
	o->path = path;
	o->f = fopen(path, "wb");
	if (!o->f)
		die("cannot create %s: %s", path, strerror(errno));
	o->buf = xmalloc(OUT_CAP);
	o->len = 0;
	o->failed = false;
}

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0 || o->failed)
		die("cannot write %s", o->path);
	free(o->buf);
}

/* Room for n more bytes (n < OUT_CAP). */
static inline char *out_room(struct out *o, size_t n)
{
	if (o->len + n > OUT_CAP)
		out_flush(o);
	return o->buf + o->len;
}

static inline void out_mem(struct out *o, const char *s, size_t n)
{
	memcpy(out_room(o, n), s, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

#define OUT_LIT(o, lit) out_mem((o), lit, sizeof(lit) - 1)

static inline void out_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_mem(o, tmp + sizeof(tmp) - n, n);
}

static void PRINTF_OUT(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void PRINTF_OUT(struct out *o, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		die("internal: formatted text too long");
	out_mem(o, tmp, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* Times */

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days, int *y, int *m, int *d)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* How a writer writes times. */
enum tstyle { T_Z, T_MILLIS_Z, T_OFFSET };

/*
 * Writes t (UTC seconds) as RFC 3339 local time with the writer's offset
 * (minutes east of UTC); millis are written for T_MILLIS_Z.  Returns the
 * length.  cache_day/cache_text remember the last date written.
 */
struct tcache {
	int64_t day;
	char text[11];
};

static size_t format_time(char *p, int64_t t, enum tstyle style, int offset_min,
			  int millis, struct tcache *c)
{
	int64_t local = t + (style == T_OFFSET ? offset_min * 60LL : 0);
	int64_t day = floordiv(local, DAY), sec = local - day * DAY;
	if (day != c->day) {
		int y, m, d;
		civil(day, &y, &m, &d);
		snprintf(c->text, sizeof(c->text), "%04d-%02d-%02d", y, m, d);
		c->day = day;
	}
	memcpy(p, c->text, 10);
	p[10] = 'T';
	two(p + 11, (int)(sec / 3600));
	p[13] = ':';
	two(p + 14, (int)(sec / 60 % 60));
	p[16] = ':';
	two(p + 17, (int)(sec % 60));
	size_t n = 19;
	if (style == T_MILLIS_Z) {
		p[n++] = '.';
		p[n++] = (char)('0' + millis / 100);
		p[n++] = (char)('0' + millis / 10 % 10);
		p[n++] = (char)('0' + millis % 10);
	}
	if (style == T_OFFSET) {
		int a = offset_min < 0 ? -offset_min : offset_min;
		p[n++] = offset_min < 0 ? '-' : '+';
		two(p + n, a / 60);
		p[n + 2] = ':';
		two(p + n + 3, a % 60);
		n += 5;
	} else {
		p[n++] = 'Z';
	}
	return n;
}

static void date_text(char out[11], int64_t t)
{
	int y, m, d;
	civil(floordiv(t, DAY), &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ------------------------------------------------------------------ */
/* The organization */

enum { CRIT_CRITICAL, CRIT_IMPORTANT, CRIT_STANDARD };

static const char *const crit_names[] = {"critical", "important", "standard"};

static const char *const domains[] = {
	"payments", "ledger", "cards", "fraud", "identity", "merchant", "treasury",
	"fx", "risk", "kyc", "billing", "payouts", "disputes", "loyalty", "reporting",
	"search", "notify", "catalog", "partner", "compliance", "support", "data",
	"mobile", "web",
};

static const char *const nouns[] = {
	"api", "gateway", "sync", "worker", "scheduler", "store", "router", "engine",
	"service", "portal", "export", "import", "indexer", "cache", "stream", "batch",
	"console", "adapter", "vault", "ingest", "matcher", "planner", "monitor", "feed",
};

struct engine {
	const char *name;
	const char *suffix;
};

static const struct engine engines[] = {
	{"postgresql", "pg"}, {"mysql", "mysql"}, {"s3", "s3"}, {"kafka", "kafka"},
	{"redis", "redis"}, {"elasticsearch", "es"}, {"mongodb", "mongo"},
	{"dynamodb", "ddb"},
};
#define N_ENGINES (sizeof(engines) / sizeof(engines[0]))

static const char *const region_ids[N_REGIONS] = {
	"eu-west-1", "eu-central-1", "eu-north-1", "us-east-2",
};

static const char *const frameworks[] = {
	"iso22301", "iso27001", "soc2", "nist80053", "hipaa", "pci", "dora",
};

struct svc {
	char id[40];
	char name[64];
	int tier;            /* by revenue */
	int layer;
	int team;
	double revenue;
	uint32_t first_ds, n_ds;
	uint32_t deps[MAX_DEPS];
	int n_deps;
};

struct ds {
	char id[56];
	int crit;
	uint32_t weight;     /* share of the log; 0: never backed up */
	int64_t stop_at;     /* successes stop after this time */
	bool unencrypted;    /* some of its copies are plain */
	bool no_offsite;
	bool flaky;          /* fails often */
};

struct plan {
	uint64_t seed;
	size_t n_svc, n_ds, n_teams;
	struct svc *svc;
	struct ds *ds;
	uint32_t *slots;     /* datastore indices, each repeated weight times */
	size_t n_slots;
	uint32_t *critical;  /* critical and important datastores */
	size_t n_critical;
	size_t layer_start[LAYERS + 1];
};

static int tier_of(double revenue)
{
	if (revenue > 100000)
		return 1;
	if (revenue > 10000)
		return 2;
	if (revenue > 1000)
		return 3;
	return 4;
}

static void team_id(char *out, size_t cap, int team)
{
	snprintf(out, cap, "team-%s-%d", domains[team % (int)(sizeof(domains) / sizeof(*domains))],
		 team / (int)(sizeof(domains) / sizeof(*domains)) + 1);
}

static void plan_make(struct plan *p)
{
	struct rng r = rng_stream(p->seed, 1);
	size_t n = p->n_svc;
	size_t n_dom = sizeof(domains) / sizeof(*domains);
	size_t n_noun = sizeof(nouns) / sizeof(*nouns);
	p->svc = xcalloc(n, sizeof(*p->svc));
	p->ds = xcalloc(n * MAX_DS, sizeof(*p->ds));
	p->n_teams = n / 50 < 4 ? 4 : n / 50;
	for (int l = 0; l <= LAYERS; l++) {
		/* Lower layers are smaller: foundations are few. */
		static const int share[LAYERS + 1] = {0, 4, 12, 25, 45, 70, 100};
		p->layer_start[l] = n * (size_t)share[l] / 100;
	}
	for (size_t i = 0; i < n; i++) {
		struct svc *s = &p->svc[i];
		int layer = 0;
		while (layer + 1 < LAYERS && i >= p->layer_start[layer + 1])
			layer++;
		s->layer = layer;
		const char *dom = domains[rng_below(&r, n_dom)];
		const char *noun = nouns[rng_below(&r, n_noun)];
		snprintf(s->id, sizeof(s->id), "%s-%s-%04zu", dom, noun, i);
		snprintf(s->name, sizeof(s->name), "%c%s %s %zu", dom[0] - 32, dom + 1, noun, i);
		/* Foundations matter more. */
		double u = rng_unit(&r);
		double t1 = layer == 0 ? 0.35 : 0.04, t2 = t1 + 0.16, t3 = t2 + 0.30;
		if (u < t1)
			s->revenue = (double)rng_range(&r, 100001, 900000);
		else if (u < t2)
			s->revenue = (double)rng_range(&r, 10001, 100000);
		else if (u < t3)
			s->revenue = (double)rng_range(&r, 1001, 10000);
		else
			s->revenue = rng_chance(&r, 0.02) ? 1000 : (double)rng_range(&r, 0, 1000);
		s->tier = tier_of(s->revenue);
		s->team = (int)rng_below(&r, p->n_teams);
		/* Dependencies come from lower layers only (none in tiny plans). */
		size_t below = layer > 0 ? p->layer_start[layer] : 0;
		if (below > 0) {
			int want = (int)rng_range(&r, 1, 4);
			size_t prev = p->layer_start[layer - 1];
			for (int k = 0; k < want && s->n_deps < MAX_DEPS; k++) {
				uint32_t d = (uint32_t)(rng_chance(&r, 0.6) && below > prev
					? prev + rng_below(&r, below - prev)
					: rng_below(&r, below));
				bool dup = false;
				for (int x = 0; x < s->n_deps; x++)
					dup |= s->deps[x] == d;
				if (!dup)
					s->deps[s->n_deps++] = d;
			}
		}
		/* Datastores: engines distinct within the service. */
		uint64_t u2 = rng_below(&r, 100);
		s->n_ds = u2 < 50 ? 1 : u2 < 85 ? 2 : 3;
		s->first_ds = (uint32_t)p->n_ds;
		size_t e0 = rng_below(&r, N_ENGINES);
		for (uint32_t k = 0; k < s->n_ds; k++) {
			struct ds *d = &p->ds[p->n_ds++];
			const struct engine *e = &engines[(e0 + k * 3) % N_ENGINES];
			snprintf(d->id, sizeof(d->id), "%s-%s", s->id, e->suffix);
			int crit;
			double c = rng_unit(&r);
			switch (s->tier) {
			case 1: crit = c < 0.8 ? CRIT_CRITICAL : CRIT_IMPORTANT; break;
			case 2: crit = c < 0.3 ? CRIT_CRITICAL : c < 0.9 ? CRIT_IMPORTANT : CRIT_STANDARD; break;
			case 3: crit = c < 0.5 ? CRIT_IMPORTANT : CRIT_STANDARD; break;
			default: crit = c < 0.1 ? CRIT_IMPORTANT : CRIT_STANDARD; break;
			}
			if (k > 0 && crit == CRIT_CRITICAL && rng_chance(&r, 0.5))
				crit = CRIT_IMPORTANT;  /* the second store is often a cache */
			d->crit = crit;
			static const uint32_t weight[] = {6, 3, 1};
			d->weight = weight[crit];
			d->stop_at = INT64_MAX;
			double q = rng_unit(&r);
			if (q < 0.005)
				d->weight = 0;                              /* never */
			else if (q < 0.010)
				d->stop_at = LOG_START - DAY;               /* only failures */
			else if (q < 0.030)
				d->stop_at = AS_OF - rng_range(&r, 3 * DAY, 20 * DAY);
			else if (q < 0.060)
				d->stop_at = AS_OF - rng_range(&r, HOUR, 48 * HOUR);
			d->unencrypted = rng_chance(&r, 0.01);
			d->no_offsite = rng_chance(&r, 0.05);
			d->flaky = rng_chance(&r, 0.02);
		}
	}
	for (size_t i = 0; i < p->n_ds; i++)
		p->n_slots += p->ds[i].weight;
	p->slots = xcalloc(p->n_slots, sizeof(*p->slots));
	p->critical = xcalloc(p->n_ds, sizeof(*p->critical));
	size_t k = 0;
	for (size_t i = 0; i < p->n_ds; i++) {
		for (uint32_t w = 0; w < p->ds[i].weight; w++)
			p->slots[k++] = (uint32_t)i;
		if (p->ds[i].crit != CRIT_STANDARD && p->ds[i].weight)
			p->critical[p->n_critical++] = (uint32_t)i;
	}
}

/* Strategy-free defaults of the shipped tiers.lua, for drill results. */
static double tier_rto(int tier)
{
	static const double rto[] = {5, 60, 240, 4320};
	return rto[tier - 1];
}

static double tier_rpo(int tier)
{
	static const double rpo[] = {0, 5, 60, 1440};
	return rpo[tier - 1];
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s/%s", dir, name);
	return s;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* plan.json */

static void write_contacts(struct out *o, const struct plan *p, struct rng *r)
{
	static const char *const people[][3] = {
		{"sre-oncall", "SRE primary on-call (rotation)", "on-call engineer"},
		{"head-of-sre", "Morgan Achterberg", "Head of Site Reliability Engineering"},
		{"cto", "Dana Okonkwo-Reyes", "Chief Technology Officer"},
		{"coo", "Sven Lindqvist", "Chief Operating Officer; crisis management lead"},
		{"ciso", "Ruth Ben-David", "Chief Information Security Officer"},
	};
	OUT_LIT(o, "  \"contacts\": [\n");
	for (size_t i = 0; i < sizeof(people) / sizeof(*people); i++)
		PRINTF_OUT(o, "    {\"id\": \"%s\", \"name\": \"%s\", \"role\": \"%s\", "
			   "\"email\": \"%s@megacorp.example\", \"phone\": \"+44 20 7946 %04zu\", "
			   "\"team\": \"platform\", \"last_verified\": \"2026-09-14\"},\n",
			   people[i][0], people[i][1], people[i][2], people[i][0], i);
	for (size_t t = 0; t < p->n_teams; t++) {
		char team[48], day[11];
		team_id(team, sizeof(team), (int)t);
		/* One team in ten has not checked its details for a year. */
		int64_t verified = AS_OF - (rng_chance(r, 0.1) ? rng_range(r, 200, 400)
							       : rng_range(r, 5, 170)) * DAY;
		date_text(day, verified);
		PRINTF_OUT(o, "    {\"id\": \"%s-oncall\", \"name\": \"%s on-call (rotation)\", "
			   "\"role\": \"on-call engineer\", \"email\": \"%s-oncall@megacorp.example\", "
			   "\"phone\": \"+44 20 7946 %04zu\", \"team\": \"%s\", "
			   "\"last_verified\": \"%s\"},\n", team, team, team, 1000 + t, team, day);
		PRINTF_OUT(o, "    {\"id\": \"%s-lead\", \"name\": \"Lead of %s\", "
			   "\"role\": \"Engineering manager\", \"email\": \"%s-lead@megacorp.example\"%s"
			   "\"team\": \"%s\", \"last_verified\": \"%s\"}%s\n",
			   team, team, team,
			   t % 7 == 3 ? ", " : ", \"phone\": \"+44 20 7946 5555\", ",
			   team, day, t + 1 < p->n_teams ? "," : "");
	}
	OUT_LIT(o, "  ],\n");
}

static void write_service(struct out *o, const struct plan *p, size_t i, struct rng *r)
{
	const struct svc *s = &p->svc[i];
	char team[48];
	team_id(team, sizeof(team), s->team);
	PRINTF_OUT(o, "    {\"id\": \"%s\", \"name\": \"%s\", \"description\": \"%s for the %s "
		   "domain (synthetic service %zu, layer %d).\", \"owner\": \"%s-lead\", "
		   "\"team\": \"%s\",\n", s->id, s->name, s->name, team, i, s->layer, team, team);
	PRINTF_OUT(o, "      \"impact\": {\"revenue_loss_per_hour\": %.0f, "
		   "\"customers_affected\": %" PRIu64 ", \"regulatory\": %s, \"mtpd_hours\": %d, "
		   "\"notes\": \"EUR. Estimated by the %s finance partner.\"},\n",
		   s->revenue, rng_below(r, 50000), s->tier <= 2 && rng_chance(r, 0.5) ? "true" : "false",
		   s->tier == 1 ? 4 : s->tier == 2 ? 24 : s->tier == 3 ? 72 : 168, team);
	OUT_LIT(o, "      \"data_scope\": [");
	bool first = true;
	if (rng_chance(r, 0.10)) {
		OUT_LIT(o, "\"cde\"");
		first = false;
	}
	if (rng_chance(r, 0.05)) {
		out_str(o, first ? "\"ephi\"" : ", \"ephi\"");
		first = false;
	}
	if (rng_chance(r, 0.30))
		out_str(o, first ? "\"pii\"" : ", \"pii\"");
	OUT_LIT(o, "],");
	if (rng_chance(r, 0.005))
		PRINTF_OUT(o, " \"tier\": %d,", s->tier == 4 ? 3 : s->tier + 1);
	OUT_LIT(o, " \"depends_on\": [");
	for (int k = 0; k < s->n_deps; k++)
		PRINTF_OUT(o, "%s\"%s\"", k ? ", " : "", p->svc[s->deps[k]].id);
	OUT_LIT(o, "],\n      \"regions\": [");
	bool multi = s->tier <= 2 ? rng_chance(r, 0.9) : rng_chance(r, 0.15);
	size_t home = rng_chance(r, 0.9) ? 0 : 3;
	if (multi)
		PRINTF_OUT(o, "\"%s\", \"%s\"", region_ids[home], region_ids[1]);
	else
		PRINTF_OUT(o, "\"%s\"", region_ids[home]);
	OUT_LIT(o, "],\n      \"datastores\": [");
	for (uint32_t k = 0; k < s->n_ds; k++) {
		const struct ds *d = &p->ds[s->first_ds + k];
		const char *engine = "postgresql";
		for (size_t e = 0; e < N_ENGINES; e++) {
			size_t ls = strlen(s->id);
			if (strcmp(d->id + ls + 1, engines[e].suffix) == 0)
				engine = engines[e].name;
		}
		PRINTF_OUT(o, "%s{\"id\": \"%s\", \"engine\": \"%s\", \"criticality\": \"%s\", "
			   "\"size_gb\": %" PRIu64 "}", k ? ", " : "", d->id, engine,
			   crit_names[d->crit], 1 + rng_below(r, 4000));
	}
	PRINTF_OUT(o, "],\n      \"monthly_cost\": %" PRIu64 ",\n",
		   (uint64_t)(s->tier == 1 ? rng_range(r, 8000, 60000) : s->tier == 2
			      ? rng_range(r, 2000, 20000) : rng_range(r, 100, 5000)));
	PRINTF_OUT(o, "      \"health_checks\": [{\"name\": \"liveness\", \"endpoint\": "
		   "\"https://%s.internal.megacorp.example/healthz\", \"expected_status\": 200}",
		   s->id);
	if (rng_chance(r, 0.4))
		PRINTF_OUT(o, ", {\"name\": \"synthetic transaction\", \"endpoint\": "
			   "\"https://%s.megacorp.example/v1/synthetic\", \"expected_status\": 204}",
			   s->id);
	OUT_LIT(o, "]");
	if (i % 40 == 0)
		PRINTF_OUT(o, ",\n      \"runbook\": \"runbooks/%s.md\"", s->id);
	if (i % 10 == 7)
		PRINTF_OUT(o, ",\n      \"escalation\": [{\"level\": 1, \"contact\": \"%s-oncall\", "
			   "\"after_minutes\": 0}, {\"level\": 2, \"contact\": \"%s-lead\", "
			   "\"after_minutes\": 15}, {\"level\": 3, \"contact\": \"head-of-sre\", "
			   "\"after_minutes\": 30}]", team, team);
	PRINTF_OUT(o, "}%s\n", i + 1 < p->n_svc ? "," : "");
}

static void write_plan(const struct plan *p, const char *dir)
{
	char *path = path_join(dir, "plan.json");
	struct out o;
	struct rng r = rng_stream(p->seed, 2);
	out_open(&o, path);
	PRINTF_OUT(&o, "{\n  \"drgen\": 1,\n  \"organization\": {\"id\": \"megacorp\", "
		   "\"name\": \"MegaCorp Financial Services (synthetic, %zu services)\", "
		   "\"entity_type\": \"credit_institution\"},\n", p->n_svc);
	OUT_LIT(&o, "  \"plan\": {\"version\": \"12.0\", \"owner\": \"head-of-sre\", "
		"\"approved_by\": \"cto\", \"approved_on\": \"2026-02-10\", "
		"\"last_review\": \"2026-02-03\", \"next_review\": \"2027-02-03\"},\n");
	OUT_LIT(&o, "  \"regions\": [{\"id\": \"eu-west-1\", \"role\": \"primary\"}, "
		"{\"id\": \"eu-central-1\", \"role\": \"secondary\"}, "
		"{\"id\": \"eu-north-1\", \"role\": \"tertiary\"}, "
		"{\"id\": \"us-east-2\", \"role\": \"tertiary\"}],\n");
	write_contacts(&o, p, &r);
	OUT_LIT(&o, "  \"escalation\": [{\"level\": 1, \"contact\": \"sre-oncall\", \"after_minutes\": 0}, "
		"{\"level\": 2, \"contact\": \"head-of-sre\", \"after_minutes\": 15}, "
		"{\"level\": 3, \"contact\": \"cto\", \"after_minutes\": 30}, "
		"{\"level\": 4, \"contact\": \"coo\", \"after_minutes\": 60}],\n");
	OUT_LIT(&o, "  \"services\": [\n");
	for (size_t i = 0; i < p->n_svc; i++)
		write_service(&o, p, i, &r);
	OUT_LIT(&o, "  ],\n  \"compliance\": {\"frameworks\": [");
	for (size_t i = 0; i < sizeof(frameworks) / sizeof(*frameworks); i++)
		PRINTF_OUT(&o, "%s\"%s\"", i ? ", " : "", frameworks[i]);
	OUT_LIT(&o, "], \"profile\": {\"restore_test_max_age_days\": {\"critical\": 35, "
		"\"important\": 180, \"standard\": 365}, \"contact_verification_max_age_days\": 180}},\n");
	OUT_LIT(&o, "  \"attestations\": [\n"
		"    {\"topic\": \"management_review\", \"statement\": \"The board reviewed the "
		"continuity programme and approved plan version 12.0.\", \"attester\": \"coo\", "
		"\"date\": \"2026-02-10\", \"expires\": \"2027-02-10\", "
		"\"evidence\": \"https://wiki.megacorp.example/board/2026-02-10\"},\n"
		"    {\"topic\": \"bia_approved\", \"statement\": \"Business impact analysis refreshed.\", "
		"\"attester\": \"cto\", "
		"\"date\": \"2026-01-20\", \"expires\": \"2027-01-20\"},\n"
		"    {\"topic\": \"internal_audit\", \"statement\": \"Internal audit of backup controls.\", "
		"\"attester\": \"ciso\", \"date\": \"2025-06-01\", "
		"\"expires\": \"2026-06-01\"},\n"
		"    {\"topic\": \"key_management\", \"statement\": \"Backup encryption keys are held "
		"in the HSM cluster and rotated yearly.\", \"attester\": \"ciso\", "
		"\"date\": \"2026-04-01\"}\n  ],\n");
	OUT_LIT(&o, "  \"exceptions\": [\n");
	size_t n_exc = p->n_svc < 20 ? 1 : 20;
	for (size_t i = 0; i < n_exc; i++) {
		const struct svc *s = &p->svc[rng_below(&r, p->n_svc)];
		PRINTF_OUT(&o, "    {\"id\": \"RISK-%03zu\", \"control\": \"%s\", \"services\": [\"%s\"], "
			   "\"justification\": "
			   "\"Accepted risk %zu: compensating controls are in place until the migration.\", "
			   "\"approved_by\": \"ciso\", \"approved_on\": \"%s\", \"expires\": \"%s\"}%s\n",
			   i, i % 2 ? "iso27001:A.8.14" : "iso27001:A.8.13", s->id, i,
			   i % 5 == 4 ? "2025-07-01" : "2026-07-01",
			   i % 5 == 4 ? "2026-06-30" : "2027-06-30", i + 1 < n_exc ? "," : "");
	}
	OUT_LIT(&o, "  ],\n  \"maintenance_windows\": [{\"start\": \"2026-10-25T00:00:00Z\", "
		"\"end\": \"2026-10-25T04:00:00Z\"}, {\"start\": \"0 2 * * SUN\", \"end\": \"0 4 * * SUN\"}]\n}\n");
	out_close(&o);
	free(path);
}

static void write_runbooks(const struct plan *p, const char *dir)
{
	char *rdir = path_join(dir, "runbooks");
	make_dir(rdir);
	for (size_t i = 0; i < p->n_svc; i += 20) {
		const struct svc *s = &p->svc[i];
		char name[64];
		snprintf(name, sizeof(name), "%s.md", s->id);
		char *path = path_join(rdir, name);
		struct out o;
		out_open(&o, path);
		PRINTF_OUT(&o, "# %s: recovery notes\n\n"
			   "Hand-written procedures for **%s**. Read the generated steps first.\n\n"
			   "## Before failing over\n\n"
			   "1. Check the replication lag dashboard (`lag_seconds < 5`).\n"
			   "2. Confirm with the owning team on the incident channel.\n"
			   "3. Freeze deployments: `deployctl freeze %s`.\n\n"
			   "## Known problems\n\n"
			   "- Connection pools keep stale DNS for up to 60 s; restart the pods.\n"
			   "- The nightly export must be re-run by hand after a failover.\n\n"
			   "| step | owner | expected time |\n|---|---|---|\n"
			   "| promote replica | on-call | 3 min |\n| verify checksums | on-call | 10 min |\n",
			   s->name, s->id, s->id);
		out_close(&o);
		free(path);
	}
	free(rdir);
}

/* ------------------------------------------------------------------ */
/* Backup logs */

struct writer {
	const char *name;
	const char *prefix;   /* job id prefix */
	enum tstyle style;
	int offset_min;
	bool datastore_first; /* key order */
	/*
	 * 0: every key; 1: leaves out false flags and "none" verification;
	 * 2: also leaves out region, compression and verification.
	 */
	int lean;
	unsigned weight;      /* share of the records */
};

static const struct writer writers[] = {
	{"db-agent", "dba", T_OFFSET, 120, false, 0, 2},
	{"object-storage", "obj", T_MILLIS_Z, 0, false, 1, 2},
	{"offsite-vault", "vlt", T_OFFSET, -300, true, 0, 1},
	{"scheduler", "sch", T_Z, 0, false, 2, 6},
	{"k8s-volumes", "k8s", T_OFFSET, 0, false, 1, 2},
};
#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

struct logfile {
	char name[64];
	const struct writer *w;
	bool history;         /* restore-test history of the last 12 months */
	uint64_t records;
	uint64_t stream;
};

struct gen {
	const struct plan *p;
	const char *dir;
	struct logfile *files;
	size_t n_files;
	size_t next;
	pthread_mutex_t lock;
};

static const char *const type_names[] = {"full", "incremental", "snapshot", "continuous"};
static const char *const loc_names[] = {"primary", "secondary", "offsite"};
enum { TY_FULL, TY_INCR, TY_SNAP, TY_CONT };
enum { LOC_P, LOC_S, LOC_O };

struct job {
	int type, loc;
	int64_t started, finished;  /* finished < 0: running */
	const char *status;
	uint64_t bytes, retention;
	const char *enc, *comp, *verification;
	bool immutable, verified_ok;
};

/* What a datastore's copy at time t looks like. */
static void job_make(struct rng *r, const struct ds *d, int64_t t, bool history,
		     struct job *j)
{
	double u = rng_unit(r);
	switch (d->crit) {
	case CRIT_CRITICAL:
		j->type = u < 0.5 ? TY_CONT : u < 0.8 ? TY_SNAP : TY_FULL;
		j->loc = j->type == TY_CONT ? LOC_S : j->type == TY_SNAP ? LOC_P : LOC_O;
		j->enc = "aes-256-gcm";
		j->comp = "zstd";
		j->verification = "checksum";
		break;
	case CRIT_IMPORTANT:
		j->type = u < 0.7 ? TY_INCR : TY_FULL;
		j->loc = j->type == TY_INCR ? LOC_P : u < 0.95 ? LOC_S : LOC_O;
		j->enc = "aes-256-cbc";
		j->comp = "gzip";
		j->verification = "checksum";
		break;
	default:
		j->type = u < 0.9 ? TY_SNAP : TY_FULL;
		j->loc = j->type == TY_SNAP ? LOC_P : LOC_S;
		j->enc = "aes-128-cbc";
		j->comp = "lz4";
		j->verification = u < 0.8 ? "size_check" : "none";
		break;
	}
	if (history) {
		j->type = TY_FULL;
		j->loc = d->no_offsite ? LOC_S : LOC_O;
		j->verification = "restore_test";
	}
	if (j->loc == LOC_O && d->no_offsite)
		j->loc = LOC_S;
	if (d->unencrypted && rng_chance(r, 0.3))
		j->enc = "none";
	if (rng_chance(r, 0.03))
		j->comp = "none";
	static const int64_t dur_lo[] = {600, 60, 30, 3600}, dur_hi[] = {3600, 900, 300, 3600};
	int64_t dur = rng_range(r, dur_lo[j->type], dur_hi[j->type]);
	j->started = t - dur;
	j->finished = t;
	double f = d->flaky ? 0.25 : 0.02;
	u = rng_unit(r);
	if (t > d->stop_at)
		j->status = u < 0.8 ? "failed" : "partial";
	else if (u < f * 0.7)
		j->status = "failed";
	else if (u < f)
		j->status = "partial";
	else if (!history && t > AS_OF - 2 * HOUR && u < f + 0.05) {
		j->status = "running";
		j->finished = -1;
	} else
		j->status = "success";
	static const uint64_t bytes_hi[] = {500000000000ull, 5000000000ull,
					    50000000000ull, 10000000000ull};
	j->bytes = 1000000 + rng_below(r, bytes_hi[j->type]);
	static const uint64_t retention[] = {90, 14, 30, 7};
	j->retention = retention[j->type];
	if (j->type == TY_FULL && rng_chance(r, 0.1))
		j->retention = 2555;
	j->immutable = j->loc == LOC_O && rng_chance(r, 0.95);
	j->verified_ok = rng_chance(r, history ? 0.97 : 0.995);
}

static void put_time(struct out *o, const struct writer *w, int64_t t, struct rng *r,
		     struct tcache *c)
{
	char *p = out_room(o, 40);
	int millis = w->style == T_MILLIS_Z ? (int)rng_below(r, 1000) : 0;
	size_t n = format_time(p + 1, t, w->style, w->offset_min, millis, c);
	p[0] = '"';
	p[n + 1] = '"';
	o->len += n + 2;
}

static void put_job(struct out *o, const struct logfile *lf, uint64_t seq, const struct ds *d,
		    const struct job *j, struct rng *r, struct tcache *c)
{
	const struct writer *w = lf->w;
	OUT_LIT(o, "{");
	if (w->datastore_first) {
		OUT_LIT(o, "\"datastore\":\"");
		out_str(o, d->id);
		OUT_LIT(o, "\",\"id\":\"");
	} else {
		OUT_LIT(o, "\"id\":\"");
	}
	out_str(o, w->prefix);
	OUT_LIT(o, "-");
	out_u64(o, seq);
	if (!w->datastore_first) {
		OUT_LIT(o, "\",\"datastore\":\"");
		out_str(o, d->id);
	}
	OUT_LIT(o, "\",\"type\":\"");
	out_str(o, type_names[j->type]);
	OUT_LIT(o, "\",\"started\":");
	put_time(o, w, j->started, r, c);
	if (j->finished >= 0) {
		OUT_LIT(o, ",\"finished\":");
		put_time(o, w, j->finished, r, c);
	}
	OUT_LIT(o, ",\"status\":\"");
	out_str(o, j->status);
	OUT_LIT(o, "\",\"bytes\":");
	out_u64(o, j->bytes);
	OUT_LIT(o, ",\"location\":\"");
	out_str(o, loc_names[j->loc]);
	if (w->lean < 2) {
		OUT_LIT(o, "\",\"region\":\"");
		out_str(o, j->loc == LOC_P ? region_ids[0] : j->loc == LOC_S ? region_ids[1]
									   : region_ids[2]);
	}
	OUT_LIT(o, "\",\"encryption\":\"");
	out_str(o, j->enc);
	if (w->lean < 2) {
		OUT_LIT(o, "\",\"compression\":\"");
		out_str(o, j->comp);
	}
	OUT_LIT(o, "\"");
	if (j->immutable)
		OUT_LIT(o, ",\"immutable\":true");
	else if (!w->lean)
		OUT_LIT(o, ",\"immutable\":false");
	OUT_LIT(o, ",\"retention_days\":");
	out_u64(o, j->retention);
	bool none = strcmp(j->verification, "none") == 0;
	if ((!none || !w->lean) && (w->lean < 2 || lf->history)) {
		OUT_LIT(o, ",\"verification\":\"");
		out_str(o, j->verification);
		OUT_LIT(o, "\"");
		if (!none)
			out_str(o, j->verified_ok ? ",\"verified_ok\":true" : ",\"verified_ok\":false");
	}
	OUT_LIT(o, "}\n");
}

/* A record for a datastore the plan does not have (a decommissioned one). */
static void put_unknown(struct out *o, const struct logfile *lf, uint64_t seq, int64_t t,
			struct rng *r, struct tcache *c)
{
	char id[32];
	snprintf(id, sizeof(id), "legacy-%s-%02d", lf->w->prefix, (int)rng_below(r, UNKNOWN_IDS));
	OUT_LIT(o, "{\"id\":\"");
	out_str(o, lf->w->prefix);
	OUT_LIT(o, "-");
	out_u64(o, seq);
	OUT_LIT(o, "\",\"datastore\":\"");
	out_str(o, id);
	OUT_LIT(o, "\",\"type\":\"snapshot\",\"started\":");
	put_time(o, lf->w, t - 120, r, c);
	OUT_LIT(o, ",\"finished\":");
	put_time(o, lf->w, t, r, c);
	OUT_LIT(o, ",\"status\":\"success\",\"bytes\":");
	out_u64(o, rng_below(r, 1000000000));
	OUT_LIT(o, ",\"location\":\"primary\",\"region\":\"eu-west-1\",\"encryption\":"
		"\"aes-128-cbc\",\"compression\":\"lz4\",\"retention_days\":30}\n");
}

static void gen_file(const struct gen *g, const struct logfile *lf)
{
	const struct plan *p = g->p;
	char *path = path_join(g->dir, lf->name);
	struct out o;
	struct rng r = rng_stream(p->seed, lf->stream);
	struct tcache c = {.day = INT64_MIN};
	out_open(&o, path);
	int64_t start = lf->history ? HIST_START : LOG_START;
	int64_t end = lf->history ? LOG_START : AS_OF;
	int64_t span = end - start;
	uint64_t seq0 = 100000;
	for (uint64_t k = 0; k < lf->records; k++) {
		/* Sorted by time, like a log; a few copies finish after the as-of time. */
		int64_t t = start + (int64_t)((__int128)span * (__int128)k / (__int128)lf->records)
			    + (int64_t)rng_below(&r, 60);
		if (!lf->history && rng_chance(&r, 0.0005)) {
			t = AS_OF + (int64_t)rng_below(&r, 2 * DAY);
		}
		if (!lf->history && rng_chance(&r, 0.0005)) {
			put_unknown(&o, lf, seq0 + k, t, &r, &c);
			continue;
		}
		const struct ds *d;
		if (lf->history && p->n_critical)
			d = &p->ds[p->critical[rng_below(&r, p->n_critical)]];
		else if (p->n_slots)
			d = &p->ds[p->slots[rng_below(&r, p->n_slots)]];
		else {
			put_unknown(&o, lf, seq0 + k, t, &r, &c);
			continue;
		}
		struct job j;
		job_make(&r, d, t, lf->history, &j);
		put_job(&o, lf, seq0 + k, d, &j, &r, &c);
	}
	out_close(&o);
	free(path);
}

static void *gen_thread(void *arg)
{
	struct gen *g = arg;
	for (;;) {
		pthread_mutex_lock(&g->lock);
		size_t i = g->next++;
		pthread_mutex_unlock(&g->lock);
		if (i >= g->n_files)
			break;
		gen_file(g, &g->files[i]);
	}
	return NULL;
}

static void write_backups(const struct plan *p, const char *dir, uint64_t records,
			  size_t n_files, int threads)
{
	char *bdir = path_join(dir, "backups");
	make_dir(bdir);
	struct logfile *files = xcalloc(n_files, sizeof(*files));
	size_t n_writers = n_files > 1 ? n_files - 1 : 1;
	uint64_t history = n_files > 1 ? records / 200 : 0;
	uint64_t rest = records - history, total_w = 0;
	for (size_t i = 0; i < n_writers; i++)
		total_w += writers[i % N_WRITERS].weight;
	uint64_t given = 0;
	for (size_t i = 0; i < n_writers; i++) {
		struct logfile *f = &files[i];
		f->w = &writers[i % N_WRITERS];
		if (i < N_WRITERS)
			snprintf(f->name, sizeof(f->name), "2026-10-%s.ndjson", f->w->name);
		else
			snprintf(f->name, sizeof(f->name), "2026-10-%s-%zu.ndjson", f->w->name,
				 i / N_WRITERS + 1);
		f->records = i + 1 < n_writers ? rest * f->w->weight / total_w : rest - given;
		given += f->records;
		f->stream = 100 + i;
	}
	if (n_files > 1) {
		struct logfile *f = &files[n_files - 1];
		snprintf(f->name, sizeof(f->name), "restore-test-history.ndjson");
		f->w = &writers[0];
		f->history = true;
		f->records = history;
		f->stream = 99;
	}
	struct gen g = {.p = p, .dir = bdir, .files = files, .n_files = n_files};
	pthread_mutex_init(&g.lock, NULL);
	if (threads < 1)
		threads = 1;
	pthread_t *t = xcalloc((size_t)threads, sizeof(*t));
	for (int i = 1; i < threads; i++) {
		if (pthread_create(&t[i], NULL, gen_thread, &g) != 0)
			die("cannot start a thread");
	}
	gen_thread(&g);
	for (int i = 1; i < threads; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&g.lock);
	free(t);
	free(files);
	free(bdir);
}

/* ------------------------------------------------------------------ */
/* Drills */

enum { DR_TABLETOP, DR_PARTIAL, DR_FULL, DR_CHAOS };
static const char *const drill_types[] = {
	"tabletop", "partial_failover", "full_simulation", "chaos",
};

struct drill {
	int64_t date;
	int type;
	uint32_t n;          /* index, for the id */
};

static int drill_cmp(const void *a, const void *b)
{
	const struct drill *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void drill_id(char *out, size_t cap, const struct drill *d)
{
	char day[11];
	date_text(day, d->date);
	snprintf(out, cap, "dr-%.7s-%s-%05u", day, drill_types[d->type], d->n);
}

/* The services a drill covers: k of them, distinct. */
static size_t drill_scope(const struct plan *p, struct rng *r, const struct drill *d,
			  uint32_t *out)
{
	static const int lo[] = {2, 3, 10, 1}, hi[] = {8, 10, 40, 3};
	size_t k = (size_t)rng_range(r, lo[d->type], hi[d->type]), n = 0;
	if (k > p->n_svc)
		k = p->n_svc;
	for (size_t tries = 0; n < k && tries < 20 * k; tries++) {
		uint32_t s = (uint32_t)rng_below(r, p->n_svc);
		if (d->type == DR_PARTIAL && p->svc[s].tier <= 2)
			continue;  /* partial failovers take the non-critical ones */
		bool dup = false;
		for (size_t x = 0; x < n; x++)
			dup |= out[x] == s;
		if (!dup)
			out[n++] = s;
	}
	return n;
}

static void put_minutes(struct out *o, double v)
{
	PRINTF_OUT(o, "%.6g", v);
}

static void write_drill_json(struct out *o, const struct plan *p, const struct drill *d,
			     struct rng *r, const char *indent)
{
	char id[96], day[11];
	uint32_t scope[40];
	drill_id(id, sizeof(id), d);
	date_text(day, d->date);
	PRINTF_OUT(o, "%s{\n%s  \"id\": \"%s\",\n", indent, indent, id);
	if (rng_chance(r, 0.3)) {
		struct tcache c = {.day = INT64_MIN};
		char t[40];
		size_t n = format_time(t, d->date + 9 * HOUR, T_OFFSET, 60, 0, &c);
		PRINTF_OUT(o, "%s  \"date\": \"%.*s\",\n", indent, (int)n, t);
	} else {
		PRINTF_OUT(o, "%s  \"date\": \"%s\",\n", indent, day);
	}
	PRINTF_OUT(o, "%s  \"type\": \"%s\",\n", indent, drill_types[d->type]);
	size_t n = drill_scope(p, r, d, scope);
	static const int traffic[] = {0, 20, 100, 100};
	PRINTF_OUT(o, "%s  \"scope\": {\"services\": [", indent);
	for (size_t i = 0; i < n; i++)
		PRINTF_OUT(o, "%s\"%s\"", i ? ", " : "", p->svc[scope[i]].id);
	PRINTF_OUT(o, "], \"traffic_percent\": %d},\n%s  \"results\": [", traffic[d->type], indent);
	if (d->type != DR_TABLETOP) {
		for (size_t i = 0; i < n; i++) {
			const struct svc *s = &p->svc[scope[i]];
			double rto = tier_rto(s->tier), rpo = tier_rpo(s->tier);
			double rec = rto * (rng_chance(r, 0.08) ? 1.1 + rng_unit(r) : 0.2 + 0.75 * rng_unit(r));
			double loss = rpo == 0 ? (rng_chance(r, 0.05) ? 0.5 : 0)
					       : rpo * 0.9 * rng_unit(r);
			bool recovered = !rng_chance(r, 0.015);
			PRINTF_OUT(o, "\n%s    {\"service\": \"%s\", ", indent, s->id);
			if (rng_chance(r, 0.3))
				PRINTF_OUT(o, "\"target_rto_minutes\": %g, \"target_rpo_minutes\": %g, ",
					   rto, rpo);
			OUT_LIT(o, "\"recovery_minutes\": ");
			put_minutes(o, (double)(int64_t)(rec * 10) / 10);
			OUT_LIT(o, ", \"data_loss_minutes\": ");
			put_minutes(o, (double)(int64_t)(loss * 10) / 10);
			PRINTF_OUT(o, ", \"recovered\": %s, \"data_integrity\": %s}%s",
				   recovered ? "true" : "false",
				   rng_chance(r, 0.02) ? "0.9997" : rng_chance(r, 0.2) ? "true" : "1",
				   i + 1 < n ? "," : "");
		}
		PRINTF_OUT(o, "\n%s  ", indent);
	}
	PRINTF_OUT(o, "],\n%s  \"availability\": %s,\n", indent,
		   rng_chance(r, 0.05) ? "0.985" : rng_chance(r, 0.5) ? "0.9995" : "0.99991");
	PRINTF_OUT(o, "%s  \"issues\": [", indent);
	int n_issues = (int)rng_below(r, 3);
	for (int i = 0; i < n_issues; i++) {
		char due[11];
		date_text(due, d->date + rng_range(r, 14, 120) * DAY);
		bool open = rng_chance(r, 0.3);
		PRINTF_OUT(o, "%s\n%s    {\"id\": \"DR-%u-%d\", \"title\": \"Follow-up %d of %s: "
			   "automate the manual step found during the drill\", \"severity\": \"%s\", "
			   "\"owner\": \"%s\", \"due\": \"%s\", \"status\": \"%s\"}",
			   i ? "," : "", indent, d->n, i + 1, i + 1, id,
			   i == 0 ? "high" : "medium", "head-of-sre", due, open ? "open" : "closed");
	}
	PRINTF_OUT(o, "%s],\n%s  \"participants\": [\"sre-oncall\", \"head-of-sre\"],\n",
		   n_issues ? "\n  " : "", indent);
	PRINTF_OUT(o, "%s  \"notes\": \"## Summary\\n\\nA %s covering %zu services. "
		   "Steps were followed from the **generated runbooks**.\\n\\n"
		   "- Recovery order followed the waves.\\n- Evidence stored in the drill log.\\n\"\n"
		   "%s}", indent, drill_types[d->type], n, indent);
}

static void write_drill_xml(struct out *o, const struct plan *p, const struct drill *d,
			    struct rng *r)
{
	char id[96];
	uint32_t scope[40];
	struct tcache c = {.day = INT64_MIN};
	char ts[40];
	drill_id(id, sizeof(id), d);
	size_t tn = format_time(ts, d->date + 8 * HOUR, T_Z, 0, 0, &c);
	size_t n = drill_scope(p, r, d, scope);
	PRINTF_OUT(o, "  <testsuite name=\"%s run %u\" timestamp=\"%.*s\" "
		   "hostname=\"dr-runner-%02u.internal.megacorp.example\" tests=\"%zu\">\n",
		   drill_types[d->type], d->n, (int)tn, ts, d->n % 8, n);
	PRINTF_OUT(o, "    <properties>\n"
		   "      <property name=\"drill.id\" value=\"%s\"/>\n"
		   "      <property name=\"drill.type\" value=\"%s\"/>\n"
		   "      <property name=\"drill.availability\" value=\"0.9993\"/>\n"
		   "    </properties>\n", id, drill_types[d->type]);
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = &p->svc[scope[i]];
		double secs = tier_rto(s->tier) * 60 * (0.2 + 0.8 * rng_unit(r));
		bool failed = rng_chance(r, 0.02);
		PRINTF_OUT(o, "    <testcase classname=\"%s\" name=\"failover\" time=\"%.1f\">\n"
			   "      <properties>\n"
			   "        <property name=\"data_loss_seconds\" value=\"%d\"/>\n"
			   "        <property name=\"data_integrity\" value=\"1\"/>\n"
			   "      </properties>\n", s->id, secs,
			   s->tier == 1 ? 0 : (int)rng_below(r, 120));
		if (failed)
			OUT_LIT(o, "      <failure message=\"health check still failing after "
				"the time limit\">replica promotion timed out</failure>\n");
		OUT_LIT(o, "    </testcase>\n");
	}
	OUT_LIT(o, "  </testsuite>\n");
}

static void write_drills(const struct plan *p, const char *dir, size_t n_drills)
{
	char *ddir = path_join(dir, "drills");
	make_dir(ddir);
	struct rng r = rng_stream(p->seed, 3);
	struct drill *dr = xcalloc(n_drills, sizeof(*dr));
	for (size_t i = 0; i < n_drills; i++) {
		dr[i].n = (uint32_t)i;
		dr[i].date = DRILL_START + (int64_t)rng_below(&r, (uint64_t)(DRILL_END - DRILL_START)) / DAY * DAY;
		uint64_t u = rng_below(&r, 100);
		dr[i].type = u < 40 ? DR_TABLETOP : u < 65 ? DR_PARTIAL : u < 75 ? DR_FULL : DR_CHAOS;
	}
	qsort(dr, n_drills, sizeof(*dr), drill_cmp);
	/*
	 * Where each drill goes: two JUnit files of automated suites take one
	 * drill in a hundred each, three drills get files of their own, the
	 * rest go into one array per month.
	 */
	unsigned char *where = xcalloc(n_drills, 1);
	size_t singles = 0;
	for (size_t i = 0; i < n_drills; i++) {
		if (n_drills >= 20 && i % 100 < 2)
			where[i] = (unsigned char)(1 + i % 100);
		else if (n_drills >= 10 && singles < 3 && i % 100 == 50) {
			where[i] = 3;
			singles++;
		}
	}
	for (int f = 0; f < 2; f++) {
		char name[64];
		if (n_drills < 20)
			break;
		snprintf(name, sizeof(name), "automated-suite-%d.xml", f + 1);
		char *path = path_join(ddir, name);
		struct out o;
		out_open(&o, path);
		OUT_LIT(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<!-- Exported from CI by the failover suite (synthetic). -->\n"
			"<testsuites name=\"megacorp-failover-suite\">\n");
		for (size_t i = 0; i < n_drills; i++) {
			if (where[i] != f + 1)
				continue;
			dr[i].type = DR_CHAOS;  /* automated suites run chaos tests */
			write_drill_xml(&o, p, &dr[i], &r);
		}
		OUT_LIT(&o, "</testsuites>\n");
		out_close(&o);
		free(path);
	}
	for (size_t i = 0; i < n_drills; i++) {
		if (where[i] != 3)
			continue;
		char id[96], name[128];
		drill_id(id, sizeof(id), &dr[i]);
		snprintf(name, sizeof(name), "%s.json", id);
		char *path = path_join(ddir, name);
		struct out o;
		out_open(&o, path);
		write_drill_json(&o, p, &dr[i], &r, "");
		OUT_LIT(&o, "\n");
		out_close(&o);
		free(path);
	}
	for (size_t x = 0; x < n_drills;) {
		char day[11], name[64];
		date_text(day, dr[x].date);
		snprintf(name, sizeof(name), "%.7s-programme.json", day);
		char *path = path_join(ddir, name);
		struct out o;
		out_open(&o, path);
		OUT_LIT(&o, "[\n");
		bool first = true;
		for (; x < n_drills; x++) {
			char day2[11];
			date_text(day2, dr[x].date);
			if (memcmp(day, day2, 7) != 0)
				break;
			if (where[x])
				continue;
			if (!first)
				OUT_LIT(&o, ",\n");
			first = false;
			write_drill_json(&o, p, &dr[x], &r, "  ");
		}
		OUT_LIT(&o, "\n]\n");
		out_close(&o);
		free(path);
	}
	free(where);
	free(dr);
	free(ddir);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: gen_plan [--services N] [--records N] [--drills N] [--files N]\n"
	      "                [--seed S] [--threads N] -o DIR\n", stderr);
	exit(2);
}

static uint64_t arg_number(const char *opt, const char *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || !*v || *v == '-')
		die("%s: expected a non-negative number, found \"%s\"", opt, v);
	return n;
}

int main(int argc, char **argv)
{
	uint64_t services = 10000, records = 5000000, drills = 20000, files = 6, seed = 1;
	uint64_t threads = 2;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (strcmp(a, "--services") == 0)
			services = arg_number(a, v);
		else if (strcmp(a, "--records") == 0)
			records = arg_number(a, v);
		else if (strcmp(a, "--drills") == 0)
			drills = arg_number(a, v);
		else if (strcmp(a, "--files") == 0)
			files = arg_number(a, v);
		else if (strcmp(a, "--seed") == 0)
			seed = arg_number(a, v);
		else if (strcmp(a, "--threads") == 0)
			threads = arg_number(a, v);
		else if (strcmp(a, "-o") == 0)
			dir = v;
		else
			usage();
	}
	if (!dir)
		usage();
	if (services < 1 || services > 99999)
		die("--services must be 1..99999");
	if (files < 1 || files > 1000)
		die("--files must be 1..1000");
	if (threads < 1 || threads > 64)
		die("--threads must be 1..64");
	make_dir(dir);
	struct plan p = {.seed = seed, .n_svc = (size_t)services};
	plan_make(&p);
	write_plan(&p, dir);
	write_runbooks(&p, dir);
	write_drills(&p, dir, (size_t)drills);
	write_backups(&p, dir, records, (size_t)files, (int)threads);
	free(p.svc);
	free(p.ds);
	free(p.slots);
	free(p.critical);
	return 0;
}
