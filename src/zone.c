/*
 * zone.c -- fixed offsets and IANA zones, read from TZif files (RFC 8536).
 *
 * Only the 64-bit section of a version 2+ file is used (version 1 files
 * are refused: no system has shipped them for a decade).  Debian builds its
 * zoneinfo "fat", with transitions listed to 2037; after the last one the
 * footer's POSIX rule would apply, which this reader does not evaluate: a
 * time there is ZONE_FIT_BEYOND unless the footer names a single offset.
 */
#include "zone.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"
#include "util.h"

#define ZONE_FILE_MAX (256 * 1024) /* the largest TZif on Debian is 3 KB */
#define ZONE_NAME_MAX 128
#define ZONE_TYPES_MAX 256
#define ZONE_OFFSET_MAX (26 * 3600) /* RFC 8536: -89999 .. 93599 */

struct zone {
	char *spec;
	size_t n_trans;
	int64_t *trans; /* UTC instants, ascending */
	uint8_t *trans_type;
	size_t n_types;
	int32_t offsets[ZONE_TYPES_MAX];
	int first_type;     /* in force before the first transition */
	bool rule_after;    /* the footer has daylight-saving rules */
	char *version;      /* "2025b", from the folder's tzdata.zi */
};

/* A name as the tz database writes them: Area/Location, letters, digits,
 * "_", "-", "+"; no empty or dot-led component, so no "..", no "/" first. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > ZONE_NAME_MAX || s[0] == '/' || s[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool comp_start = i == 0 || s[i - 1] == '/';
		if (comp_start && (c == '.' || c == '/'))
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
		      c == '/' || c == '.'))
			return false;
	}
	return true;
}

static bool read_all(const char *path, unsigned char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > ZONE_FILE_MAX) {
		close(fd);
		return false;
	}
	size_t size = (size_t)st.st_size, got = 0;
	unsigned char *p = xmalloc(size ? size : 1);
	while (got < size) {
		ssize_t r = read(fd, p + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*data = p;
	*len = got;
	return true;
}

/* "# version 2025b", the first line of the folder's tzdata.zi. */
static char *data_version(const char *dir)
{
	char *path = xasprintf("%s/tzdata.zi", dir);
	unsigned char *data = NULL;
	size_t len = 0;
	char *v = NULL;
	if (read_all(path, &data, &len) && len > 10 && memcmp(data, "# version ", 10) == 0) {
		size_t n = 0;
		while (10 + n < len && n < 16 && (isalnum(data[10 + n])))
			n++;
		if (n)
			v = xstrndup((const char *)data + 10, n);
	}
	free(data);
	free(path);
	return v;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The six counts of a TZif header at P. */
struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static void read_counts(const unsigned char *p, struct tzif_counts *c)
{
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
}

static bool parse_tzif(struct zone *z, const unsigned char *d, size_t len)
{
	struct tzif_counts c;
	if (len < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
		return false;
	read_counts(d, &c);
	/* skip the 32-bit section; every count is below 2^32, so the sum fits */
	uint64_t skip = 44 + (uint64_t)c.time * 5 + (uint64_t)c.type * 6 + c.chars +
			(uint64_t)c.leap * 8 + c.isstd + c.isut;
	if (skip + 44 > len)
		return false;
	d += skip;
	len -= (size_t)skip;
	if (memcmp(d, "TZif", 4) != 0)
		return false;
	read_counts(d, &c);
	uint64_t need = 44 + (uint64_t)c.time * 9 + (uint64_t)c.type * 6 + c.chars +
			(uint64_t)c.leap * 12 + c.isstd + c.isut;
	/* leap-second ("right/") zones count TAI-like seconds: not drgen's */
	if (need > len || c.type == 0 || c.type > ZONE_TYPES_MAX || c.leap != 0)
		return false;
	const unsigned char *t = d + 44, *idx = t + (size_t)c.time * 8,
			    *types = idx + c.time;
	z->n_trans = c.time;
	z->trans = xmalloc((c.time ? c.time : 1) * sizeof(*z->trans));
	z->trans_type = xmalloc(c.time ? c.time : 1);
	for (size_t i = 0; i < c.time; i++) {
		z->trans[i] = be64(t + i * 8);
		z->trans_type[i] = idx[i];
		if (idx[i] >= c.type || (i && z->trans[i] <= z->trans[i - 1]))
			return false;
	}
	z->n_types = c.type;
	for (size_t i = 0; i < c.type; i++) {
		int32_t off = (int32_t)be32(types + i * 6);
		if (off < -ZONE_OFFSET_MAX || off > ZONE_OFFSET_MAX)
			return false;
		z->offsets[i] = off;
	}
	z->first_type = 0; /* RFC 8536 3.2: type 0 before the first transition */
	/* footer "\nTZSTRING\n": a "," means rules for later dates */
	const unsigned char *foot = d + need, *end = d + len;
	z->rule_after = memchr(foot, ',', (size_t)(end - foot)) != NULL;
	return true;
}

struct zone *zone_open(const char *spec, const char **why)
{
	struct zone *z = xcalloc(1, sizeof(*z));
	int off;
	if (date_parse_offset(spec, &off)) {
		z->spec = xstrdup(spec);
		z->n_types = 1;
		z->offsets[0] = off;
		return z;
	}
	if (spec[0] == '+' || spec[0] == '-') {
		*why = "an offset is [+-]HH, [+-]HHMM or [+-]HH:MM, at most 14 hours";
		free(z);
		return NULL;
	}
	/* "localtime" is a link to the machine's own zone, which must not
	 * change what an import writes */
	if (!name_ok(spec) || strcmp(spec, "localtime") == 0) {
		*why = "expected an offset (+01:00, -0500, Z) or a zone name such as "
		       "Europe/Berlin";
		free(z);
		return NULL;
	}
	const char *dir = getenv("TZDIR");
	if (!dir || !dir[0])
		dir = "/usr/share/zoneinfo";
	char *path = xasprintf("%s/%s", dir, spec);
	unsigned char *data = NULL;
	size_t len = 0;
	bool found = read_all(path, &data, &len);
	free(path);
	if (!found) {
		*why = "no such zone in the system's zoneinfo (Debian package tzdata; "
		       "TZDIR names another folder)";
		free(z);
		return NULL;
	}
	bool ok = parse_tzif(z, data, len);
	free(data);
	if (!ok) {
		*why = "the zoneinfo file is not a TZif file drgen can read";
		zone_free(z);
		return NULL;
	}
	z->spec = xstrdup(spec);
	z->version = data_version(dir);
	return z;
}

void zone_free(struct zone *z)
{
	if (!z)
		return;
	free(z->spec);
	free(z->version);
	free(z->trans);
	free(z->trans_type);
	free(z);
}

const char *zone_spec(const struct zone *z) { return z->spec; }
const char *zone_data_version(const struct zone *z) { return z->version; }

/* Index of the type in force at UTC. */
static int type_at(const struct zone *z, int64_t utc)
{
	if (z->n_trans == 0 || utc < z->trans[0])
		return z->first_type;
	size_t lo = 0, hi = z->n_trans; /* last i with trans[i] <= utc */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return z->trans_type[lo];
}

int zone_offset_at(const struct zone *z, int64_t utc)
{
	return z->offsets[type_at(z, utc)];
}

enum zone_fit zone_to_utc(const struct zone *z, int64_t wall, int64_t *utc,
			  int64_t *later)
{
	/* An instant u fits when wall - u is the offset in force at u; every
	 * such u is wall minus one of the zone's offsets. */
	int64_t fit[2];
	size_t n = 0;
	for (size_t i = 0; i < z->n_types; i++) {
		int64_t u = wall - z->offsets[i];
		if (zone_offset_at(z, u) != z->offsets[i])
			continue;
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= fit[k] == u;
		if (!seen && n < 2)
			fit[n++] = u;
	}
	if (n == 0)
		return ZONE_FIT_GAP;
	if (n == 2 && fit[1] < fit[0]) {
		int64_t t = fit[0];
		fit[0] = fit[1];
		fit[1] = t;
	}
	*utc = fit[0];
	if (later)
		*later = fit[n - 1];
	if (z->rule_after && z->n_trans && fit[0] > z->trans[z->n_trans - 1])
		return ZONE_FIT_BEYOND;
	return n == 2 ? ZONE_FIT_FOLD : ZONE_FIT_ONE;
}
