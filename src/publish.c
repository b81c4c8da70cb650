/*
 * publish.c -- the only module that writes to disk.
 *
 * A build writes into a staging folder ".OUT.drgen-staging.XXXXXX" made
 * beside the output folder OUT (same parent, so renames never cross file
 * systems).  Every file is created with O_CREAT|O_EXCL|O_NOFOLLOW relative
 * to the staging folder's descriptor, after its path passed
 * evidence_path_valid, so nothing lands outside it and nothing is written
 * twice.  Files are hashed as they are written; publish_commit turns the
 * list into the manifest, flushes the file system, and swaps the staging
 * folder in with renameat2(RENAME_EXCHANGE) (the old tree then sits under
 * the staging name and is deleted).  Until that one rename the previous
 * output is untouched.
 *
 * A build holds flock(LOCK_EX) on its staging folder for its lifetime.
 * publish_begin deletes folders named exactly like a staging folder of the
 * same output only when it can take that lock, so a killed build's leftovers
 * go and a concurrent build's folder stays.
 *
 * On file systems without RENAME_EXCHANGE the swap is two renames through
 * ".OUT.drgen-old.XXXXXX"; if a build dies between them, the next
 * publish_begin finds OUT missing and renames the old tree back.
 *
 * Invariants: every descriptor is opened O_CLOEXEC, directories with
 * O_NOFOLLOW; symbolic links are never followed, only copied or removed.
 */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence.h"

#define STAGING_TAG ".drgen-staging."
#define OLD_TAG ".drgen-old."
#define SUFFIX_LEN 6
#define MAX_DEPTH 64
#define MANIFEST_MAX (256u << 20)

struct publish {
	char *out_dir;       /* as given, trailing slashes removed */
	char *parent;        /* folder that holds the output ("." or "/" at least) */
	char *base;          /* last component of out_dir */
	char *staging_name;  /* staging folder's name inside parent */
	int parent_fd;
	int staging_fd;      /* holds the lock */
	pthread_mutex_t lock;
	struct evidence_file *files;
	size_t n_files, cap_files;
	bool write_failed;   /* a publish_write failed (under lock) */
	bool had_out;        /* the output existed at publish_begin, as out_id */
	dev_t out_dev;
	ino_t out_ino;
	char **made_dirs;    /* parent folders publish_begin created, outermost first */
	size_t n_made_dirs;
};

/* ---- paths ------------------------------------------------------------ */

/* Splits a folder path into parent and last component; refuses paths that
 * do not end in a name.  Returns an exit status (diagnostic on 2). */
static int split_dir_path(const char *path, const char *what, char **parent, char **base,
			  struct diags *d)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t blen = len - start;
	if (blen == 0 || (blen == 1 && path[start] == '.') ||
	    (blen == 2 && path[start] == '.' && path[start + 1] == '.')) {
		diag_error(d, NULL, 0, 0, "%s \"%s\" must end in a folder name", what, path);
		return 2;
	}
	*base = xstrndup(path + start, blen);
	size_t plen = start;
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	*parent = plen == 0 ? xstrdup(".") : xstrndup(path, plen);
	return 0;
}

/* mkdir -p: creates path and the folders above it.  0 or errno.  When
 * made is not NULL, the folders this call created are appended to it
 * (outermost first; caller frees), for removing them again; when failed is
 * not NULL, it is set to the folder that could not be made (caller frees). */
static int make_dirs_recorded(const char *path, char ***made, size_t *n_made,
			      char **failed)
{
	char *p = xstrdup(path);
	int err = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		struct stat st;
		if (mkdir(p, 0755) == 0) {
			if (made) {
				*made = xrealloc(*made, (*n_made + 1) * sizeof(**made));
				(*made)[(*n_made)++] = xstrdup(p);
			}
		} else if (errno != EEXIST) {
			/* mkdir's own reason (EACCES, EROFS) unless the folder is
			 * there after all; stat's ENOENT would hide it. */
			int mkdir_err = errno;
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				err = mkdir_err;
				if (failed)
					*failed = xstrdup(p);
				break;
			}
		}
		*s = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (!err && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
		err = ENOTDIR;
	free(p);
	return err;
}

static int make_dirs(const char *path)
{
	return make_dirs_recorded(path, NULL, NULL, NULL);
}

/* Creates the folders above rel inside dirfd.  0 or errno. */
static int make_parents_at(int dirfd, const char *rel)
{
	char *p = xstrdup(rel);
	int err = 0;
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, p, 0755) != 0 && errno != EEXIST) {
			err = errno;
			break;
		}
		*s = '/';
	}
	free(p);
	return err;
}

