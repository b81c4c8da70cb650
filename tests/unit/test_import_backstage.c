/* test_import_backstage.c -- the Backstage catalog reader (YAML and JSON). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "import_backstage.h"

static bool read_text(struct arena *a, const char *text, struct bs_docs *docs,
		      struct diags *d)
{
	memset(docs, 0, sizeof(*docs));
	return bs_read(a, "c.yaml", text, strlen(text), docs, d);
}

static void test_yaml_documents_and_positions(void **state)
{
	struct arena *a = arena_new();
	struct diags *d = diags_new();
	struct bs_docs docs;
	const struct bs_node *deps;

	(void)state;
	assert_true(read_text(a,
		"apiVersion: backstage.io/v1alpha1\n"
		"kind: Component\n"
		"metadata:\n"
		"  name: artist-web\n"
		"spec:\n"
		"  dependsOn:\n"
		"    - resource:default/artists-db\n"
		"---\n"
		"kind: Resource\n"
		"metadata: {name: artists-db}\n"
		"---\n", &docs, d));
	assert_int_equal(diags_len(d), 0);
	assert_int_equal(docs.n, 2);
	assert_string_equal(bs_str(docs.docs[0], "kind"), "Component");
	assert_string_equal(bs_str(bs_get(docs.docs[0], "metadata"), "name"), "artist-web");
	deps = bs_get(bs_get(docs.docs[0], "spec"), "dependsOn");
	assert_int_equal(deps->kind, BS_SEQ);
	assert_int_equal(deps->n, 1);
	assert_string_equal(deps->items[0]->str, "resource:default/artists-db");
	assert_int_equal(deps->items[0]->line, 7);
	assert_int_equal(deps->items[0]->col, 7);
	assert_string_equal(bs_str(bs_get(docs.docs[1], "metadata"), "name"), "artists-db");
	assert_null(bs_get(docs.docs[1], "spec"));
	free(docs.docs);
	diags_free(d);
	arena_free(a);
}

static void test_yaml_aliases_shared(void **state)
{
	struct arena *a = arena_new();
	struct diags *d = diags_new();
	struct bs_docs docs;
	const struct bs_node *x, *y;

	(void)state;
	assert_true(read_text(a, "x: &owner {name: team-a}\ny: *owner\n", &docs, d));
	x = bs_get(docs.docs[0], "x");
	y = bs_get(docs.docs[0], "y");
	/* Never copied: the alias is the anchor's node. */
	assert_ptr_equal(x, y);
	/* map, key x, {name: team-a} (3), key y, and the alias's 3 again */
	assert_int_equal(docs.docs[0]->weight, 1 + 1 + 3 + 1 + 3);
	free(docs.docs);
	diags_free(d);
	arena_free(a);
}

static void test_yaml_hostile(void **state)
{
	struct arena *a = arena_new();
	struct diags *d = diags_new();
	struct bs_docs docs;
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (int i = 1; i < 10; i++) {
		char line[256];
		int n = snprintf(line, sizeof(line), "a%d: &a%d [", i, i);

		for (int k = 0; k < 10; k++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%s*a%d",
				      k ? "," : "", i - 1);
		snprintf(line + n, sizeof(line) - (size_t)n, "]\n");
		buf_puts(&b, line);
	}
	assert_false(read_text(a, b.data, &docs, d));
	assert_int_equal(diags_len(d), 1);
	assert_non_null(strstr(diags_get(d, 0)->message, "alias expansion too large"));
	/* The aliases of a1..a5 reach 1,111,110 nodes: refused on a5's line. */
	assert_int_equal(diags_get(d, 0)->line, 6);
	free(docs.docs);
	buf_free(&b);
	diags_free(d);
	d = diags_new();

	assert_false(read_text(a, "a: [1, 2\nb: 3\n", &docs, d));
	assert_int_equal(diags_get(d, 0)->line, 2);
	assert_non_null(strstr(diags_get(d, 0)->message, "malformed YAML"));
	free(docs.docs);
	diags_free(d);
	d = diags_new();

	assert_false(read_text(a, "? [a, b]\n: c\n", &docs, d));
	assert_string_equal(diags_get(d, 0)->message,
			    "a mapping key must be a plain value, not a sequence");
	assert_int_equal(diags_get(d, 0)->line, 1);
	assert_int_equal(diags_get(d, 0)->col, 3);
	free(docs.docs);
	diags_free(d);
	arena_free(a);
}

static void test_json_catalog_api(void **state)
{
	struct arena *a = arena_new();
	struct diags *d = diags_new();
	struct bs_docs docs;

	(void)state;
	assert_true(read_text(a,
		"{\"items\": [\n"
		"  {\"kind\": \"Component\", \"metadata\": {\"name\": \"a\"}},\n"
		"  {\"kind\": \"Group\", \"metadata\": {\"name\": \"g\"}, \"spec\": {\"n\": 3, \"b\": true}}\n"
		"], \"totalItems\": 2}\n", &docs, d));
	assert_int_equal(docs.n, 2);
	assert_string_equal(bs_str(docs.docs[1], "kind"), "Group");
	assert_int_equal(docs.docs[1]->line, 3);
	assert_int_equal(docs.docs[1]->col, 3);
	assert_string_equal(bs_str(bs_get(docs.docs[1], "spec"), "n"), "3");
	assert_string_equal(bs_str(bs_get(docs.docs[1], "spec"), "b"), "true");
	free(docs.docs);
	assert_true(read_text(a, "[{\"kind\": \"User\"}]", &docs, d));
	assert_int_equal(docs.n, 1);
	free(docs.docs);
	assert_false(read_text(a, "[{\"kind\": }]", &docs, d));
	assert_int_equal(diags_get(d, 0)->line, 1);
	assert_int_equal(diags_get(d, 0)->col, 11);
	free(docs.docs);
	diags_free(d);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_documents_and_positions),
		cmocka_unit_test(test_yaml_aliases_shared),
		cmocka_unit_test(test_yaml_hostile),
		cmocka_unit_test(test_json_catalog_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
