/*
 * fuzz_import.c -- libFuzzer target for `drgen import`: the shared streaming
 * reader (import_json.c), every importer and the writer.
 *
 * Input: one option byte, then the export.  The option byte picks
 *   bits 0-2  the importer (imp_tools[], modulo their number),
 *   bit 3     --tz given or not (Borg 1.x times): bit 5 picks the zone
 *             Europe/Berlin (when the zoneinfo has it), else +01:00,
 *   bit 4     --location 2=offsite and a prefix --map.
 * The export is written into a folder made once per process and imported
 * with -o into the same folder, as a user runs it.
 *
 * Checked besides memory safety: the exit status is 0 or 2, never 3;
 * with errors nothing is written; without, every output line is one JSON
 * object with an id, a datastore, a status and a provenance object.
 */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "fuzz.h"
#include "import.h"
#include "zone.h"

static size_t n_tools(void)
{
	size_t n = 0;
	while (imp_tools[n])
		n++;
	return n;
}

static void check_output(const char *path)
{
	FILE *f = fopen(path, "rb");
	FUZZ_ASSERT(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		FUZZ_ASSERT(line[len - 1] == '\n');
		cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
		FUZZ_ASSERT(cJSON_IsObject(j));
		FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "id")));
		FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "datastore")));
		FUZZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "status")));
		FUZZ_ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "provenance")));
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *dir;
	if (!dir)
		dir = fuzz_dir_make("import", NULL, 0);
	uint8_t opt = data[0];
	fuzz_write_file(dir, "export.json", data + 1, size - 1);
	char in[512], out[512], side[600];
	snprintf(in, sizeof(in), "%s/export.json", dir);
	snprintf(out, sizeof(out), "%s/out.ndjson", dir);
	snprintf(side, sizeof(side), "%s.provenance.json", out);
	unlink(out);
	unlink(side);

	const struct imp_tool *tool = imp_tools[(opt & 7) % n_tools()];
	struct imp_map maps[1] = {{"tsoo-*", "pg"}};
	const char *locs[1] = {"2=offsite"};
	struct imp_options o = {.out = out};
	static struct zone *plus1, *berlin;
	const char *why;
	if (!plus1) {
		plus1 = zone_open("+01:00", &why);
		berlin = zone_open("Europe/Berlin", &why);
	}
	if (opt & 8)
		o.tz = (opt & 32) && berlin ? berlin : plus1;
	if (opt & 16) {
		o.maps = maps;
		o.n_maps = 1;
		o.locations = locs;
		o.n_locations = 1;
	}
	struct diags *d = diags_new();
	const char *files[1] = {in};
	int rc = imp_main(tool, files, 1, &o, d);
	FUZZ_ASSERT(rc == EXIT_OK || rc == EXIT_INPUT);
	FUZZ_ASSERT((rc == EXIT_OK) == !diags_has_errors(d));
	if (rc == EXIT_OK)
		check_output(out);
	else
		FUZZ_ASSERT(access(out, F_OK) != 0);
	fuzz_check_diags(d);
	diags_free(d);
	return 0;
}
