#!/usr/bin/env python3
"""Writes the backup logs of the Kestrel Payments sample (samples/kestrel/backups/).

    python3 tools/gen-sample-backups.py [--out DIR] [--defects]

The logs are generated, not hand-written, so that they are long enough to be
realistic (about 6,760 jobs between 2026-09-25 and the export at
2026-11-01T00:30Z, plus 84 restore tests) and still reproducible: a fixed seed, Python's standard
library only, and output that is byte-identical on every run.  The committed
files are this script's output; tests/suites/schemas.sh regenerates them and
compares.

The schedules follow the backup policy of SPEC section 3.3 by datastore
criticality:

  critical   continuous replication to the secondary region (one record per
             day-long WAL segment), hourly snapshots at primary, a daily full
             at primary copied to the immutable offsite vault; aes-256-gcm,
             zstd, checksum, one restore test a month
  important  incremental every 4 h at primary, the day's incrementals copied
             to the secondary region nightly, a weekly full at both;
             aes-256-cbc, gzip, checksum, a restore test on a monthly sample
  standard   daily snapshot at primary; aes-128-cbc, lz4, size check

and the defects planted on purpose are listed in DEFECTS below (and in
samples/kestrel/README.md).  Three files, one per system that exports jobs:

  2026-10-db-agent.ndjson        database agents; primary times in UTC ("Z"),
                                 the Frankfurt agents (secondary) in local
                                 time (+02:00, +01:00 after 2026-10-25)
  2026-10-object-storage.ndjson  S3 bucket backups, UTC with milliseconds
  2026-10-offsite-vault.ndjson   the offsite vault vendor, which stamps
                                 times in America/Chicago (-05:00 in October)

plus restore-test-history.ndjson, the restore-test tool's log (UTC) of the
eleven months before and of the window: restore-test records ("kind":
"restore_test", method restore, naming the backup tested), so that
restore-test recency has its real history.
"""

import argparse
import datetime as dt
import json
import os
import random

SEED = 20261101
UTC = dt.timezone.utc
START = dt.datetime(2026, 9, 25, tzinfo=UTC)      # first scheduled day
AS_OF = dt.datetime(2026, 11, 1, tzinfo=UTC)      # the report's as-of time
EXPORT = dt.datetime(2026, 11, 1, 0, 30, tzinfo=UTC)  # when the logs were cut
CEST_END = dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC)

REGION = {"primary": "eu-west-1", "secondary": "eu-central-1", "offsite": "eu-north-1"}
POLICY = {
    "critical": ("aes-256-gcm", "zstd", 0.38, "checksum"),
    "important": ("aes-256-cbc", "gzip", 0.45, "checksum"),
    "standard": ("aes-128-cbc", "lz4", 0.55, "size_check"),
}

# id, engine, criticality, size in GB, minute of the hour its jobs start at.
# Must match samples/kestrel/plan.json.
STORES = [
    ("auth-db", "postgresql", "critical", 950, 5),
    ("token-vault-db", "postgresql", "critical", 640, 9),
    ("ledger-db", "postgresql", "critical", 2400, 13),
    ("identity-db", "postgresql", "critical", 85, 17),
    ("keyvault-db", "postgresql", "critical", 12, 21),
    ("fraud-features", "cassandra", "important", 1800, 25),
    ("fraud-models", "s3", "important", 120, 29),
    ("settlement-db", "postgresql", "important", 780, 33),
    ("events-kafka", "kafka", "important", 5200, 37),
    ("merchant-db", "postgresql", "important", 210, 41),
    ("claims-db", "postgresql", "important", 140, 45),
    ("settlement-files", "s3", "standard", 3100, 50),
    ("notifications-db", "postgresql", "standard", 60, 18),
    ("warehouse", "clickhouse", "standard", 12000, 10),
    ("reporting-db", "postgresql", "standard", 150, 26),
    ("wiki-db", "postgresql", "standard", 25, 30),
    ("wiki-attachments", "s3", "standard", 80, 34),
]

