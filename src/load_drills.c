/*
 * load_drills.c -- the drill loader's driver: lists drills/<name>.json and
 * drills/<name>.xml, hands each file to its parser (load_drills_json.c,
 * load_drills_xml.c), then checks what only the whole set can show (drill
 * ids unique across files and formats) and sorts.
 *
 * Files are visited in bytewise order of their names, JSON and XML merged,
 * so "first defined in" in a duplicate-id error does not depend on the
 * format or on directory order.  The batch is a plain growable array while
 * loading; the final, sorted array is copied into the model's arena so that
 * model_free releases it with everything else.
 */
#include "load_drills.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

void load_drills_batch_free(struct load_drills_batch *b)
{
	free(b->drills);
	b->drills = NULL;
	b->n = b->cap = 0;
}

struct drill *load_drills_batch_add(struct load_drills_batch *b,
				    struct model *m, const char *rel,
				    const char *file)
{
	struct drill *dr;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->drills = xrealloc(b->drills, b->cap * sizeof(*b->drills));
	}
	dr = &b->drills[b->n++];
	memset(dr, 0, sizeof(*dr));
	dr->date = DATE_NONE;
	dr->traffic_percent = NAN;
	dr->availability = NAN;
	dr->source = arena_strdup(m->arena, rel);
	dr->pos.file = arena_strdup(m->arena, file);
	return dr;
}

