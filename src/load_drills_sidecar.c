/*
 * load_drills_sidecar.c -- drills/NAME.xml.json, the sidecar of a JUnit
 * drill file: what a test runner cannot write into its XML (the drill id
 * and type, its date, the time zone of timestamps without an offset, and
 * which service each testcase recovered).  docs/drill-format.md defines it.
 *
 * The sidecar is a small JSON object; every value keeps its line, column
 * and JSON pointer so that the XML reader can report a wrong value where
 * it was written.  Unknown keys are warnings, values of the wrong type
 * errors.
 */
#include "load_drills.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dates.h"
#include "jsonpos.h"

#define SIDECAR_MAX_DEPTH 8
/* More mapped testcases than any drill suite has. */
#define SIDECAR_MAX_SERVICES 10000

struct sctx {
	struct model *m;
	const char *file;
	struct diags *d;
	const struct jsonpos *idx;
	bool error;
};

static void where(struct sctx *c, jsonpos_node n, int *line, int *col)
{
	*line = *col = 0;
	if (n != JSONPOS_NONE)
		jsonpos_value_pos(c->idx, n, line, col);
}

/* A string member into *v; numbers are kept as their text (availability). */
static void take_value(struct sctx *c, const cJSON *j, jsonpos_node n,
		       const char *pointer, bool number_ok,
		       struct load_drills_sc_value *v)
{
	int line, col;

	where(c, n, &line, &col);
	if (cJSON_IsString(j)) {
		v->s = arena_strdup(c->m->arena, j->valuestring);
	} else if (number_ok && cJSON_IsNumber(j)) {
		v->s = arena_printf(c->m->arena, "%.17g", j->valuedouble);
	} else if (cJSON_IsNull(j)) {
		return;
	} else {
		diag_add(c->d, DIAG_ERROR, c->file, line, col, pointer,
			 "invalid value for \"%s\": expected %s", pointer + 1,
			 number_ok ? "a number" : "a string");
		c->error = true;
		return;
	}
	v->line = line;
	v->col = col;
	v->pointer = arena_strdup(c->m->arena, pointer);
}

struct sc_pair {
	const char *key;
	struct load_drills_sc_value v;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct sc_pair *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	/* Equal keys keep document order: the first one is found. */
	if (r)
		return r;
	return x->v.line != y->v.line ? (x->v.line < y->v.line ? -1 : 1)
				      : (x->v.col < y->v.col ? -1 : x->v.col > y->v.col);
}

/* Sorts the services by key, so that lookups are binary searches. */
static void sort_services(struct load_drills_sidecar *sc)
{
	struct sc_pair *p;

	if (sc->n_services < 2)
		return;
	p = xmalloc(sc->n_services * sizeof(*p));
	for (size_t i = 0; i < sc->n_services; i++) {
		p[i].key = sc->service_keys[i];
		p[i].v = sc->services[i];
	}
	qsort(p, sc->n_services, sizeof(*p), cmp_pair);
	for (size_t i = 0; i < sc->n_services; i++) {
		sc->service_keys[i] = p[i].key;
		sc->services[i] = p[i].v;
	}
	free(p);
}

