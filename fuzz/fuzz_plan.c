/*
 * fuzz_plan.c -- libFuzzer target for the plan.json loader.
 *
 * The input is plan.json itself.  load_plan reads it through the source
 * module, so it is written into a plan folder made once per process (see
 * fuzz.h) and loaded from there, with the same size limit, UTF-8 check and
 * path confinement as a user's file.  The folder holds runbooks/web.md
 * and runbooks/orphan.md, so the runbook matching and its warnings run
 * too, and a `runbook` path in the input can name real files.
 *
 * Besides "no crash, leak, sanitizer report or hang", the loader's
 * contract (load_plan.h, model.h) is checked:
 *   - load_plan returns false exactly when it added an error;
 *   - without errors, every service id is valid and unique, and every
 *     reference was resolved into an index in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "load_plan.h"
#include "model.h"
#include "source.h"

static void check_model(const struct model *m)
{
	for (size_t i = 0; i < m->n_services; i++) {
		const struct service *s = &m->services[i];
		FUZZ_ASSERT(s->id && load_plan_service_id_valid(s->id));
		FUZZ_ASSERT(model_service_find(m, s->id) == s);
		if (s->owner)
			FUZZ_ASSERT(s->owner_index < m->n_contacts);
		for (size_t k = 0; k < s->n_depends_on; k++)
			FUZZ_ASSERT(s->depends_on_index[k] < m->n_services &&
				    s->depends_on_index[k] != i);
		for (size_t k = 0; k < s->n_regions; k++)
			FUZZ_ASSERT(s->region_index[k] < m->n_regions);
		for (size_t k = 0; k < s->n_datastores; k++)
			FUZZ_ASSERT(s->datastore_index[k] < m->n_datastores &&
				    m->datastores[s->datastore_index[k]].service_index == i);
		for (size_t k = 0; k < s->n_escalation; k++)
			FUZZ_ASSERT(s->escalation[k].contact_index < m->n_contacts);
		if (s->runbook_text)
			FUZZ_ASSERT(strlen(s->runbook_text) <= s->runbook_len);
	}
	for (size_t i = 0; i < m->n_datastores; i++)
		FUZZ_ASSERT(m->datastores[i].id &&
			    model_datastore_find(m, m->datastores[i].id) == &m->datastores[i]);
	for (size_t k = 0; k < m->n_escalation; k++)
		FUZZ_ASSERT(m->escalation[k].contact_index < m->n_contacts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *dir;
	if (!dir) {
		static const char *const subdirs[] = {"runbooks"};
		static const char web[] = "# Web\n\n1. Fail over the [load balancer](https://x).\n";
		static const char orphan[] = "# Nobody's\n";
		dir = fuzz_dir_make("plan", subdirs, 1);
		fuzz_write_file(dir, "runbooks/web.md", web, sizeof(web) - 1);
		fuzz_write_file(dir, "runbooks/orphan.md", orphan, sizeof(orphan) - 1);
	}
	fuzz_write_file(dir, "plan.json", data, size);

	struct model *m = model_new();
	struct source_set *src = source_set_new(dir);
	struct diags *d = diags_new();
	bool ok = load_plan(m, src, d);
	FUZZ_ASSERT(ok == (diags_count(d, DIAG_ERROR) == 0));
	if (ok)
		check_model(m);
	fuzz_check_diags(d);
	diags_free(d);
	source_set_free(src);
	model_free(m);
	return 0;
}
