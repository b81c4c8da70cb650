/*
 * fuzz_mustache.c -- libFuzzer target for the Mustache parser and renderer.
 *
 * Input: TEMPLATE, then NUL + a JSON view, then NUL + "name:text" per
 * partial (the spec runner writes the specification's tests in this form
 * with --corpus).  A view that does not parse is replaced by a fixed one
 * with lists, objects, numbers and characters to escape.  An odd-length
 * template is compiled in lenient mode (missing partials render empty).
 * Small render limits keep exponential templates from looking like hangs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_view[] =
	"{\"a\":[1,2.5,{\"b\":\"<&>\"}],\"b\":{\"c\":\"x\",\"d\":[]},\"s\":\"'\\\"\","
	"\"t\":true,\"f\":false,\"n\":null,\"name\":\"a\",\"list\":[\"a\",\"b\"]}";

/* The next NUL-separated part of [*p, end). */
static bool next_part(const char **p, const char *end, const char **s, size_t *n)
{
	if (*p > end)
		return false;
	const char *z = memchr(*p, '\0', (size_t)(end - *p));
	*s = *p;
	*n = z ? (size_t)(z - *p) : (size_t)(end - *p);
	*p = z ? z + 1 : end + 1;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *tpl, *json, *part;
	size_t tlen, jlen = 0, plen;
	next_part(&p, end, &tpl, &tlen);
	if (!next_part(&p, end, &json, &jlen))
		json = "";
	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_set_lenient(l, tlen % 2 == 1);
	mustache_loader_set_limits(l, 1 << 20, 200000);
	while (next_part(&p, end, &part, &plen)) {
		const char *colon = memchr(part, ':', plen);
		if (!colon || colon == part)
			continue;
		char *name = xstrndup(part, (size_t)(colon - part));
		mustache_loader_add_text(l, name, colon + 1,
					 plen - (size_t)(colon - part) - 1);
		free(name);
	}
	cJSON *view = cJSON_ParseWithLength(json, jlen);
	if (!view)
		view = cJSON_Parse(default_view);
	struct diags *d = diags_new();
	const struct mustache_template *t = mustache_compile("fuzz", tpl, tlen, l, d);
	if (t) {
		struct buf out = BUF_INIT;
		mustache_render(t, view, &out, d);
		buf_free(&out);
	}
	diags_free(d);
	cJSON_Delete(view);
	mustache_loader_free(l);
	return 0;
}
