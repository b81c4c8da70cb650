/* test_markdown.c -- prose from the plan never carries HTML or scripts. */
#include "testutil.h"

#include <stdlib.h>

#include "markdown.h"
#include "util.h"

static char *html(const char *md)
{
	return markdown_to_html(md, strlen(md), 2, NULL);
}

static char *md(const char *text)
{
	return markdown_to_markdown(text, strlen(text), 2, NULL);
}

static void test_raw_html_is_dropped(void **state)
{
	(void)state;
	char *out = html("Hello <script>alert(1)</script>\n\n<div onerror=\"x()\">block</div>\n");
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "onerror"));
	assert_non_null(strstr(out, "Hello"));
	free(out);
}

static void test_unsafe_links_lose_target(void **state)
{
	(void)state;
	char *out = html("[click](javascript:alert(1)) [ok](https://wiki.example/x) "
			 "[v](VBScript:x) ![img](data:text/html;base64,xx)\n");
	assert_null(strstr(out, "javascript:"));
	assert_null(strstr(out, "VBScript:"));
	assert_null(strstr(out, "data:text"));
	assert_non_null(strstr(out, "href=\"https://wiki.example/x\""));
	free(out);
}

/* A page loads nothing from anywhere: remote images become links. */
static void test_remote_images_become_links(void **state)
{
	(void)state;
	char *out = html("![p](https://host/p.png) ![q](//host/q.png) ![r](http://h/r.gif) "
			 "![s](/abs.png) ![t](img/../../up.png) ![u](ftp://h/u.png) "
			 "![v](%2e%2e/v.png) ![w](<\\\\host/w.png>) ![x](data:image/svg+xml;base64,PHN2Zz4=) "
			 "![ok](img/ok.png?v=1) ![d](data:image/png;base64,iVBORw0K=)\n");
	/* Exactly two images remain: the embedded one and the local one. */
	const char *p = strstr(out, "<img");
	assert_non_null(p);
	assert_non_null(strstr(out, "<img src=\"img/ok.png?v=1\" alt=\"ok\""));
	assert_non_null(strstr(out, "<img src=\"data:image/png;base64,iVBORw0K=\" alt=\"d\""));
	p = strstr(p + 1, "<img");
	assert_non_null(p);
	assert_null(strstr(p + 1, "<img"));
	assert_non_null(strstr(out, "<a href=\"https://host/p.png\">p</a>"));
	assert_non_null(strstr(out, "<a href=\"//host/q.png\">q</a>"));
	assert_non_null(strstr(out, "<a href=\"http://h/r.gif\">r</a>"));
	assert_non_null(strstr(out, "<a href=\"/abs.png\">s</a>"));
	assert_null(strstr(out, "ftp:"));
	assert_non_null(strstr(out, " u "));
	assert_null(strstr(out, "svg"));
	free(out);
	/* Inside a link, a remote image is its description: no link in a link. */
	out = html("[![badge](https://host/b.svg)](https://wiki.example/x)\n");
	assert_non_null(strstr(out, "<a href=\"https://wiki.example/x\">badge</a>"));
	assert_null(strstr(out, "host/b.svg"));
	free(out);
	out = md("![p](https://host/p.png) ![q](//host/q.png) ![ok](img/ok.png)\n");
	assert_non_null(strstr(out, "[p](https://host/p.png)"));
	assert_non_null(strstr(out, "[q](//host/q.png)"));
	assert_null(strstr(out, "![p]"));
	assert_null(strstr(out, "![q]"));
	assert_non_null(strstr(out, "![ok](img/ok.png)"));
	free(out);
}

static void test_headings_shift(void **state)
{
	(void)state;
	char *out = html("# Top\n\n##### Deep\n");
	assert_non_null(strstr(out, "<h3>Top</h3>"));
	assert_non_null(strstr(out, "<h6>Deep</h6>"));
	free(out);
}

static void test_markdown_output_escapes_html(void **state)
{
	(void)state;
	char *out = md("Run <img src=x onerror=alert(1)> now\n\n[x](javascript:evil())\n");
	/* The tag survives only as escaped, literal text: every '<' is "\\<". */
	for (const char *p = strchr(out, '<'); p; p = strchr(p + 1, '<'))
		assert_true(p > out && p[-1] == '\\');
	assert_non_null(strstr(out, "\\<img src=x"));
	assert_null(strstr(out, "javascript:"));
	free(out);
}