/* Whether name is exactly "." base tag + SUFFIX_LEN letters or digits. */
static bool matches_pattern(const char *name, const char *base, const char *tag)
{
	size_t blen = strlen(base), tlen = strlen(tag);
	if (name[0] != '.' || strncmp(name + 1, base, blen) != 0 ||
	    strncmp(name + 1 + blen, tag, tlen) != 0)
		return false;
	const char *s = name + 1 + blen + tlen;
	size_t i = 0;
	for (; s[i]; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return i == SUFFIX_LEN;
}

/* Makes a fresh folder ".base" tag XXXXXX in dirfd (mkdtemp's algorithm,
 * but relative to a descriptor and with the umask's usual 0755).
 * Returns its name (caller frees) or NULL with errno set. */
static char *make_unique_dir(int dirfd, const char *base, const char *tag)
{
	static const char letters[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[SUFFIX_LEN];
		char suffix[SUFFIX_LEN + 1];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return NULL;
		for (int i = 0; i < SUFFIX_LEN; i++)
			suffix[i] = letters[rnd[i] % (sizeof(letters) - 1)];
		suffix[SUFFIX_LEN] = '\0';
		char *name = xasprintf(".%s%s%s", base, tag, suffix);
		if (mkdirat(dirfd, name, 0755) == 0)
			return name;
		int err = errno;
		free(name);
		if (err != EEXIST) {
			errno = err;
			return NULL;
		}
	}
	errno = EEXIST;
	return NULL;
}

/* ---- trees ------------------------------------------------------------ */

/* Removes name in dirfd, recursively, never following links.  A missing
 * entry is not an error.  0 or errno. */
static int remove_tree_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return errno;
	if (depth > MAX_DEPTH)
		return ELOOP;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		int err = errno;
		close(fd);
		return err;
	}
	int err = 0;
	struct dirent *e;
	while (!err && (errno = 0, e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		err = remove_tree_at(fd, e->d_name, depth + 1);
	}
	if (!err && errno)
		err = errno;
	closedir(dir);
	if (!err && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		err = errno;
	return err;
}

/* Copies the bytes of sfd to dfd (in the kernel when it can).  0 or errno. */
static int copy_bytes(int sfd, int dfd)
{
	for (;;) {
		ssize_t n = copy_file_range(sfd, NULL, dfd, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return errno;
		break;
	}
	char chunk[64 << 10];
	for (;;) {
		ssize_t n = read(sfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(dfd, chunk + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return errno;
			off += w;
		}
	}
}

struct copy_ctx {
	bool keep_links;   /* recreate symbolic links (else skip with a warning) */
	const char *shown; /* source folder as shown in messages */
	struct diags *d;
	int err;           /* first errno */
};

static void copy_entry(struct copy_ctx *c, int sfd, int dfd, const char *name,
		       const char *rel, int depth);

/* Copies the entries of folder sfd into folder dfd. */
static void copy_dir_contents(struct copy_ctx *c, int sfd, int dfd, const char *rel, int depth)
{
	int fd = dup(sfd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		c->err = c->err ? c->err : errno;
		diag_error(c->d, NULL, 0, 0, "cannot list %s/%s: %s", c->shown, rel, strerror(errno));
		return;
	}
	rewinddir(dir);
	struct dirent *e;
	while (!c->err && (e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *sub = rel[0] ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		copy_entry(c, sfd, dfd, e->d_name, sub, depth + 1);
		free(sub);
	}
	closedir(dir);
}

static void copy_entry(struct copy_ctx *c, int sfd, int dfd, const char *name,
		       const char *rel, int depth)
{
	struct stat st;
	int in = -1, out = -1, err = 0;
	if (depth > MAX_DEPTH) {
		err = ELOOP;
		goto out;
	}
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		err = errno;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!c->keep_links) {
			diag_warning(c->d, NULL, 0, 0, "skipped symbolic link %s/%s", c->shown, rel);
			goto out;
		}
		char target[PATH_MAX];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			err = errno;
			goto out;
		}
		target[n] = '\0';
		if (symlinkat(target, dfd, name) != 0)
			err = errno;
	} else if (S_ISDIR(st.st_mode)) {
		in = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || mkdirat(dfd, name, (st.st_mode & 0777) | 0700) != 0) {
			err = errno;
			goto out;
		}
		out = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (out < 0) {
			err = errno;
			goto out;
		}
		copy_dir_contents(c, in, out, rel, depth);
	} else if (S_ISREG(st.st_mode)) {
		in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0) {
			err = errno;
			goto out;
		}
		out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     st.st_mode & 0777);
		if (out < 0) {
			err = errno;
			goto out;
		}
		err = copy_bytes(in, out);
	} else {
		diag_warning(c->d, NULL, 0, 0, "skipped %s/%s: not a regular file or folder",
			     c->shown, rel);
	}
out:
	if (out >= 0 && close(out) != 0 && !err)
		err = errno;
	if (in >= 0)
		close(in);
	if (err && !c->err) {
		c->err = err;
		diag_error(c->d, NULL, 0, 0, "cannot copy %s/%s: %s", c->shown, rel, strerror(err));
	}
}

/* ---- staging ---------------------------------------------------------- */

static void publish_free(struct publish *p)
{
	for (size_t i = 0; i < p->n_files; i++)
		free(p->files[i].path);
	free(p->files);
	if (p->staging_fd >= 0)
		close(p->staging_fd);
	if (p->parent_fd >= 0)
		close(p->parent_fd);
	pthread_mutex_destroy(&p->lock);
	for (size_t i = 0; i < p->n_made_dirs; i++)
		free(p->made_dirs[i]);
	free(p->made_dirs);
	free(p->out_dir);
	free(p->parent);
	free(p->base);
	free(p->staging_name);
	free(p);
}

/* Removes the parent folders publish_begin created (when still empty):
 * a build that fails leaves nothing behind, not even them. */
static void remove_made_dirs(struct publish *p)
{
	for (size_t i = p->n_made_dirs; i-- > 0;)
		(void)rmdir(p->made_dirs[i]);
}

static int read_at(int dirfd, const char *rel, size_t limit, struct buf *b);

/*
 * The real path of path, which need not exist: its nearest existing
 * ancestor through realpath (links resolved), then the components that do
 * not exist yet, "." and ".." taken as written (they will be created as
 * folders, not links).  NULL when an existing part cannot be resolved.
 */
static char *real_path_ahead(const char *path)
{
	char *abs;
	if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		abs = xasprintf("%s/%s", cwd, path);
		free(cwd);
	}
	/* Cut components off the end until the rest exists. */
	size_t len = strlen(abs);
	char *real = NULL;
	for (;;) {
		char c = abs[len];
		abs[len] = '\0';
		real = realpath(len ? abs : "/", NULL);
		int err = errno;
		abs[len] = c;
		if (real)
			break;
		if (err != ENOENT || len == 0) {
			free(abs);
			return NULL;
		}
		while (len > 0 && abs[len - 1] == '/')
			len--;
		while (len > 0 && abs[len - 1] != '/')
			len--;
		while (len > 1 && abs[len - 1] == '/')
			len--;
	}
	struct buf b = BUF_INIT;
	buf_append(&b, real, strlen(real));
	free(real);
	for (const char *s = abs + len; *s;) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (b.len > 1 && b.data[b.len - 1] != '/')
				b.len--;
			if (b.len > 1)
				b.len--;
		} else {
			if (!(b.len == 1 && b.data[0] == '/'))
				buf_append(&b, "/", 1);
			buf_append(&b, s, n);
		}
		s += n;
	}
	buf_append(&b, "", 1);
	free(abs);
	return b.data;
}

