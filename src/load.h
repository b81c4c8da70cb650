/*
 * load.h -- reading a whole plan directory into a model.
 *
 * load_plan_dir runs the loaders in order: plan.json first (it defines the
 * ids everything else refers to), then the backup logs and the drills.
 * Problems are collected in d; the model is returned even when there are
 * errors so that `drgen check` can report everything in one run, but a
 * caller must not go on to build documents when diags_has_errors(d).
 */
#ifndef DRGEN_LOAD_H
#define DRGEN_LOAD_H

#include <stdint.h>

#include "diag.h"
#include "model.h"
#include "source.h"

struct load_options {
	const char *dir;        /* the plan directory */
	int64_t as_of;          /* summaries are taken at this time */
	int64_t period_start;   /* the report period, [start, end) */
	int64_t period_end;
	int threads;            /* for the backup logs; 0 means 2 */
};

/* Caller frees with model_free.  Never NULL. */
struct model *load_plan_dir(const struct load_options *o, struct source_set *src,
			    struct diags *d);

#endif
