/* test_jsonpos.c -- the JSON position index and its syntax diagnostics. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jsonpos.h"
#include "util.h"

static const char doc[] =
	"{\n"
	"  \"drgen\": 1,\n"
	"  \"services\": [\n"
	"    {\"id\": \"api\", \"tier\": 2},\n"
	"    {\"id\": \"db\",\n"
	"     \"a/b\": {\"x~y\": [10, 20]}, \"caf\\u00e9\": true}\n"
	"  ]\n"
	"}\n";

static void expect_pos(const struct jsonpos *p, const char *ptr, int line, int col)
{
	int l = -1, c = -1;
	bool found = jsonpos_find(p, ptr, &l, &c);
	if (!found)
		fail_msg("pointer %s not found", ptr);
	if (l != line || c != col)
		fail_msg("pointer %s: got %d:%d, want %d:%d", ptr, l, c, line, col);
}

static void test_positions(void **state)
{
	(void)state;
	struct jsonpos_error err;
	struct jsonpos *p = jsonpos_scan(doc, strlen(doc), 512, &err);
	assert_non_null(p);
	expect_pos(p, "", 1, 1);
	expect_pos(p, "/drgen", 2, 12);
	expect_pos(p, "/services", 3, 15);
	expect_pos(p, "/services/0", 4, 5);
	expect_pos(p, "/services/0/tier", 4, 27);
	expect_pos(p, "/services/1/id", 5, 12);
	expect_pos(p, "/services/1/a~1b", 6, 13);
	expect_pos(p, "/services/1/a~1b/x~0y", 6, 21);
	expect_pos(p, "/services/1/a~1b/x~0y/1", 6, 26);
	expect_pos(p, "/services/1/caf\xc3\xa9", 6, 45);

	int l, c;
	assert_false(jsonpos_find(p, "/services/2", &l, &c));
	assert_int_equal(l, 0);
	assert_false(jsonpos_find(p, "/services/01", &l, &c));
	assert_false(jsonpos_find(p, "/services/-", &l, &c));
	assert_false(jsonpos_find(p, "/drgen/x", &l, &c));
	assert_false(jsonpos_find(p, "/nope", &l, &c));
	assert_false(jsonpos_find(p, "services", &l, &c));

	jsonpos_node s = jsonpos_lookup(p, "/services/1");
	assert_int_equal(jsonpos_count(p, s), 3);
	jsonpos_node k = jsonpos_child(p, s, 1);
	assert_true(jsonpos_key_pos(p, k, &l, &c));
	assert_int_equal(l, 6);
	assert_int_equal(c, 6);
	assert_int_equal(jsonpos_child(p, s, 3), JSONPOS_NONE);
	assert_false(jsonpos_key_pos(p, jsonpos_root(p), &l, &c));
	assert_false(jsonpos_key_pos(p, jsonpos_lookup(p, "/services/0"), &l, &c));
	assert_int_equal(jsonpos_member(p, s, "id", 2), jsonpos_child(p, s, 0));
	assert_int_equal(jsonpos_member(p, s, "i", 1), JSONPOS_NONE);
	jsonpos_free(p);
}

/* Empty containers, scalars and whitespace at the top level. */
static void test_top_level(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t count;
	} ok[] = {{"[]\n", 0}, {"{}\n", 0}, {" [ ] ", 0}, {"{ }", 0}, {"1\n", 0},
		  {"\"s\" ", 0}, {"null", 0}, {"[[],{}]\n", 2}, {"{\"a\":{}}\n", 1}};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		struct jsonpos_error err;
		struct jsonpos *p = jsonpos_scan(ok[i].text, strlen(ok[i].text), 512, &err);
		if (!p)
			fail_msg("%s refused: %d:%d: %s", ok[i].text, err.line, err.col,
				 err.message);
		size_t n = jsonpos_count(p, jsonpos_root(p));
		jsonpos_free(p);
		assert_int_equal(n, ok[i].count);
	}
}

