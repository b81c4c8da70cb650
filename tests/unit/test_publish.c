/* test_publish.c -- staging, atomic swap, evidence manifest, signatures, verify. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "diag.h"
#include "evidence.h"
#include "publish.h"
#include "source.h"
#include "util.h"

/* ---- helpers ---------------------------------------------------------- */

static char *tmp_root;  /* one folder per test, removed afterwards */

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPBASE");
	tmp_root = xasprintf("%s/publish.XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(tmp_root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(tmp_root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp_root);
	return 0;
}

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", tmp_root, rel);
}

static void put_file(const char *rel, const char *text)
{
	char *p = path_in(rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static char *get_file(const char *rel, size_t *len)
{
	char *p = path_in(rel);
	FILE *f = fopen(p, "rb");
	free(p);
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (!b.data)
		buf_puts(&b, "");
	if (len)
		*len = b.len;
	return buf_detach(&b, NULL);
}

static bool exists(const char *rel)
{
	char *p = path_in(rel);
	struct stat st;
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

/* A snapshot of a tree: every entry's path, type, mode and content hash,
 * sorted, so two snapshots compare byte for byte. */
static struct buf snap;
static size_t snap_skip;

static int snap_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	char sha[65] = "-";
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		int fd = open(path, O_RDONLY);
		uint64_t size;
		assert_true(fd >= 0);
		assert_int_equal(evidence_hash_fd(fd, sha, &size), 0);
		close(fd);
	}
	buf_printf(&snap, "%s %o %s\n", path + snap_skip, (unsigned)st->st_mode, sha);
	return 0;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *snapshot(const char *rel)
{
	char *root = path_in(rel);
	buf_reset(&snap);
	snap_skip = strlen(root);
	assert_int_equal(nftw(root, snap_cb, 16, FTW_PHYS), 0);
	free(root);
	/* sort the lines */
	char **lines = NULL;
	size_t n = 0;
	for (char *s = strtok(snap.data, "\n"); s; s = strtok(NULL, "\n")) {
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = s;
	}
	if (n > 1)
		qsort(lines, n, sizeof(*lines), line_cmp);
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&out, "%s\n", lines[i]);
	free(lines);
	buf_free(&snap);
	return buf_detach(&out, NULL);
}

static bool has_message(struct diags *d, const char *needle)
{
	for (size_t i = 0; i < diags_len(d); i++)
		if (strstr(diags_get(d, i)->message, needle))
			return true;
	return false;
}

static void dump(struct diags *d)
{
	diags_print(d, stderr, false, false);
}

static const struct evidence_manifest_info info = {
	.drgen_version = "9.9.9",
	.as_of = "2026-11-01T00:00:00Z",
	.period = "2026-10",
	.generated_at = "2026-11-01T00:00:00Z",
	.plan_dir = "samples/kestrel",
};

/* Builds OUT with the given files (NULL-terminated path, text pairs). */
static int build_with(const char *out, const char *sign_key, const char *const *files,
		      struct diags *d)
{
	char *dir = path_in(out);
	struct publish *p = NULL;
	int st = publish_begin(dir, &p, d);
	free(dir);
	if (st)
		return st;
	for (size_t i = 0; files[i]; i += 2)
		if (!publish_write(p, files[i], files[i + 1], strlen(files[i + 1]), d)) {
			publish_abort(p);
			return 3;
		}
	return publish_commit(p, &info, sign_key, d);
}

static const char *const files_v1[] = {
	"index.html", "<h1>index</h1>\n",
	"runbooks/api.html", "<p>api</p>\n",
	"runbooks/db.md", "# db\n",
	"evidence/results.json", "{}\n",
	NULL,
};

static const char *const files_v2[] = {
	"index.html", "<h1>index v2</h1>\n",
	"plan.md", "# plan\n",
	NULL,
};

static void build_ok(const char *out, const char *key, const char *const *files)
{
	struct diags *d = diags_new();
	int st = build_with(out, key, files, d);
	if (st)
		dump(d);
	assert_int_equal(st, 0);
	diags_free(d);
}

static int verify(const char *out, const char *key, struct publish_verify_report *r,
		  struct diags *d)
{
	char *dir = path_in(out);
	int st = publish_verify(dir, key, d, r);
	free(dir);
	return st;
}

static void write_key(const char *rel, EVP_PKEY *k, bool private_key)
{
	char *p = path_in(rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	if (private_key)
		assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
	free(p);
}

/* priv.pem, pub.pem (one Ed25519 pair), other.pem (another pair's public
 * half) and rsa.pem. */
static void make_keys(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(k);
	assert_non_null(k2);
	assert_non_null(rsa);
	write_key("priv.pem", k, true);
	write_key("pub.pem", k, false);
	write_key("other.pem", k2, false);
	write_key("rsa.pem", rsa, true);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(rsa);
}

/* ---- tests ------------------------------------------------------------ */

static void test_path_valid(void **state)
{
	(void)state;
	const char *good[] = {"index.html", "runbooks/api.html", "a/b/c/d.md",
			      "audit/2026-10.html", "caf\xc3\xa9.md", "x y.txt", "a..b"};
	const char *bad[] = {"", "/etc/passwd", "../x", "a/../b", "a/./b", "./a", "a//b",
			     "a/", ".hidden", "a/.git/config", "a\\b", "a\nb", "a\x7f",
			     "bad\xff.md", "..", "."};
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		if (!evidence_path_valid(good[i], NULL))
			fail_msg("refused good path %s", good[i]);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *why = NULL;
		if (evidence_path_valid(bad[i], &why))
			fail_msg("accepted bad path \"%s\"", bad[i]);
		assert_non_null(why);
	}
	assert_false(evidence_path_valid(NULL, NULL));
	char *long_name = xmalloc(EVIDENCE_MAX_NAME + 2);
	memset(long_name, 'a', EVIDENCE_MAX_NAME + 1);
	long_name[EVIDENCE_MAX_NAME + 1] = '\0';
	assert_false(evidence_path_valid(long_name, NULL));
	long_name[EVIDENCE_MAX_NAME] = '\0';
	assert_true(evidence_path_valid(long_name, NULL));
	free(long_name);
	struct buf b = BUF_INIT;
	while (b.len <= EVIDENCE_MAX_PATH)
		buf_puts(&b, "abcdefg/");
	buf_puts(&b, "x");
	assert_false(evidence_path_valid(b.data, NULL));
	buf_free(&b);
}

static void test_commit_layout(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	size_t len;
	char *s = get_file("out/runbooks/api.html", &len);
	assert_string_equal(s, "<p>api</p>\n");
	free(s);
	char *m = get_file("out/evidence/manifest.json", NULL);
	assert_non_null(m);
	assert_non_null(strstr(m, "\"drgen_version\": \"9.9.9\""));
	assert_non_null(strstr(m, "\"plan_dir\": \"samples/kestrel\""));
	assert_non_null(strstr(m, "{\"path\": \"runbooks/api.html\", \"sha256\": "));
	assert_null(strstr(m, "SHA256SUMS"));
	assert_null(strstr(m, "\"evidence/manifest.json\""));
	/* outputs sorted by path */
	char *a = strstr(m, "\"evidence/results.json\""), *b = strstr(m, "\"index.html\""),
	     *c = strstr(m, "\"runbooks/api.html\""), *e = strstr(m, "\"runbooks/db.md\"");
	assert_true(a && b && c && e && a < b && b < c && c < e);
	char mhash[65];
	source_sha256_hex(m, strlen(m), mhash);
	char *sums = get_file("out/evidence/SHA256SUMS", NULL);
	char hash[65];
	source_sha256_hex("<p>api</p>\n", 11, hash);
	char *want = xasprintf("%s  runbooks/api.html\n", hash);
	assert_non_null(strstr(sums, want));
	free(want);
	want = xasprintf("%s  evidence/manifest.json\n", mhash);
	assert_non_null(strstr(sums, want));
	free(want);
	/* five lines: four outputs and the manifest */
	size_t lines = 0;
	for (char *q = sums; *q; q++)
		lines += *q == '\n';
	assert_int_equal(lines, 5);
	assert_false(exists("out/evidence/manifest.sig"));
	/* no staging folder left beside it */
	DIR *dir = opendir(tmp_root);
	struct dirent *ent;
	while ((ent = readdir(dir)) != NULL)
		assert_null(strstr(ent->d_name, "drgen-staging"));
	closedir(dir);
	char *p = path_in("out");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0700, 0700);
	free(p);
	free(sums);
	free(m);
}

