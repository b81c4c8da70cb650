/*
 * evidence.c -- manifest.json, SHA256SUMS and manifest.sig as bytes.
 *
 * The manifest is written by hand rather than through cJSON so that its
 * layout is fixed: two-space indentation, one line per file (diffs of two
 * manifests read file by file), keys in a documented order, sizes as
 * integers.  It is parsed back with cJSON, and every path in it is checked
 * with evidence_path_valid before anybody opens it: a manifest handed to
 * `drgen verify` is untrusted input.
 *
 * Signatures are Ed25519 over the raw manifest bytes ("pure" Ed25519, no
 * pre-hash), which is what `openssl pkeyutl -sign -rawin` makes, so
 * auditors can check them without drgen.
 */
#include "evidence.h"

#include <errno.h>
#include <math.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fingerprint.h"
#include "source.h"

#define KEY_MAX (64u << 10)

static int file_cmp(const void *a, const void *b)
{
	const struct evidence_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

void evidence_files_sort(struct evidence_file *files, size_t n)
{
	if (n > 1)
		qsort(files, n, sizeof(*files), file_cmp);
}

bool evidence_is_reserved(const char *rel)
{
	return strcmp(rel, EVIDENCE_MANIFEST) == 0 || strcmp(rel, EVIDENCE_SUMS) == 0 ||
	       strcmp(rel, EVIDENCE_SIG) == 0;
}

bool evidence_path_valid(const char *rel, const char **why)
{
	const char *reason = NULL;
	size_t len = rel ? strlen(rel) : 0, comp = 0;
	if (len == 0) {
		reason = "is empty";
	} else if (len > EVIDENCE_MAX_PATH) {
		reason = "is too long";
	} else if (rel[0] == '/') {
		reason = "is absolute";
	} else if (!source_utf8_valid(rel, len, NULL)) {
		reason = "is not valid UTF-8";
	}
	for (size_t i = 0; !reason && i <= len; i++) {
		unsigned char c = (unsigned char)rel[i];
		if (c == '/' || c == '\0') {
			const char *start = rel + i - comp;
			if (comp == 0)
				reason = "has an empty component";
			else if ((comp == 1 && start[0] == '.') ||
				 (comp == 2 && start[0] == '.' && start[1] == '.'))
				reason = "has a \".\" or \"..\" component";
			else if (start[0] == '.')
				reason = "has a component starting with a dot";
			else if (comp > EVIDENCE_MAX_NAME)
				reason = "has a component that is too long";
			comp = 0;
		} else if (c < 0x20 || c == 0x7f) {
			reason = "contains a control character";
		} else if (c == '\\') {
			reason = "contains a backslash";
		} else {
			comp++;
		}
	}
	if (why)
		*why = reason;
	return reason == NULL;
}

/* ---- writing ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

/* A JSON string.  Bytes that are not UTF-8 (a file name in another
 * encoding) become U+FFFD so the manifest stays valid JSON. */
static void put_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
			i++;
		} else if (c == '\n') {
			buf_puts(b, "\\n");
			i++;
		} else if (c == '\t') {
			buf_puts(b, "\\t");
			i++;
		} else if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			buf_putc(b, (char)c);
			i++;
		} else {
			size_t len = utf8_seq(p + i, n - i);
			if (len == 0) {
				buf_puts(b, "\\ufffd");
				i++;
			} else {
				buf_append(b, s + i, len);
				i += len;
			}
		}
	}
	buf_putc(b, '"');
}

static void put_key_str(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "  \"%s\": ", key);
	put_str(b, value);
	buf_puts(b, ",\n");
}

static int input_ptr_cmp(const void *a, const void *b)
{
	const struct source_input *const *x = a, *const *y = b;
	return strcmp((*x)->path, (*y)->path);
}

/* One array of inputs; with_meta adds kind and size. */
static void put_inputs(struct buf *b, const char *key, const struct source_input *in,
		       size_t n, bool with_meta, bool last)
{
	const struct source_input **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = &in[i];
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), input_ptr_cmp);
	buf_printf(b, "  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		const struct source_input *s = sorted[i];
		buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		put_str(b, s->path);
		if (with_meta) {
			buf_puts(b, ", \"kind\": ");
			put_str(b, s->kind);
		}
		buf_printf(b, ", \"sha256\": \"%s\"", s->sha256);
		if (with_meta)
			buf_printf(b, ", \"size\": %llu", (unsigned long long)s->size);
		buf_putc(b, '}');
	}
	buf_puts(b, n ? "\n  ]" : "]");
	buf_puts(b, last ? "\n" : ",\n");
	free(sorted);
}

