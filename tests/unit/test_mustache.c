/* test_mustache.c -- the Mustache engine: escaping, numbers, errors, lookup, limits. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mustache.h"
#include "source.h"

/* Renders tpl with the JSON view in a fresh loader; caller frees. */
static char *render_with(struct mustache_loader *l, const char *tpl,
			 const char *json, struct diags *d, bool *ok)
{
	cJSON *view = json ? cJSON_Parse(json) : NULL;
	assert_true(!json || view);
	struct buf out = BUF_INIT;
	const struct mustache_template *t = mustache_compile("t.mustache", tpl,
							     strlen(tpl), l, d);
	*ok = t && mustache_render(t, view, &out, d);
	cJSON_Delete(view);
	if (!out.data)
		return xstrdup("");
	return buf_detach(&out, NULL);
}

/* Renders and expects success and the given output. */
static void expect(const char *tpl, const char *json, const char *want)
{
	struct mustache_loader *l = mustache_loader_new();
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, tpl, json, d, &ok);
	assert_true(ok);
	assert_string_equal(got, want);
	assert_int_equal(diags_len(d), 0);
	free(got);
	diags_free(d);
	mustache_loader_free(l);
}

/* Compiles (and renders) expecting one error at line:col whose message contains msg. */
static void expect_error_in(struct mustache_loader *l, const char *tpl,
			    const char *json, int line, int col, const char *msg)
{
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, tpl, json, d, &ok);
	assert_false(ok);
	assert_true(diags_has_errors(d));
	const struct diag *g = diags_get(d, 0);
	if (!strstr(g->message, msg) || g->line != line || g->col != col)
		fail_msg("want %d:%d '%s', got %d:%d '%s'", line, col, msg, g->line,
			 g->col, g->message);
	free(got);
	diags_free(d);
}

static void expect_error(const char *tpl, int line, int col, const char *msg)
{
	struct mustache_loader *l = mustache_loader_new();
	expect_error_in(l, tpl, "{}", line, col, msg);
	mustache_loader_free(l);
}

/* ---- escaping and values ---- */

static void test_escaping(void **state)
{
	(void)state;
	const char *v = "{\"x\": \"a & b < c > d \\\" e ' f\"}";
	expect("{{x}}", v, "a &amp; b &lt; c &gt; d &quot; e &#39; f");
	expect("{{{x}}}", v, "a & b < c > d \" e ' f");
	expect("{{&x}}", v, "a & b < c > d \" e ' f");
	expect("{{x}}", "{\"x\": \"&&\"}", "&amp;&amp;");
	expect("{{x}}", "{\"x\": \"plain\"}", "plain");
	expect("<{{x}}>", "{\"x\": \"\"}", "<>");
	/* Non-ASCII passes through untouched. */
	expect("{{x}}", "{\"x\": \"Zürich — 東京\"}", "Zürich — 東京");
}

static void test_numbers(void **state)
{
	(void)state;
	expect("{{n}}", "{\"n\": 1.210}", "1.21");
	expect("{{n}}", "{\"n\": 85}", "85");
	expect("{{n}}", "{\"n\": -2.5}", "-2.5");
	expect("{{n}}", "{\"n\": 0}", "0");
	expect("{{n}}", "{\"n\": -0.0}", "0");
	expect("{{n}}", "{\"n\": 0.1}", "0.1");
	expect("{{n}}", "{\"n\": 100.0}", "100");
	expect("{{n}}", "{\"n\": 123456789012}", "123456789012");
	expect("{{n}}", "{\"n\": 1e21}", "1e+21");
	expect("{{n}}", "{\"n\": 1e-7}", "1e-07");
	expect("{{n}}", "{\"n\": 0.30000000000000004}", "0.30000000000000004");
	expect("{{n}}", "{\"n\": 3.3333333333333335}", "3.3333333333333335");
	expect("{{{n}}}", "{\"n\": 99.5}", "99.5");
}