static void test_deterministic(void **state)
{
	(void)state;
	build_ok("a", NULL, files_v1);
	build_ok("b", NULL, files_v1);
	char *sa = snapshot("a"), *sb = snapshot("b");
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	/* rebuilding replaces the old tree */
	build_ok("a", NULL, files_v2);
	assert_false(exists("a/runbooks"));
	assert_true(exists("a/plan.md"));
}

static void test_manifest_inputs(void **state)
{
	(void)state;
	struct source_input in[] = {
		{"plan.json", "plan", "1111111111111111111111111111111111111111111111111111111111111111", 10},
		{"backups/b.ndjson", "backups", "2222222222222222222222222222222222222222222222222222222222222222", 5},
	};
	struct source_input rules[] = {
		{"tiers.lua", "rule", "3333333333333333333333333333333333333333333333333333333333333333", 1},
	};
	struct evidence_manifest_info i2 = info;
	i2.inputs = in;
	i2.n_inputs = 2;
	i2.rules = rules;
	i2.n_rules = 1;
	i2.plan_dir = NULL;
	struct buf b = BUF_INIT;
	evidence_manifest_write(&b, &i2, NULL, 0);
	assert_non_null(strstr(b.data, "\"inputs\": [\n    {\"path\": \"backups/b.ndjson\", "
					"\"kind\": \"backups\", \"sha256\": \"2222"));
	assert_non_null(strstr(b.data, "\"size\": 10}\n  ],"));
	assert_non_null(strstr(b.data, "\"rules\": [\n    {\"path\": \"tiers.lua\", \"sha256\": "
					"\"3333333333333333333333333333333333333333333333333333333333333333\"}\n  ],"));
	assert_non_null(strstr(b.data, "\"templates\": [],"));
	assert_non_null(strstr(b.data, "\"outputs\": []\n}\n"));
	assert_null(strstr(b.data, "plan_dir"));
	/* and it parses back */
	struct diags *d = diags_new();
	struct evidence_manifest m;
	assert_true(evidence_manifest_parse(b.data, b.len, "m", &m, d));
	assert_int_equal(m.n_outputs, 0);
	assert_string_equal(m.drgen_version, "9.9.9");
	evidence_manifest_free(&m);
	diags_free(d);
	buf_free(&b);
}

