/*
 * failio.c -- I/O fault injection for drgen's tests (LD_PRELOAD shim).
 *
 * Interposes the calls through which drgen writes its output and makes one
 * of them fail, the way a full disk or a failing device would:
 *
 *   FAILIO_CALL=write,pwrite   the functions counted (comma-separated):
 *                              write pwrite pwrite64 rename renameat
 *                              renameat2 fsync fdatasync syncfs mkdir
 *                              mkdirat open open64 openat openat64
 *                              (open* are counted only with O_CREAT)
 *   FAILIO_AFTER=N             the first N counted calls succeed, the
 *                              next one fails (N = 0: the first fails)
 *   FAILIO_REPEAT=1            every counted call after N fails, not one
 *   FAILIO_ERRNO=EIO           the error: ENOSPC (default), EIO, EDQUOT,
 *                              EROFS, EACCES, or EINVAL (with renameat2:
 *                              a file system without RENAME_EXCHANGE)
 *   FAILIO_LOG=FILE            appends "failed CALL #K" for each injected
 *                              failure and, at exit, "calls K" (the number
 *                              of counted calls): run once without
 *                              FAILIO_AFTER to learn how many there are
 *
 * The count is shared by every thread (an atomic counter).  The real
 * functions are found with dlsym(RTLD_NEXT), so the shim also works on top
 * of a sanitizer runtime that intercepts the same functions (ASan wants to
 * be first: run with ASAN_OPTIONS=verify_asan_link_order=0).  Calls that
 * glibc makes internally (stdio's writes to stderr) do not go through
 * these symbols and are never failed.
 *
 * This file is test tooling, not part of drgen: it is built as
 * build/failio.so by mk/fuzz.mk and used by tests/suites/io_faults.sh.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static atomic_long calls;
static long fail_after = -1;   /* -1: only count */
static bool repeat;
static int fail_errno = ENOSPC;
static const char *watched;    /* ",write,pwrite," */
static const char *log_path;
static char watched_buf[512];

static void log_line(const char *fmt, long n, const char *name);

__attribute__((constructor)) static void failio_init(void)
{
	const char *s = getenv("FAILIO_CALL");
	if (s && *s) {
		snprintf(watched_buf, sizeof(watched_buf), ",%s,", s);
		watched = watched_buf;
	}
	s = getenv("FAILIO_AFTER");
	if (s && *s)
		fail_after = strtol(s, NULL, 10);
	s = getenv("FAILIO_REPEAT");
	repeat = s && *s == '1';
	static const struct {
		const char *name;
		int value;
	} errnos[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EDQUOT", EDQUOT},
		      {"EROFS", EROFS}, {"EACCES", EACCES}, {"EINVAL", EINVAL}};
	s = getenv("FAILIO_ERRNO");
	for (size_t i = 0; s && i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (strcmp(s, errnos[i].name) == 0)
			fail_errno = errnos[i].value;
	}
	log_path = getenv("FAILIO_LOG");
}

__attribute__((destructor)) static void failio_fini(void)
{
	if (watched)
		log_line("calls %ld\n", atomic_load(&calls), NULL);
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "failio: a function was not found\n";
		/* Through the real syscall wrapper we cannot find: give up. */
		(void)!fwrite(msg, 1, sizeof(msg) - 1, stderr);
		abort();
	}
	return f;
}

#define REAL(name, type) ((type)real(#name))

static void log_line(const char *fmt, long n, const char *name)
{
	if (!log_path)
		return;
	char line[128];
	int len = name ? snprintf(line, sizeof(line), fmt, name, n)
		       : snprintf(line, sizeof(line), fmt, n);
	ssize_t (*w)(int, const void *, size_t) = REAL(write, ssize_t (*)(int, const void *, size_t));
	int (*o)(const char *, int, ...) = REAL(open, int (*)(const char *, int, ...));
	int fd = o(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (len > 0)
		(void)!w(fd, line, (size_t)len);
	close(fd);
}

/* Whether this call of name must fail; counts it when name is watched. */
static bool inject(const char *name)
{
	if (!watched)
		return false;
	char key[32];
	snprintf(key, sizeof(key), ",%s,", name);
	if (!strstr(watched, key))
		return false;
	long k = atomic_fetch_add(&calls, 1);
	if (fail_after < 0 || k < fail_after || (!repeat && k != fail_after))
		return false;
	log_line("failed %s #%ld\n", k + 1, name);
	errno = fail_errno;
	return true;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (inject("write"))
		return -1;
	return REAL(write, ssize_t (*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (inject("pwrite"))
		return -1;
	return REAL(pwrite, ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (inject("pwrite64"))
		return -1;
	return REAL(pwrite64, ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

int rename(const char *from, const char *to)
{
	if (inject("rename"))
		return -1;
	return REAL(rename, int (*)(const char *, const char *))(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	if (inject("renameat"))
		return -1;
	return REAL(renameat, int (*)(int, const char *, int, const char *))(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
	if (inject("renameat2"))
		return -1;
	return REAL(renameat2, int (*)(int, const char *, int, const char *, unsigned))(
		fd1, from, fd2, to, flags);
}

int fsync(int fd)
{
	if (inject("fsync"))
		return -1;
	return REAL(fsync, int (*)(int))(fd);
}

int fdatasync(int fd)
{
	if (inject("fdatasync"))
		return -1;
	return REAL(fdatasync, int (*)(int))(fd);
}

int syncfs(int fd)
{
	if (inject("syncfs"))
		return -1;
	return REAL(syncfs, int (*)(int))(fd);
}

int mkdir(const char *path, mode_t mode)
{
	if (inject("mkdir"))
		return -1;
	return REAL(mkdir, int (*)(const char *, mode_t))(path, mode);
}

int mkdirat(int fd, const char *path, mode_t mode)
{
	if (inject("mkdirat"))
		return -1;
	return REAL(mkdirat, int (*)(int, const char *, mode_t))(fd, path, mode);
}

/* The open family: only creating calls count (reads are inputs). */
#define OPEN_MODE(flags, mode)                          \
	do {                                            \
		if ((flags) & (O_CREAT | O_TMPFILE)) {  \
			va_list ap;                     \
			va_start(ap, flags);            \
			mode = (mode_t)va_arg(ap, int); \
			va_end(ap);                     \
		}                                       \
	} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if ((flags & O_CREAT) && inject("open"))
		return -1;
	return REAL(open, int (*)(const char *, int, ...))(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if ((flags & O_CREAT) && inject("open64"))
		return -1;
	return REAL(open64, int (*)(const char *, int, ...))(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if ((flags & O_CREAT) && inject("openat"))
		return -1;
	return REAL(openat, int (*)(int, const char *, int, ...))(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	OPEN_MODE(flags, mode);
	if ((flags & O_CREAT) && inject("openat64"))
		return -1;
	return REAL(openat64, int (*)(int, const char *, int, ...))(dirfd, path, flags, mode);
}
