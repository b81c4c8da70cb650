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
 * Output paths are relative, checked by publish_write (evidence_path_valid
 * in evidence.h): no absolute paths, no "..", no empty components; nothing
 * can be written outside the folder.
 */
#ifndef DRGEN_PUBLISH_H
#define DRGEN_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct publish;

/*
 * Prepares a staging folder ".OUT.drgen-staging.XXXXXX" beside out_dir
 * (creating out_dir's parent folders when missing) and removes stale ones
 * left by killed builds of the same output (a live build's staging folder
 * is locked and left alone).  Refuses when out_dir exists, is not empty
 * (dot files aside), and was not written by drgen (it has no
 * evidence/manifest.json that evidence_manifest_is_drgen accepts): a
 * mistyped -o must never wipe a user's folder.  Also refuses a symbolic
 * link or a file at out_dir.  Parent folders it created are removed again
 * by publish_abort and on failure.
 * Returns an exit status: 0 (*out set; finish with publish_commit or
 * publish_abort), 2 refused, 3 I/O error (*out NULL, diagnostics added).
 */
int publish_begin(const char *out_dir, struct publish **out, struct diags *d);

/*
 * Refuses (exit status 2, diagnostic) an output folder whose real path is
 * keep_dir's, inside keep_dir, or an ancestor of it, through symbolic
 * links; out_dir need not exist (its nearest existing ancestor is
 * resolved).  what names keep_dir in the message ("plan directory").
 * Creates and reads nothing; returns 0 when they are apart, or when a
 * path cannot be resolved (publish_begin then reports it).
 */
int publish_check_apart(const char *out_dir, const char *keep_dir, const char *what,
			struct diags *d);

/*
 * Stages one file.  data is copied to disk at once (not kept) and hashed.
 * Thread-safe: renderers on several threads may write concurrently.
 * Returns false with a diagnostic on a bad path, a path written twice, a
 * path reserved for the evidence pack (evidence/manifest.json, SHA256SUMS,
 * manifest.sig) or an I/O error; all of these are exit status 3 (paths
 * come from drgen itself; ids were validated when loading).
 */
bool publish_write(struct publish *p, const char *rel, const void *data, size_t len,
		   struct diags *d);

/*
 * Stages one file written in pieces (results.json: too large to hold).
 * The same checks and errors as publish_write; open returns NULL with a
 * diagnostic.  A write error is kept and reported by close; writes after
 * it do nothing and return false.  close with keep false (the caller's
 * own failure) removes the file.  Close returns false with a diagnostic
 * on an I/O error; s is freed either way.  One thread per stream.
 */
struct publish_stream;
struct publish_stream *publish_stream_open(struct publish *p, const char *rel,
					   struct diags *d);
bool publish_stream_write(struct publish_stream *s, const void *data, size_t len);
bool publish_stream_close(struct publish_stream *s, bool keep, struct diags *d);
/* The same, and with expect (64 hex) a file whose bytes do not hash to it
 * is removed: false, *mismatch set, no diagnostic (the caller words it). */
bool publish_stream_close_checked(struct publish_stream *s, bool keep, const char *expect,
				  bool *mismatch, struct diags *d);

/*
 * Writes evidence/manifest.json and evidence/SHA256SUMS over every staged
 * file (sorted, so output is deterministic), signs the manifest into
 * evidence/manifest.sig when sign_key (an Ed25519 PEM private key) is given,
 * then swaps the staging folder in.  Top-level dot entries of the previous
 * output (.gitkeep, .htaccess, even a .git folder) are copied over and not
 * listed.  Files are flushed (syncfs) before the swap, the parent folder
 * after it.  On any failure the staging folder is removed and the previous
 * output is untouched.  Swaps in one parent folder take turns (flock on
 * the parent, for the swap only); when another build replaced the output
 * since publish_begin, this one refuses (exit status 3) and leaves it.  Returns an exit status (0, 2 bad key, 3 I/O).
 * p is freed either way.  (To refuse a bad --sign key before doing the
 * work, call evidence_key_check(key, true, d) first.)
 */
struct evidence_manifest_info;
int publish_commit(struct publish *p, const struct evidence_manifest_info *info,
		   const char *sign_key, struct diags *d);

/* Removes the staging folder and frees p (NULL is fine); the previous
 * output stays as it was. */
void publish_abort(struct publish *p);

/* The SHA-256 and size of a file staged so far; false if rel is not staged. */
bool publish_staged_hash(const struct publish *p, const char *rel, char sha256[65],
			 uint64_t *size);

/*
 * A copy of the files staged so far (path, SHA-256, size), sorted by path:
 * what the manifest will list, less what is staged later (the manifest,
 * SHA256SUMS and the signature are written by publish_commit).  Caller
 * frees with publish_files_free.
 */
struct evidence_file;
struct evidence_file *publish_files(struct publish *p, size_t *n);
void publish_files_free(struct evidence_file *files, size_t n);

/*
 * The path of a staged file for a child process to read (pdf.c):
 * "PARENT/.OUT.drgen-staging.XXXXXX/rel".  Caller frees.  Only valid until
 * publish_commit or publish_abort.
 */
char *publish_staged_path(const struct publish *p, const char *rel);

/* Number of files staged so far. */
size_t publish_count(const struct publish *p);

/*
 * Whether a publish_write has failed: such a build is exit status 3 (I/O
 * or internal), even when the write happened inside a stage (rendering)
 * whose own errors are the user's.
 */
bool publish_failed(const struct publish *p);

struct publish_verify_report {
	size_t files_checked;
	size_t changed, missing, added;
	bool signature_checked;
	bool signed_pack;          /* evidence/manifest.sig is there */
	char fingerprint[65];      /* the manifest's report fingerprint, or "" */
};

/*
 * `drgen verify`: recomputes the hash of every file listed in
 * out_dir/evidence/manifest.json; every file changed, missing or not listed
 * is a diagnostic ("evidence check failed: ..."), in path order, and so is
 * an evidence/SHA256SUMS that does not match the manifest.  Top-level dot
 * entries are ignored.  Symbolic links are never followed.  Paths are
 * relative, so a copied output folder verifies too.  With pub_key (PEM,
 * Ed25519 public or private key), checks evidence/manifest.sig too;
 * without, a present signature earns a note that it was not checked.
 * A manifest with a report fingerprint must give it again from its own
 * inputs, rules and templates (fingerprint.h), else that is an error too.
 * Returns an exit status: 0 all match, 2 mismatch, bad signature or no
 * manifest, 3 I/O error (which wins).  report may be NULL.
 */
int publish_verify(const char *out_dir, const char *pub_key, struct diags *d,
		   struct publish_verify_report *report);

/*
 * `drgen init`: copies the folder src into dst, which must not exist or
 * be an empty folder.  Regular files (mode kept) and folders only:
 * symbolic links are skipped with a warning, never followed.  The copy is
 * made in a staging folder beside dst and renamed into place, so a failed
 * init leaves nothing behind.  Returns an exit status: 0, 2 (dst not
 * empty or not a folder), 3 (src unreadable, I/O error).
 */
int publish_copy_tree(const char *src, const char *dst, struct diags *d);

#endif