# Jobs the backup tool ran for systems the plan does not name (one warning).
UNKNOWN = [
    ("legacy-ftp-db", "postgresql", 40, dt.datetime(2026, 10, 3, tzinfo=UTC)),  # decommissioned
    ("ci-artifacts", "s3", 300, None),                                          # weekly, not DR scope
]

# The planted defects (kept in one place so the README can follow them).
IDENTITY_BREAK = dt.datetime(2026, 10, 26, 21, 47, tzinfo=UTC)   # storage-class migration
IDENTITY_SUSPENDED = dt.datetime(2026, 10, 27, 9, 30, tzinfo=UTC)
FRAUD_MODELS_ADDED = dt.datetime(2026, 10, 5, tzinfo=UTC)        # never backed up
MERCHANT_UNENCRYPTED_FROM = dt.datetime(2026, 10, 12, tzinfo=UTC)
LEDGER_FAILED_RESTORE = dt.date(2026, 10, 14)
RESTORE_TESTS = {   # store -> (date, location) of its monthly restore test
    "auth-db": (dt.date(2026, 10, 7), "offsite"),
    "token-vault-db": (dt.date(2026, 10, 21), "offsite"),
    "ledger-db": (LEDGER_FAILED_RESTORE, "offsite"),
    "identity-db": (dt.date(2026, 10, 3), "offsite"),
    "keyvault-db": (dt.date(2026, 10, 9), "primary"),      # no offsite copy exists
    "settlement-db": (dt.date(2026, 10, 4), "secondary"),
    "merchant-db": (dt.date(2026, 9, 27), "secondary"),
    "claims-db": (dt.date(2026, 10, 11), "secondary"),
}
NO_OFFSITE = {"keyvault-db"}
# Replication beyond the criticality's policy, where the service's tier RPO
# needs it (tier 2: 5 minutes, tier 3: 1 hour): store -> location of the
# replica or WAL archive.  claims-db is left out on purpose (see DEFECTS).
CONTINUOUS_EXTRA = {
    "fraud-features": "secondary",      # Cassandra multi-DC replication
    "settlement-db": "secondary",
    "events-kafka": "secondary",        # MirrorMaker
    "merchant-db": "secondary",
    "settlement-files": "secondary",    # S3 cross-region replication
    "notifications-db": "primary",      # WAL archive in the primary region
    "reporting-db": "primary",
}

DEFECTS = """\
identity-db     critical; replication slot dropped 2026-10-26 21:47Z, snapshots
                failing then suspended, daily fulls failing: newest success
                about 5 days old at the as-of time (stale)
fraud-models    important; added 2026-10-05, every job fails (never succeeded)
merchant-db     important; secondary copies unencrypted from 2026-10-12
keyvault-db     critical; no offsite copy at all
ledger-db       critical; the monthly restore test (2026-10-14) failed
token-vault-db  failed daily full on 2026-10-18, re-run succeeded
claims-db       important, tier 2 (RPO 5 min) but only backed up every 4 h
                and copied nightly: late/stale by design of the benefits
                product (single region, no replica)
fraud-features  checksum mismatch on one incremental (2026-10-09)
events-kafka    a few partial incrementals (partitions skipped)
warehouse       one partial, one failed snapshot; the 2026-10-31 snapshot hangs
settlement-files  the 2026-10-31 23:50Z snapshot is still running at export
wiki-attachments  never restore-tested
legacy-ftp-db, ci-artifacts  not in the plan (one warning)
random          ~0.6 % of scheduled jobs fail and are retried (suffix -r1)
"""

FILES = {
    "db": "2026-10-db-agent.ndjson",
    "object": "2026-10-object-storage.ndjson",
    "offsite": "2026-10-offsite-vault.ndjson",
    "history": "restore-test-history.ndjson",
}

