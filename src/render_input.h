/*
 * render_input.h -- what a build hands the renderers (render.h) and the
 * view models (views.h).
 *
 * A header of its own, below both: render.c builds each document's view
 * through views.h, and views.h needs only this struct from the renderer,
 * not render.h.  Everything it points to is borrowed from the build and
 * outlives the rendering.
 */
#ifndef DRGEN_RENDER_INPUT_H
#define DRGEN_RENDER_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "analyze.h"
#include "diag.h"
#include "model.h"
#include "records.h"
#include "results.h"
#include "rules.h"
#include "source.h"

struct track;

struct render_input {
	const struct model *model;
	const struct facts *facts;
	const struct rules_results *rules;
	const cJSON *results;          /* results.json's small parts (results_summary) */
	const struct results *entries; /* and its entries, built on demand */
	const cJSON *previous;         /* a previous results.json, or NULL */
	const struct track *track;     /* findings' tracking (track.h), or NULL */
	const char *generated_at;      /* RFC 3339; SOURCE_DATE_EPOCH or as-of */
	unsigned formats;              /* enum build_format bits (build_format.h) */
	const char *const *template_dirs;  /* lookup order */
	size_t n_template_dirs;
	int threads;
	const struct records *records; /* evidence links (records_href), or NULL */
	/* For the report fingerprint (fingerprint.h) and the method section:
	 * the inputs read and the rule files run so far (manifest paths), and
	 * the folders whose files the manifest names "drgen:" and "plan:". */
	const struct source_input *fp_inputs, *fp_rules;
	size_t n_fp_inputs, n_fp_rules;
	const char *data_dir, *plan_dir;
	bool signed_pack;              /* --sign given */
	/* Called once every other file is staged, before the evidence page,
	 * which then lists what it staged too (build.c: the OSCAL documents);
	 * NULL for none.  Returning false fails the build. */
	bool (*stage_last)(void *ctx, struct diags *d);
	void *stage_last_ctx;
};

#endif
