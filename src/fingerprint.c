/*
 * fingerprint.c -- the report fingerprint (fingerprint.h).
 */
#include "fingerprint.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int file_cmp(const void *a, const void *b)
{
	const struct fingerprint_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static bool excluded(const struct fingerprint_set *set, const char *path)
{
	for (size_t i = 0; i < set->n_excludes; i++)
		if (strcmp(set->excludes[i], path) == 0)
			return true;
	return false;
}

static void put_list(struct source_hash *h, const char *kind,
		     const struct fingerprint_file *files, size_t n,
		     const struct fingerprint_set *set, bool apply_excludes)
{
	struct fingerprint_file *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!apply_excludes || !excluded(set, files[i].path))
			v[k++] = files[i];
	qsort(v, k, sizeof(*v), file_cmp);
	struct buf line = BUF_INIT;
	for (size_t i = 0; i < k; i++) {
		buf_reset(&line);
		buf_printf(&line, "%s %s %s\n", kind, v[i].sha256, v[i].path);
		source_hash_update(h, line.data, line.len);
	}
	buf_free(&line);
	free(v);
}

void fingerprint_compute(const struct fingerprint_set *set, char out[65])
{
	struct source_hash *h = source_hash_new();
	char head[64];
	int n = snprintf(head, sizeof(head), "drgen report fingerprint %d\n",
			 FINGERPRINT_VERSION);
	source_hash_update(h, head, (size_t)n);
	put_list(h, "input", set->inputs, set->n_inputs, set, false);
	put_list(h, "rule", set->rules, set->n_rules, set, true);
	put_list(h, "template", set->templates, set->n_templates, set, false);
	source_hash_end(h, out);
}

static struct fingerprint_file *files_of(const struct source_input *in, size_t n)
{
	struct fingerprint_file *v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (struct fingerprint_file){in[i].path, in[i].sha256};
	return v;
}

void fingerprint_of_inputs(const struct source_input *inputs, size_t n_inputs,
			   const struct source_input *rules, size_t n_rules,
			   const struct source_input *templates, size_t n_templates,
			   const char *const *excludes, size_t n_excludes, char out[65])
{
	struct fingerprint_file *i = files_of(inputs, n_inputs), *r = files_of(rules, n_rules),
				*t = files_of(templates, n_templates);
	struct fingerprint_set set = {i, r, t, n_inputs, n_rules, n_templates, excludes,
				      n_excludes};
	fingerprint_compute(&set, out);
	free(i);
	free(r);
	free(t);
}

char *fingerprint_label_path(const char *data_dir, const char *plan_dir, const char *path)
{
	size_t n = data_dir ? strlen(data_dir) : 0;
	if (n && strncmp(path, data_dir, n) == 0 && path[n] == '/')
		return xasprintf("drgen:%s", path + n + 1);
	n = plan_dir ? strlen(plan_dir) : 0;
	if (n && strncmp(path, plan_dir, n) == 0 && path[n] == '/')
		return xasprintf("plan:%s", path + n + 1);
	return xstrdup(path);
}