/* The first member wins, as with cJSON_GetObjectItemCaseSensitive. */
static void test_duplicate_keys(void **state)
{
	(void)state;
	const char *t = "{\"a\": 1, \"a\": 2}";
	struct jsonpos_error err;
	struct jsonpos *p = jsonpos_scan(t, strlen(t), 512, &err);
	assert_non_null(p);
	expect_pos(p, "/a", 1, 7);
	jsonpos_free(p);
}

static void test_bom_and_parse(void **state)
{
	(void)state;
	const char *t = "\xEF\xBB\xBF{\"a\": [true, null]}";
	struct jsonpos_error err;
	cJSON *root;
	struct jsonpos *p;
	assert_true(jsonpos_parse(t, strlen(t), 512, &root, &p, &err));
	assert_true(cJSON_IsObject(root));
	expect_pos(p, "/a/1", 1, 17);
	cJSON_Delete(root);
	jsonpos_free(p);
}

struct bad {
	const char *text;
	int line, col;
	const char *message;
};

static const struct bad bad_cases[] = {
	{"", 1, 1, "expected a value, found end of file"},
	{"  \n ", 1, 1, "expected a value, found end of file"},
	{"{\"a\": 1,}", 1, 9, "trailing comma before '}'"},
	{"[1, 2,]", 1, 7, "trailing comma before ']'"},
	{"{\"a\": 1]", 1, 8, "expected ',' or '}' after object member, found ']'"},
	{"[1 2]", 1, 4, "expected ',' or ']' after array element, found number 2"},
	{"{\"a\": 1\n \"b\": 2}", 2, 2,
	 "expected ',' or '}' after object member, found string \"b\""},
	{"{\"a\": 1 \"b}", 1, 9,
	 "expected ',' or '}' after object member, found a string with no closing quote"},
	{"[1 \"abcdefghijklmnopqrstuvwxyz\"]", 1, 4,
	 "expected ',' or ']' after array element, found string \"abcdefghijklmnopqrstuvw...\""},
	{"{\"a\" 1}", 1, 6, "expected ':' after member name, found number 1"},
	{"{a: 1}", 1, 2, "expected a member name in double quotes, found 'a'"},
	{"{'a': 1}", 1, 2, "expected a member name in double quotes, found \"'\""},
	{"{\"a\": }", 1, 7, "expected a value, found '}'"},
	{"[1,,2]", 1, 4, "expected a value after ',', found ','"},
	{"{\"a\": 1} x", 1, 10, "expected end of file after the JSON value, found 'x'"},
	{"{\"a\": 1}{}", 1, 9, "expected end of file after the JSON value, found '{'"},
	{"{\"a\": [1,\n 2", 2, 3,
	 "expected ',' or ']' after array element, found end of file"},
	{"{\"a\": \"x}", 1, 7, "unterminated string (missing closing '\"')"},
	{"{\"a\": \"x\ny\"}", 1, 7, "unterminated string (missing closing '\"')"},
	{"[\"a\tb\"]", 1, 4, "unescaped control character U+0009 in string"},
	{"[\"a\\qb\"]", 1, 4, "invalid escape '\\q' in string"},
	{"[\"\\u12\"]", 1, 3, "invalid \\u escape in string, expected 4 hex digits"},
	{"[\"\\udc00\"]", 1, 3, "unpaired surrogate \\uDC00 in string"},
	{"[\"\\ud800x\"]", 1, 3, "unpaired surrogate \\uD800 in string"},
	{"{\"a\":\n \"Card\\u0000<b>HIDDEN</b>\"}", 2, 7, "\\u0000 (NUL) is not allowed in strings"},
	{"{\"k\\u0000x\": 1}", 1, 4, "\\u0000 (NUL) is not allowed in strings"},
	{"[01]", 1, 2, "invalid number, leading zeros are not allowed"},
	{"[1.]", 1, 2, "invalid number, expected a digit after '.'"},
	{"[-]", 1, 2, "invalid number, expected a digit after '-'"},
	{"[1e+]", 1, 2, "invalid number, expected a digit in the exponent"},
	{"[+1]", 1, 2, "expected a value, found '+1'"},
	{"[True]", 1, 2, "invalid literal 'True', expected 'true'"},
	{"[nul]", 1, 2, "expected a value, found 'nul'"},
	{"[1, undefined]", 1, 5, "expected a value after ',', found 'undefined'"},
	{"{\n  // note\n  \"a\": 1}", 2, 3, "comments are not allowed in JSON"},
	{"[\xc3\xa9]", 1, 2, "expected a value, found '\xc3\xa9'"},
	{"\xEF\xBB\xBF", 1, 4, "expected a value, found end of file"},
};

