/*
 * mustache_spec.c -- runs the Mustache specification's own tests.
 *
 *   mustache_spec SPECDIR [--corpus OUTDIR]
 *
 * Reads every SPECDIR/NAME.json as published (github.com/mustache/spec),
 * renders each test's template with its data and partials, and compares
 * the result byte for byte.  Prints "ok - module: name" or "not ok - ..."
 * per test and "module: N passed, M failed" per module.  The core modules
 * and ~inheritance must pass entirely; ~dynamic-names is run but optional;
 * ~lambdas is skipped (drgen has no lambdas).  Exits 1 when a required test
 * fails, 0 otherwise (also when SPECDIR is absent: that is a skip).
 *
 * With --corpus, also writes each test as a seed for fuzz/fuzz_mustache.c:
 * template, NUL, data JSON, then NUL + "name:text" per partial.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "mustache.h"
#include "source.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_escaped(const char *label, const char *s)
{
	printf("#   %s \"", label);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\r')
			fputs("\\r", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else
			putchar(*s);
	}
	puts("\"");
}

static void write_seed(const char *dir, int n, const cJSON *test)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/spec-%03d", dir, n);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(test, "template");
	char *data = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(test, "data"));
	fputs(tpl->valuestring, f);
	fputc(0, f);
	if (data)
		fputs(data, f);
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(test, "partials")) {
		if (!cJSON_IsString(p))
			continue;
		fputc(0, f);
		fprintf(f, "%s:%s", p->string, p->valuestring);
	}
	free(data);
	fclose(f);
}

/* Runs one test; true when the output matches. */
static bool run_test(const char *module, const cJSON *test)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(test, "name");
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(test, "template");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(test, "expected");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
	const cJSON *partials = cJSON_GetObjectItemCaseSensitive(test, "partials");
	if (!cJSON_IsString(name) || !cJSON_IsString(tpl) || !cJSON_IsString(want)) {
		printf("not ok - %s: malformed test\n", module);
		return false;
	}
	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_set_lenient(l, true);
	const cJSON *p;
	cJSON_ArrayForEach(p, partials) {
		if (cJSON_IsString(p))
			mustache_loader_add_text(l, p->string, p->valuestring,
						 strlen(p->valuestring));
	}
	struct diags *d = diags_new();
	struct buf out = BUF_INIT;
	char *label = xasprintf("%s: %s", module, name->valuestring);
	const struct mustache_template *t =
		mustache_compile(label, tpl->valuestring, strlen(tpl->valuestring), l, d);
	bool ok = t && mustache_render(t, data, &out, d) &&
		  strcmp(out.data, want->valuestring) == 0;
	printf("%s - %s\n", ok ? "ok" : "not ok", label);
	if (!ok) {
		print_escaped("template:", tpl->valuestring);
		print_escaped("expected:", want->valuestring);
		print_escaped("got:     ", out.data ? out.data : "");
		struct buf msg = BUF_INIT;
		for (size_t i = 0; i < diags_len(d); i++) {
			buf_reset(&msg);
			diag_format(diags_get(d, i), &msg);
			printf("#   %s\n", msg.data);
		}
		buf_free(&msg);
	}
	free(label);
	buf_free(&out);
	diags_free(d);
	mustache_loader_free(l);
	return ok;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	const char *corpus = argc > 3 && strcmp(argv[2], "--corpus") == 0 ? argv[3] : NULL;
	struct stat st;
	if (!dir) {
		fprintf(stderr, "usage: mustache_spec SPECDIR [--corpus OUTDIR]\n");
		return 2;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("skip - mustache-spec: %s is absent\n", dir);
		return 0;
	}
	DIR *dh = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while (dh && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	if (dh)
		closedir(dh);
	qsort(names, n, sizeof(*names), cmp_str);

	int total_pass = 0, total_fail = 0, required_fail = 0, seed = 0;
	for (size_t i = 0; i < n; i++) {
		char module[256];
		snprintf(module, sizeof(module), "%.*s", (int)(strlen(names[i]) - 5),
			 names[i]);
		bool optional = module[0] == '~' && strcmp(module, "~inheritance") != 0;
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct diags *d = diags_new();
		struct source_file f;
		cJSON *doc = NULL;
		if (source_read_path(path, SOURCE_MAX_JSON, &f, d)) {
			doc = cJSON_ParseWithLength(f.data, f.len);
			source_file_free(&f);
		}
		const cJSON *tests = cJSON_GetObjectItemCaseSensitive(doc, "tests");
		if (!cJSON_IsArray(tests)) {
			printf("not ok - %s: cannot read the tests\n", module);
			required_fail += !optional;
			goto next;
		}
		if (strcmp(module, "~lambdas") == 0) {
			printf("skip - %s: %d tests: lambdas are not supported\n", module,
			       cJSON_GetArraySize(tests));
			goto next;
		}
		int pass = 0, fail = 0;
		const cJSON *test;
		cJSON_ArrayForEach(test, tests) {
			if (corpus)
				write_seed(corpus, seed++, test);
			if (run_test(module, test))
				pass++;
			else
				fail++;
		}
		printf("# %s: %d passed, %d failed%s\n", module, pass, fail,
		       optional ? " (optional module)" : "");
		total_pass += pass;
		total_fail += fail;
		if (!optional)
			required_fail += fail;
next:
		cJSON_Delete(doc);
		diags_free(d);
		free(path);
		free(names[i]);
	}
	free(names);
	printf("# all modules: %d passed, %d failed\n", total_pass, total_fail);
	return required_fail ? 1 : 0;
}
