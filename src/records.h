/*
 * records.h -- evidence an auditor can open: the plan's input files copied
 * under evidence/inputs/ byte for byte, and evidence/records.csv, one row
 * per backup record, restore test, drill and drill result that a control's
 * verdict relies on (named in a control's evidence), with the file and
 * line it was read from and the controls that rely on it.
 *
 *   kind,id,subject,date,status,verification,verified_ok,file,line,controls
 *
 * kind is the record's own "kind" when it has one ("restore_test"),
 * else "restore_test" for a backup verified by a restore test, else
 * "backup"; "drill" and "drill_result" for drills.  Rows are in input
 * order (backup files by path, then line; drills by date).  The evidence
 * items of the documents link to them (records_href).
 */
#ifndef DRGEN_RECORDS_H
#define DRGEN_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "diag.h"
#include "model.h"
#include "publish.h"
#include "source.h"
#include "util.h"

#define RECORDS_CSV "evidence/records.csv"
#define RECORDS_INPUTS "evidence/inputs/"

struct records;

/*
 * Copies every input src has read into evidence/inputs/ (refusing, exit
 * status 3, a file whose bytes changed since it was read), finds the
 * records that controls (results.json's "controls") name, and stages
 * evidence/records.csv.  Returns NULL with a diagnostic on failure.
 * Free with records_free.
 */
struct records *records_build(const struct model *m, struct source_set *src,
			      const cJSON *controls, struct publish *p, struct diags *d);
void records_free(struct records *r);

/* Rows of records.csv, and how many of them are of kind `kind`. */
size_t records_count(const struct records *r, const char *kind);

/* Restore-test records in the backup files (all of them, not only the
 * ones a control names): the population of the audit's method section. */
uint64_t records_restore_tests(const struct records *r);

/*
 * Gives every evidence item of controls (results.json's "controls", and
 * their checks') that names a backup record or restore test ("record")
 * the "file" (plan-relative) and "line" (1-based) of its row of
 * records.csv, the first line that holds that id.  Items of records not
 * found are left as they are.  Call before the documents render (they
 * read controls on their own threads).  r may be NULL (nothing done).
 */
void records_locate(const struct records *r, cJSON *controls);

/*
 * The link target of one evidence item (an object of a control's
 * "evidence"), relative to the output folder with prefix root ("../"):
 * "evidence/records.csv#row=N" (RFC 7111) for a record or drill,
 * "evidence/inputs/FILE" for a file drgen read.  Appends to out and
 * returns true, or returns false when the item names nothing to open.
 * r may be NULL (no links).  Thread-safe.
 */
bool records_href(const struct records *r, const cJSON *item, const char *root,
		  struct buf *out);

/* One RFC 4180 cell, formula-safe (a leading = + - @ gets an apostrophe). */
void records_csv_cell(struct buf *b, const char *s, bool last);

#endif