void evidence_manifest_write(struct buf *b, const struct evidence_manifest_info *info,
			     const struct evidence_file *outputs, size_t n_outputs)
{
	buf_puts(b, "{\n");
	buf_printf(b, "  \"manifest_version\": %d,\n", EVIDENCE_FORMAT);
	put_key_str(b, "drgen_version", info->drgen_version);
	put_key_str(b, "as_of", info->as_of);
	put_key_str(b, "period", info->period);
	put_key_str(b, "generated_at", info->generated_at);
	if (info->plan_dir)
		put_key_str(b, "plan_dir", info->plan_dir);
	put_inputs(b, "inputs", info->inputs, info->n_inputs, true, false);
	put_inputs(b, "rules", info->rules, info->n_rules, false, false);
	put_inputs(b, "templates", info->templates, info->n_templates, false, false);
	if (info->previous) {
		buf_puts(b, "  \"previous\": {\"as_of\": ");
		put_str(b, info->previous->as_of ? info->previous->as_of : "");
		buf_puts(b, ", \"period\": ");
		put_str(b, info->previous->period ? info->previous->period : "");
		buf_printf(b, ", \"sha256\": \"%s\", \"size\": %llu},\n",
			   info->previous->sha256, (unsigned long long)info->previous->size);
	}
	if (info->fingerprint) {
		buf_printf(b, "  \"fingerprint\": {\"version\": %d, \"sha256\": ", FINGERPRINT_VERSION);
		put_str(b, info->fingerprint);
		buf_puts(b, ", \"excludes\": [");
		for (size_t i = 0; i < info->n_fingerprint_excludes; i++) {
			if (i)
				buf_puts(b, ", ");
			put_str(b, info->fingerprint_excludes[i]);
		}
		buf_puts(b, "]},\n");
	}
	buf_puts(b, "  \"outputs\": [");
	for (size_t i = 0; i < n_outputs; i++) {
		buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		put_str(b, outputs[i].path);
		buf_printf(b, ", \"sha256\": \"%s\", \"size\": %llu}", outputs[i].sha256,
			   (unsigned long long)outputs[i].size);
	}
	buf_puts(b, n_outputs ? "\n  ]\n" : "]\n");
	buf_puts(b, "}\n");
}

void evidence_sums_write(struct buf *b, const struct evidence_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s  %s\n", files[i].sha256, files[i].path);
}

/* ---- parsing ---------------------------------------------------------- */

static bool is_hex64(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

void evidence_manifest_free(struct evidence_manifest *m)
{
	for (size_t i = 0; i < m->n_outputs; i++)
		free(m->outputs[i].path);
	free(m->outputs);
	free(m->drgen_version);
	free(m->fingerprint);
	memset(m, 0, sizeof(*m));
}

/* Checks one outputs[] entry and appends it; false + diagnostic if bad. */
static bool parse_output(const cJSON *item, size_t i, const char *shown,
			 struct evidence_manifest *m, struct diags *d)
{
	char where[64];
	snprintf(where, sizeof(where), "/outputs/%zu", i);
	const char *why = NULL;
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(item, "path");
	const cJSON *sha = cJSON_GetObjectItemCaseSensitive(item, "sha256");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(item, "size");
	if (!cJSON_IsObject(item)) {
		why = "expected an object";
	} else if (!cJSON_IsString(path)) {
		why = "expected a string \"path\"";
	} else if (!evidence_path_valid(path->valuestring, &why)) {
		diag_add(d, DIAG_ERROR, shown, 0, 0, where,
			 "evidence manifest is malformed: output path \"%s\" %s",
			 path->valuestring, why);
		return false;
	} else if (evidence_is_reserved(path->valuestring)) {
		why = "lists a file of the evidence pack itself as an output";
	} else if (!cJSON_IsString(sha) || !is_hex64(sha->valuestring)) {
		why = "expected \"sha256\": 64 lowercase hex digits";
	} else if (!cJSON_IsNumber(size) || size->valuedouble < 0 ||
		   size->valuedouble > 9007199254740992.0 ||
		   floor(size->valuedouble) != size->valuedouble) {
		why = "expected \"size\": a whole number of bytes";
	}
	if (why) {
		diag_add(d, DIAG_ERROR, shown, 0, 0, where, "evidence manifest is malformed: %s",
			 why);
		return false;
	}
	struct evidence_file *f = &m->outputs[m->n_outputs++];
	f->path = xstrdup(path->valuestring);
	memcpy(f->sha256, sha->valuestring, 65);
	f->size = (uint64_t)size->valuedouble;
	return true;
}

/* One list of the manifest as fingerprint files; NULL entries skipped.
 * Borrowed strings (from the tree). */
static struct fingerprint_file *fp_list(const cJSON *root, const char *key, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key), *x;
	struct fingerprint_file *v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*v));
	*n = 0;
	cJSON_ArrayForEach(x, arr) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(x, "path");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(x, "sha256");
		if (cJSON_IsString(p) && cJSON_IsString(h))
			v[(*n)++] = (struct fingerprint_file){p->valuestring, h->valuestring};
	}
	return v;
}

