/*
 * compliance.h -- the compliance stage: control statuses per framework.
 *
 * Policy lives in Lua (lua/compliance/: evidence.lua holds the shared
 * checks, one file per framework maps controls to them; docs/compliance.md).
 * This module only runs the framework files the plan names in
 * compliance.frameworks, each through rules_call_json ("compliance/NAME",
 * function "evaluate"), checks the shape of what they return, and gathers
 * the controls for results.json (SPEC 5.1) with counts per framework.
 *
 *   struct compliance c;
 *   compliance_init(&c);
 *   if (!compliance_run(rules, m, f, res, &c, d)) ... stop the build ...
 *   results_add_compliance(doc, &c);
 *   n = compliance_count_at_or_below(c.controls, COMPLIANCE_LEVEL_PARTIAL);
 *   compliance_free(&c);
 */
#ifndef DRGEN_COMPLIANCE_H
#define DRGEN_COMPLIANCE_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "analyze.h"
#include "diag.h"
#include "model.h"
#include "rules.h"
#include "util.h"

/* The statuses of SPEC 3.5, in the order reports list them. */
enum compliance_status {
	COMPLIANCE_PASS,
	COMPLIANCE_PARTIAL,
	COMPLIANCE_FAIL,
	COMPLIANCE_NO_DATA,     /* required evidence absent */
	COMPLIANCE_ATTEST,      /* only a human attestation can satisfy it; none current */
	COMPLIANCE_WAIVED,      /* an active exception covers what failed */
	COMPLIANCE_ALTERNATIVE, /* HIPAA addressable: alternative measure documented */
	COMPLIANCE_NA,          /* out of scope ("n/a") */
	COMPLIANCE_STATUS_COUNT
};

/* "pass", "partial", "fail", "no_data", "attest", "waived", "alternative", "n/a". */
extern const char *const compliance_status_names[COMPLIANCE_STATUS_COUNT];

/* Index of a status name, or -1. */
int compliance_status_find(const char *name);

/*
 * --fail-on levels.  At "fail": fail and no_data (evidence that is absent
 * cannot show the control holds).  At "partial": those, partial and attest
 * (a human attestation is outstanding).  pass, waived, alternative and n/a
 * never count.
 */
enum compliance_level { COMPLIANCE_LEVEL_FAIL, COMPLIANCE_LEVEL_PARTIAL };

bool compliance_status_at_or_below(enum compliance_status s, enum compliance_level level);

struct compliance {
	/* results.json `controls`: frameworks in plan order, controls in rule order. */
	cJSON *controls;
	/*
	 * One summary per framework: {framework, name, scope, regime?, total,
	 * counts: {pass: n, ...every status}}.
	 */
	cJSON *frameworks;
	size_t counts[COMPLIANCE_STATUS_COUNT];   /* over every framework */
};

/* Empty arrays; free with compliance_free. */
void compliance_init(struct compliance *c);
void compliance_free(struct compliance *c);

/*
 * Runs every framework of m->compliance.frameworks (a name listed twice
 * runs once, with a warning).  Needs the rules engine of the build after
 * rules_run_policy.  Warnings the rules return (profile settings they did
 * not understand) become warnings on plan.json.  Returns false with
 * diagnostics when a framework file is missing, fails or returns a bad
 * shape; out then holds what was gathered before.
 */
bool compliance_run(struct rules *r, const struct model *m, const struct facts *f,
		    const struct rules_results *res, struct compliance *out,
		    struct diags *d);

/*
 * Checks the value one framework file returned (ret) and appends its
 * controls and summary to out.  On a bad shape returns false and describes
 * the first problem in err ("controls[3].status: ..."), leaving out as it
 * was.  Warnings the framework returned are appended to warnings (an array
 * of strings) when it is not NULL.
 */
bool compliance_add_framework(struct compliance *out, const char *framework,
			      const cJSON *ret, cJSON *warnings, struct buf *err);

/* Controls of a `controls` array whose status counts at the level. */
size_t compliance_count_at_or_below(const cJSON *controls, enum compliance_level level);

#endif
