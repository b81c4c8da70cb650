/*
 * fuzz_drills.c -- libFuzzer target for the drill parsers.
 *
 * The first byte chooses the format (even: JSON, odd: JUnit XML; the seeds
 * use "0" and "1"); the rest is the file.  The model has a few services so
 * that inputs can reach the result-reading paths.  Any crash, leak, sanitizer report or slow input is
 * a bug: both parsers must turn every input into drills or diagnostics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "load_drills.h"
#include "model.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {"web", "ledger", "payments-api"};
	struct load_drills_batch b = {NULL, 0, 0};
	struct model *m;
	struct diags *d;
	char *text;

	if (size < 1)
		return 0;
	m = model_new();
	d = diags_new();
	m->services = arena_calloc(m->arena, ARRAY_LEN(ids), sizeof(*m->services));
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		m->services[i].id = ids[i];
		strmap_put(m->service_by_id, ids[i], &m->services[i]);
	}
	m->n_services = ARRAY_LEN(ids);
	text = xstrndup((const char *)data + 1, size - 1);
	if (data[0] & 1)
		load_drills_xml(m, "drills/f.xml", "drills/f.xml", text,
				strlen(text), &b, d);
	else
		load_drills_json(m, "drills/f.json", "drills/f.json", text,
				 strlen(text), &b, d);
	free(text);
	load_drills_batch_free(&b);
	diags_free(d);
	model_free(m);
	return 0;
}
