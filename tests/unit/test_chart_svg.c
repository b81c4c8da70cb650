/* test_chart_svg.c -- charts are well-formed, accessible and escape labels. */
#include "testutil.h"

#include <math.h>
#include <libxml/parser.h>

#include "chart_svg.h"

/* Each chart is two svg elements (wide and narrow): well-formed side by side. */
static void assert_well_formed(const struct buf *b)
{
	struct buf w = BUF_INIT;
	buf_puts(&w, "<charts>");
	buf_append(&w, b->data, b->len);
	buf_puts(&w, "</charts>");
	xmlDocPtr doc = xmlReadMemory(w.data, (int)w.len, "chart.svg", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	buf_free(&w);
	assert_non_null(strstr(b->data, "class=\"chart chart-wide\""));
	assert_non_null(strstr(b->data, "class=\"chart chart-narrow\""));
}

static void test_bars(void **state)
{
	(void)state;
	struct chart_bar bars[] = {
		{"ledger-db <x>", 30, 60, "30 min", "ok", NULL, false},
		{"cards & \"keys\"", 5000, 60, "3.5 d", "stale", NULL, false},
		{"never-db", 0, 60, "never backed up", "never", NULL, true},
		{"drill", 20, 60, "20 min", "fail", "integrity", false},
		{"a-label-far-too-long-for-the-narrow-chart-to-hold-on-one-line-beside-its-value", 1, 60,
		 "1 min", "ok", NULL, false},
	};
	struct buf b = BUF_INIT;
	chart_svg_bars(&b, "age", "Backup age against RPO", "3 stores: 1 ok, 1 stale, 1 never",
		       bars, 5, "minutes", 1);
	assert_well_formed(&b);
	assert_non_null(strstr(b.data, "role=\"img\""));
	assert_non_null(strstr(b.data, "<title id=\"age-title\">Backup age against RPO</title>"));
	assert_non_null(strstr(b.data, "ledger-db &lt;x&gt;"));
	assert_non_null(strstr(b.data, "cards &amp; &quot;keys&quot;"));
	/* Status is written as text, not only as a colour. */
	assert_non_null(strstr(b.data, "3.5 d (stale)"));
	/* Ids are unique across the two variants. */
	assert_non_null(strstr(b.data, "<title id=\"age-n-title\">"));
	/* A missing value: its words alone, on a striped full-width bar. */
	assert_non_null(strstr(b.data, "class=\"bar st-never missing\""));
	assert_non_null(strstr(b.data, ">never backed up</text>"));
	assert_null(strstr(b.data, "never backed up (never)"));
	assert_non_null(strstr(b.data, "<path class=\"hatch\""));
	/* Why a result failed follows its status. */
	assert_non_null(strstr(b.data, ">20 min (fail: integrity)</text>"));
	/* A label wider than the chart is cut with an ellipsis (the desc has it whole). */
	assert_non_null(strstr(b.data, "\xE2\x80\xA6</text>"));
	/* Every text carries its font size. */
	assert_null(strstr(b.data, "<text x=\"0.0\" y=\"0.0\">"));
	for (const char *t = strstr(b.data, "<text "); t; t = strstr(t + 1, "<text ")) {
		const char *end = strchr(t, '>');
		const char *fs = strstr(t, "font-size=");
		assert_true(fs != NULL && fs < end);
	}
	buf_free(&b);
}

static void test_stacked_and_columns(void **state)
{
	(void)state;
	struct chart_segment seg[] = {{"pass", 10}, {"fail", 2}, {"attest", 1}};
	struct chart_stack rows[] = {{"ISO 22301", seg, 3}};
	struct buf b = BUF_INIT;
	chart_svg_stacked(&b, "cmp", "Controls", "desc", rows, 1);
	assert_well_formed(&b);
	assert_non_null(strstr(b.data, "10 pass, 2 fail, 1 attest"));
	buf_reset(&b);
	struct chart_bar cols[] = {{"Tier 1", 3, NAN, "3", NULL, NULL, false},
				   {"Tier 2", 0, NAN, "0", NULL, NULL, false}};
	chart_svg_columns(&b, "tiers", "Services per tier", "3 in tier 1", cols, 2);
	assert_well_formed(&b);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_stacked_and_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