/* Reads "fingerprint" and recomputes it from the manifest's own lists. */
static void parse_fingerprint(const cJSON *root, struct evidence_manifest *m)
{
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "fingerprint");
	const cJSON *sha = cJSON_GetObjectItemCaseSensitive(fp, "sha256");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(fp, "excludes"), *x;
	if (!cJSON_IsString(sha))
		return;
	m->fingerprint = xstrdup(sha->valuestring);
	struct fingerprint_set set = {0};
	const char **excludes = xcalloc((size_t)cJSON_GetArraySize(ex) + 1, sizeof(*excludes));
	cJSON_ArrayForEach(x, ex)
		if (cJSON_IsString(x))
			excludes[set.n_excludes++] = x->valuestring;
	set.excludes = excludes;
	struct fingerprint_file *i = fp_list(root, "inputs", &set.n_inputs);
	struct fingerprint_file *r = fp_list(root, "rules", &set.n_rules);
	struct fingerprint_file *t = fp_list(root, "templates", &set.n_templates);
	set.inputs = i;
	set.rules = r;
	set.templates = t;
	char hex[65];
	fingerprint_compute(&set, hex);
	m->fingerprint_matches = strcmp(hex, m->fingerprint) == 0;
	free(i);
	free(r);
	free(t);
	free(excludes);
}

bool evidence_manifest_parse(const char *data, size_t len, const char *shown,
			     struct evidence_manifest *m, struct diags *d)
{
	bool ok = false;
	memset(m, 0, sizeof(*m));
	cJSON *root = cJSON_ParseWithLength(data, len);
	if (!root || !cJSON_IsObject(root)) {
		diag_error(d, shown, 0, 0, "evidence manifest is malformed: expected a JSON object");
		goto out;
	}
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "manifest_version");
	if (version && (!cJSON_IsNumber(version) || version->valuedouble > EVIDENCE_FORMAT)) {
		diag_add(d, DIAG_ERROR, shown, 0, 0, "/manifest_version",
			 "evidence manifest has a format newer than this drgen understands "
			 "(manifest_version %g, expected at most %d)",
			 cJSON_IsNumber(version) ? version->valuedouble : -1.0, EVIDENCE_FORMAT);
		goto out;
	}
	const cJSON *dv = cJSON_GetObjectItemCaseSensitive(root, "drgen_version");
	if (cJSON_IsString(dv))
		m->drgen_version = xstrdup(dv->valuestring);
	parse_fingerprint(root, m);
	const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(root, "outputs");
	if (!cJSON_IsArray(outputs)) {
		diag_add(d, DIAG_ERROR, shown, 0, 0, "/outputs",
			 "evidence manifest is malformed: expected an array \"outputs\"");
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(outputs), i = 0;
	m->outputs = xcalloc(n ? n : 1, sizeof(*m->outputs));
	const cJSON *item;
	bool bad = false;
	cJSON_ArrayForEach(item, outputs) {
		if (!parse_output(item, i, shown, m, d))
			bad = true;
		i++;
	}
	if (bad)
		goto out;
	evidence_files_sort(m->outputs, m->n_outputs);
	for (i = 1; i < m->n_outputs; i++) {
		if (strcmp(m->outputs[i - 1].path, m->outputs[i].path) == 0) {
			diag_add(d, DIAG_ERROR, shown, 0, 0, "/outputs",
				 "evidence manifest is malformed: \"%s\" is listed twice",
				 m->outputs[i].path);
			goto out;
		}
	}
	ok = true;
out:
	cJSON_Delete(root);
	return ok;
}