int publish_check_apart(const char *out_dir, const char *keep_dir, const char *what,
			struct diags *d)
{
	char *out = real_path_ahead(out_dir);
	char *keep = realpath(keep_dir, NULL);
	int status = 0;
	if (out && keep) {
		const char *how = NULL;
		if (strcmp(out, keep) == 0)
			how = "is";
		else if (util_path_within(out, keep))
			how = "is inside";
		else if (util_path_within(keep, out))
			how = "holds";
		if (how) {
			diag_error(d, NULL, 0, 0, "refusing to build into %s: it %s the %s %s",
				   out_dir, how, what, keep_dir);
			diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
				 "the output folder is replaced as a whole; choose one outside "
				 "the %s", what);
			status = 2;
		}
	}
	free(out);
	free(keep);
	return status;
}

/*
 * Whether the existing folder base in parent_fd may be replaced: it is
 * empty but for dot files, or it holds evidence/manifest.json.
 * Returns an exit status (diagnostics on failure).
 */
static int check_replaceable(struct publish *p, struct diags *d)
{
	int fd = openat(p->parent_fd, p->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open output folder %s: %s", p->out_dir,
			   strerror(errno));
		return 3;
	}
	/* drgen's own output is recognised by a manifest drgen wrote, not by
	 * a file of that name (a planted "{}" must not make a plan
	 * replaceable). */
	struct buf manifest = BUF_INIT;
	const char *not_ours = NULL;
	int rerr = read_at(fd, EVIDENCE_MANIFEST, MANIFEST_MAX, &manifest);
	if (rerr == 0 && evidence_manifest_is_drgen(manifest.data, manifest.len, &not_ours)) {
		buf_free(&manifest);
		close(fd);
		return 0;
	}
	buf_free(&manifest);
	if (rerr == EFBIG)
		not_ours = "it is too large";
	else if (rerr == EINVAL || rerr == ELOOP)
		not_ours = "it is not a regular file";
	DIR *dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		diag_error(d, NULL, 0, 0, "cannot list output folder %s: %s", p->out_dir,
			   strerror(errno));
		return 3;
	}
	const char *foreign = NULL;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] != '.') {
			foreign = e->d_name;
			break;
		}
	}
	int status = 0;
	if (foreign && not_ours) {
		diag_error(d, NULL, 0, 0,
			   "refusing to replace output folder %s: it is not empty (it holds "
			   "\"%s\") and was not written by drgen (its %s is not drgen's: %s)",
			   p->out_dir, foreign, EVIDENCE_MANIFEST, not_ours);
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "choose another output folder, or empty or remove this one");
		status = 2;
	} else if (foreign) {
		diag_error(d, NULL, 0, 0,
			   "refusing to replace output folder %s: it is not empty (it holds "
			   "\"%s\") and was not written by drgen (no %s)",
			   p->out_dir, foreign, EVIDENCE_MANIFEST);
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "choose another output folder, or empty or remove this one");
		status = 2;
	}
	closedir(dir);
	return status;
}

/*
 * Removes staging folders of this output left by killed builds, and puts
 * back an old tree that a two-rename swap left behind with no output.
 */