# Restore tests before the window, from the restore-test tool's own log
# (2025-11 .. 2026-09): monthly for critical stores, a rotating sample of the
# others.  Without it drgen would see no restore test older than 37 days.
# wiki-attachments has never been restore-tested (a planted gap), and
# keyvault-db's tests use its primary copy (it has no offsite copy).
HISTORY_MONTHS = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]
HISTORY_SAMPLE = {   # (year, month) -> stores other than critical tested that month
    (2025, 11): ["merchant-db", "wiki-db"],
    (2025, 12): ["settlement-db"],
    (2026, 1): ["warehouse", "claims-db"],
    (2026, 2): ["events-kafka", "fraud-features"],
    (2026, 3): ["notifications-db", "merchant-db"],
    (2026, 4): ["settlement-db", "reporting-db"],
    (2026, 5): ["settlement-files", "claims-db"],
    (2026, 6): ["events-kafka", "wiki-db"],
    (2026, 7): ["reporting-db", "fraud-features"],
    (2026, 8): ["fraud-features", "notifications-db"],
    (2026, 9): ["events-kafka", "claims-db"],
}


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.records = {k: [] for k in FILES}

    # Only rng.random() is used: its sequence is stable across Python versions.
    def u(self, lo, hi):
        return lo + (hi - lo) * self.rng.random()

    def chance(self, p):
        return self.rng.random() < p

    def emit(self, store, engine, typ, loc, start, seconds, status, nbytes,
             crit, immutable, retention, verification=None, verified_ok=True,
             encryption=None, suffix="", kind=None):
        """Adds one job; returns its finish time (None if still running)."""
        if start >= EXPORT:
            return None
        enc, comp, _, verif = POLICY[crit]
        if encryption is not None:
            enc = encryption
        if verification is not None:
            verif = verification
        finish = start + dt.timedelta(seconds=int(seconds))
        if finish > EXPORT and status == "success":
            status = "running"
        if status in ("failed", "running"):
            verif, verified_ok = "none", False
        if status == "partial":
            verif, verified_ok = "none", False
        if status == "running":
            nbytes = int(nbytes * self.u(0.2, 0.6))
        if kind is None:
            kind = "offsite" if loc == "offsite" else ("object" if engine == "s3" else "db")
        tcode = {"full": "f", "incremental": "i", "snapshot": "s", "continuous": "c"}[typ]
        rec = {
            "id": "%s-%s-%s-%s%s" % (store, tcode, loc[0], start.strftime("%Y%m%dT%H%M"), suffix),
            "datastore": store,
            "type": typ,
            "started": stamp(start, kind, loc),
        }
        if status != "running":
            rec["finished"] = stamp(finish, kind, loc)
        rec.update({
            "status": status,
            "bytes": int(nbytes),
            "location": loc,
            "region": REGION[loc],
            "encryption": enc,
            "compression": comp,
            "immutable": immutable,
            "retention_days": retention,
            "verification": verif,
            "verified_ok": verified_ok,
        })
        if verif == "restore_test" and status == "success":
            # A restore test is its own record (docs/backup-format.md): the
            # history holds the tests only; a job tested in the window stays a
            # checksum-verified backup, and its test (five hours later) joins
            # the restore-test tool's log.
            self.restore_test(rec, start, finish, kind, verified_ok)
            if kind == "history":
                return finish
            rec["verification"], rec["verified_ok"] = "checksum", True
        self.records[kind].append((start, rec["id"], rec))
        return None if status == "running" else finish

    def restore_test(self, rec, start, finish, kind, ok):
        """The restore-test record of backup rec (method restore)."""
        if kind == "history":    # the log's own record: the test's times
            t0, t1, tested_time = start, finish, None
        else:
            t0 = finish + dt.timedelta(hours=5)
            t1 = t0 + dt.timedelta(minutes=47)
            tested_time = rec["finished"]
        test = {
            "kind": "restore_test",
            "id": "rt-%s-%s" % (rec["datastore"], t0.strftime("%Y%m%dT%H%M")),
            "datastore": rec["datastore"],
            "started": rec["started"] if kind == "history" else stamp(t0, "history", None),
            "finished": rec["finished"] if kind == "history" else stamp(t1, "history", None),
            "status": "success" if ok else "failed",
            "method": "restore",
            "tested_backup": rec["id"],
        }
        if tested_time is not None:
            test["tested_backup_time"] = tested_time
        test.update({
            "location": rec["location"],
            "region": rec["region"],
            "target": "restore-sandbox-" + rec["region"],
            "provenance": {"tool": "restore-runner", "tool_version": "2.4.1",
                           "job": "nightly-restore-check"},
        })
        self.records["history"].append((t0, test["id"], test))

    def scheduled(self, store, engine, typ, loc, start, seconds, nbytes, crit,
                  immutable, retention, fail_p=0.006, **kw):
        """A job that may fail at random; a failure is retried once."""
        if self.chance(fail_p):
            self.emit(store, engine, typ, loc, start, self.u(20, 180), "failed", 0,
                      crit, immutable, retention)
            start = start + dt.timedelta(minutes=int(self.u(10, 25)))
            return self.emit(store, engine, typ, loc, start, seconds, "success", nbytes,
                             crit, immutable, retention, suffix="-r1", **kw)
        return self.emit(store, engine, typ, loc, start, seconds, "success", nbytes,
                         crit, immutable, retention, **kw)


