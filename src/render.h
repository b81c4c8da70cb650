/*
 * render.h -- every document of a build, from templates.
 *
 * render_all builds the view model of each document (docs/templates.md) as
 * a cJSON tree from the model, facts, rule results and results.json, renders
 * it through the Mustache templates (a plan's templates/ first, then
 * --templates, then the shipped ones) and hands each buffer to publish.
 * Renderers never touch the disk themselves.  Documents are rendered on
 * several threads; the bytes do not depend on how many.
 */
#ifndef DRGEN_RENDER_H
#define DRGEN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "analyze.h"
#include "diag.h"
#include "model.h"
#include "publish.h"
#include "records.h"
#include "render_input.h"
#include "results.h"
#include "rules.h"
#include "source.h"

struct render_stats {
	size_t documents;
	size_t bytes;
	/* Template files used, for the manifest (path, sha256); owned. */
	struct source_input *templates;   /* paths as the manifest names them */
	size_t n_templates;
	/* The report fingerprint of the single documents (64 hex). */
	char fingerprint[65];
};

/*
 * Renders and stages every document of the formats asked for; with HTML,
 * the evidence page (evidence.html) last, over every file staged before.  Returns
 * false with diagnostics (template errors name the template file, line and
 * column).  Free stats with render_stats_free.
 */
bool render_all(const struct render_input *in, struct publish *p, struct diags *d,
		struct render_stats *stats);

/*
 * render_all in two steps, so that the documents that do not read the
 * runbooks (dashboard, plan, audit) render on their own thread while the
 * caller is still running runbook.lua.  in->rules->runbooks must be
 * complete before render_end, which renders the runbooks, waits for every
 * document and frees r.  With go false (the build failed meanwhile) it
 * only stops and frees; it returns false.
 */
struct render;
struct render *render_begin(const struct render_input *in, struct publish *p,
			    struct diags *d, struct render_stats *stats);
bool render_end(struct render *r, bool go, struct diags *d);
void render_stats_free(struct render_stats *stats);

#endif
