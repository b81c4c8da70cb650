/*
 * import_detect.c -- recognises the start of a backup tool's own export, so
 * that `drgen check` can say which `drgen import` to run instead of one
 * error per line.  It looks at the first bytes only (the caller passes up
 * to 64 KiB) for keys and values each tool always writes; drgen's own
 * NDJSON (one object per line with "datastore") is never taken for one.
 */
#include <string.h>

#include "import.h"

struct marker {
	const char *kind;
	const char *what;
	const char *all[3];   /* every one must appear */
};

static const struct marker markers[] = {
	{"aws-backup", "aws backup list-backup-jobs", {"\"BackupJobs\"", NULL, NULL}},
	{"aws-backup", "aws backup list-copy-jobs", {"\"CopyJobs\"", NULL, NULL}},
	{"aws-backup", "aws backup list-restore-jobs", {"\"RestoreJobs\"", NULL, NULL}},
	{"pgbackrest", "pgbackrest info --output=json", {"\"backrest\"", "\"repo-key\"", NULL}},
	{"pgbackrest", "pgbackrest info --output=json", {"\"archive\"", "\"db\"", "\"repo\""}},
	{"velero", "velero backup get -o json", {"\"velero.io/v1\"", NULL, NULL}},
	{"azure-backup", "az backup job list", {"Microsoft.RecoveryServices", "\"operation\"", NULL}},
	{"azure-backup", "az backup job list", {"\"backupManagementType\"", NULL, NULL}},
	{"borg", "borg info/list --json", {"\"archives\"", "\"repository\"", NULL}},
	{"borg", "borg info/list --json", {"\"archives\"", "\"encryption\"", NULL}},
	{"restic", "restic snapshots --json", {"\"tree\"", "\"paths\"", "\"hostname\""}},
};

static bool has(const char *buf, size_t len, const char *s)
{
	return memmem(buf, len, s, strlen(s)) != NULL;
}

const char *imp_detect(const char *buf, size_t len, const char **what)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i >= len || (buf[i] != '{' && buf[i] != '['))
		return NULL;
	/* drgen's own records: a first line that is an object naming a datastore */
	const char *nl = memchr(buf + i, '\n', len - i);
	size_t first = nl ? (size_t)(nl - (buf + i)) : len - i;
	if (buf[i] == '{' && has(buf + i, first, "\"datastore\"") &&
	    !has(buf + i, first, "\"BackupJobs\""))
		return NULL;
	for (size_t m = 0; m < ARRAY_LEN(markers); m++) {
		bool all = true;
		for (size_t k = 0; k < 3 && markers[m].all[k] && all; k++)
			all = has(buf, len, markers[m].all[k]);
		if (all) {
			if (what)
				*what = markers[m].what;
			return markers[m].kind;
		}
	}
	return NULL;
}
