/*
 * build.h -- one `drgen build`: load, analyze, rules, render, publish.
 *
 * build_run owns everything a build allocates (the model's arena, facts,
 * rule results, rendered buffers) and frees it before returning; nothing
 * survives a build but the files it published.
 */
#ifndef DRGEN_BUILD_H
#define DRGEN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build_format.h"
#include "diag.h"

enum build_fail_on { BUILD_FAIL_NEVER, BUILD_FAIL_ON_FAIL, BUILD_FAIL_ON_PARTIAL };

struct build_options {
	const char *plan_dir;
	const char *out_dir;
	const char *data_dir;       /* shipped lua/ and templates/ live here */
	const char *rules_dir;      /* --rules, or NULL */
	const char *templates_dir;  /* --templates, or NULL */
	const char *previous;       /* --previous, or NULL */
	const char *sign_key;       /* --sign, or NULL */
	int64_t as_of;
	int64_t period_start, period_end;
	unsigned formats;           /* enum build_format bits */
	enum build_fail_on fail_on;
	bool quiet, verbose, progress;
	int threads;                /* for ingest and rendering; 0: two */
	/* Called as each stage starts (for a progress line); may be NULL. */
	void (*on_stage)(void *ctx, const char *stage);
	void *stage_ctx;
};

#define BUILD_MAX_STAGES 12

struct build_report {
	size_t files_written;
	char period[8];
	char as_of[21];
	size_t controls_failing;    /* at or below the --fail-on level */
	struct {
		const char *name;
		double seconds;
		double peak_mib;    /* the process's peak RSS at the stage's end */
	} stages[BUILD_MAX_STAGES];  /* wall time per stage, for -v */
	size_t n_stages;
};

/* Returns an exit status (enum exit_status in exit_status.h). */
int build_run(const struct build_options *o, struct diags *d, struct build_report *r);

#endif