static void clean_stale(struct publish *p, bool out_exists, struct diags *d)
{
	int fd = openat(p->parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (matches_pattern(e->d_name, p->base, STAGING_TAG) ||
		    matches_pattern(e->d_name, p->base, OLD_TAG)) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(dir);
	for (size_t i = 0; i < n; i++) {
		if (!out_exists && matches_pattern(names[i], p->base, OLD_TAG) &&
		    renameat(p->parent_fd, names[i], p->parent_fd, p->base) == 0) {
			diag_warning(d, NULL, 0, 0,
				     "restored output folder %s from an interrupted build", p->out_dir);
			out_exists = true;
			continue;
		}
		int sfd = openat(p->parent_fd, names[i],
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd >= 0 && flock(sfd, LOCK_EX | LOCK_NB) != 0) {
			close(sfd);  /* a live build's staging folder */
			continue;
		}
		int err = remove_tree_at(p->parent_fd, names[i], 0);
		if (err)
			diag_warning(d, NULL, 0, 0, "cannot remove stale staging folder %s/%s: %s",
				     p->parent, names[i], strerror(err));
		if (sfd >= 0)
			close(sfd);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Creates and locks the staging folder.  0 or errno. */
static int make_staging(struct publish *p)
{
	for (int attempt = 0; attempt < 10; attempt++) {
		char *name = make_unique_dir(p->parent_fd, p->base, STAGING_TAG);
		if (!name)
			return errno;
		int fd = openat(p->parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat a, b;
		/* Another build's clean-up may have taken it between mkdir and
		 * lock: the folder under our name must still be the one locked. */
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
		    fstatat(p->parent_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			p->staging_name = name;
			p->staging_fd = fd;
			return 0;
		}
		if (fd >= 0)
			close(fd);
		free(name);
	}
	return EAGAIN;
}

int publish_begin(const char *out_dir, struct publish **out, struct diags *d)
{
	int status = 0;
	*out = NULL;
	struct publish *p = xcalloc(1, sizeof(*p));
	p->parent_fd = p->staging_fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	p->out_dir = xstrdup(out_dir);
	size_t len = strlen(p->out_dir);
	while (len > 1 && p->out_dir[len - 1] == '/')
		p->out_dir[--len] = '\0';
	status = split_dir_path(out_dir, "output folder", &p->parent, &p->base, d);
	if (status)
		goto out;
	char *failed = NULL;
	int err = make_dirs_recorded(p->parent, &p->made_dirs, &p->n_made_dirs, &failed);
	if (err) {
		diag_error(d, NULL, 0, 0, "cannot create folder %s: %s",
			   failed ? failed : p->parent, strerror(err));
		free(failed);
		status = 3;
		goto out;
	}
	p->parent_fd = open(p->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->parent_fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open folder %s: %s", p->parent, strerror(errno));
		status = 3;
		goto out;
	}
	struct stat st;
	bool exists = fstatat(p->parent_fd, p->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!exists && errno != ENOENT) {
		diag_error(d, NULL, 0, 0, "cannot inspect output folder %s: %s", p->out_dir,
			   strerror(errno));
		status = 3;
		goto out;
	}
	if (exists && S_ISLNK(st.st_mode)) {
		diag_error(d, NULL, 0, 0,
			   "output folder %s is a symbolic link; give the folder it points to",
			   p->out_dir);
		status = 2;
		goto out;
	}
	if (exists && !S_ISDIR(st.st_mode)) {
		diag_error(d, NULL, 0, 0, "output path %s exists and is not a folder", p->out_dir);
		status = 2;
		goto out;
	}
	if (exists && (status = check_replaceable(p, d)) != 0)
		goto out;
	clean_stale(p, exists, d);
	/* What the output is now (clean_stale may have restored it), for
	 * publish_commit to see whether another build replaced it since. */
	p->had_out = fstatat(p->parent_fd, p->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	p->out_dev = p->had_out ? st.st_dev : 0;
	p->out_ino = p->had_out ? st.st_ino : 0;
	err = make_staging(p);
	if (err) {
		diag_error(d, NULL, 0, 0, "cannot create a staging folder in %s: %s", p->parent,
			   strerror(err));
		status = 3;
		goto out;
	}
	*out = p;
	return 0;
out:
	if (p->parent_fd >= 0 && p->staging_name)
		(void)remove_tree_at(p->parent_fd, p->staging_name, 0);
	remove_made_dirs(p);
	publish_free(p);
	return status;
}

/* Writes one new file in the staging folder.  0 or errno. */
/* Creates rel (and its folders) for writing; never replaces a file. */
static int open_new(int dirfd, const char *rel, int *fd_out)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, rel, flags, 0644);
	if (fd < 0 && errno == ENOENT && strchr(rel, '/')) {
		int err = make_parents_at(dirfd, rel);
		if (err)
			return err;
		fd = openat(dirfd, rel, flags, 0644);
	}
	*fd_out = fd;
	return fd < 0 ? errno : 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *s = data;
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_file(int dirfd, const char *rel, const void *data, size_t len)
{
	int fd;
	int err = open_new(dirfd, rel, &fd);
	if (err)
		return err;
	err = write_all(fd, data, len);
	if (close(fd) != 0 && !err)
		err = errno;
	return err;
}

/* Remembers a failed publish_write for publish_failed; returns false. */
static bool write_failed(struct publish *p)
{
	pthread_mutex_lock(&p->lock);
	p->write_failed = true;
	pthread_mutex_unlock(&p->lock);
	return false;
}

/* Whether drgen may write rel; a diagnostic and false when not. */
static bool check_output_path(struct publish *p, const char *rel, struct diags *d)
{
	const char *why = NULL;
	if (!evidence_path_valid(rel, &why)) {
		diag_error(d, NULL, 0, 0, "internal error: refusing output path \"%s\": it %s",
			   rel ? rel : "(null)", why);
		return write_failed(p);
	}
	if (evidence_is_reserved(rel)) {
		diag_error(d, NULL, 0, 0,
			   "internal error: output path \"%s\" is reserved for the evidence pack",
			   rel);
		return write_failed(p);
	}
	return true;
}

/* A diagnostic for a failed write of rel (err from open_new or write_all). */
static bool report_write_error(struct publish *p, const char *rel, int err,
			       struct diags *d)
{
	if (err == EEXIST)
		diag_error(d, NULL, 0, 0, "internal error: output file %s written twice", rel);
	else
		diag_error(d, NULL, 0, 0, "cannot write %s/%s: %s", p->out_dir, rel,
			   strerror(err));
	return write_failed(p);
}

/* Lists a staged file for the manifest (rel is copied). */
static void add_file(struct publish *p, const char *rel, uint64_t size,
		     const char sha256[65])
{
	struct evidence_file f = {.path = xstrdup(rel), .size = size};
	memcpy(f.sha256, sha256, 65);
	pthread_mutex_lock(&p->lock);
	if (p->n_files == p->cap_files) {
		p->cap_files = p->cap_files ? 2 * p->cap_files : 64;
		p->files = xrealloc(p->files, p->cap_files * sizeof(*p->files));
	}
	p->files[p->n_files++] = f;
	pthread_mutex_unlock(&p->lock);
}

struct evidence_file *publish_files(struct publish *p, size_t *n)
{
	struct evidence_file *copy;
	pthread_mutex_lock(&p->lock);
	*n = p->n_files;
	copy = xcalloc(p->n_files ? p->n_files : 1, sizeof(*copy));
	for (size_t i = 0; i < p->n_files; i++) {
		copy[i] = p->files[i];
		copy[i].path = xstrdup(p->files[i].path);
	}
	pthread_mutex_unlock(&p->lock);
	evidence_files_sort(copy, *n);
	return copy;
}

void publish_files_free(struct evidence_file *files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i].path);
	free(files);
}

bool publish_write(struct publish *p, const char *rel, const void *data, size_t len,
		   struct diags *d)
{
	char sha[65];
	if (!check_output_path(p, rel, d))
		return false;
	int err = write_file(p->staging_fd, rel, data, len);
	if (err)
		return report_write_error(p, rel, err, d);
	source_sha256_hex(data, len, sha);
	add_file(p, rel, len, sha);
	return true;
}

struct publish_stream {
	struct publish *p;
	char *rel;
	int fd;
	int err;                   /* the first write error, sticky */
	uint64_t size;
	struct source_hash *hash;
};

struct publish_stream *publish_stream_open(struct publish *p, const char *rel,
					   struct diags *d)
{
	int fd;
	if (!check_output_path(p, rel, d))
		return NULL;
	int err = open_new(p->staging_fd, rel, &fd);
	if (err) {
		report_write_error(p, rel, err, d);
		return NULL;
	}
	struct publish_stream *s = xcalloc(1, sizeof(*s));
	s->p = p;
	s->rel = xstrdup(rel);
	s->fd = fd;
	s->hash = source_hash_new();
	return s;
}

bool publish_stream_write(struct publish_stream *s, const void *data, size_t len)
{
	if (s->err)
		return false;
	s->err = write_all(s->fd, data, len);
	if (s->err)
		return false;
	source_hash_update(s->hash, data, len);
	s->size += len;
	return true;
}

bool publish_stream_close(struct publish_stream *s, bool keep, struct diags *d)
{
	return publish_stream_close_checked(s, keep, NULL, NULL, d);
}

bool publish_stream_close_checked(struct publish_stream *s, bool keep, const char *expect,
				  bool *mismatch, struct diags *d)
{
	char sha[65];
	bool ok = true;
	if (mismatch)
		*mismatch = false;
	if (!s)
		return false;
	if (close(s->fd) != 0 && !s->err)
		s->err = errno;
	source_hash_end(s->hash, sha);
	if (!s->err && keep && expect && strcmp(sha, expect) != 0) {
		keep = ok = false;
		if (mismatch)
			*mismatch = true;
	}
	if (s->err)
		ok = report_write_error(s->p, s->rel, s->err, d);
	else if (keep)
		add_file(s->p, s->rel, s->size, sha);
	if (!keep || !ok)
		(void)unlinkat(s->p->staging_fd, s->rel, 0);
	free(s->rel);
	free(s);
	return ok;
}

bool publish_failed(const struct publish *p)
{
	struct publish *q = (struct publish *)p;
	pthread_mutex_lock(&q->lock);
	bool failed = q->write_failed;
	pthread_mutex_unlock(&q->lock);
	return failed;
}

bool publish_staged_hash(const struct publish *p, const char *rel, char sha256[65],
			 uint64_t *size)
{
	struct publish *q = (struct publish *)p;
	bool found = false;
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->n_files && !found; i++) {
		if (strcmp(q->files[i].path, rel) == 0) {
			memcpy(sha256, q->files[i].sha256, 65);
			*size = q->files[i].size;
			found = true;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return found;
}

char *publish_staged_path(const struct publish *p, const char *rel)
{
	return xasprintf("%s/%s/%s", p->parent, p->staging_name, rel);
}

size_t publish_count(const struct publish *p)
{
	struct publish *q = (struct publish *)p;
	pthread_mutex_lock(&q->lock);
	size_t n = q->n_files;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void publish_abort(struct publish *p)
{
	if (!p)
		return;
	(void)remove_tree_at(p->parent_fd, p->staging_name, 0);
	remove_made_dirs(p);
	publish_free(p);
}

/* Writes manifest, SHA256SUMS and signature into the staging folder. */
static int write_evidence(struct publish *p, const struct evidence_manifest_info *info,
			  const char *sign_key, struct diags *d)
{
	int status = 0, err;
	struct buf manifest = BUF_INIT, sums = BUF_INIT;
	struct evidence_file *all = xcalloc(p->n_files + 1, sizeof(*all));
	evidence_files_sort(p->files, p->n_files);
	for (size_t i = 1; i < p->n_files; i++)
		if (strcmp(p->files[i - 1].path, p->files[i].path) == 0) {
			diag_error(d, NULL, 0, 0, "internal error: output file %s written twice",
				   p->files[i].path);
			status = 3;
			goto out;
		}
	evidence_manifest_write(&manifest, info, p->files, p->n_files);
	if ((err = write_file(p->staging_fd, EVIDENCE_MANIFEST, manifest.data, manifest.len))) {
		diag_error(d, NULL, 0, 0, "cannot write %s/%s: %s", p->out_dir, EVIDENCE_MANIFEST,
			   strerror(err));
		status = 3;
		goto out;
	}
	memcpy(all, p->files, p->n_files * sizeof(*all));
	all[p->n_files].path = EVIDENCE_MANIFEST;
	all[p->n_files].size = manifest.len;
	source_sha256_hex(manifest.data, manifest.len, all[p->n_files].sha256);
	evidence_files_sort(all, p->n_files + 1);
	evidence_sums_write(&sums, all, p->n_files + 1);
	if ((err = write_file(p->staging_fd, EVIDENCE_SUMS, sums.data, sums.len))) {
		diag_error(d, NULL, 0, 0, "cannot write %s/%s: %s", p->out_dir, EVIDENCE_SUMS,
			   strerror(err));
		status = 3;
		goto out;
	}
	if (sign_key) {
		unsigned char sig[EVIDENCE_SIG_LEN];
		if (!evidence_sign(sign_key, manifest.data, manifest.len, sig, d)) {
			status = 2;
			goto out;
		}
		if ((err = write_file(p->staging_fd, EVIDENCE_SIG, sig, sizeof(sig)))) {
			diag_error(d, NULL, 0, 0, "cannot write %s/%s: %s", p->out_dir,
				   EVIDENCE_SIG, strerror(err));
			status = 3;
			goto out;
		}
	}
out:
	free(all);
	buf_free(&manifest);
	buf_free(&sums);
	return status;
}

/* Copies the previous output's top-level dot entries into the staging
 * folder.  Returns an exit status. */
static int carry_dot_files(struct publish *p, struct diags *d)
{
	int fd = openat(p->parent_fd, p->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;  /* first build */
	if (fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open %s: %s", p->out_dir, strerror(errno));
		return 3;
	}
	DIR *dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		diag_error(d, NULL, 0, 0, "cannot list %s: %s", p->out_dir, strerror(errno));
		return 3;
	}
	struct copy_ctx c = {.keep_links = true, .shown = p->out_dir, .d = d};
	struct dirent *e;
	while (!c.err && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		copy_entry(&c, dirfd(dir), p->staging_fd, e->d_name, e->d_name, 0);
	}
	closedir(dir);
	return c.err ? 3 : 0;
}

/* Puts the staging folder in place of the output.  Returns an exit status;
 * on success *old_name names the previous tree to delete (or NULL). */
static int swap_in(struct publish *p, char **old_name, struct diags *d)
{
	*old_name = NULL;
	if (renameat2(p->parent_fd, p->staging_name, p->parent_fd, p->base, RENAME_EXCHANGE) == 0) {
		*old_name = xstrdup(p->staging_name);
		return 0;
	}
	if (errno == ENOENT) {
		/* No previous output. */
		if (renameat2(p->parent_fd, p->staging_name, p->parent_fd, p->base,
			      RENAME_NOREPLACE) == 0)
			return 0;
		if ((errno == EINVAL || errno == ENOSYS) &&
		    renameat(p->parent_fd, p->staging_name, p->parent_fd, p->base) == 0)
			return 0;
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* No RENAME_EXCHANGE here: move the old tree aside first.
		 * Renaming onto the fresh empty folder is atomic. */
		char *aside = make_unique_dir(p->parent_fd, p->base, OLD_TAG);
		if (aside && renameat(p->parent_fd, p->base, p->parent_fd, aside) == 0) {
			if (renameat(p->parent_fd, p->staging_name, p->parent_fd, p->base) == 0) {
				*old_name = aside;
				return 0;
			}
			int err = errno;
			(void)renameat(p->parent_fd, aside, p->parent_fd, p->base);
			errno = err;
		} else if (aside) {
			int err = errno;
			(void)unlinkat(p->parent_fd, aside, AT_REMOVEDIR);
			errno = err;
		}
		free(aside);
	}
	diag_error(d, NULL, 0, 0, "cannot put the new output in place at %s: %s", p->out_dir,
		   strerror(errno));
	return 3;
}

int publish_commit(struct publish *p, const struct evidence_manifest_info *info,
		   const char *sign_key, struct diags *d)
{
	char *old_name = NULL;
	bool locked = false;
	int status = write_evidence(p, info, sign_key, d);
	if (status)
		goto fail;
	/* Builds into outputs of one parent folder swap one at a time (the
	 * lock on the parent is held only from here to the swap), and a build
	 * whose output was replaced by another one since it began refuses:
	 * the output is always one whole build, the first to finish. */
	while (flock(p->parent_fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			diag_error(d, NULL, 0, 0, "cannot lock folder %s: %s", p->parent,
				   strerror(errno));
			status = 3;
			goto fail;
		}
	}
	locked = true;
	struct stat st;
	bool has_out = fstatat(p->parent_fd, p->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (has_out != p->had_out ||
	    (has_out && (st.st_dev != p->out_dev || st.st_ino != p->out_ino))) {
		diag_error(d, NULL, 0, 0,
			   "output folder %s was replaced by another build while this one ran; "
			   "it was left as that build wrote it", p->out_dir);
		status = 3;
		goto fail;
	}
	if ((status = carry_dot_files(p, d)) != 0)
		goto fail;
	/* One syncfs flushes every staged file and folder; far cheaper than
	 * an fsync per file for thousands of runbooks. */
	if (syncfs(p->staging_fd) != 0 || fsync(p->staging_fd) != 0) {
		diag_error(d, NULL, 0, 0, "cannot flush the staged output of %s: %s", p->out_dir,
			   strerror(errno));
		status = 3;
		goto fail;
	}
	if ((status = swap_in(p, &old_name, d)) != 0)
		goto fail;
	(void)flock(p->parent_fd, LOCK_UN);
	locked = false;
	if (fsync(p->parent_fd) != 0)
		diag_warning(d, NULL, 0, 0, "cannot flush folder %s: %s", p->parent, strerror(errno));
	if (old_name) {
		int err = remove_tree_at(p->parent_fd, old_name, 0);
		if (err)
			diag_warning(d, NULL, 0, 0, "cannot remove the previous output %s/%s: %s",
				     p->parent, old_name, strerror(err));
		free(old_name);
	}
	publish_free(p);
	return 0;
fail:
	if (locked)
		(void)flock(p->parent_fd, LOCK_UN);
	publish_abort(p);
	return status;
}

/* ---- verify ----------------------------------------------------------- */

struct found {
	char *path;
	bool regular;
};

struct found_list {
	struct found *v;
	size_t n, cap;
	int err;
};

static int found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	return strcmp(x->path, y->path);
}

/* Lists every non-folder entry under dirfd, without following links and
 * skipping top-level dot entries and the evidence pack's own files. */
static void walk(int dirfd, const char *prefix, int depth, struct found_list *l,
		 const char *out_dir, struct diags *d)
{
	int fd = dup(dirfd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir || depth > MAX_DEPTH) {
		int err = depth > MAX_DEPTH ? ELOOP : errno;
		if (dir)
			closedir(dir);
		else if (fd >= 0)
			close(fd);
		diag_error(d, NULL, 0, 0, "cannot list %s/%s: %s", out_dir, prefix, strerror(err));
		l->err = err;
		return;
	}
	rewinddir(dir);
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || (depth == 0 && name[0] == '.'))
			continue;
		char *path = depth ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			diag_error(d, NULL, 0, 0, "cannot inspect %s/%s: %s", out_dir, path,
				   strerror(errno));
			l->err = errno;
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				diag_error(d, NULL, 0, 0, "cannot open %s/%s: %s", out_dir, path,
					   strerror(errno));
				l->err = errno;
			} else {
				walk(sub, path, depth + 1, l, out_dir, d);
				close(sub);
			}
			free(path);
			continue;
		}
		if (evidence_is_reserved(path)) {
			free(path);
			continue;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 256;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = (struct found){path, S_ISREG(st.st_mode)};
	}
	closedir(dir);
}

/* Reads a small file of the output folder whole.  0 or errno (ENOENT when
 * missing, EFBIG above limit). */
static int read_at(int dirfd, const char *rel, size_t limit, struct buf *b)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = 0;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > limit) {
		err = EFBIG;
		goto out;
	}
	char chunk[16 << 10];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out;
		}
		if (n == 0)
			break;
		if (b->len + (size_t)n > limit) {
			err = EFBIG;
			goto out;
		}
		buf_append(b, chunk, (size_t)n);
	}