def stamp(t, kind, loc):
    """RFC 3339 in the time zone the exporting system writes."""
    if kind == "offsite":
        off = dt.timedelta(hours=-5)              # America/Chicago, CDT
    elif kind == "db" and loc == "secondary":
        off = dt.timedelta(hours=2 if t < CEST_END else 1)   # Europe/Berlin
    else:
        if kind == "object" and (t.hour, t.minute, t.second) != (0, 0, 0):
            # milliseconds, except on replication segment boundaries (midnight)
            ms = (t.minute * 7919 + t.hour * 104729 + t.day * 31) % 1000
            return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % ms
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = t.astimezone(dt.timezone(off))
    return local.isoformat()


def days():
    d = START
    while d <= AS_OF:          # includes 2026-11-01 for jobs before the export
        yield d
        d += dt.timedelta(days=1)


def growth(size_gb, day):
    return size_gb * 1e9 * (1 + 0.0008 * (day - START).days)


def gen_critical(g, store, engine, size, minute):
    crit = "critical"
    ratio = POLICY[crit][2]
    for day in days():
        base = growth(size, day)
        broken = store == "identity-db" and day.date() >= IDENTITY_BREAK.date()
        # Continuous replication to the secondary region: one day-long segment;
        # today's is still open at the export.
        if store == "identity-db" and day.date() == IDENTITY_BREAK.date():
            g.emit(store, engine, "continuous", "secondary", day,
                   (IDENTITY_BREAK - day).total_seconds(), "partial",
                   base * 0.03 * ratio, crit, False, 7)
        elif not broken:
            g.emit(store, engine, "continuous", "secondary", day, 86400,
                   "success" if day < AS_OF else "running",
                   base * g.u(0.03, 0.06) * ratio, crit, False, 7)
        # Hourly snapshots at primary.
        for h in range(24):
            t = day + dt.timedelta(hours=h, minutes=minute)
            dur = g.u(60, 150) + size ** 0.5 * 2
            if store == "identity-db" and t >= IDENTITY_BREAK:
                if t < IDENTITY_SUSPENDED:
                    g.emit(store, engine, "snapshot", "primary", t, g.u(30, 90), "failed",
                           0, crit, False, 30)
                continue
            g.scheduled(store, engine, "snapshot", "primary", t, dur,
                        base * g.u(0.0015, 0.004) * ratio, crit, False, 30)
        # Daily full at primary, copied to the offsite vault.
        t = day + dt.timedelta(hours=1, minutes=30 + minute)
        dur = size * g.u(0.6, 0.8) + 120
        full_bytes = base * ratio * g.u(0.98, 1.0)
        if broken and day.date() > IDENTITY_BREAK.date():
            g.emit(store, engine, "full", "primary", t, g.u(60, 200), "failed", 0,
                   crit, False, 90)
            continue
        rt = RESTORE_TESTS.get(store)
        verif = None
        ok = True
        if rt and rt[0] == day.date() and rt[1] == "primary":
            verif, ok = "restore_test", True
        if store == "token-vault-db" and day.date() == dt.date(2026, 10, 18):
            g.emit(store, engine, "full", "primary", t, g.u(300, 600), "failed", 0,
                   crit, False, 90)
            t = day + dt.timedelta(hours=6, minutes=10)
            fin = g.emit(store, engine, "full", "primary", t, dur, "success", full_bytes,
                         crit, False, 90, suffix="-r1")
        else:
            fin = g.scheduled(store, engine, "full", "primary", t, dur, full_bytes, crit,
                              False, 90, verification=verif, verified_ok=ok)
        if fin is None or store in NO_OFFSITE:
            continue
        t = fin + dt.timedelta(minutes=int(g.u(5, 12)))
        dur = size * g.u(0.9, 1.3) + 300
        retention = 2555 if day.day == 1 else 90      # the monthly copy: 7 years
        verif, ok = None, True
        if rt and rt[0] == day.date() and rt[1] == "offsite":
            verif, ok = "restore_test", day.date() != LEDGER_FAILED_RESTORE
        g.emit(store, engine, "full", "offsite", t, dur, "success", full_bytes, crit,
               True, retention, verification=verif, verified_ok=ok)