bool load_drills_id_valid(const char *id)
{
	size_t i;

	if (!id || !id[0])
		return false;
	for (i = 0; id[i]; i++) {
		unsigned char c = (unsigned char)id[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (i >= LOAD_DRILLS_ID_MAX)
			return false;
		if (i == 0 && !alnum)
			return false;
		if (!alnum && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

void load_drills_report_id(struct diags *d, const char *file, int line,
			   int col, const char *where, const char *id)
{
	struct load_drills_quotes q;

	memset(&q, 0, sizeof(q));
	if (strlen(id) > LOAD_DRILLS_ID_MAX)
		diag_add(d, DIAG_ERROR, file, line, col, where,
			 "drill id too long: %zu bytes, the limit is %d",
			 strlen(id), LOAD_DRILLS_ID_MAX);
	else
		diag_add(d, DIAG_ERROR, file, line, col, where,
			 "invalid drill id %s: expected letters, digits, '.', "
			 "'_' or '-', starting with a letter or digit",
			 load_drills_quote(&q, id));
}

bool load_drills_date_impossible(const char *s, char *why, size_t size)
{
	unsigned y, mo, d;
	int64_t first, next;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return false;
	y = (unsigned)atoi(s);
	mo = (unsigned)atoi(s + 5);
	d = (unsigned)atoi(s + 8);
	if (mo < 1 || mo > 12) {
		snprintf(why, size, "there is no month %u", mo);
		return true;
	}
	first = date_days_from_civil(y, mo, 1);
	next = mo == 12 ? date_days_from_civil((int64_t)y + 1, 1, 1)
			: date_days_from_civil(y, mo + 1, 1);
	if (d < 1 || (int64_t)d > next - first) {
		snprintf(why, size, "%04u-%02u has %d days", y, mo,
			 (int)(next - first));
		return true;
	}
	return false;
}

const char *load_drills_quote(struct load_drills_quotes *q, const char *s)
{
	char *out = q->slot[q->next++ % ARRAY_LEN(q->slot)];
	return diag_quote(out, sizeof(q->slot[0]), s, sizeof(q->slot[0]) - 8);
}

const char *load_drills_suggest_service(struct load_drills_quotes *q,
					const struct model *m,
					const char *word)
{
	size_t cap = strlen(word) >= 8 ? 2 : 1, best_d = cap + 1;
	const char *best = NULL;
	char *out;

	if (q->suggestions++ >= 64)
		return "";
	for (size_t i = 0; i < m->n_services; i++) {
		size_t dist = util_edit_distance(word, m->services[i].id, cap);

		if (dist < best_d || (dist == best_d && best &&
				      strcmp(m->services[i].id, best) < 0)) {
			best_d = dist;
			best = m->services[i].id;
		}
	}
	if (!best)
		return "";
	/* Quote first: it takes a slot, and the result goes in the next one. */
	best = load_drills_quote(q, best);
	out = q->slot[q->next++ % ARRAY_LEN(q->slot)];
	snprintf(out, sizeof(q->slot[0]), ", did you mean %s", best);
	return out;
}

/* Both lists, merged into one sorted list (the names move, not copied). */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_drills(const void *a, const void *b)
{
	const struct drill *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return strcmp(x->id, y->id);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/*
 * Drops every drill whose id an earlier drill already has, with an error
 * that names both places.  Returns the number kept (compacted in place).
 */
static size_t drop_duplicates(struct load_drills_batch *b, struct diags *d)
{
	struct strmap *seen = strmap_new(b->n);
	size_t i, kept = 0;

	for (i = 0; i < b->n; i++) {
		struct drill *dr = &b->drills[i];
		uintptr_t prev = (uintptr_t)strmap_get(seen, dr->id);

		if (prev) {
			const struct drill *first = &b->drills[prev - 1];
			const char *where = dr->pos.pointer && dr->pos.pointer[0]
					    ? dr->pos.pointer : NULL;

			if (first->pos.line > 0)
				diag_add(d, DIAG_ERROR, dr->pos.file,
					 dr->pos.line, 0, where,
					 "duplicate drill id \"%s\" (first defined in %s:%d)",
					 dr->id, first->pos.file,
					 first->pos.line);
			else
				diag_add(d, DIAG_ERROR, dr->pos.file,
					 dr->pos.line, 0, where,
					 "duplicate drill id \"%s\" (first defined in %s)",
					 dr->id, first->pos.file);
			continue;
		}
		/* Indices of kept drills shift left; the map stores the new one. */
		if (kept != i)
			b->drills[kept] = *dr;
		strmap_put(seen, b->drills[kept].id, (void *)(uintptr_t)(kept + 1));
		kept++;
	}
	strmap_free(seen);
	return kept;
}

/* Whether the JUnit file of sidecar name (NAME.xml.json) is listed. */
static bool sidecar_owner(char **all, size_t n, const char *name)
{
	size_t k = strlen(name) - 5;

	for (size_t i = 0; i < n; i++)
		if (strlen(all[i]) == k && memcmp(all[i], name, k) == 0)
			return true;
	return false;
}

/* Parses one JUnit file, with its sidecar NAME.xml.json when there is one. */
static void load_xml_with_sidecar(struct model *m, struct source_set *src,
				  char **all, size_t n, const char *rel,
				  const struct source_file *f,
				  struct load_drills_batch *batch,
				  struct diags *d)
{
	struct load_drills_sidecar sc;
	struct source_file sf;
	bool have = false;
	char *name = arena_printf(m->arena, "%s.json", rel);

	for (size_t i = 0; i < n && !have; i++)
		have = strcmp(all[i], name) == 0;
	if (have && source_read(src, name, "drills", SOURCE_MAX_JSON, &sf, d)) {
		load_drills_sidecar_parse(m, sf.path, sf.data, sf.len, &sc, d);
		source_file_free(&sf);
		load_drills_xml_sidecar(m, rel, f->path, f->data, f->len, &sc,
					batch, d);
		return;
	}
	load_drills_xml(m, rel, f->path, f->data, f->len, batch, d);
}

bool load_drills(struct model *m, struct source_set *src, struct diags *d)
{
	size_t errors_before = diags_count(d, DIAG_ERROR);
	struct load_drills_batch batch = {NULL, 0, 0};
	char **json = NULL, **xml = NULL, **all = NULL;
	size_t n_json, n_xml, n_all, i;

	n_json = source_list(src, "drills", ".json", &json, d);
	n_xml = source_list(src, "drills", ".xml", &xml, d);
	n_all = n_json + n_xml;
	if (n_all == 0)
		goto out;
	all = xmalloc(n_all * sizeof(*all));
	if (n_json)
		memcpy(all, json, n_json * sizeof(*all));
	if (n_xml)
		memcpy(all + n_json, xml, n_xml * sizeof(*all));
	qsort(all, n_all, sizeof(*all), cmp_names);

	for (i = 0; i < n_all; i++) {
		bool is_xml = has_suffix(all[i], ".xml");
		struct source_file f;

		/* NAME.xml.json is the sidecar of NAME.xml, read with it. */
		if (has_suffix(all[i], ".xml.json")) {
			if (!sidecar_owner(all, n_all, all[i]))
				diag_add(d, DIAG_WARNING, all[i], 0, 0, NULL,
					 "drill sidecar without its JUnit file "
					 "(%.*s): ignored",
					 (int)(strlen(all[i]) - 5), all[i]);
			continue;
		}
		if (!source_read(src, all[i], "drills",
				 is_xml ? SOURCE_MAX_XML : SOURCE_MAX_JSON, &f, d))
			continue;
		if (is_xml)
			load_xml_with_sidecar(m, src, all, n_all, all[i], &f,
					      &batch, d);
		else
			load_drills_json(m, all[i], f.path, f.data, f.len, &batch, d);
		source_file_free(&f);
	}

	batch.n = drop_duplicates(&batch, d);
	if (batch.n)
		qsort(batch.drills, batch.n, sizeof(*batch.drills), cmp_drills);
	/*
	 * The one place later drills are left out: sorted by date, they are a
	 * suffix, and no consumer (analysis, rules, compliance, documents)
	 * ever sees them.  Their files were still checked above.
	 */
	if (m->as_of != DATE_NONE) {
		size_t kept = batch.n;
		while (kept > 0 && batch.drills[kept - 1].date > m->as_of)
			kept--;
		m->n_drills_after_as_of = batch.n - kept;
		batch.n = kept;
	}
	if (batch.n) {
		m->drills = arena_alloc(m->arena, batch.n * sizeof(*m->drills));
		memcpy(m->drills, batch.drills, batch.n * sizeof(*m->drills));
	}
	m->n_drills = batch.n;

out:
	load_drills_batch_free(&batch);
	free(all);
	source_list_free(json, n_json);
	source_list_free(xml, n_xml);
	return diags_count(d, DIAG_ERROR) == errors_before;
}