static void test_values_and_truthiness(void **state)
{
	(void)state;
	expect("{{t}} {{f}} [{{n}}] [{{o}}] [{{a}}] [{{missing}}]",
	       "{\"t\": true, \"f\": false, \"n\": null, \"o\": {\"x\": 1}, \"a\": [1]}",
	       "true false [] [] [] []");
	/* Falsey: false, null, the empty list and missing names. */
	expect("{{#f}}F{{/f}}{{#n}}N{{/n}}{{#e}}E{{/e}}{{#m}}M{{/m}}",
	       "{\"f\": false, \"n\": null, \"e\": []}", "");
	expect("{{^f}}F{{/f}}{{^n}}N{{/n}}{{^e}}E{{/e}}{{^m}}M{{/m}}",
	       "{\"f\": false, \"n\": null, \"e\": []}", "FNEM");
	/* Everything else is truthy, including "", 0 and {}. */
	expect("{{#s}}S{{/s}}{{#z}}Z{{/z}}{{#o}}O{{/o}}",
	       "{\"s\": \"\", \"z\": 0, \"o\": {}}", "SZO");
	/* A scalar section is its own context. */
	expect("{{#name}}<{{.}}>{{/name}}", "{\"name\": \"Ann\"}", "<Ann>");
	expect("{{#list}}{{.}},{{/list}}", "{\"list\": [1, \"two\", 3.5]}", "1,two,3.5,");
	/* Dotted names resolve their first part only. */
	expect("{{#a}}{{b.c}}{{/a}}", "{\"a\": {\"b\": {}}, \"b\": {\"c\": \"no\"}}", "");
	expect("{{a.b.c}}", "{\"a\": {\"b\": {\"c\": \"yes\"}}}", "yes");
	/* A view that is not an object, or none at all. */
	expect("[{{.}}]", "\"root\"", "[root]");
	expect("[{{x}}{{.}}]", NULL, "[]");
}

/* ---- lazy lists ---- */

/* Item i is {"i": i, "sq": [i * i]}; counts the items built. */
struct squares {
	struct mustache_list list;
	size_t *built;
};

static cJSON *square(const struct mustache_list *l, size_t i)
{
	const struct squares *sq = (const struct squares *)(const void *)l;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "i", (double)i);
	cJSON *a = cJSON_AddArrayToObject(o, "sq");
	cJSON_AddItemToArray(a, cJSON_CreateNumber((double)(i * i)));
	(*sq->built)++;
	return o;
}

static cJSON *squares_view(size_t n, size_t *built)
{
	struct squares *sq = xmalloc(sizeof(*sq));
	*sq = (struct squares){{n, square}, built};
	cJSON *view = cJSON_CreateObject();
	cJSON_AddItemToObject(view, "rows", mustache_list_node(&sq->list));
	return view;
}

static bool collect(void *ctx, const char *data, size_t len)
{
	buf_append(ctx, data, len);
	return true;
}

static bool refuse(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return false;
}

static void test_lazy_lists(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	struct diags *d = diags_new();
	const char *tpl = "{{#rows}}{{i}}:{{#sq}}{{.}}{{/sq}};{{/rows}}{{^rows}}none{{/rows}}";
	const struct mustache_template *t = mustache_compile("t", tpl, strlen(tpl), l, d);
	size_t built = 0;
	struct buf out = BUF_INIT;

	/* Each item is built when the section reaches it (and freed: ASan). */
	cJSON *view = squares_view(4, &built);
	assert_true(mustache_render(t, view, &out, d));
	assert_string_equal(out.data, "0:0;1:1;2:4;3:9;");
	assert_int_equal(built, 4);
	/* cJSON sees an empty array; the expanded copy has the items. */
	const cJSON *rows = cJSON_GetObjectItem(view, "rows");
	assert_true(cJSON_IsArray(rows));
	assert_int_equal(cJSON_GetArraySize(rows), 0);
	assert_int_equal(mustache_list_of(rows)->n, 4);
	cJSON *full = mustache_view_expand(view);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(full, "rows")), 4);
	assert_null(mustache_list_of(cJSON_GetObjectItem(full, "rows")));
	cJSON_Delete(full);
	cJSON_Delete(view);

	/* Streamed through a sink in pieces of about MUSTACHE_FLUSH_BYTES:
	 * pieces plus the rest are the same bytes as a render into memory. */
	struct buf whole = BUF_INIT, pieces = BUF_INIT, rest = BUF_INIT;
	view = squares_view(200000, &built);
	assert_true(mustache_render(t, view, &whole, d));
	assert_true(whole.len > 2 * MUSTACHE_FLUSH_BYTES);
	assert_true(mustache_render_to(t, view, MUSTACHE_ESCAPE_HTML, &rest, collect, &pieces, d));
	assert_true(pieces.len >= 2 * MUSTACHE_FLUSH_BYTES);
	assert_true(rest.len < MUSTACHE_FLUSH_BYTES + 64);
	buf_append(&pieces, rest.data, rest.len);
	assert_int_equal(pieces.len, whole.len);
	assert_memory_equal(pieces.data, whole.data, whole.len);
	/* A sink that fails stops the render. */
	buf_reset(&rest);
	assert_false(mustache_render_to(t, view, MUSTACHE_ESCAPE_HTML, &rest, refuse, NULL, d));
	cJSON_Delete(view);
	buf_free(&whole);
	buf_free(&pieces);
	buf_free(&rest);

	/* An empty lazy list is falsey. */
	buf_reset(&out);
	view = squares_view(0, &built);
	assert_true(mustache_render(t, view, &out, d));
	assert_string_equal(out.data, "none");
	cJSON_Delete(view);
	buf_free(&out);
	diags_free(d);
	mustache_loader_free(l);
}