def gen_important(g, store, engine, size, minute):
    crit = "important"
    ratio = POLICY[crit][2]
    if store == "fraud-models":
        gen_never(g, store, engine, minute)
        return
    for day in days():
        base = growth(size, day)
        unenc = "none" if store == "merchant-db" and day >= MERCHANT_UNENCRYPTED_FROM else None
        continuous_extra(g, store, engine, crit, day, base * ratio)
        # Incremental every 4 hours at primary.
        for h in range(0, 24, 4):
            t = day + dt.timedelta(hours=h, minutes=minute)
            dur = g.u(120, 420) + size ** 0.5 * 4
            nbytes = base * g.u(0.004, 0.012) * ratio
            if store == "events-kafka" and g.chance(0.03):
                g.emit(store, engine, "incremental", "primary", t, dur, "partial",
                       nbytes * 0.7, crit, False, 14)
                continue
            if store == "fraud-features" and t.date() == dt.date(2026, 10, 9) and h == 8:
                g.emit(store, engine, "incremental", "primary", t, dur, "success", nbytes,
                       crit, False, 14, verified_ok=False)
                continue
            g.scheduled(store, engine, "incremental", "primary", t, dur, nbytes, crit,
                        False, 14)
        # The day's incrementals copied to the secondary region.
        t = day + dt.timedelta(hours=5, minutes=minute)
        g.scheduled(store, engine, "incremental", "secondary", t, g.u(300, 900),
                    base * g.u(0.03, 0.06) * ratio, crit, False, 14, encryption=unenc)
        # Weekly full on Sunday at both locations; the first of a month kept 1 year.
        if day.weekday() == 6:
            retention = 365 if day.day <= 7 else 90
            t = day + dt.timedelta(hours=2, minutes=minute)
            fin = g.scheduled(store, engine, "full", "primary", t, size * g.u(0.8, 1.1) + 180,
                              base * ratio, crit, False, retention)
            if fin is not None:
                rt = RESTORE_TESTS.get(store)
                verif = "restore_test" if rt and rt[0] == day.date() else None
                g.emit(store, engine, "full", "secondary",
                       fin + dt.timedelta(minutes=int(g.u(3, 9))), size * g.u(1.0, 1.4) + 240,
                       "success", base * ratio, crit, False, retention,
                       verification=verif, encryption=unenc)


def continuous_extra(g, store, engine, crit, day, nbytes):
    loc = CONTINUOUS_EXTRA.get(store)
    if loc:
        g.emit(store, engine, "continuous", loc, day, 86400,
               "success" if day < AS_OF else "running",
               nbytes * g.u(0.02, 0.05), crit, False, 7)


def gen_never(g, store, engine, minute):
    """fraud-models: the job was created with a role that cannot read the bucket.
    Three failures in a row, then the tool backs off to one attempt a day."""
    crit = "important"
    first = FRAUD_MODELS_ADDED
    for h in (0, 4, 8):
        g.emit(store, engine, "incremental", "primary",
               first + dt.timedelta(hours=h, minutes=minute), g.u(5, 30), "failed", 0,
               crit, False, 14)
    day = first
    while day < AS_OF:
        g.emit(store, engine, "incremental", "primary",
               day + dt.timedelta(hours=12, minutes=minute), g.u(5, 30), "failed", 0,
               crit, False, 14)
        if day.weekday() == 6:
            g.emit(store, engine, "full", "primary",
                   day + dt.timedelta(hours=2, minutes=minute), g.u(5, 30), "failed", 0,
                   crit, False, 90)
        day += dt.timedelta(days=1)


