/* test_chart_svg.c -- charts are well-formed, accessible and escape labels. */
#include "testutil.h"

#include <math.h>
#include <libxml/parser.h>

#include "chart_svg.h"

static void assert_well_formed(const struct buf *b)
{
	xmlDocPtr doc = xmlReadMemory(b->data, (int)b->len, "chart.svg", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(doc);
	xmlFreeDoc(doc);
}

static void test_bars(void **state)
{
	(void)state;
	struct chart_bar bars[] = {
		{"ledger-db <x>", 30, 60, "30 min", "ok"},
		{"cards & \"keys\"", 5000, 60, "3.5 d", "stale"},
		{"never-db", 0, 60, "never", "never"},
	};
	struct buf b = BUF_INIT;
	chart_svg_bars(&b, "age", "Backup age against RPO", "3 stores: 1 ok, 1 stale, 1 never",
		       bars, 3, "minutes", 1);
	assert_well_formed(&b);
	assert_non_null(strstr(b.data, "role=\"img\""));
	assert_non_null(strstr(b.data, "<title id=\"age-title\">Backup age against RPO</title>"));
	assert_non_null(strstr(b.data, "ledger-db &lt;x&gt;"));
	assert_non_null(strstr(b.data, "cards &amp; &quot;keys&quot;"));
	/* Status is written as text, not only as a colour. */
	assert_non_null(strstr(b.data, "3.5 d (stale)"));
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
	struct chart_bar cols[] = {{"Tier 1", 3, NAN, "3", NULL}, {"Tier 2", 0, NAN, "0", NULL}};
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