static void test_render_appends(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	struct diags *d = diags_new();
	const struct mustache_template *t = mustache_compile("t", "b{{x}}", 6, l, d);
	assert_non_null(t);
	struct buf out = BUF_INIT;
	buf_puts(&out, "a");
	cJSON *v = cJSON_Parse("{\"x\": \"c\"}");
	assert_true(mustache_render(t, v, &out, d));
	assert_true(mustache_render(t, v, &out, d));
	assert_string_equal(out.data, "abcbc");
	assert_int_equal(out.len, 5);
	assert_string_equal(mustache_template_name(t), "t");
	cJSON_Delete(v);
	buf_free(&out);
	diags_free(d);
	mustache_loader_free(l);
}

/* ---- inheritance and indentation beyond the spec's cases ---- */

static void test_inheritance(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	const char *layout = "<h1>{{$title}}Untitled{{/title}}</h1>\n"
			     "<body>\n"
			     "  {{$body}}\n"
			     "  <p>empty</p>\n"
			     "  {{/body}}\n"
			     "</body>\n";
	mustache_loader_add_text(l, "layout", layout, strlen(layout));
	const char *child = "{{<layout}}\n"
			    "{{$title}}{{name}}{{/title}}\n"
			    "{{$body}}\n"
			    "<ul>\n"
			    "{{#items}}\n"
			    "  <li>{{.}}</li>\n"
			    "{{/items}}\n"
			    "</ul>\n"
			    "{{/body}}\n"
			    "{{/layout}}\n";
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, child, "{\"name\": \"R&D\", \"items\": [1, 2]}", d, &ok);
	assert_true(ok);
	assert_string_equal(got, "<h1>R&amp;D</h1>\n<body>\n  <ul>\n    <li>1</li>\n"
				 "    <li>2</li>\n  </ul>\n</body>\n");
	free(got);
	/* Without overrides the defaults render as written. */
	got = render_with(l, "{{<layout}}{{/layout}}", "{}", d, &ok);
	assert_true(ok);
	assert_string_equal(got, "<h1>Untitled</h1>\n<body>\n  <p>empty</p>\n</body>\n");
	free(got);
	diags_free(d);
	mustache_loader_free(l);
}

/* ---- errors and their positions ---- */

static void test_error_positions(void **state)
{
	(void)state;
	expect_error("ab\n  {{#items}}\nx", 2, 3, "unclosed section 'items'");
	expect_error("{{#a}}\n {{/b}}", 2, 2,
		     "closing tag 'b' does not match the open section 'a' (line 1, column 1)");
	expect_error("x {{/a}}", 1, 3, "closing tag 'a' has no open section");
	expect_error("a\nb {{name", 2, 3, "unclosed tag: expected '}}'");
	expect_error("{{{name}}", 1, 1, "unclosed tag: expected '}}}'");
	expect_error("\n\n   {{=<% %>}}", 3, 4, "bad delimiter change");
	expect_error("{{= a =}}", 1, 1, "bad delimiter change");
	expect_error("{{=<% = %>=}}", 1, 1, "bad delimiter change");
	expect_error("{{=<% %>=}}\n<% x", 2, 1, "unclosed tag: expected '%>'");
	expect_error("{{}}", 1, 1, "empty tag");
	expect_error("{{# }}", 1, 1, "missing name");
	expect_error("{{a b}}", 1, 1, "unexpected space in the name 'a b'");
	expect_error("{{a..b}}", 1, 1, "invalid name 'a..b'");
	expect_error("{{$b}}{{/b}}{{<p}}", 1, 13, "unclosed parent 'p'");
	expect_error("{{>../etc/passwd}}", 1, 1, "invalid partial name '../etc/passwd'");
	expect_error("{{</abs}}{{//abs}}", 1, 1, "invalid parent name '/abs'");
	expect_error("ok\n{{>nothere}}", 2, 1, "unknown partial 'nothere' (no template directory given)");
	expect_error("{{<nothere}}{{/nothere}}", 1, 1, "unknown parent 'nothere'");
	/* An error inside a partial is reported in the partial. */
	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_add_text(l, "bad", "line one\n{{#open}}", 18);
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, "{{>bad}}", "{}", d, &ok);
	assert_false(ok);
	const struct diag *g = diags_get(d, 0);
	assert_string_equal(g->file, "bad");
	assert_int_equal(g->line, 2);
	assert_int_equal(g->col, 1);
	free(got);
	diags_free(d);
	mustache_loader_free(l);
}