out:
	close(fd);
	return err;
}

/* Checks evidence/manifest.sig.  Returns an exit status. */
static int verify_signature(int out_fd, const char *out_dir, const char *pub_key,
			    const struct buf *manifest, struct diags *d)
{
	struct buf sig = BUF_INIT;
	int status = 0;
	int err = read_at(out_fd, EVIDENCE_SIG, 4096, &sig);
	if (err == ENOENT) {
		diag_error(d, NULL, 0, 0,
			   "evidence check failed: %s is missing (the output was built without --sign)",
			   EVIDENCE_SIG);
		status = 2;
	} else if (err) {
		diag_error(d, NULL, 0, 0, "cannot read %s/%s: %s", out_dir, EVIDENCE_SIG,
			   strerror(err));
		status = err == EFBIG || err == EINVAL ? 2 : 3;
	} else {
		int r = evidence_sig_check(pub_key, manifest->data, manifest->len,
					   (const unsigned char *)sig.data, sig.len, d);
		if (r < 0) {
			status = 2;
		} else if (r > 0) {
			diag_error(d, NULL, 0, 0,
				   "evidence check failed: %s is not a valid signature of %s for the "
				   "key %s (the manifest was changed or signed with another key)",
				   EVIDENCE_SIG, EVIDENCE_MANIFEST, pub_key);
			status = 2;
		}
	}
	buf_free(&sig);
	return status;
}

