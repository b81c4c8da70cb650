/*
 * fuzz.h -- helpers shared by the libFuzzer targets in fuzz/.
 *
 * The loaders read their files through the source module (limits, UTF-8
 * check, path confinement, hashing), so targets that fuzz a loader write
 * each input into a small plan folder made once per process and load it
 * from there: the input takes the same path a user's file takes.
 *
 * fuzz_check_diags states what every diagnostic must be, whatever the
 * input: a non-empty message that is valid UTF-8 without control bytes
 * (user strings are quoted and escaped, so nothing from the input can
 * reach a terminal as an escape sequence), and positions that are not
 * negative.  It then prints the list (with source excerpts) to /dev/null,
 * which fuzzes the excerpt reader with the positions the loader chose.
 *
 * Everything here is static inline: each target is one translation unit
 * and uses what it needs.
 */
#ifndef DRGEN_FUZZ_H
#define DRGEN_FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "source.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code under test broke: report it and crash. */
#define FUZZ_ASSERT(cond)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: property failed: %s\n",     \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

static char fuzz_dir_path[256];

static inline void fuzz_dir_remove(void)
{
	char cmd[300];
	if (!fuzz_dir_path[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

/* Writes dir/rel (folders must exist); aborts on failure: not a finding. */
static inline void fuzz_write_file(const char *dir, const char *rel, const void *data,
			    size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(path);
		abort();
	}
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0) {
			perror(path);
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
}

/*
 * A fresh folder "drgen-fuzz-NAME.XXXXXX" under $TMPDIR (or /dev/shm, or
 * /tmp) with the given subfolders, removed when the process exits.
 */
static inline const char *fuzz_dir_make(const char *name, const char *const *subdirs,
				 size_t n_subdirs)
{
	const char *base = getenv("TMPDIR");
	struct stat st;
	if (!base || !*base)
		base = stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0
			       ? "/dev/shm" : "/tmp";
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/drgen-fuzz-%s.XXXXXX",
		 base, name);
	if (!mkdtemp(fuzz_dir_path)) {
		perror(fuzz_dir_path);
		abort();
	}
	atexit(fuzz_dir_remove);
	for (size_t i = 0; i < n_subdirs; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir_path, subdirs[i]);
		if (mkdir(path, 0755) != 0) {
			perror(path);
			abort();
		}
	}
	return fuzz_dir_path;
}

static inline void fuzz_check_diags(const struct diags *d)
{
	static FILE *devnull;
	for (size_t i = 0; i < diags_len(d); i++) {
		const struct diag *g = diags_get(d, i);
		FUZZ_ASSERT(g->severity == DIAG_ERROR || g->severity == DIAG_WARNING ||
			    g->severity == DIAG_NOTE);
		FUZZ_ASSERT(g->message && g->message[0]);
		FUZZ_ASSERT(g->line >= 0 && g->col >= 0);
		size_t len = strlen(g->message), bad;
		if (!source_utf8_valid(g->message, len, &bad)) {
			fprintf(stderr, "message: %s\n", g->message);
			FUZZ_ASSERT(!"diagnostic message is not valid UTF-8");
		}
		for (size_t k = 0; k < len; k++) {
			unsigned char c = (unsigned char)g->message[k];
			if (c < 0x20 || c == 0x7f) {
				fprintf(stderr, "message: %s\n", g->message);
				FUZZ_ASSERT(!"control byte in a diagnostic message");
			}
		}
	}
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (devnull)
		diags_print(d, devnull, true, false);
}

#endif
