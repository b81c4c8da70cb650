/*
 * fingerprint.h -- the report fingerprint: one SHA-256 that names what a
 * report was computed from (the plan's inputs, the rule files and the
 * template files), printed on the report's first screen and in every
 * printed page's footer, and kept in the manifest (docs/evidence.md).
 *
 * It is the SHA-256 of this text, one line per file, each list sorted by
 * path (bytewise), paths as the manifest writes them:
 *
 *   drgen report fingerprint 1\n
 *   input <sha256> <path>\n      for each of the manifest's "inputs"
 *   rule <sha256> <path>\n       for each of its "rules" but the excluded
 *   template <sha256> <path>\n   for each of its "templates"
 *
 * Rule files loaded only after the reports were rendered (runbook.lua and
 * what it alone requires: they shape the runbooks, no verdict) are listed
 * in the manifest's "fingerprint"."excludes", so `drgen verify` can
 * recompute the fingerprint from the manifest alone.
 */
#ifndef DRGEN_FINGERPRINT_H
#define DRGEN_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

#define FINGERPRINT_VERSION 1
/* How many hex digits the documents show in running text (all 64 appear
 * in the method section and the manifest). */
#define FINGERPRINT_SHORT 16

/* One file of the fingerprint. */
struct fingerprint_file {
	const char *path;    /* as in the manifest */
	const char *sha256;  /* 64 lowercase hex */
};

/* A list of the three kinds.  Borrowed strings. */
struct fingerprint_set {
	const struct fingerprint_file *inputs, *rules, *templates;
	size_t n_inputs, n_rules, n_templates;
	const char *const *excludes;  /* rule paths left out */
	size_t n_excludes;
};

/* Computes the fingerprint of set into out (64 hex + NUL). */
void fingerprint_compute(const struct fingerprint_set *set, char out[65]);

/* The same from source_input lists (the build's own). */
void fingerprint_of_inputs(const struct source_input *inputs, size_t n_inputs,
			   const struct source_input *rules, size_t n_rules,
			   const struct source_input *templates, size_t n_templates,
			   const char *const *excludes, size_t n_excludes, char out[65]);

/*
 * The manifest's name of a rule or template file, without this machine's
 * folders: "drgen:PATH" under data_dir, "plan:PATH" under plan_dir, else
 * the path as given.  Caller frees.
 */
char *fingerprint_label_path(const char *data_dir, const char *plan_dir, const char *path);

#endif
