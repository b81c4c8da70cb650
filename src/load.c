/*
 * load.c -- the order of the loaders.
 *
 * The backup logs and drills refer to ids from plan.json, so they are read
 * only when plan.json could be parsed at all; otherwise every backup record
 * would be reported as naming an unknown datastore, which hides the one
 * real problem.
 */
#include "load.h"

#include "load_backups.h"
#include "load_drills.h"
#include "load_plan.h"

struct model *load_plan_dir(const struct load_options *o, struct source_set *src,
			    struct diags *d)
{
	struct model *m = model_new();
	m->dir = arena_strdup(m->arena, o->dir);
	m->as_of = o->as_of;
	m->period_start = o->period_start;
	m->period_end = o->period_end;
	load_plan(m, src, d);
	if (m->format_version == 0)
		return m;  /* plan.json unreadable: the rest cannot be checked */
	load_backups(m, src, d, o->threads > 0 ? o->threads : 2);
	load_drills(m, src, d);
	return m;
}
