/*
 * oscal.h -- the build's verdicts as NIST OSCAL 1.1.3 (docs/oscal.md).
 *
 * Three documents for evidence/: a system security plan drawn from the
 * plan (services as components, datastores as inventory, the controls in
 * scope), an assessment plan that imports it (frameworks and controls,
 * subjects, the methods drgen uses), and the assessment results that
 * import that (one result for the period: a finding per control, an
 * observation per check, a risk per control that does not pass).
 *
 * Every UUID is a version-5 UUID (RFC 9562) in drgen's namespace, named
 * after what the element stands for: the organization and the thing's own
 * ids for what lasts from month to month (a party, a service, a datastore,
 * a framework's control), and those plus the period for what belongs to
 * one period (the documents, the result, observations, risks).  The same
 * inputs give the same bytes.
 */
#ifndef DRGEN_OSCAL_H
#define DRGEN_OSCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct model;
struct results;
struct rules_results;

/* One file of the evidence pack a document points at (back-matter). */
struct oscal_file {
	const char *href;      /* relative to evidence/ ("results.json") */
	const char *title;     /* what it is ("plan.json: the plan") */
	const char *sha256;    /* lowercase hex */
	uint64_t size;
};

struct oscal_input {
	const struct model *model;
	const struct rules_results *rules;  /* tiers, RTO and RPO per service */
	const cJSON *results;           /* results.json's small parts */
	const struct results *entries;  /* its findings, built on demand */
	const char *generated_at;       /* RFC 3339 */
	const char *drgen_version;
	const struct oscal_file *files;
	size_t n_files;
};

#define OSCAL_SSP_FILE "evidence/system-security-plan.json"
#define OSCAL_AP_FILE "evidence/assessment-plan.json"
#define OSCAL_AR_FILE "evidence/assessment-results.json"

/*
 * Builds the three documents one after the other (each as JSON text ending
 * in a newline) and hands each to write with its path in the output;
 * returns false as soon as write does.
 */
typedef bool oscal_write_fn(void *ctx, const char *rel, const char *data, size_t len);
bool oscal_write(const struct oscal_input *in, oscal_write_fn *write, void *ctx);

/* The version-5 UUID of name in drgen's namespace, as 36 characters. */
void oscal_uuid5(const char *name, char out[37]);

/*
 * A framework's control id as an OSCAL token: NIST SP 800-53 in the
 * catalog's form ("CP-9(1)" -> "cp-9.1"), the others prefixed with the
 * framework ("iso27001", "A.8.13" -> "iso27001-a.8.13"; "dora",
 * "Art. 11(1)" -> "dora-art-11.1").  out gets at most size - 1 bytes.
 */
void oscal_control_token(const char *framework, const char *control, char *out,
			 size_t size);

#endif
