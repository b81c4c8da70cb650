/*
 * test_oscal.c -- OSCAL identifiers: version-5 UUIDs in drgen's namespace
 * (the expected values come from Python's uuid.uuid5, an independent
 * implementation) and control ids as OSCAL tokens.
 */
#include "testutil.h"

#include "oscal.h"

static void test_uuid5(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"", "8099bbec-02dd-5a83-a1fb-21029c3cae26"},
		{"kestrel-payments/finding/nist80053/CP-9(1)",
		 "73ac1294-35c2-5316-9c48-315da97f3970"},
		{"kestrel-payments/period/2026-11/result", "c7014506-db92-5574-aa7b-42c6ede4b392"},
		{"\xc3\xbc" "n\xc3\xaf" "code/\xc3\xa9", "e64b5b79-f5a1-5a0c-8bb4-dc39575595a2"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char out[37];
		oscal_uuid5(cases[i][0], out);
		assert_string_equal(out, cases[i][1]);
		assert_int_equal(out[14], '5');   /* version */
	}
}

static void test_control_tokens(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		{"nist80053", "CP-9(1)", "cp-9.1"},
		{"nist80053", "CP-2", "cp-2"},
		{"nist80053", "CP-10(4)", "cp-10.4"},
		{"iso27001", "A.8.13", "iso27001-a.8.13"},
		{"iso22301", "8.2.3", "iso22301-8.2.3"},
		{"soc2", "CC7.4", "soc2-cc7.4"},
		{"pci", "12.10.4.1", "pci-12.10.4.1"},
		{"dora", "Art. 11(1)", "dora-art-11.1"},
		{"dora", "RTS Art. 40", "dora-rts-art-40"},
		{"hipaa", "164.308(a)(7)(ii)(B)", "hipaa-164.308.a.7.ii.b"},
		{"nist80053", "9(1)", "_9.1"},   /* a token starts with a letter */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char out[64];
		oscal_control_token(cases[i][0], cases[i][1], out, sizeof(out));
		assert_string_equal(out, cases[i][2]);
	}
	char small[6];
	oscal_control_token("iso27001", "A.8.13", small, sizeof(small));
	assert_string_equal(small, "iso27");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid5),
		cmocka_unit_test(test_control_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