static void test_nesting_limit(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	for (int i = 0; i <= MUSTACHE_MAX_NESTING; i++)
		buf_puts(&b, "{{#a}}");
	expect_error(b.data, 1, 6 * MUSTACHE_MAX_NESTING + 1, "nested deeper than");
	buf_free(&b);
}

/* ---- lenient and strict ---- */

static void test_missing_partials(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_set_lenient(l, true);
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, "[{{>nope}}][{{>*dyn}}][{{<nope}}{{/nope}}]",
				"{\"dyn\": \"nope\"}", d, &ok);
	assert_true(ok);
	assert_string_equal(got, "[][][]");
	free(got);
	diags_free(d);
	mustache_loader_free(l);

	/* Strict: a dynamic name that finds nothing fails the render. */
	l = mustache_loader_new();
	expect_error_in(l, "a\n  {{>*dyn}}", "{\"dyn\": \"nope\"}", 2, 3,
			"unknown partial 'nope'");
	/* A dynamic name that resolves to nothing is falsey: no error. */
	d = diags_new();
	got = render_with(l, "[{{>*dyn}}]", "{}", d, &ok);
	assert_true(ok);
	assert_string_equal(got, "[]");
	free(got);
	/* Names taken from the view are checked too. */
	expect_error_in(l, "{{>*dyn}}", "{\"dyn\": \"../x\"}", 1, 1,
			"invalid template name '../x'");
	diags_free(d);
	mustache_loader_free(l);
}