/* Checks that SHA256SUMS says what the manifest says.  Exit status. */
static int verify_sums(int out_fd, const char *out_dir, const struct evidence_manifest *m,
		       const struct buf *manifest, struct publish_verify_report *r,
		       struct diags *d)
{
	struct buf want = BUF_INIT, have = BUF_INIT;
	struct evidence_file *all = xcalloc(m->n_outputs + 1, sizeof(*all));
	int status = 0;
	memcpy(all, m->outputs, m->n_outputs * sizeof(*all));
	all[m->n_outputs].path = EVIDENCE_MANIFEST;
	source_sha256_hex(manifest->data, manifest->len, all[m->n_outputs].sha256);
	evidence_files_sort(all, m->n_outputs + 1);
	evidence_sums_write(&want, all, m->n_outputs + 1);
	int err = read_at(out_fd, EVIDENCE_SUMS, (size_t)want.len + (1u << 20), &have);
	if (err == ENOENT) {
		diag_error(d, NULL, 0, 0, "evidence check failed: %s is missing", EVIDENCE_SUMS);
		r->missing++;
		status = 2;
	} else if (err == EFBIG || (!err && (have.len != want.len ||
					     memcmp(have.data, want.data, want.len) != 0))) {
		diag_error(d, NULL, 0, 0,
			   "evidence check failed: %s was changed (it no longer matches %s)",
			   EVIDENCE_SUMS, EVIDENCE_MANIFEST);
		r->changed++;
		status = 2;
	} else if (err) {
		diag_error(d, NULL, 0, 0, "cannot read %s/%s: %s", out_dir, EVIDENCE_SUMS,
			   strerror(err));
		status = 3;
	}
	free(all);
	buf_free(&want);
	buf_free(&have);
	return status;
}

