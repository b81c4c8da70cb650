/*
 * evidence.h -- the formats of the evidence pack, kept apart from the file
 * system work of publish.c so they can be tested on buffers:
 *
 *   evidence/manifest.json  what was built from what (JSON, fixed key order)
 *   evidence/SHA256SUMS     "<64 hex>  <path>\n" lines, for `sha256sum -c`
 *   evidence/manifest.sig   raw 64-byte Ed25519 signature of manifest.json
 *
 * Every list is written sorted by path, so the same build gives the same
 * bytes.  Keys are PEM files read through source_read_path; private keys
 * must not be encrypted (library code never prompts for a passphrase).
 */
#ifndef DRGEN_EVIDENCE_H
#define DRGEN_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "source.h"
#include "util.h"

#define EVIDENCE_MANIFEST "evidence/manifest.json"
#define EVIDENCE_SUMS "evidence/SHA256SUMS"
#define EVIDENCE_SIG "evidence/manifest.sig"
#define EVIDENCE_SIG_LEN 64
/* The manifest format written by this drgen ("manifest_version"). */
#define EVIDENCE_FORMAT 1

/* Longest output path accepted, and longest component. */
#define EVIDENCE_MAX_PATH 1024
#define EVIDENCE_MAX_NAME 255

/* One file of the output folder. */
struct evidence_file {
	char *path;       /* relative to the output folder */
	char sha256[65];  /* lowercase hex */
	uint64_t size;
};

/* Sorts by path, bytewise. */
void evidence_files_sort(struct evidence_file *files, size_t n);

/*
 * Whether rel may name a file of the output folder, and so
 * an output in a manifest: relative, components separated by
 * single slashes, none empty, "." or ".." or starting with a dot, no
 * backslash or control byte, valid UTF-8, within EVIDENCE_MAX_PATH and
 * EVIDENCE_MAX_NAME.  On false, *why (if not NULL) gets a static reason.
 */
bool evidence_path_valid(const char *rel, const char **why);

/* True for the three files the evidence pack writes about the others. */
bool evidence_is_reserved(const char *rel);

/* What the manifest says besides the outputs' hashes. */
struct evidence_manifest_info {
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
	/* The results.json given to --previous (NULL without): its as-of time,
	 * period, SHA-256 and size, not its path (a machine path). */
	const struct evidence_previous *previous;
	/* The report fingerprint (fingerprint.h; NULL: none) and the rule
	 * paths it leaves out. */
	const char *fingerprint;
	const char *const *fingerprint_excludes;
	size_t n_fingerprint_excludes;
};

struct evidence_previous {
	const char *as_of;
	const char *period;
	char sha256[65];
	uint64_t size;
};

/*
 * Appends the manifest text to b.  outputs must be sorted by path (the
 * inputs, rules and templates of info are sorted here).  NULL strings in
 * info are written as null, except plan_dir, which is left out.
 */
void evidence_manifest_write(struct buf *b, const struct evidence_manifest_info *info,
			     const struct evidence_file *outputs, size_t n_outputs);

/* What `drgen verify` needs from a manifest. */
struct evidence_manifest {
	struct evidence_file *outputs;  /* sorted by path; owned */
	size_t n_outputs;
	char *drgen_version;            /* owned; NULL when absent */
	/* "fingerprint"."sha256" (owned; NULL when the manifest has none) and
	 * whether it is the one its inputs, rules and templates give
	 * (fingerprint.h). */
	char *fingerprint;
	bool fingerprint_matches;
};

/*
 * Parses manifest text.  Refuses (diagnostics naming `shown`, false) text
 * that is not a manifest: bad JSON, missing or mistyped outputs, paths that
 * could leave the folder, duplicate paths, a newer manifest_version.
 * Free with evidence_manifest_free (also after a failure).
 */
bool evidence_manifest_parse(const char *data, size_t len, const char *shown,
			     struct evidence_manifest *m, struct diags *d);
void evidence_manifest_free(struct evidence_manifest *m);

/*
 * Whether manifest text is one drgen wrote: evidence_manifest_parse accepts
 * it and it has an integer "manifest_version" from 1 to EVIDENCE_FORMAT.
 * A folder is replaced as drgen's own output only on this, never on a
 * manifest file merely existing.  On false, *why (if not NULL) gets a
 * static reason.
 */
bool evidence_manifest_is_drgen(const char *data, size_t len, const char **why);

/* Appends SHA256SUMS text for files (sorted by path) to b. */
void evidence_sums_write(struct buf *b, const struct evidence_file *files, size_t n);

/*
 * Checks that key_path holds an Ed25519 key usable for signing (private)
 * or for checking (public; a private key is accepted too, its public half
 * is used).  Diagnostics on failure.
 */
bool evidence_key_check(const char *key_path, bool private_key, struct diags *d);

/* Signs data with the Ed25519 private key in key_path.  False + diagnostic. */
bool evidence_sign(const char *key_path, const void *data, size_t len,
		   unsigned char sig[EVIDENCE_SIG_LEN], struct diags *d);

/*
 * Checks sig over data with the key in key_path.  Returns 0 when it
 * matches, 1 when it does not (no diagnostic: the caller words it), and
 * -1 when the key is unusable (diagnostic added).
 */
int evidence_sig_check(const char *key_path, const void *data, size_t len,
		       const unsigned char *sig, size_t sig_len, struct diags *d);

/*
 * Hashes what is left of fd, streaming (64 KiB at a time).  Returns 0 or
 * an errno value.
 */
int evidence_hash_fd(int fd, char out[65], uint64_t *size);

#endif
