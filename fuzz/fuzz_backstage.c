/*
 * fuzz_backstage.c -- libFuzzer target for the Backstage catalog reader
 * (YAML through libyaml's event API, or JSON), import_backstage_read.c.
 *
 * Inputs that are not UTF-8 are skipped (the command refuses them before
 * parsing).  Properties checked: it never crashes or leaks whatever the input (alias
 * bombs and deep nesting meet their limits), every diagnostic is well
 * formed (fuzz_check_diags), a failed read has an error, and every node of
 * a successful read has a position (line and column >= 1) and a weight
 * within the alias-expansion limit.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "import_backstage.h"

static void check_node(const struct bs_node *n, int depth)
{
	FUZZ_ASSERT(n->line >= 1 && n->col >= 1);
	FUZZ_ASSERT(n->weight >= 1 && n->weight <= BS_MAX_EXPANDED + 1);
	FUZZ_ASSERT(depth <= BS_MAX_DEPTH + 1);
	if (n->kind == BS_SCALAR) {
		FUZZ_ASSERT(n->str);
		return;
	}
	/* Shared nodes (aliases) are visited once per level only. */
	if (n->weight > 4096)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == BS_MAP)
			FUZZ_ASSERT(n->keys[i]);
		check_node(n->items[i], depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct diags *d = diags_new();
	struct bs_docs docs = {0, NULL};
	char *text = xstrndup((const char *)data, size);
	size_t bad;
	bool ok;

	/* The command reads files through source_read_path: UTF-8 only. */
	if (!source_utf8_valid(text, strlen(text), &bad)) {
		free(text);
		diags_free(d);
		arena_free(a);
		return 0;
	}
	ok = bs_read(a, "c.yaml", text, strlen(text), &docs, d);

	if (!ok)
		FUZZ_ASSERT(diags_has_errors(d));
	else
		for (size_t i = 0; i < docs.n; i++)
			check_node(docs.docs[i], 1);
	fuzz_check_diags(d);
	free(docs.docs);
	free(text);
	diags_free(d);
	arena_free(a);
	return 0;
}
