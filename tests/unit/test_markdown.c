/* test_markdown.c -- prose from the plan never carries HTML or scripts. */
#include "testutil.h"

#include <stdio.h>
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
	assert_non_null(strstr(out, "<pre tabindex=\"0\"><code>| a | b |\n|---|---|\n</code></pre>"));
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

/* Each GitHub alert kind becomes a styled admonition in HTML, unchanged in Markdown. */
static void test_alert_kinds(void **state)
{
	(void)state;
	static const char *const kinds[] = {"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"};
	static const char *const cls[] = {"alert-note", "alert-tip", "alert-important",
					  "alert-warning", "alert-caution"};
	for (size_t k = 0; k < 5; k++) {
		char src[128];
		snprintf(src, sizeof(src), "> [!%s]\n> Fence **first**.\n", kinds[k]);
		char *out = html(src);
		assert_non_null(strstr(out, cls[k]));
		assert_non_null(strstr(out, "<strong>first</strong>"));
		assert_null(strstr(out, "[!"));
		assert_null(strstr(out, "<blockquote"));
		free(out);
		out = md(src);
		char want[32];
		snprintf(want, sizeof(want), "> [!%s]", kinds[k]);
		assert_non_null(strstr(out, want));
		free(out);
	}
	/* not an alert: the marker is not alone on its line, or unknown */
	char *out = html("> [!WARNING] text\n");
	assert_null(strstr(out, "alert-"));
	free(out);
	out = html("> [!DANGER]\n> x\n");
	assert_null(strstr(out, "alert-"));
	free(out);
}

static void test_heading_ids(void **state)
{
	(void)state;
	struct markdown_ids ids = {0};
	char got[32];
	markdown_ids_take(&ids, "recovery", got, sizeof(got));
	const char *src = "# Read this first\n\n# Recovery: in *place*\n\n```\n# not a heading\n```\n\n# Read this first\n";
	char *out = markdown_to_html_ids(src, strlen(src), 1, &ids, NULL);
	assert_non_null(strstr(out, "<h2 id=\"read-this-first\">"));
	assert_non_null(strstr(out, "<h2 id=\"recovery-in-place\">"));
	assert_non_null(strstr(out, "<h2 id=\"read-this-first-2\">"));
	free(out);
	markdown_ids_free(&ids);
}

static void test_sections_and_first_alert(void **state)
{
	(void)state;
	const char *src = "intro\n\n# Read this first\n\nx\n\n## sub\n\n```\n# code\n```\n"
			  "# Validation: checks\n\n> [!NOTE]\n> n\n\n> [!CAUTION]\n> stop here\n";
	struct markdown_section *s;
	size_t n = markdown_sections(src, strlen(src), &s);
	assert_int_equal(n, 3);
	assert_null(s[0].title);
	assert_string_equal(s[1].title, "Read this first");
	assert_string_equal(s[2].title, "Validation: checks");
	assert_int_equal(s[2].end, strlen(src));
	assert_int_equal(s[1].end, s[2].start);
	markdown_sections_free(s, n);
	const char *title;
	char *w = markdown_first_alert(src, strlen(src), &title);
	assert_non_null(w);
	assert_string_equal(title, "Caution");
	assert_string_equal(w, "stop here\n");
	free(w);
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
		cmocka_unit_test(test_alert_kinds),
		cmocka_unit_test(test_heading_ids),
		cmocka_unit_test(test_sections_and_first_alert),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