/*
 * The first component of rel inside dirfd that is a symbolic link (its
 * path, caller frees), or NULL.  Looks at each component with lstat
 * semantics, stopping at the first link, so no link is ever followed.
 */
static char *first_link_at(int dirfd, const char *rel)
{
	char *p = xstrdup(rel);
	for (char *s = p;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		struct stat st;
		if (fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) != 0)
			break;
		if (S_ISLNK(st.st_mode))
			return p;
		if (c == '\0' || !S_ISDIR(st.st_mode))
			break;
		*s = c;
	}
	free(p);
	return NULL;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

/* Compares one listed output with the file found.  Exit status. */
static int verify_one(int out_fd, const char *out_dir, const struct evidence_file *want,
		      struct publish_verify_report *r, struct diags *d)
{
	int fd = openat(out_fd, want->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open %s/%s: %s", out_dir, want->path,
			   strerror(errno));
		return 3;
	}
	char sha[65] = "";
	uint64_t size = 0;
	int err = evidence_hash_fd(fd, sha, &size);
	close(fd);
	if (err) {
		diag_error(d, NULL, 0, 0, "cannot read %s/%s: %s", out_dir, want->path, strerror(err));
		return 3;
	}
	r->files_checked++;
	if (strcmp(sha, want->sha256) != 0 || size != want->size) {
		diag_error(d, NULL, 0, 0,
			   "evidence check failed: %s was changed (sha256 %s, expected %s)",
			   want->path, sha, want->sha256);
		r->changed++;
		return 2;
	}
	return 0;
}