bool evidence_manifest_is_drgen(const char *data, size_t len, const char **why)
{
	const char *reason = NULL;
	cJSON *root = cJSON_ParseWithLength(data, len);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "manifest_version");
	if (!cJSON_IsObject(root)) {
		reason = "it is not a JSON object";
	} else if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		   v->valuedouble > EVIDENCE_FORMAT || v->valuedouble != (double)v->valueint) {
		reason = "it has no manifest_version this drgen wrote";
	} else {
		struct diags *scratch = diags_new();
		struct evidence_manifest m;
		if (!evidence_manifest_parse(data, len, NULL, &m, scratch))
			reason = "its list of outputs is malformed";
		evidence_manifest_free(&m);
		diags_free(scratch);
	}
	cJSON_Delete(root);
	if (why)
		*why = reason;
	return reason == NULL;
}

/* ---- keys and signatures ---------------------------------------------- */

/* Library code never prompts: an encrypted key simply fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The first OpenSSL error as text (for the end of a message), queue cleared. */
static void openssl_reason(char *out, size_t n)
{
	unsigned long e = ERR_peek_last_error();
	out[0] = '\0';
	if (e) {
		const char *r = ERR_reason_error_string(e);
		if (r)
			snprintf(out, n, " (%s)", r);
	}
	ERR_clear_error();
}

/* Loads an Ed25519 key; for !private_key a public key or the public half
 * of a private key.  NULL + diagnostic on failure. */
static EVP_PKEY *load_key(const char *path, bool private_key, struct diags *d)
{
	EVP_PKEY *key = NULL;
	struct source_file f = {0};
	char reason[160];
	if (!source_read_path(path, KEY_MAX, &f, d))
		return NULL;
	BIO *bio = BIO_new_mem_buf(f.data, (int)f.len);
	if (!bio) {
		diag_error(d, path, 0, 0, "cannot read key: out of memory in OpenSSL");
		goto out;
	}
	if (!private_key) {
		key = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
		if (!key) {
			ERR_clear_error();
			(void)BIO_reset(bio);
		}
	}
	if (!key)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!key) {
		openssl_reason(reason, sizeof(reason));
		if (private_key && strstr(f.data, "PUBLIC KEY"))
			diag_error(d, path, 0, 0,
				   "this is a public key; signing needs the private key "
				   "(the public key is for verifying)");
		else if (strstr(f.data, "ENCRYPTED"))
			diag_error(d, path, 0, 0,
				   "signing key is encrypted; drgen needs an unencrypted PEM key "
				   "(decrypt a copy with `openssl pkey -in KEY -out PLAIN`)");
		else
			diag_error(d, path, 0, 0, "cannot read key: expected a PEM %s key%s",
				   private_key ? "private" : "public", reason);
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		const char *type = EVP_PKEY_get0_type_name(key);
		diag_error(d, path, 0, 0,
			   "key is not an Ed25519 key (found %s); create one with "
			   "`openssl genpkey -algorithm ed25519 -out KEY`",
			   type ? type : "another type");
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	BIO_free(bio);
	source_file_free(&f);
	return key;
}

bool evidence_key_check(const char *key_path, bool private_key, struct diags *d)
{
	EVP_PKEY *key = load_key(key_path, private_key, d);
	EVP_PKEY_free(key);
	return key != NULL;
}

bool evidence_sign(const char *key_path, const void *data, size_t len,
		   unsigned char sig[EVIDENCE_SIG_LEN], struct diags *d)
{
	bool ok = false;
	char reason[160];
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *key = load_key(key_path, true, d);
	if (!key)
		return false;
	ctx = EVP_MD_CTX_new();
	size_t sig_len = EVIDENCE_SIG_LEN;
	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &sig_len, data, len) != 1 || sig_len != EVIDENCE_SIG_LEN) {
		openssl_reason(reason, sizeof(reason));
		diag_error(d, key_path, 0, 0, "cannot sign the evidence manifest%s", reason);
		goto out;
	}
	ok = true;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

int evidence_sig_check(const char *key_path, const void *data, size_t len,
		       const unsigned char *sig, size_t sig_len, struct diags *d)
{
	int result = 1;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *key = load_key(key_path, false, d);
	if (!key)
		return -1;
	if (sig_len != EVIDENCE_SIG_LEN)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1)
		result = 0;
	ERR_clear_error();
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return result;
}

/* ---- hashing ---------------------------------------------------------- */

int evidence_hash_fd(int fd, char out[65], uint64_t *size)
{
	int err = 0;
	enum { CHUNK = 64 << 10 };
	unsigned char *chunk = xmalloc(CHUNK), md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint64_t total = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		err = ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	EVP_DigestFinal_ex(ctx, md, &md_len);
	for (unsigned i = 0; i < md_len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	*size = total;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(chunk);
	return err;
}