static void test_syntax_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad *b = &bad_cases[i];
		struct jsonpos_error err;
		struct jsonpos *p = jsonpos_scan(b->text, strlen(b->text), 512, &err);
		if (p)
			fail_msg("case %zu (%s): accepted", i, b->text);
		if (err.line != b->line || err.col != b->col ||
		    strcmp(err.message, b->message) != 0)
			fail_msg("case %zu (%s):\n got  %d:%d: %s\n want %d:%d: %s", i,
				 b->text, err.line, err.col, err.message, b->line,
				 b->col, b->message);
	}
}

/* A NUL byte inside the text is an error, not the end of the text. */
static void test_nul_byte(void **state)
{
	(void)state;
	const char t[] = "[1,\0 2]";
	struct jsonpos_error err;
	assert_null(jsonpos_scan(t, sizeof(t) - 1, 512, &err));
	assert_string_equal(err.message,
			    "expected a value after ',', found control character U+0000");
}

static char *nested(size_t depth, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	char *t = malloc(depth * (lo + lc) + 1);
	char *q = t;
	for (size_t i = 0; i < depth; i++, q += lo)
		memcpy(q, open, lo);
	for (size_t i = 0; i < depth; i++, q += lc)
		memcpy(q, close, lc);
	*q = '\0';
	return t;
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct jsonpos_error err;
	cJSON *root;
	struct jsonpos *p;

	char *ok = nested(512, "[", "]");
	assert_true(jsonpos_parse(ok, strlen(ok), 512, &root, &p, &err));
	cJSON_Delete(root);
	jsonpos_free(p);
	free(ok);

	char *deep = nested(513, "{\"a\":", "}");
	assert_false(jsonpos_parse(deep, strlen(deep), 512, &root, &p, &err));
	assert_null(root);
	assert_null(p);
	assert_string_equal(err.message, "nesting deeper than 512 levels");
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 512 * 5 + 1);
	free(deep);
}

/* cmark-style pathological input: a million open brackets, quickly refused. */
static void test_pathological(void **state)
{
	(void)state;
	size_t n = 1000000;
	char *t = malloc(n);
	memset(t, '[', n);
	struct jsonpos_error err;
	clock_t start = clock();
	assert_null(jsonpos_scan(t, n, JSONPOS_MAX_DEPTH, &err));
	assert_string_equal(err.message, "nesting deeper than 512 levels");
	/* Many shallow arrays side by side: linear time. */
	for (size_t i = 0; i + 2 < n; i += 3)
		memcpy(t + i, "[],", 3);
	t[0] = '[';
	t[1] = '0';
	t[2] = ',';
	size_t len = n / 3 * 3;
	t[len - 1] = ']';
	struct jsonpos *p = jsonpos_scan(t, len, JSONPOS_MAX_DEPTH, &err);
	assert_non_null(p);
	assert_int_equal(jsonpos_count(p, jsonpos_root(p)), n / 3);
	int l, c;
	assert_true(jsonpos_find(p, "/333332", &l, &c));
	assert_int_equal(c, 333332 * 3 + 1);
	jsonpos_free(p);
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	if (secs > 5.0)
		fail_msg("pathological inputs took %.1f s", secs);
	free(t);
}

static void test_offset_pos(void **state)
{
	(void)state;
	int l, c;
	jsonpos_offset_pos("ab\ncd\n", 6, 4, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 2);
	jsonpos_offset_pos("ab", 2, 99, &l, &c);
	assert_int_equal(l, 1);
	assert_int_equal(c, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_bom_and_parse),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_offset_pos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