int publish_verify(const char *out_dir, const char *pub_key, struct diags *d,
		   struct publish_verify_report *report)
{
	struct publish_verify_report dummy = {0};
	struct publish_verify_report *r = report ? report : &dummy;
	memset(r, 0, sizeof(*r));
	struct buf manifest = BUF_INIT;
	struct evidence_manifest m = {0};
	struct found_list l = {0};
	int status = 0;
	char *shown = xasprintf("%s/%s", out_dir, EVIDENCE_MANIFEST);
	int out_fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out_fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open output folder %s: %s", out_dir,
			   strerror(errno));
		status = errno == ENOENT || errno == ENOTDIR ? 2 : 3;
		goto out;
	}
	char *link = first_link_at(out_fd, EVIDENCE_MANIFEST);
	if (link) {
		diag_error(d, NULL, 0, 0,
			   "evidence check failed: %s/%s is a symbolic link (verify reads "
			   "nothing through links)", out_dir, link);
		free(link);
		status = 2;
		goto out;
	}
	int err = read_at(out_fd, EVIDENCE_MANIFEST, MANIFEST_MAX, &manifest);
	if (err == ENOENT) {
		diag_error(d, NULL, 0, 0,
			   "evidence check failed: %s is missing (was %s built by drgen?)", shown,
			   out_dir);
		status = 2;
		goto out;
	} else if (err) {
		diag_error(d, NULL, 0, 0, "cannot read %s: %s", shown, strerror(err));
		status = err == EFBIG || err == EINVAL ? 2 : 3;
		goto out;
	}
	r->signed_pack = faccessat(out_fd, EVIDENCE_SIG, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if (pub_key) {
		status = verify_signature(out_fd, out_dir, pub_key, &manifest, d);
		r->signature_checked = status == 0;
	} else if (faccessat(out_fd, EVIDENCE_SIG, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
			 "%s was not checked (give --key PUB to check it)", EVIDENCE_SIG);
	}
	if (!evidence_manifest_parse(manifest.data, manifest.len, shown, &m, d)) {
		status = worse(status, 2);
		goto out;
	}
	if (m.fingerprint) {
		snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", m.fingerprint);
		if (!m.fingerprint_matches) {
			diag_error(d, NULL, 0, 0,
				   "evidence check failed: the report fingerprint %s in %s is not the "
				   "one its inputs, rules and templates give", r->fingerprint, shown);
			status = worse(status, 2);
		}
	}
	walk(out_fd, "", 0, &l, out_dir, d);
	if (l.err)
		status = 3;
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), found_cmp);
	/* Merge the two sorted lists: diagnostics come out in path order. */
	size_t i = 0, j = 0;
	while (i < m.n_outputs || j < l.n) {
		int c = i == m.n_outputs ? 1 : j == l.n ? -1 : strcmp(m.outputs[i].path, l.v[j].path);
		if (c < 0) {
			char *via = first_link_at(out_fd, m.outputs[i].path);
			if (via)
				diag_error(d, NULL, 0, 0,
					   "evidence check failed: %s is missing (%s is a "
					   "symbolic link, which verify does not follow)",
					   m.outputs[i].path, via);
			else
				diag_error(d, NULL, 0, 0, "evidence check failed: %s is missing",
					   m.outputs[i].path);
			free(via);
			r->missing++;
			status = worse(status, 2);
			i++;
		} else if (c > 0) {
			diag_error(d, NULL, 0, 0,
				   "evidence check failed: %s was added (it is not in the manifest)",
				   l.v[j].path);
			r->added++;
			status = worse(status, 2);
			j++;
		} else if (!l.v[j].regular) {
			diag_error(d, NULL, 0, 0,
				   "evidence check failed: %s was changed (it is no longer a regular "
				   "file)",
				   m.outputs[i].path);
			r->changed++;
			status = worse(status, 2);
			i++, j++;
		} else {
			status = worse(status, verify_one(out_fd, out_dir, &m.outputs[i], r, d));
			i++, j++;
		}
	}
	status = worse(status, verify_sums(out_fd, out_dir, &m, &manifest, r, d));
out:
	if (out_fd >= 0)
		close(out_fd);
	for (size_t k = 0; k < l.n; k++)
		free(l.v[k].path);
	free(l.v);
	evidence_manifest_free(&m);
	buf_free(&manifest);
	free(shown);
	return status;
}

/* ---- init ------------------------------------------------------------- */

int publish_copy_tree(const char *src, const char *dst, struct diags *d)
{
	int status = 0, src_fd = -1, parent_fd = -1, stage_fd = -1, err;
	char *parent = NULL, *base = NULL, *stage = NULL;
	struct stat st;
	if ((status = split_dir_path(dst, "folder", &parent, &base, d)) != 0)
		goto out;
	src_fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src_fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open folder %s: %s", src, strerror(errno));
		status = 3;
		goto out;
	}
	if ((err = make_dirs(parent)) != 0) {
		diag_error(d, NULL, 0, 0, "cannot create folder %s: %s", parent, strerror(err));
		status = 3;
		goto out;
	}
	parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot open folder %s: %s", parent, strerror(errno));
		status = 3;
		goto out;
	}
	bool exists = fstatat(parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !S_ISDIR(st.st_mode)) {
		diag_error(d, NULL, 0, 0, "%s exists and is not a folder", dst);
		status = 2;
		goto out;
	}
	if (exists) {
		int fd = openat(parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *dir = fd < 0 ? NULL : fdopendir(fd);
		bool empty = true;
		struct dirent *e;
		while (dir && (e = readdir(dir)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				empty = false;
		if (dir)
			closedir(dir);
		else if (fd >= 0)
			close(fd);
		if (!dir) {
			diag_error(d, NULL, 0, 0, "cannot open folder %s: %s", dst, strerror(errno));
			status = 3;
			goto out;
		}
		if (!empty) {
			diag_error(d, NULL, 0, 0, "refusing to write into %s: the folder is not empty",
				   dst);
			status = 2;
			goto out;
		}
	}
	stage = make_unique_dir(parent_fd, base, STAGING_TAG);
	stage_fd = !stage ? -1
			  : openat(parent_fd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (stage_fd < 0 || flock(stage_fd, LOCK_EX | LOCK_NB) != 0) {
		diag_error(d, NULL, 0, 0, "cannot create a staging folder in %s: %s", parent,
			   strerror(errno));
		status = 3;
		goto out;
	}
	struct copy_ctx c = {.keep_links = false, .shown = src, .d = d};
	copy_dir_contents(&c, src_fd, stage_fd, "", 0);
	if (c.err) {
		status = 3;
		goto out;
	}
	if (syncfs(stage_fd) != 0) {
		diag_error(d, NULL, 0, 0, "cannot flush %s: %s", dst, strerror(errno));
		status = 3;
		goto out;
	}
	/* Onto an empty folder a plain rename is atomic; otherwise refuse to
	 * replace whatever appeared meanwhile. */
	if (exists ? renameat(parent_fd, stage, parent_fd, base) != 0
		   : renameat2(parent_fd, stage, parent_fd, base, RENAME_NOREPLACE) != 0 &&
			     (errno != EINVAL ||
			      renameat(parent_fd, stage, parent_fd, base) != 0)) {
		diag_error(d, NULL, 0, 0, "cannot create %s: %s", dst, strerror(errno));
		status = errno == EEXIST || errno == ENOTEMPTY ? 2 : 3;
		goto out;
	}
	free(stage);
	stage = NULL;
	(void)fsync(parent_fd);
out:
	if (stage && parent_fd >= 0)
		(void)remove_tree_at(parent_fd, stage, 0);
	if (stage_fd >= 0)
		close(stage_fd);
	if (parent_fd >= 0)
		close(parent_fd);
	if (src_fd >= 0)
		close(src_fd);
	free(stage);
	free(parent);
	free(base);
	return status;
}
