/*
 * load_drills.h -- DR drill results (drills/<name>.json and
 * drills/<name>.xml) into the model.
 *
 * Two input formats describe the same thing (SPEC 2.3, docs/drill-format.md):
 * drgen's own JSON, and JUnit XML as written by automated failover suites.
 * Both parsers append to one batch; load_drills then checks drill ids across
 * every file and sorts the drills by date, then id, into m->drills.
 *
 * The first part of this header is the module's interface.  The second part
 * is shared by load_drills.c, load_drills_json.c and load_drills_xml.c only;
 * it is public so that tests and fuzz targets can parse a buffer without
 * files.
 */
#ifndef DRGEN_LOAD_DRILLS_H
#define DRGEN_LOAD_DRILLS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"
#include "source.h"

/*
 * Reads every drills/<name>.json and drills/<name>.xml of the plan (in
 * bytewise name order) through src, kind "drills", and fills m->drills /
 * m->n_drills (allocated in m->arena, sorted by date, then id).  Drills
 * dated after m->as_of (when set) are checked like the others, then left
 * out of the model and counted in m->n_drills_after_as_of: nothing after
 * as_of counts anywhere.  Needs the services (m->service_by_id): call it
 * after load_plan.
 *
 * Every problem becomes a diagnostic in d; loading carries on so that one
 * run reports them all.  A drill whose id is unusable is left out; other
 * faulty values are left at their "absent" value (NAN, DATE_NONE, NULL),
 * and results or scope entries naming unknown services are left out.
 * Returns false when it added at least one error.
 */
bool load_drills(struct model *m, struct source_set *src, struct diags *d);

/* ---- shared by the load_drills*.c files ---- */

/* Drills parsed so far; the array is xmalloc'd, its contents in m->arena. */
struct load_drills_batch {
	struct drill *drills;
	size_t n;
	size_t cap;
};

/* Frees the array (not the drills' strings, which live in the arena). */
void load_drills_batch_free(struct load_drills_batch *b);

/*
 * A new drill at the end of b, every field absent (NAN, DATE_NONE, NULL),
 * with source = rel and pos.file = file (both copied into m->arena).
 */
struct drill *load_drills_batch_add(struct load_drills_batch *b,
				    struct model *m, const char *rel,
				    const char *file);

/*
 * Parse one file's contents (data[len], NUL-terminated, valid UTF-8) and
 * append its drills to out.  rel is the path relative to the plan
 * ("drills/q3.json"); file the path shown in diagnostics.  Return false
 * when they added an error.
 */
bool load_drills_json(struct model *m, const char *rel, const char *file,
		      const char *data, size_t len,
		      struct load_drills_batch *out, struct diags *d);
bool load_drills_xml(struct model *m, const char *rel, const char *file,
		     const char *data, size_t len,
		     struct load_drills_batch *out, struct diags *d);

/*
 * The sidecar of a JUnit file (drills/NAME.xml.json beside drills/NAME.xml,
 * docs/drill-format.md): what a test runner cannot write into its XML.
 * Every value remembers where it was written, for diagnostics.
 */
struct load_drills_sc_value {
	const char *s;           /* NULL: absent */
	int line, col;
	const char *pointer;     /* JSON pointer */
};

struct load_drills_sidecar {
	const char *file;        /* shown in diagnostics */
	struct load_drills_sc_value id, type, date, tz, availability, traffic;
	/* "services": testcase name, classname.name or classname -> service */
	size_t n_services;
	const char **service_keys;
	struct load_drills_sc_value *services;
	bool *used;              /* per entry: some testcase looked it up */
};

/*
 * Reads a sidecar's text into *sc (strings in m->arena).  Returns false
 * (after diagnostics) when it is unusable; *sc is then empty.
 */
bool load_drills_sidecar_parse(struct model *m, const char *file,
			       const char *data, size_t len,
			       struct load_drills_sidecar *sc, struct diags *d);

/* The sidecar's "services" entry for key (sorted: a binary search), or NULL. */
const struct load_drills_sc_value *load_drills_sidecar_service(
	const struct load_drills_sidecar *sc, const char *key);

/* load_drills_xml with the file's sidecar (NULL: none). */
bool load_drills_xml_sidecar(struct model *m, const char *rel,
			     const char *file, const char *data, size_t len,
			     const struct load_drills_sidecar *sc,
			     struct load_drills_batch *out, struct diags *d);

/*
 * Whether id can be a drill id: 1..LOAD_DRILLS_ID_MAX bytes of letters,
 * digits, '.', '_' and '-', starting with a letter or digit (drill ids end
 * up in file names and anchors, so they must not escape a folder).
 */
#define LOAD_DRILLS_ID_MAX 128
bool load_drills_id_valid(const char *id);

/*
 * Reports an unusable drill id (invalid characters or too long) at the
 * given place.
 */
void load_drills_report_id(struct diags *d, const char *file, int line,
			   int col, const char *where, const char *id);

/*
 * Why a date that date_parse_any refused is wrong, when it has the shape
 * YYYY-MM-DD but names no real day ("there is no month 13", "2026-02 has
 * 28 days"); false when it is simply malformed.
 */
bool load_drills_date_impossible(const char *s, char *why, size_t size);

/* Rotating buffers for quoting user strings in messages. */
struct load_drills_quotes {
	char slot[4][96];
	unsigned next;
	unsigned suggestions;   /* "did you mean" searches over services */
};

/*
 * s in double quotes: '"' and '\' escaped, control characters as \uXXXX,
 * long strings cut at a character boundary with "...".  Valid until four
 * more calls on q.
 */
const char *load_drills_quote(struct load_drills_quotes *q, const char *s);

/*
 * ", did you mean \"x\"" with the service id of m closest to word, or "".
 * Linear in the number of services, so at most 64 searches are made per
 * q (per file); later calls return "".
 */
const char *load_drills_suggest_service(struct load_drills_quotes *q,
					const struct model *m,
					const char *word);

#endif