def gen_standard(g, store, engine, size, minute):
    crit = "standard"
    ratio = POLICY[crit][2]
    hour = 23 if store == "settlement-files" else 3
    for day in days():
        t = day + dt.timedelta(hours=hour, minutes=minute)
        base = growth(size, day)
        continuous_extra(g, store, engine, crit, day, base * ratio)
        dur = g.u(60, 240) + size * g.u(0.7, 1.0)
        retention = 180 if day.day == 1 else 30
        if store == "warehouse" and day.date() == dt.date(2026, 10, 8):
            g.emit(store, engine, "snapshot", "primary", t, dur, "partial", base * ratio * 0.6,
                   crit, False, retention)
        elif store == "warehouse" and day.date() == dt.date(2026, 10, 19):
            g.emit(store, engine, "snapshot", "primary", t, g.u(600, 1800), "failed", 0,
                   crit, False, retention)
        elif day.date() == dt.date(2026, 10, 31) and store in ("warehouse", "settlement-files"):
            # warehouse: hangs; settlement-files: starts 23:50Z, takes about an hour
            g.emit(store, engine, "snapshot", "primary", t, 10 ** 6, "running",
                   base * ratio, crit, False, retention)
        else:
            g.scheduled(store, engine, "snapshot", "primary", t, dur, base * ratio * g.u(0.97, 1.0), crit,
                        False, retention)


def gen_history(g):
    by_id = {st[0]: st for st in STORES}
    for n, (y, mo) in enumerate(HISTORY_MONTHS):
        tested = [st[0] for st in STORES if st[2] == "critical"] + HISTORY_SAMPLE[(y, mo)]
        for k, store in enumerate(tested):
            _, engine, crit, size, minute = by_id[store]
            day = dt.datetime(y, mo, 9 + (k * 3 + n) % 15, tzinfo=UTC)
            t = day + dt.timedelta(hours=9, minutes=minute)
            loc = {"critical": "offsite", "important": "secondary", "standard": "primary"}[crit]
            if store in NO_OFFSITE:
                loc = "primary"
            typ = "snapshot" if crit == "standard" else "full"
            g.emit(store, engine, typ, loc, t, size * g.u(1.5, 2.5) + 600, "success",
                   size * 1e9 * POLICY[crit][2] * g.u(0.8, 0.95), crit, loc == "offsite",
                   30 if crit == "standard" else 90, verification="restore_test",
                   kind="history")


def gen_unknown(g):
    for store, engine, size, until in UNKNOWN:
        for day in days():
            if until is not None and day >= until:
                break
            if until is None and day.weekday() != 5:
                continue
            t = day + dt.timedelta(hours=4, minutes=40)
            g.emit(store, engine, "snapshot", "primary", t, size * g.u(0.7, 1.0) + 60,
                   "success", size * 1e9 * 0.55, "standard", False, 30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "samples", "kestrel", "backups"))
    ap.add_argument("--defects", action="store_true",
                    help="list the defects planted on purpose and exit")
    args = ap.parse_args()
    if args.defects:
        print(DEFECTS, end="")
        return
    g = Gen()
    for store, engine, crit, size, minute in STORES:
        {"critical": gen_critical, "important": gen_important,
         "standard": gen_standard}[crit](g, store, engine, size, minute)
    gen_unknown(g)
    gen_history(g)
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for kind, name in FILES.items():
        recs = sorted(g.records[kind], key=lambda r: (r[0], r[1]))
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as f:
            for _, _, rec in recs:
                f.write(json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n")
        total += len(recs)
        print("%s: %d records" % (name, len(recs)))
    print("total: %d records" % total)


if __name__ == "__main__":
    main()
