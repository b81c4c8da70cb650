/*
 * source.c -- reading inputs, confined to the plan directory.
 *
 * Paths are checked twice: lexically (no absolute paths, no ".." above the
 * root) and physically (the real path of an existing file must lie under
 * the real path of the root, so a symbolic link cannot lead outside).
 * Every file read is hashed here and remembered for the manifest.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct source_set {
	char *root;       /* as given, without trailing slash */
	char *real_root;  /* realpath of root, or NULL if it does not exist */
	struct source_input *inputs;
	size_t n_inputs, cap_inputs;
	pthread_mutex_t lock;
};

struct source_set *source_set_new(const char *root)
{
	struct source_set *s = xcalloc(1, sizeof(*s));
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	s->root = xstrndup(root, len);
	s->real_root = realpath(s->root, NULL);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void source_set_free(struct source_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_inputs; i++) {
		free(s->inputs[i].path);
		free(s->inputs[i].kind);
	}
	free(s->inputs);
	free(s->root);
	free(s->real_root);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *source_root(const struct source_set *s)
{
	return s->root;
}

char *source_display_path(const struct source_set *s, const char *rel)
{
	if (strcmp(s->root, ".") == 0)
		return xstrdup(rel);
	return xasprintf("%s/%s", s->root, rel);
}

static void hex32(const unsigned char md[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

void source_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex32(md, out);
}

/* An EVP context: OpenSSL picks the SHA-NI code where the CPU has it. */
struct source_hash {
	EVP_MD_CTX *ctx;
};

struct source_hash *source_hash_new(void)
{
	struct source_hash *h = xcalloc(1, sizeof(*h));
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
		abort();  /* out of memory inside libcrypto: xmalloc aborts too */
	return h;
}

void source_hash_update(struct source_hash *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void source_hash_end(struct source_hash *h, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex(h->ctx, md, &n);
	hex32(md, out);
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

bool source_utf8_valid(const char *data, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3, min = 0x10000;
		} else {
			goto bad;
		}
		unsigned cp = c & (0x3F >> n);
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return true;
bad:
	if (bad_offset)
		*bad_offset = i;
	return false;
}

/* Line and column (1-based, bytes) of offset in data. */
static void offset_position(const char *data, size_t off, int *line, int *col)
{
	int l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++) {
		if (data[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*col = (int)(off - start) + 1;
}

/* How read_whole opens: whether a symbolic link as the last component is refused. */
enum { READ_FOLLOW = 0, READ_NOFOLLOW = 1 };

/*
 * Reads path whole.  The file is checked to be regular before it is opened
 * (stat, so a FIFO or a device is never opened), opened with O_NONBLOCK (a
 * FIFO swapped in after the stat cannot block either) and checked again
 * with fstat to be the same regular file.
 */
static bool read_whole(const char *path, const char *display, size_t limit,
		       int how, struct source_file *out, struct diags *d)
{
	bool ok = false;
	struct stat pre, st;
	int rc = how == READ_NOFOLLOW ? lstat(path, &pre) : stat(path, &pre);
	if (rc != 0) {
		diag_error(d, display, 0, 0, "cannot open file: %s", strerror(errno));
		return false;
	}
	if (S_ISLNK(pre.st_mode)) {
		diag_error(d, display, 0, 0,
			   "file is a symbolic link; name the file it leads to");
		return false;
	}
	if (!S_ISREG(pre.st_mode)) {
		diag_error(d, display, 0, 0, "not a regular file");
		return false;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
			    (how == READ_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0) {
		diag_error(d, display, 0, 0, "cannot open file: %s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != pre.st_dev || st.st_ino != pre.st_ino) {
		diag_error(d, display, 0, 0, "not a regular file");
		goto out_close;
	}
	if ((uint64_t)st.st_size > limit) {
		diag_error(d, display, 0, 0,
			   "file is too large: %lld bytes, the limit is %zu bytes",
			   (long long)st.st_size, limit);
		goto out_close;
	}
	size_t size = (size_t)st.st_size;
	char *data = xmalloc(size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, data + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_error(d, display, 0, 0, "cannot read file: %s",
				   n < 0 ? strerror(errno) : "file shrank while reading");
			free(data);
			goto out_close;
		}
		got += (size_t)n;
	}
	data[size] = '\0';
	out->path = xstrdup(display);
	out->data = data;
	out->len = size;
	ok = true;
out_close:
	close(fd);
	return ok;
}

/* Checks emptiness and UTF-8, and strips a BOM. */
static bool check_text(struct source_file *f, struct diags *d)
{
	size_t bad;
	if (f->len >= 3 && memcmp(f->data, "\xEF\xBB\xBF", 3) == 0) {
		memmove(f->data, f->data + 3, f->len - 2);
		f->len -= 3;
	}
	size_t i = 0;
	while (i < f->len && (f->data[i] == ' ' || f->data[i] == '\n' ||
			      f->data[i] == '\r' || f->data[i] == '\t'))
		i++;
	if (i == f->len) {
		diag_error(d, f->path, 0, 0, "file is empty");
		return false;
	}
	if (memchr(f->data, '\0', f->len)) {
		size_t off = (size_t)((char *)memchr(f->data, '\0', f->len) - f->data);
		int line, col;
		offset_position(f->data, off, &line, &col);
		diag_error(d, f->path, line, col, "file contains a NUL byte; expected text");
		return false;
	}
	if (!source_utf8_valid(f->data, f->len, &bad)) {
		int line, col;
		offset_position(f->data, bad, &line, &col);
		diag_error(d, f->path, line, col, "invalid UTF-8 byte 0x%02x; expected UTF-8 text",
			   (unsigned char)f->data[bad]);
		return false;
	}
	return true;
}

static bool read_text(const char *path, const char *display, size_t limit,
		      int how, struct source_file *out, struct diags *d)
{
	memset(out, 0, sizeof(*out));
	if (!read_whole(path, display, limit, how, out, d))
		return false;
	if (!check_text(out, d)) {
		source_file_free(out);
		return false;
	}
	return true;
}

bool source_read_path(const char *path, size_t limit, struct source_file *out,
		      struct diags *d)
{
	return read_text(path, path, limit, READ_FOLLOW, out, d);
}

bool source_read_unlinked(const char *path, size_t limit,
			  struct source_file *out, struct diags *d)
{
	return read_text(path, path, limit, READ_NOFOLLOW, out, d);
}

/*
 * The real path of path when, through symbolic links, it lies inside the
 * folder whose real path is real_root; NULL otherwise.  *exists says
 * whether path could be resolved at all (a missing file is not "outside").
 */
static char *real_inside(const char *real_root, const char *path, bool *exists)
{
	char *real = realpath(path, NULL);
	*exists = real != NULL;
	if (!real || !real_root)
		goto out_free;
	if (util_path_within(real, real_root))
		return real;
out_free:
	free(real);
	return NULL;
}

bool source_path_inside(const char *dir, const char *path)
{
	char *rd = realpath(dir, NULL);
	bool exists;
	char *rp = real_inside(rd, path, &exists);
	bool ok = rp != NULL;
	free(rd);
	free(rp);
	return ok;
}

bool source_read_under(const char *dir, const char *path, size_t limit,
		       struct source_file *out, struct diags *d)
{
	memset(out, 0, sizeof(*out));
	char *rd = realpath(dir, NULL);
	bool exists, ok;
	char *rp = real_inside(rd, path, &exists);
	if (rp) {
		/* Open what was checked, not the link again: no swap between. */
		ok = read_text(rp, path, limit, READ_NOFOLLOW, out, d);
	} else if (!exists || !rd) {
		ok = read_text(path, path, limit, READ_FOLLOW, out, d);  /* says why */
	} else {
		diag_error(d, path, 0, 0,
			   "file leads outside the folder %s through a symbolic link", dir);
		ok = false;
	}
	free(rd);
	free(rp);
	return ok;
}

void source_file_free(struct source_file *f)
{
	free(f->path);
	free(f->data);
	f->path = f->data = NULL;
	f->len = 0;
}

void source_record(struct source_set *s, const char *rel, const char *kind,
		   const char sha256[65], uint64_t size)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_inputs; i++) {
		if (strcmp(s->inputs[i].path, rel) == 0)
			goto out;  /* read twice (e.g. a shared runbook): list once */
	}
	if (s->n_inputs == s->cap_inputs) {
		s->cap_inputs = s->cap_inputs ? s->cap_inputs * 2 : 32;
		s->inputs = xrealloc(s->inputs, s->cap_inputs * sizeof(*s->inputs));
	}
	struct source_input *in = &s->inputs[s->n_inputs++];
	in->path = xstrdup(rel);
	in->kind = xstrdup(kind);
	memcpy(in->sha256, sha256, 65);
	in->size = size;
out:
	pthread_mutex_unlock(&s->lock);
}

static int input_cmp(const void *a, const void *b)
{
	return strcmp(((const struct source_input *)a)->path,
		      ((const struct source_input *)b)->path);
}

size_t source_inputs(struct source_set *s, const struct source_input **out)
{
	pthread_mutex_lock(&s->lock);
	qsort(s->inputs, s->n_inputs, sizeof(*s->inputs), input_cmp);
	pthread_mutex_unlock(&s->lock);
	*out = s->inputs;
	return s->n_inputs;
}

/* Whether the existing file root/rel really lies inside the root. */
static bool physically_inside(const struct source_set *s, const char *rel)
{
	char *full = xasprintf("%s/%s", s->root, rel);
	bool exists;
	char *real = real_inside(s->real_root, full, &exists);
	bool inside = real != NULL || !exists;  /* missing: reading it will say so */
	free(full);
	free(real);
	return inside;
}

bool source_inside(const struct source_set *s, const char *rel)
{
	return physically_inside(s, rel);
}

char *source_resolve(struct source_set *s, const char *from, const char *rel,
		     struct diags *d, const char *file, int line, const char *where)
{
	struct buf joined = BUF_INIT;
	char *result = NULL;
	/* rel comes from the plan: quoted, so no control byte enters a message. */
	char quoted[128];
	const char *q = diag_quote(quoted, sizeof(quoted), rel, 96);
	if (rel[0] == '\0' || rel[0] == '/' || strchr(rel, '\\')) {
		diag_add(d, DIAG_ERROR, file, line, 0, where,
			 "path %s must be relative to the plan directory", q);
		goto out;
	}
	if (from) {
		const char *slash = strrchr(from, '/');
		if (slash)
			buf_append(&joined, from, (size_t)(slash - from + 1));
	}
	buf_puts(&joined, rel);

	/* Lexical normalisation: a stack of components. */
	struct buf norm = BUF_INIT;
	char *save = NULL;
	for (char *part = strtok_r(joined.data, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			if (norm.len == 0) {
				diag_add(d, DIAG_ERROR, file, line, 0, where,
					 "path %s leaves the plan directory", q);
				buf_free(&norm);
				goto out;
			}
			char *last = strrchr(norm.data, '/');
			norm.len = last ? (size_t)(last - norm.data) : 0;
			norm.data[norm.len] = '\0';
			continue;
		}
		if (norm.len)
			buf_putc(&norm, '/');
		buf_puts(&norm, part);
	}
	if (norm.len == 0) {
		diag_add(d, DIAG_ERROR, file, line, 0, where,
			 "path %s names the plan directory itself, not a file", q);
		buf_free(&norm);
		goto out;
	}
	if (!physically_inside(s, norm.data)) {
		diag_add(d, DIAG_ERROR, file, line, 0, where,
			 "path %s leads outside the plan directory through a symbolic link", q);
		buf_free(&norm);
		goto out;
	}
	result = buf_detach(&norm, NULL);
out:
	buf_free(&joined);
	return result;
}

bool source_read(struct source_set *s, const char *rel, const char *kind,
		 size_t limit, struct source_file *out, struct diags *d)
{
	memset(out, 0, sizeof(*out));
	char *display = source_display_path(s, rel);
	char *full = xasprintf("%s/%s", s->root, rel);
	bool ok = false, exists;
	char *real = real_inside(s->real_root, full, &exists);
	if (!real && exists) {
		diag_error(d, display, 0, 0,
			   "file leads outside the plan directory through a symbolic link");
		goto out;
	}
	/* Open what was checked, not the link again: no swap between. */
	if (!read_whole(real ? real : full, display, limit,
			real ? READ_NOFOLLOW : READ_FOLLOW, out, d))
		goto out;
	char sha[65];
	source_sha256_hex(out->data, out->len, sha);
	source_record(s, rel, kind, sha, out->len);
	if (!check_text(out, d)) {
		source_file_free(out);
		goto out;
	}
	ok = true;
out:
	free(real);
	free(display);
	free(full);
	return ok;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t source_list(struct source_set *s, const char *subdir, const char *suffix,
		   char ***names, struct diags *d)
{
	*names = NULL;
	char *dir = xasprintf("%s/%s", s->root, subdir);
	DIR *dp = opendir(dir);
	size_t n = 0, cap = 0;
	if (!dp) {
		if (errno != ENOENT) {
			char *display = source_display_path(s, subdir);
			diag_error(d, display, 0, 0, "cannot list folder: %s", strerror(errno));
			free(display);
		}
		goto out;
	}
	size_t slen = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= slen ||
		    strcmp(e->d_name + len - slen, suffix) != 0)
			continue;
		char *rel = xasprintf("%s/%s", subdir, e->d_name);
		char *full = xasprintf("%s/%s", s->root, rel);
		/*
		 * Streaming loaders open listed files themselves: check here,
		 * where the link first (nothing outside is even looked at),
		 * then that it is a regular file (a FIFO would block them).
		 */
		const char *problem = NULL;
		int err = 0;
		struct stat st;
		if (!physically_inside(s, rel))
			problem = "file leads outside the plan directory through a symbolic link";
		else if (stat(full, &st) != 0)
			err = errno;
		else if (!S_ISREG(st.st_mode))
			problem = "not a regular file";
		free(full);
		if (problem || err) {
			char *display = source_display_path(s, rel);
			if (err)
				diag_error(d, display, 0, 0, "cannot open file: %s", strerror(err));
			else
				diag_error(d, display, 0, 0, "%s", problem);
			free(display);
			free(rel);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[n++] = rel;
	}
	closedir(dp);
	if (n)
		qsort(*names, n, sizeof(**names), name_cmp);
out:
	free(dir);
	return n;
}

void source_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
