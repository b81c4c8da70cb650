/*
 * views_evidence.c -- the view of the evidence page (evidence.html).
 *
 * The page is the last document rendered: it lists the evidence pack as
 * publish staged it (publish_files), so whatever the pack holds is listed
 * without a list of names here.  The three files the pack writes about
 * the others (manifest.json, SHA256SUMS, manifest.sig) come after it and
 * so does nothing it could say about its own bytes: the page says so, and
 * names them instead of hashing them.
 */
#include "views.h"

#include <string.h>

#include "evidence.h"
#include "util.h"

#define EVIDENCE_DIR "evidence/"

static void put_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObjectCS(o, key, cJSON_CreateString(s));
}

static void put_size(cJSON *o, uint64_t bytes)
{
	char n[64], t[96];
	views_format_number((double)bytes, 0, n, sizeof(n));
	snprintf(t, sizeof(t), "%s byte%s", n, util_plural(bytes));
	put_str(o, "size", t);
	cJSON_AddItemToObjectCS(o, "bytes", cJSON_CreateNumber((double)bytes));
}

cJSON *views_evidence(const struct views *v, const struct evidence_file *files, size_t n,
		      bool signing, enum views_format f)
{
	cJSON *view = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(view, "files");
	size_t listed = 0, others = 0;
	uint64_t other_bytes = 0;

	views_page(view, v, f, "evidence");
	for (size_t i = 0; i < n; i++) {
		const char *path = files[i].path;
		if (strncmp(path, EVIDENCE_DIR, strlen(EVIDENCE_DIR)) != 0 ||
		    evidence_is_reserved(path)) {
			others++;
			other_bytes += files[i].size;
			continue;
		}
		cJSON *x = cJSON_CreateObject();
		put_str(x, "path", path);
		put_str(x, "href", path);
		put_size(x, files[i].size);
		put_str(x, "sha256", files[i].sha256);
		cJSON_AddItemToArray(list, x);
		listed++;
	}
	cJSON_AddItemToObjectCS(view, "file_count", cJSON_CreateNumber((double)listed));
	cJSON_AddItemToObjectCS(view, "document_count", cJSON_CreateNumber((double)others));
	cJSON *docs = cJSON_AddObjectToObject(view, "documents");
	put_size(docs, other_bytes);
	cJSON_AddItemToObjectCS(view, "signed", cJSON_CreateBool(signing));
	put_str(view, "manifest", EVIDENCE_MANIFEST);
	put_str(view, "sums", EVIDENCE_SUMS);
	put_str(view, "signature", EVIDENCE_SIG);
	return view;
}