static void test_html_block_shown_as_text(void **state)
{
	(void)state;
	char *out = md("Intro\n\n<div onclick=\"x()\">\nblock\n</div>\n\n![pic](javascript:x) end\n");
	/* The block reads line by line, escaped; no entity noise. */
	assert_non_null(strstr(out, "\\<div onclick=\"x()\"\\>  \nblock  \n\\</div\\>"));
	assert_null(strstr(out, "&#10;"));
	/* An image with an unsafe target keeps only its description. */
	assert_non_null(strstr(out, "pic end"));
	assert_null(strstr(out, "!["));
	free(out);
	out = html("![pic](javascript:x) end\n");
	assert_null(strstr(out, "<img"));
	assert_non_null(strstr(out, "pic end"));
	free(out);
}

static void test_text_reads_correctly(void **state)
{
	(void)state;
	char *out = html("Fish & chips \"quoted\" — café\n");
	assert_non_null(strstr(out, "Fish &amp; chips &quot;quoted&quot; — café"));
	free(out);
}

/* GitHub pipe tables in prose become HTML tables, through the same safe walk. */
static void test_pipe_tables(void **state)
{
	(void)state;
	char *out = html("Ports to open:\n"
			 "| Service | Port | Notes |\n"
			 "|:--------|-----:|:-----:|\n"
			 "| ledger  | 5432 | `psql` via [bastion](https://b.example) |\n"
			 "| a \\| b  | 1 |\n"
			 "| x | 2 | [bad](javascript:alert(1)) <script>x</script> |\n"
			 "\n"
			 "After the table.\n");
	assert_non_null(strstr(out, "<p>Ports to open:</p>\n<table>\n<thead>\n<tr>\n"
				    "<th scope=\"col\" style=\"text-align: left\">Service</th>\n"
				    "<th scope=\"col\" style=\"text-align: right\">Port</th>\n"
				    "<th scope=\"col\" style=\"text-align: center\">Notes</th>\n"));
	assert_non_null(strstr(out, "<td style=\"text-align: center\"><code>psql</code> via "
				    "<a href=\"https://b.example\">bastion</a></td>"));
	/* An escaped pipe stays in its cell; a short row gets an empty cell. */
	assert_non_null(strstr(out, "<td style=\"text-align: left\">a | b</td>\n"
				    "<td style=\"text-align: right\">1</td>\n"
				    "<td style=\"text-align: center\"></td>"));
	assert_null(strstr(out, "javascript:"));
	assert_null(strstr(out, "<script"));
	assert_non_null(strstr(out, "</tbody>\n</table>\n<p>After the table.</p>"));
	free(out);

	/* Not tables: inside fenced code, a heading underline, mismatched cells. */
	out = html("```\n| a | b |\n|---|---|\n```\n\na | b\n---\n\n| a | b |\n|---|\n");
	assert_null(strstr(out, "<table>"));
	assert_non_null(strstr(out, "<pre><code>| a | b |\n|---|---|\n</code></pre>"));
	assert_non_null(strstr(out, "<h4>a | b</h4>"));  /* h2, shifted by 2 */
	free(out);

	/* Block syntax in a cell is shown as typed; a table with no body rows. */
	out = html("| # x | - y |\n| --- | --- |\n");
	assert_non_null(strstr(out, "<th scope=\"col\"># x</th>"));
	assert_null(strstr(out, "<tbody>"));
	free(out);

	/* More than 64 columns is not a table (a line of many pipes). */
	struct buf wide = BUF_INIT;
	for (int row = 0; row < 2; row++) {
		for (int k = 0; k < 65; k++)
			buf_puts(&wide, row ? "|-" : "|x");
		buf_puts(&wide, "|\n");
	}
	out = html(wide.data);
	assert_null(strstr(out, "<table>"));
	free(out);
	buf_free(&wide);

	/* A NUL byte in a cell is replaced, as cmark does in text. */
	static const char nul[] = "| a\0b | # c\0 |\n|---|---|\n";
	size_t n;
	out = markdown_to_html(nul, sizeof(nul) - 1, 0, &n);
	assert_int_equal(strlen(out), n);
	assert_non_null(strstr(out, "a\xEF\xBF\xBD" "b"));
	assert_non_null(strstr(out, "# c\xEF\xBF\xBD"));
	free(out);

	/* Markdown output keeps the table as written. */
	out = md("| a | b |\n|---|---|\n| 1 | 2 |\n");
	assert_non_null(strstr(out, "| a | b |"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_html_is_dropped),
		cmocka_unit_test(test_pipe_tables),
		cmocka_unit_test(test_unsafe_links_lose_target),
		cmocka_unit_test(test_remote_images_become_links),
		cmocka_unit_test(test_headings_shift),
		cmocka_unit_test(test_markdown_output_escapes_html),
		cmocka_unit_test(test_html_block_shown_as_text),
		cmocka_unit_test(test_text_reads_correctly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