/* ---- directories ---- */

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPBASE");
	char *dir = xasprintf("%s/mustache.XXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void test_directories(void **state)
{
	(void)state;
	char *root = make_tmpdir();
	char *plan = xasprintf("%s/plan", root);
	char *ship = xasprintf("%s/ship", root);
	char *sub = xasprintf("%s/ship/parts", root);
	char *out = xasprintf("%s/outside", root);
	assert_int_equal(mkdir(plan, 0755), 0);
	assert_int_equal(mkdir(ship, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkdir(out, 0755), 0);
	write_file(ship, "page.mustache", "<{{>head}}|{{>parts/row}}>");
	write_file(ship, "head.mustache", "shipped head");
	write_file(plan, "head.mustache", "plan head");
	write_file(sub, "row.mustache", "row");
	write_file(out, "secret.mustache", "secret");
	char *link = xasprintf("%s/secret.mustache", plan);
	char *target = xasprintf("%s/secret.mustache", out);
	assert_int_equal(symlink(target, link), 0);

	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_add_dir(l, plan);   /* the plan's templates/ first */
	mustache_loader_add_dir(l, ship);   /* then the shipped ones */
	struct diags *d = diags_new();
	const struct mustache_template *t = mustache_loader_get(l, "page", d);
	assert_non_null(t);
	struct buf b = BUF_INIT;
	assert_true(mustache_render(t, NULL, &b, d));
	assert_string_equal(b.data, "<plan head|row>");
	buf_free(&b);
	/* The same name compiles once. */
	assert_ptr_equal(mustache_loader_get(l, "page", d), t);

	/* Every file read is listed, sorted by path, with its hash. */
	const struct mustache_file *files;
	size_t n = mustache_loader_files(l, &files);
	assert_int_equal(n, 3);
	char *p0 = xasprintf("%s/head.mustache", plan);
	assert_string_equal(files[0].path, p0);
	assert_string_equal(files[0].name, "head");
	char sha[65];
	source_sha256_hex("plan head", 9, sha);
	assert_string_equal(files[0].sha256, sha);
	assert_int_equal(files[0].size, 9);
	free(p0);

	/* A link out of the directory is refused, not followed. */
	assert_null(mustache_loader_get(l, "secret", d));
	assert_non_null(strstr(diags_get(d, diags_len(d) - 1)->message,
			       "outside the template directory"));
	/* Lexically bad names never touch the file system. */
	const char *bad[] = {"../outside/secret", "/etc/passwd", "a/../b", "a//b",
			     "./a", "a/", "", "a b", "a\\b", "..", "x:y"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(mustache_name_valid(bad[i], strlen(bad[i])));
		assert_null(mustache_loader_get(l, bad[i], d));
	}
	assert_true(mustache_name_valid("parts/row", 9));
	assert_true(mustache_name_valid("a.b-c_d", 7));
	assert_null(mustache_loader_get(l, "absent", d));
	assert_non_null(strstr(diags_get(d, diags_len(d) - 1)->message,
			       "unknown template 'absent' (looked for"));
	diags_free(d);
	mustache_loader_free(l);

	unlink(link);
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(link);
	free(target);
	free(root);
	free(plan);
	free(ship);
	free(sub);
	free(out);
}

/* ---- limits ---- */

static void test_recursion_limits(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	mustache_loader_add_text(l, "self", "x{{>self}}", 10);
	mustache_loader_add_text(l, "p", "{{<p}}{{/p}}", 12);
	mustache_loader_add_text(l, "dyn", "{{>*name}}", 10);
	expect_error_in(l, "{{>self}}", "{}", 1, 2, "nested deeper than 256 levels");
	expect_error_in(l, "{{<p}}{{/p}}", "{}", 1, 1, "nested deeper than");
	expect_error_in(l, "{{>dyn}}", "{\"name\": \"dyn\"}", 1, 1, "nested deeper than");
	/* An override that names its own block. */
	mustache_loader_add_text(l, "q", "{{$b}}q{{/b}}", 13);
	struct diags *d = diags_new();
	bool ok;
	char *got = render_with(l, "{{<q}}{{$b}}[{{$b}}inner{{/b}}]{{/b}}{{/q}}", "{}", d, &ok);
	assert_true(ok);
	assert_string_equal(got, "[inner]");
	free(got);
	diags_free(d);
	mustache_loader_free(l);

	/* Work and output limits stop exponential templates. */
	l = mustache_loader_new();
	mustache_loader_set_limits(l, 1000, 0);
	expect_error_in(l, "{{#a}}{{#a}}{{#a}}0123456789{{/a}}{{/a}}{{/a}}",
			"{\"a\": [1,2,3,4,5,6,7,8,9,10]}", 1, 19,
			"rendered output larger than 1000 bytes");
	mustache_loader_set_limits(l, 0, 5000);
	expect_error_in(l, "{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}",
			"{\"a\": [1,2,3,4,5,6,7,8,9,10]}", 1, 25,
			"rendering took more than 5000 steps");
	mustache_loader_free(l);
}

/* ---- threads ---- */

struct job {
	const struct mustache_template *t;
	const cJSON *view;
	char *out;
	bool ok;
};

static void *render_job(void *arg)
{
	struct job *j = arg;
	struct diags *d = diags_new();
	struct buf b = BUF_INIT;
	j->ok = true;
	for (int i = 0; i < 200; i++) {
		buf_reset(&b);
		j->ok &= mustache_render(j->t, j->view, &b, d);
	}
	j->out = buf_detach(&b, NULL);
	diags_free(d);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	char name[16];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		char *text = xasprintf("<%d:{{x}}>", i);
		mustache_loader_add_text(l, name, text, strlen(text));
		free(text);
	}
	/* Dynamic names compile partials while both threads render. */
	const char *tpl = "{{#names}}{{>*.}}{{/names}}";
	struct diags *d = diags_new();
	const struct mustache_template *t = mustache_compile("t", tpl, strlen(tpl), l, d);
	assert_non_null(t);
	cJSON *view = cJSON_Parse("{\"x\": \"&\", \"names\": [\"p0\",\"p1\",\"p2\",\"p3\","
				  "\"p4\",\"p5\",\"p6\",\"p7\",\"p8\",\"p9\",\"p10\",\"p11\","
				  "\"p12\",\"p13\",\"p14\",\"p15\",\"p16\",\"p17\",\"p18\",\"p19\"]}");
	struct job jobs[2] = {{t, view, NULL, false}, {t, view, NULL, false}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, render_job, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_true(jobs[0].ok && jobs[1].ok);
	assert_string_equal(jobs[0].out, jobs[1].out);
	assert_non_null(strstr(jobs[0].out, "<0:&amp;><1:&amp;>"));
	assert_non_null(strstr(jobs[0].out, "<19:&amp;>"));
	free(jobs[0].out);
	free(jobs[1].out);
	cJSON_Delete(view);
	diags_free(d);
	mustache_loader_free(l);
}

/*
 * The budget is shared by every render through the loader, on any thread:
 * renders each within the per-render limits fail once their sum is past it.
 */
static void test_budget(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	const char *tpl = "{{#a}}0123456789{{/a}}";
	struct diags *d = diags_new();
	const struct mustache_template *t = mustache_compile("t", tpl, strlen(tpl), l, d);
	cJSON *view = cJSON_Parse("{\"a\": [1,2,3,4,5,6,7,8,9,10]}");  /* 100 bytes */
	assert_non_null(t);

	/* Bytes: 200 renders of 100 bytes on two threads against 5,000. */
	mustache_loader_set_budget(l, 5000, 0);
	struct job jobs[2] = {{t, view, NULL, true}, {t, view, NULL, true}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, render_job, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_false(jobs[0].ok && jobs[1].ok);
	free(jobs[0].out);
	free(jobs[1].out);

	/* One render at a time: the third of 100 bytes goes past 250. */
	struct mustache_loader *l2 = mustache_loader_new();
	mustache_loader_set_budget(l2, 250, 0);
	for (int i = 0; i < 2; i++) {
		struct buf b = BUF_INIT;
		assert_true(mustache_render(mustache_compile("u", tpl, strlen(tpl), l2, d), view, &b, d));
		buf_free(&b);
	}
	expect_error_in(l2, tpl, "{\"a\": [1,2,3,4,5,6,7,8,9,10]}", 1, 7,
			"documents of this build larger than 250 bytes in all");
	mustache_loader_free(l2);

	/*
	 * Steps: 11 nodes a render, 1,100 for 100 of them; then one of 1,111
	 * takes the budget's next 1,024 at its 1,024th node (the third section
	 * of its last pass) and goes past 2,000.
	 */
	l2 = mustache_loader_new();
	mustache_loader_set_budget(l2, 0, 2000);
	for (int i = 0; i < 100; i++) {
		struct buf b = BUF_INIT;
		assert_true(mustache_render(mustache_compile("v", tpl, strlen(tpl), l2, d), view, &b, d));
		buf_free(&b);
	}
	expect_error_in(l2, "{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}",
			"{\"a\": [1,2,3,4,5,6,7,8,9,10]}", 1, 13,
			"rendering this build took more than 2000 template steps in all");
	mustache_loader_free(l2);

	cJSON_Delete(view);
	diags_free(d);
	mustache_loader_free(l);
}

static void test_markdown_escaping(void **state)
{
	(void)state;
	struct mustache_loader *l = mustache_loader_new();
	struct diags *d = diags_new();
	const char *tpl = "| {{x}} | {{{x}}} |";
	const struct mustache_template *t = mustache_compile("t.md", tpl, strlen(tpl), l, d);
	assert_non_null(t);
	cJSON *view = cJSON_Parse("{\"x\": \"a|b *c* [l](javascript:x) <img onerror=y>\\nz & `q`\"}");
	struct buf out = BUF_INIT;
	assert_true(mustache_render_escaped(t, view, MUSTACHE_ESCAPE_MARKDOWN, &out, d));
	assert_string_equal(out.data,
			    "| a\\|b \\*c\\* \\[l\\](javascript:x) &lt;img onerror=y&gt; z &amp; \\`q\\` "
			    "| a|b *c* [l](javascript:x) <img onerror=y>\nz & `q` |");
	buf_free(&out);
	cJSON_Delete(view);
	diags_free(d);
	mustache_loader_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_values_and_truthiness),
		cmocka_unit_test(test_lazy_lists),
		cmocka_unit_test(test_render_appends),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_missing_partials),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_recursion_limits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_markdown_escaping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