const struct load_drills_sc_value *load_drills_sidecar_service(
	const struct load_drills_sidecar *sc, const char *key)
{
	size_t lo = 0, hi = sc->n_services;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(sc->service_keys[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sc->n_services && strcmp(sc->service_keys[lo], key) == 0) {
		sc->used[lo] = true;
		return &sc->services[lo];
	}
	return NULL;
}

static void read_services(struct sctx *c, const cJSON *j, jsonpos_node n,
			  struct load_drills_sidecar *sc)
{
	size_t count = 0, i = 0;
	int line, col;

	where(c, n, &line, &col);
	if (!cJSON_IsObject(j)) {
		diag_add(c->d, DIAG_ERROR, c->file, line, col, "/services",
			 "invalid value for \"services\": expected an object "
			 "mapping testcase names to service ids");
		c->error = true;
		return;
	}
	for (const cJSON *it = j->child; it; it = it->next)
		count++;
	if (count > SIDECAR_MAX_SERVICES) {
		diag_add(c->d, DIAG_ERROR, c->file, line, col, "/services",
			 "too many entries in \"services\": %zu, the limit is %d",
			 count, SIDECAR_MAX_SERVICES);
		c->error = true;
		return;
	}
	sc->service_keys = arena_calloc(c->m->arena, count ? count : 1,
					sizeof(*sc->service_keys));
	sc->services = arena_calloc(c->m->arena, count ? count : 1,
				    sizeof(*sc->services));
	sc->used = arena_calloc(c->m->arena, count ? count : 1,
				sizeof(*sc->used));
	for (const cJSON *it = j->child; it; it = it->next, i++) {
		struct buf ptr = BUF_INIT;
		jsonpos_node k = jsonpos_child(c->idx, n, i);
		struct load_drills_sc_value *v = &sc->services[sc->n_services];

		buf_puts(&ptr, "/services");
		jsonpos_ptr_push_key(&ptr, it->string);
		if (!cJSON_IsString(it) || !it->valuestring[0]) {
			where(c, k, &line, &col);
			diag_add(c->d, DIAG_ERROR, c->file, line, col, ptr.data,
				 "invalid value in \"services\": expected a "
				 "service id (a string)");
			c->error = true;
		} else {
			take_value(c, it, k, ptr.data, false, v);
			sc->service_keys[sc->n_services++] =
				arena_strdup(c->m->arena, it->string);
		}
		buf_free(&ptr);
	}
	sort_services(sc);
}

bool load_drills_sidecar_parse(struct model *m, const char *file,
			       const char *data, size_t len,
			       struct load_drills_sidecar *sc, struct diags *d)
{
	static const char *const keys[] = {
		"id", "type", "date", "tz", "availability", "traffic_percent",
		"services", "$comment",
	};
	struct jsonpos_error err;
	struct jsonpos *idx = NULL;
	cJSON *root = NULL;
	struct sctx c = {m, file, d, NULL, false};
	jsonpos_node rn;
	size_t i = 0;

	memset(sc, 0, sizeof(*sc));
	sc->file = arena_strdup(m->arena, file);
	if (!jsonpos_parse(data, len, SIDECAR_MAX_DEPTH, &root, &idx, &err)) {
		diag_add(d, DIAG_ERROR, file, err.line, err.col, NULL,
			 "malformed JSON in drill sidecar: %s", err.message);
		return false;
	}
	c.idx = idx;
	rn = jsonpos_root(idx);
	if (!cJSON_IsObject(root)) {
		diag_add(d, DIAG_ERROR, file, 1, 1, "",
			 "a drill sidecar must be a JSON object");
		c.error = true;
		goto out;
	}
	for (const cJSON *it = root->child; it; it = it->next, i++) {
		jsonpos_node n = jsonpos_child(idx, rn, i);
		struct buf ptr = BUF_INIT;
		int k = model_enum_find(keys, ARRAY_LEN(keys), it->string);

		jsonpos_ptr_push_key(&ptr, it->string);
		switch (k) {
		case 0: take_value(&c, it, n, ptr.data, false, &sc->id); break;
		case 1: take_value(&c, it, n, ptr.data, false, &sc->type); break;
		case 2: take_value(&c, it, n, ptr.data, false, &sc->date); break;
		case 3: take_value(&c, it, n, ptr.data, false, &sc->tz); break;
		case 4:
			take_value(&c, it, n, ptr.data, true, &sc->availability);
			break;
		case 5:
			take_value(&c, it, n, ptr.data, true, &sc->traffic);
			break;
		case 6: read_services(&c, it, n, sc); break;
		case 7: break;
		default: {
			int line = 0, col = 0;
			char qk[96];

			jsonpos_key_pos(idx, n, &line, &col);
			diag_add(d, DIAG_WARNING, file, line, col, ptr.data,
				 "unknown key %s in drill sidecar "
				 "(expected id, type, date, tz, availability, "
				 "traffic_percent or services)",
				 diag_quote(qk, sizeof(qk), it->string, 64));
		}
		}
		buf_free(&ptr);
	}
	if (sc->tz.s) {
		int off;

		if (!date_parse_offset(sc->tz.s, &off)) {
			diag_add(d, DIAG_ERROR, file, sc->tz.line, sc->tz.col,
				 "/tz", "invalid value for \"tz\": expected a "
				 "UTC offset (\"+01:00\", \"-05:00\", \"Z\")");
			c.error = true;
			sc->tz.s = NULL;
		}
	}
out:
	cJSON_Delete(root);
	jsonpos_free(idx);
	if (c.error) {
		const char *f = sc->file;

		memset(sc, 0, sizeof(*sc));
		sc->file = f;
	}
	return !c.error;
}
