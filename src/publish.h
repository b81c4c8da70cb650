/*
 * publish.h -- the only module that writes to disk.
 *
 * A build renders every file into a staging folder created beside the
 * output folder (so the final rename never crosses a file system), writes
 * the evidence manifest over everything staged, and then swaps the staging
 * folder in with one rename.  Until that rename the previous output is
 * untouched; a build that fails or is killed leaves it exactly as it was
 * (a stale staging folder from a killed build is removed by the next one).
 *
 * Output paths are relative, checked by publish_write: no absolute paths,
 * no "..", no empty components; nothing can be written outside the folder.
 */
#ifndef DRGEN_PUBLISH_H
#define DRGEN_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "source.h"

struct publish;

/*
 * Prepares a staging folder for out_dir.  Refuses (diagnostic, NULL) when
 * out_dir exists, is not empty, and was not written by drgen (it has no
 * evidence/manifest.json): a mistyped -o must never wipe a user's folder.
 */
struct publish *publish_begin(const char *out_dir, struct diags *d);

/*
 * Stages one file.  data is copied to disk at once (not kept).  Thread-safe:
 * renderers on several threads may write concurrently.  Returns false with
 * a diagnostic on a bad path or an I/O error.
 */
bool publish_write(struct publish *p, const char *rel, const void *data, size_t len,
		   struct diags *d);

/* What the manifest says besides the outputs' hashes. */
struct publish_manifest_info {
	const char *drgen_version;
	const char *as_of;              /* RFC 3339 */
	const char *period;             /* YYYY-MM */
	const char *generated_at;       /* RFC 3339 (SOURCE_DATE_EPOCH or as_of) */
	const char *plan_dir;
	const struct source_input *inputs;  /* plan files read, with hashes */
	size_t n_inputs;
	const struct source_input *rules;   /* rule files used (path, sha256) */
	size_t n_rules;
	const struct source_input *templates;  /* template files used */
	size_t n_templates;
};

/*
 * Writes evidence/manifest.json and evidence/SHA256SUMS over every staged
 * file (sorted, so output is deterministic), signs the manifest into
 * evidence/manifest.sig when sign_key (an Ed25519 PEM private key) is given,
 * then swaps the staging folder in.  Top-level dot files of the previous
 * output (.gitkeep, .htaccess) are carried over and not listed.
 * Returns an exit status (0, 2 bad key, 3 I/O).  p is freed either way.
 */
int publish_commit(struct publish *p, const struct publish_manifest_info *info,
		   const char *sign_key, struct diags *d);

/* Removes the staging folder; the previous output stays as it was. */
void publish_abort(struct publish *p);

/* Number of files staged so far. */
size_t publish_count(const struct publish *p);

struct publish_verify_report {
	size_t files_checked;
	size_t changed, missing, added;
	bool signature_checked;
};

/*
 * `drgen verify`: recomputes the hash of every file listed in
 * out_dir/evidence/manifest.json; every file changed, missing or not listed
 * is a diagnostic.  With pub_key, checks evidence/manifest.sig too.
 * Returns an exit status: 0 all match, 2 mismatch or bad signature, 3 I/O.
 */
int publish_verify(const char *out_dir, const char *pub_key, struct diags *d,
		   struct publish_verify_report *report);

/* `drgen init`: copies the folder src into dst (which must not exist or be
 * empty).  Returns an exit status. */
int publish_copy_tree(const char *src, const char *dst, struct diags *d);

#endif
