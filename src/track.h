/*
 * track.h -- findings as an auditor tracks them (docs/audit.md): who owns
 * each, when it is due, since when it is open, the management response,
 * and which controls it affects; the stable anchors of findings and
 * controls.
 *
 * Mechanism only: the due-date policy (days by severity) and which
 * compliance checks judge what a kind of finding is about come from
 * lua/findings.lua (`policy`), passed in as JSON.
 *
 * A finding's status compares it with the previous results.json (--previous)
 * by id: "new" (not in it), "open" (in it: open since the period that first
 * raised it, carried over from report to report as `open_since`), or, with
 * no previous report, "open" with no known start.  Its due date is
 * `first_reported` (the as-of time of the first report that raised it) plus
 * the policy's days for its severity; it is overdue when the as-of time is
 * past the due date.
 */
#ifndef DRGEN_TRACK_H
#define DRGEN_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "model.h"
#include "rules.h"

struct track_finding {
	const char *anchor;          /* "finding-backup-stale-claims-db", unique */
	const char *owner;           /* contact id, or NULL */
	const char *status;          /* "new" or "open" */
	char open_since[8];          /* YYYY-MM; "" when unknown (no previous) */
	int64_t first_reported;
	int64_t due;                 /* DATE_NONE: the policy gives no date */
	bool overdue;
	const struct mgmt_response *response;  /* NULL: none in the plan */
	size_t *controls;            /* indices into the `controls` array */
	size_t n_controls;
};

struct track;

/*
 * Tracks every finding of r.  policy is findings.lua's (may be NULL: no due
 * dates, no control links); previous a previous results.json or NULL;
 * controls the `controls` array of results.json.  All borrowed, read only
 * here.  Caller frees with track_free.
 */
struct track *track_new(const struct model *m, const struct rules_results *r,
			const cJSON *policy, const cJSON *previous, const cJSON *controls);
void track_free(struct track *t);

/* The tracking of finding f, one of r's findings (never NULL). */
const struct track_finding *track_of(const struct track *t, const struct finding *f);

/* Control ci as "framework:control" (borrowed). */
const char *track_control_key(const struct track *t, size_t ci);

/* The findings (indices into r->findings) that affect control ci. */
const size_t *track_control_findings(const struct track *t, size_t ci, size_t *n);

/*
 * The anchor of a control: "iso27001-a.8.13" (framework, "-", control, in
 * lowercase; every run of characters other than letters, digits and "."
 * becomes one "-"; none at the end).  Finding anchors are "finding-" and
 * the finding id made the same way, "-2", "-3" added if two collide.
 */
void track_control_anchor(const char *framework, const char *control, char *out,
			  size_t size);

/* Any other anchor made the same way: prefix, "-", s ("exception-ex-2026-01"). */
void track_anchor(const char *prefix, const char *s, char *out, size_t size);

/* Adds `anchor` and `findings` (ids) to every control of results.json. */
void track_annotate_controls(const struct track *t, const struct rules_results *r,
			     cJSON *controls);

/* Adds the tracking fields of f to its results.json entry. */
void track_put_finding(const struct track *t, const struct model *m,
		       const struct finding *f, cJSON *entry);

#endif
