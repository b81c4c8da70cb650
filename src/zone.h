/*
 * zone.h -- the zone of times a tool prints without an offset.
 *
 * Borg 1.x and some JUnit writers print wall-clock times with no offset.
 * `drgen import --tz` names the zone they were printed in: a fixed offset
 * ("+01:00", "-0500", "Z", "UTC") or an IANA name ("Europe/Berlin"), whose
 * offset depends on the date.  Names are read from the system's compiled
 * zoneinfo (TZif files under $TZDIR, else /usr/share/zoneinfo, Debian's
 * tzdata), never from the machine's own zone setting, and by this module
 * alone, so no global TZ is touched and threads stay safe.
 *
 * A wall-clock time in a named zone may occur twice (the hour repeated when
 * daylight saving ends) or never (the hour skipped when it starts); both are
 * reported, not guessed.
 */
#ifndef DRGEN_ZONE_H
#define DRGEN_ZONE_H

#include <stdint.h>

struct zone;

/* Opens SPEC; NULL with *why set (a static sentence) when it is neither an
 * offset nor a readable zone name. */
struct zone *zone_open(const char *spec, const char **why);
void zone_free(struct zone *z);

/* The spec as given ("Europe/Berlin", "+01:00"). */
const char *zone_spec(const struct zone *z);

/* The tz database release the zone was read from ("2025b"), for the
 * provenance of an import; NULL for an offset or when it is not known. */
const char *zone_data_version(const struct zone *z);

enum zone_fit {
	ZONE_FIT_ONE,    /* one instant: *utc */
	ZONE_FIT_FOLD,   /* two instants (*utc the earlier, *later the other) */
	ZONE_FIT_GAP,    /* no instant: the clocks skipped this time */
	ZONE_FIT_BEYOND, /* after the zone data's last transition, with rules */
};

/*
 * The UTC instant of WALL, a wall-clock reading written as seconds since
 * 1970-01-01T00:00:00 of that clock (i.e. as if it were UTC).  LATER may be
 * NULL.
 */
enum zone_fit zone_to_utc(const struct zone *z, int64_t wall, int64_t *utc,
			  int64_t *later);

/* The offset east of UTC, in seconds, in force at instant UTC. */
int zone_offset_at(const struct zone *z, int64_t utc);

#endif