static void test_manifest_parse_refuses(void **state)
{
	(void)state;
	const char *h = "0000000000000000000000000000000000000000000000000000000000000000";
	const char *cases[][2] = {
		{"[]", "expected a JSON object"},
		{"{\"outputs\": 3}", "expected an array"},
		{"{\"outputs\": [{\"path\": \"../x\", \"sha256\": \"%s\", \"size\": 1}]}", "../x"},
		{"{\"outputs\": [{\"path\": \"/etc/passwd\", \"sha256\": \"%s\", \"size\": 1}]}", "absolute"},
		{"{\"outputs\": [{\"path\": \"a\", \"sha256\": \"xyz\", \"size\": 1}]}", "64 lowercase hex"},
		{"{\"outputs\": [{\"path\": \"a\", \"sha256\": \"%s\", \"size\": -1}]}", "whole number"},
		{"{\"outputs\": [{\"path\": \"a\", \"sha256\": \"%s\", \"size\": 1},"
		 "{\"path\": \"a\", \"sha256\": \"%s\", \"size\": 1}]}", "listed twice"},
		{"{\"outputs\": [{\"path\": \"evidence/SHA256SUMS\", \"sha256\": \"%s\", \"size\": 1}]}", "evidence pack"},
		{"{\"manifest_version\": 7, \"outputs\": []}", "newer"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *text = xasprintf(cases[i][0], h, h);
		struct diags *d = diags_new();
		struct evidence_manifest m;
		if (evidence_manifest_parse(text, strlen(text), "m", &m, d))
			fail_msg("accepted %s", text);
		if (!has_message(d, cases[i][1])) {
			dump(d);
			fail_msg("case %zu: no message with \"%s\"", i, cases[i][1]);
		}
		evidence_manifest_free(&m);
		diags_free(d);
		free(text);
	}
}

static void test_refuse_foreign(void **state)
{
	(void)state;
	char *dir = path_in("mine");
	assert_int_equal(mkdir(dir, 0755), 0);
	put_file("mine/thesis.tex", "precious\n");
	char *before = snapshot("mine");
	struct diags *d = diags_new();
	struct publish *p = (struct publish *)1;
	assert_int_equal(publish_begin(dir, &p, d), 2);
	assert_null(p);
	assert_true(has_message(d, "refusing to replace output folder"));
	assert_true(has_message(d, "thesis.tex"));
	char *after = snapshot("mine");
	assert_string_equal(before, after);
	diags_free(d);
	free(before);
	free(after);
	/* a file or a link at the output path is refused too */
	put_file("afile", "x");
	char *f = path_in("afile"), *l = path_in("alink");
	assert_int_equal(symlink("mine", l), 0);
	d = diags_new();
	assert_int_equal(publish_begin(f, &p, d), 2);
	assert_int_equal(publish_begin(l, &p, d), 2);
	assert_true(has_message(d, "symbolic link"));
	assert_int_equal(publish_begin("/", &p, d), 2);
	assert_int_equal(publish_begin(".", &p, d), 2);
	diags_free(d);
	free(f);
	free(l);
	free(dir);
}

static void test_dot_files_carried(void **state)
{
	(void)state;
	/* a folder of only dot files is accepted */
	char *dir = path_in("site");
	assert_int_equal(mkdir(dir, 0755), 0);
	put_file("site/.htaccess", "Deny from all\n");
	put_file("site/.gitkeep", "");
	char *git = path_in("site/.git");
	assert_int_equal(mkdir(git, 0755), 0);
	put_file("site/.git/HEAD", "ref: refs/heads/main\n");
	char *link = path_in("site/.link");
	assert_int_equal(symlink("/nonexistent", link), 0);
	build_ok("site", NULL, files_v1);
	char *s = get_file("site/.htaccess", NULL);
	assert_string_equal(s, "Deny from all\n");
	free(s);
	assert_true(exists("site/.gitkeep"));
	s = get_file("site/.git/HEAD", NULL);
	assert_string_equal(s, "ref: refs/heads/main\n");
	free(s);
	char target[64] = "";
	assert_true(readlink(link, target, sizeof(target) - 1) > 0);
	assert_string_equal(target, "/nonexistent");
	char *m = get_file("site/evidence/manifest.json", NULL);
	assert_null(strstr(m, ".htaccess"));
	assert_null(strstr(m, ".git"));
	free(m);
	/* and again over the drgen output: still there */
	build_ok("site", NULL, files_v2);
	assert_true(exists("site/.htaccess"));
	assert_true(exists("site/.git/HEAD"));
	struct diags *d = diags_new();
	assert_int_equal(verify("site", NULL, NULL, d), 0);
	diags_free(d);
	free(dir);
	free(git);
	free(link);
}

/* publish_files: a sorted copy of what is staged, with sizes and hashes. */
static void test_files_staged(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	char *dir = path_in("listed");
	struct publish *p = NULL;
	assert_int_equal(publish_begin(dir, &p, d), 0);
	assert_true(publish_write(p, "evidence/b.csv", "abc", 3, d));
	assert_true(publish_write(p, "a.html", "", 0, d));
	size_t n = 99;
	struct evidence_file *f = publish_files(p, &n);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].path, "a.html");
	assert_int_equal(f[0].size, 0);
	assert_string_equal(f[0].sha256,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(f[1].path, "evidence/b.csv");
	assert_int_equal(f[1].size, 3);
	assert_string_equal(f[1].sha256,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* a copy: later writes do not change it */
	assert_true(publish_write(p, "c.md", "x", 1, d));
	assert_string_equal(f[1].path, "evidence/b.csv");
	publish_files_free(f, n);
	publish_abort(p);
	diags_free(d);
	free(dir);
}

static void test_abort_keeps_previous(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	put_file("out/.htaccess", "keep\n");
	char *before = snapshot("out");
	struct diags *d = diags_new();
	char *dir = path_in("out");
	struct publish *p = NULL;
	assert_int_equal(publish_begin(dir, &p, d), 0);
	assert_true(publish_write(p, "index.html", "new", 3, d));
	assert_true(publish_write(p, "other/new.html", "new", 3, d));
	assert_int_equal(publish_count(p), 2);
	publish_abort(p);
	char *after = snapshot("out");
	assert_string_equal(before, after);
	free(after);
	/* a bad signing key fails the commit: previous output untouched */
	make_keys();
	char *rsa = path_in("rsa.pem"), *missing = path_in("nope.pem");
	assert_int_equal(build_with("out", rsa, files_v2, d), 2);
	assert_true(has_message(d, "not an Ed25519 key"));
	assert_int_equal(build_with("out", missing, files_v2, d), 2);
	after = snapshot("out");
	assert_string_equal(before, after);
	free(after);
	/* a bad path is an internal error and the build aborts */
	assert_int_equal(publish_begin(dir, &p, d), 0);
	assert_false(publish_write(p, "../escape.html", "x", 1, d));
	assert_true(has_message(d, "internal error: refusing output path \"../escape.html\""));
	assert_false(publish_write(p, "evidence/manifest.json", "x", 1, d));
	assert_true(publish_write(p, "twice.html", "x", 1, d));
	assert_false(publish_write(p, "twice.html", "x", 1, d));
	assert_true(has_message(d, "written twice"));
	publish_abort(p);
	after = snapshot("out");
	assert_string_equal(before, after);
	assert_false(exists("escape.html"));
	/* nothing left beside it */
	DIR *dd = opendir(tmp_root);
	struct dirent *e;
	while ((e = readdir(dd)) != NULL)
		assert_null(strstr(e->d_name, "drgen-staging"));
	closedir(dd);
	publish_abort(NULL);
	free(after);
	free(before);
	free(rsa);
	free(missing);
	free(dir);
	diags_free(d);
}

/* Two builds of one output at once: the first to commit wins whole, the
 * other refuses and leaves it as the first wrote it. */
static void test_concurrent_commit(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	struct diags *d = diags_new();
	char *dir = path_in("out");
	struct publish *a = NULL, *b = NULL;
	assert_int_equal(publish_begin(dir, &a, d), 0);
	assert_int_equal(publish_begin(dir, &b, d), 0);
	assert_true(publish_write(a, "index.html", "a", 1, d));
	assert_true(publish_write(b, "index.html", "b", 1, d));
	assert_true(publish_write(b, "only-b.html", "b", 1, d));
	assert_int_equal(publish_commit(a, &info, NULL, d), 0);
	char *after_a = snapshot("out");
	assert_int_equal(publish_commit(b, &info, NULL, d), 3);
	assert_true(has_message(d, "was replaced by another build while this one ran"));
	char *after_b = snapshot("out");
	assert_string_equal(after_a, after_b);
	assert_false(exists("out/only-b.html"));
	assert_int_equal(verify("out", NULL, NULL, d), 0);
	/* and the next build goes through */
	assert_int_equal(build_with("out", NULL, files_v2, d), 0);
	free(after_a);
	free(after_b);
	free(dir);
	diags_free(d);
}

static void test_stale_staging(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	const char *stale[] = {".out.drgen-staging.abc123", ".out.drgen-staging.ZZZZZZ"};
	const char *kept[] = {".out.drgen-staging.abc", ".out.drgen-staging.abc1234",
			      ".other.drgen-staging.abc123", "out.drgen-staging.abc123",
			      ".out.drgen-staging.abc-12"};
	for (size_t i = 0; i < ARRAY_LEN(stale); i++) {
		char *p = path_in(stale[i]);
		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
		p = xasprintf("%s/junk", stale[i]);
		put_file(p, "junk");
		free(p);
	}
	for (size_t i = 0; i < ARRAY_LEN(kept); i++) {
		char *p = path_in(kept[i]);
		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
	/* a live build's staging folder is locked: left alone */
	char *live = path_in(".out.drgen-staging.LIVE00");
	assert_int_equal(mkdir(live, 0755), 0);
	int fd = open(live, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	build_ok("out", NULL, files_v2);
	for (size_t i = 0; i < ARRAY_LEN(stale); i++)
		assert_false(exists(stale[i]));
	for (size_t i = 0; i < ARRAY_LEN(kept); i++)
		assert_true(exists(kept[i]));
	assert_true(exists(".out.drgen-staging.LIVE00"));
	close(fd);
	free(live);
}

static void test_restore_old(void **state)
{
	(void)state;
	/* a two-rename swap that died between its renames */
	build_ok("out", NULL, files_v1);
	char *a = path_in("out"), *b = path_in(".out.drgen-old.Abc123");
	assert_int_equal(rename(a, b), 0);
	struct diags *d = diags_new();
	struct publish *p = NULL;
	assert_int_equal(publish_begin(a, &p, d), 0);
	assert_true(has_message(d, "restored output folder"));
	assert_true(exists("out/runbooks/api.html"));
	assert_false(exists(".out.drgen-old.Abc123"));
	publish_abort(p);
	diags_free(d);
	free(a);
	free(b);
}

static void test_nested_parent(void **state)
{
	(void)state;
	build_ok("x/y/z/out", NULL, files_v1);
	assert_true(exists("x/y/z/out/runbooks/db.md"));
	build_ok("x/y/z/out/", NULL, files_v2);
	assert_true(exists("x/y/z/out/plan.md"));
}

struct thread_arg {
	struct publish *p;
	struct diags *d;
	int id;
};

static void *writer(void *v)
{
	struct thread_arg *a = v;
	for (int i = 0; i < 100; i++) {
		char path[64], text[64];
		snprintf(path, sizeof(path), "t%d/sub%d/file%03d.html", a->id, i % 3, i);
		snprintf(text, sizeof(text), "thread %d file %d\n", a->id, i);
		if (!publish_write(a->p, path, text, strlen(text), a->d))
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	char *dir = path_in("out");
	struct publish *p = NULL;
	assert_int_equal(publish_begin(dir, &p, d), 0);
	pthread_t t[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){p, d, i};
		assert_int_equal(pthread_create(&t[i], NULL, writer, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
	assert_int_equal(publish_count(p), 400);
	assert_int_equal(publish_commit(p, &info, NULL, d), 0);
	struct publish_verify_report r;
	assert_int_equal(publish_verify(dir, NULL, d, &r), 0);
	assert_int_equal(r.files_checked, 400);
	free(dir);
	diags_free(d);
}

/* A stream closed against an expected hash (records.c's input copies):
 * kept when its bytes hash to it, removed (no diagnostic) when not. */
static void test_stream_checked(void **state)
{
	(void)state;
	struct diags *d = diags_new();
	char *dir = path_in("out");
	struct publish *p = NULL;
	char abc[65], other[65];
	bool mismatch = true;
	source_sha256_hex("abc", 3, abc);
	source_sha256_hex("abd", 3, other);
	assert_int_equal(publish_begin(dir, &p, d), 0);
	struct publish_stream *s = publish_stream_open(p, "evidence/inputs/a.json", d);
	assert_true(publish_stream_write(s, "abc", 3));
	assert_true(publish_stream_close_checked(s, true, abc, &mismatch, d));
	assert_false(mismatch);
	s = publish_stream_open(p, "evidence/inputs/b.json", d);
	assert_true(publish_stream_write(s, "abc", 3));
	assert_false(publish_stream_close_checked(s, true, other, &mismatch, d));
	assert_true(mismatch);
	assert_int_equal(diags_count(d, DIAG_ERROR), 0);
	assert_int_equal(publish_count(p), 1);
	assert_int_equal(publish_commit(p, &info, NULL, d), 0);
	char *b = path_in("out/evidence/inputs/b.json");
	assert_int_not_equal(access(b, F_OK), 0);
	free(b);
	free(dir);
	diags_free(d);
}

static void test_verify(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	struct diags *d = diags_new();
	struct publish_verify_report r;
	assert_int_equal(verify("out", NULL, &r, d), 0);
	assert_int_equal(r.files_checked, 4);
	assert_int_equal(diags_count(d, DIAG_ERROR), 0);
	/* a top-level dot file and an empty folder are not "added" */
	put_file("out/.DS_Store", "x");
	char *empty = path_in("out/emptydir");
	assert_int_equal(mkdir(empty, 0755), 0);
	free(empty);
	assert_int_equal(verify("out", NULL, &r, d), 0);
	/* changed, missing, added */
	put_file("out/runbooks/api.html", "<p>tampered</p>\n");
	char *gone = path_in("out/runbooks/db.md");
	assert_int_equal(unlink(gone), 0);
	free(gone);
	put_file("out/runbooks/extra.html", "x");
	put_file("out/runbooks/.hidden", "x");
	assert_int_equal(verify("out", NULL, &r, d), 2);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.missing, 1);
	assert_int_equal(r.added, 2);
	assert_true(has_message(d, "evidence check failed: runbooks/api.html was changed (sha256 "));
	assert_true(has_message(d, "evidence check failed: runbooks/db.md is missing"));
	assert_true(has_message(d, "evidence check failed: runbooks/extra.html was added"));
	assert_true(has_message(d, "runbooks/.hidden was added"));
	diags_free(d);
	/* a symbolic link where a file was is a change, and is not followed */
	build_ok("out", NULL, files_v1);
	char *f = path_in("out/index.html");
	unlink(f);
	assert_int_equal(symlink("runbooks/api.html", f), 0);
	free(f);
	d = diags_new();
	assert_int_equal(verify("out", NULL, &r, d), 2);
	assert_true(has_message(d, "index.html was changed (it is no longer a regular file)"));
	diags_free(d);
	/* SHA256SUMS edited to hide a change */
	build_ok("out", NULL, files_v1);
	put_file("out/evidence/SHA256SUMS", "0000  index.html\n");
	d = diags_new();
	assert_int_equal(verify("out", NULL, &r, d), 2);
	assert_true(has_message(d, "evidence/SHA256SUMS was changed"));
	diags_free(d);
	/* no manifest at all */
	d = diags_new();
	char *plain = path_in("plain");
	assert_int_equal(mkdir(plain, 0755), 0);
	assert_int_equal(verify("plain", NULL, &r, d), 2);
	assert_true(has_message(d, "evidence/manifest.json is missing"));
	assert_int_equal(verify("does-not-exist", NULL, &r, d), 2);
	free(plain);
	diags_free(d);
}

static void test_verify_copy(void **state)
{
	(void)state;
	build_ok("out", NULL, files_v1);
	struct diags *d = diags_new();
	char *src = path_in("out"), *dst = path_in("elsewhere/copy");
	assert_int_equal(publish_copy_tree(src, dst, d), 0);
	assert_int_equal(publish_verify(dst, NULL, d, NULL), 0);
	free(src);
	free(dst);
	diags_free(d);
}

static void test_signature(void **state)
{
	(void)state;
	make_keys();
	char *priv = path_in("priv.pem"), *pub = path_in("pub.pem"), *other = path_in("other.pem");
	build_ok("out", priv, files_v1);
	size_t len;
	char *sig = get_file("out/evidence/manifest.sig", &len);
	assert_int_equal(len, 64);
	free(sig);
	struct diags *d = diags_new();
	struct publish_verify_report r;
	assert_int_equal(verify("out", pub, &r, d), 0);
	assert_true(r.signature_checked);
	/* the private key works for checking as well */
	assert_int_equal(verify("out", priv, &r, d), 0);
	/* without a key: a note that the signature was not checked */
	assert_int_equal(verify("out", NULL, &r, d), 0);
	assert_false(r.signature_checked);
	assert_true(has_message(d, "was not checked"));
	assert_int_equal(diags_count(d, DIAG_ERROR), 0);
	/* another key */
	assert_int_equal(verify("out", other, &r, d), 2);
	assert_false(r.signature_checked);
	assert_true(has_message(d, "is not a valid signature"));
	diags_free(d);
	/* a tampered manifest: the signature fails (and the hashes still match) */
	char *m = get_file("out/evidence/manifest.json", NULL);
	char *at = strstr(m, "9.9.9");
	at[0] = '8';
	put_file("out/evidence/manifest.json", m);
	free(m);
	d = diags_new();
	assert_int_equal(verify("out", pub, &r, d), 2);
	assert_true(has_message(d, "is not a valid signature"));
	diags_free(d);
	/* a signature that is missing, or not a key */
	build_ok("out", NULL, files_v1);
	d = diags_new();
	assert_int_equal(verify("out", pub, &r, d), 2);
	assert_true(has_message(d, "manifest.sig is missing"));
	char *junk = path_in("files_v1.txt");
	put_file("files_v1.txt", "not a key\n");
	assert_false(evidence_key_check(junk, true, d));
	assert_true(has_message(d, "expected a PEM private key"));
	assert_true(evidence_key_check(priv, true, d));
	assert_true(evidence_key_check(pub, false, d));
	assert_false(evidence_key_check(pub, true, d));
	diags_free(d);
	free(junk);
	free(priv);
	free(pub);
	free(other);
}

static void test_copy_tree(void **state)
{
	(void)state;
	char *src = path_in("src"), *sub = path_in("src/drills");
	assert_int_equal(mkdir(src, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	put_file("src/plan.json", "{}\n");
	put_file("src/drills/d1.json", "[]\n");
	char *lnk = path_in("src/link");
	assert_int_equal(symlink("/etc/passwd", lnk), 0);
	struct diags *d = diags_new();
	char *dst = path_in("new/plan");
	assert_int_equal(publish_copy_tree(src, dst, d), 0);
	char *s = get_file("new/plan/drills/d1.json", NULL);
	assert_string_equal(s, "[]\n");
	free(s);
	assert_false(exists("new/plan/link"));
	assert_true(has_message(d, "skipped symbolic link"));
	/* not empty: refused, untouched */
	put_file("new/plan/mine.txt", "mine");
	assert_int_equal(publish_copy_tree(src, dst, d), 2);
	assert_true(has_message(d, "not empty"));
	s = get_file("new/plan/mine.txt", NULL);
	assert_string_equal(s, "mine");
	free(s);
	/* an existing empty folder is fine */
	char *empty = path_in("emptydst");
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(publish_copy_tree(src, empty, d), 0);
	assert_true(exists("emptydst/plan.json"));
	/* a missing source is an I/O error */
	char *nosrc = path_in("nosuch"), *dst2 = path_in("dst2");
	assert_int_equal(publish_copy_tree(nosrc, dst2, d), 3);
	assert_false(exists("dst2"));
	free(nosrc);
	free(dst2);
	free(empty);
	free(dst);
	free(lnk);
	free(sub);
	free(src);
	diags_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_valid),
		cmocka_unit_test_setup_teardown(test_commit_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test(test_manifest_inputs),
		cmocka_unit_test(test_manifest_parse_refuses),
		cmocka_unit_test_setup_teardown(test_refuse_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot_files_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_staged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_keeps_previous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_staging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_tree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
