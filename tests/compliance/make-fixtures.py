#!/usr/bin/env python3
"""Writes the compliance fixture plans (tests/compliance/CASE/plan/).

Each case is a small plan directory built for the compliance rules, judged
at --as-of 2026-11-01T00:00:00Z by tests/suites/compliance.sh against the
pinned CASE/expected.tsv (framework, control, status).  The files are
committed; run this script (Python 3, standard library) to regenerate them
after changing a case here, then review the new statuses before updating
expected.tsv (tests/suites/compliance.sh --update prints them).

  healthy   a well-run organisation: current backups everywhere, restore
            tests, drills of every type, reviewed plan, attestations for
            nearly every topic; NIST evaluated with baseline "all"
  gaps      the troubled one: a single-region tier 1 store that is stale,
            unencrypted and without offsite or immutable copies, an RTO miss
            tracked by an action, a service not recovered, an overdue
            action, a review in the grace period, a stale contact, expired
            and missing attestations, an active and an expired exception
  scope     no ephi or cde data and a microenterprise: HIPAA and PCI n/a,
            DORA's microenterprise regime (Arts 11 and 12 with their carve-outs)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def dump(path, obj):
    write(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def ndjson(path, records):
    write(path, "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in tested(records)))


def tested(records):
    """A job written with verification "restore_test" is a checksum-verified
    backup plus its restore test, a record of its own (docs/backup-format.md)
    at the job's times."""
    for r in records:
        if r.get("verification") != "restore_test":
            yield r
            continue
        ok = r.get("verified_ok", True)
        yield dict(r, verification="checksum", verified_ok=True)
        t = {"kind": "restore_test", "id": "rt-" + r["id"], "datastore": r["datastore"],
             "started": r["started"], "finished": r["finished"],
             "status": "success" if ok else "failed", "method": "restore",
             "tested_backup": r["id"], "location": r["location"]}
        yield t


def job(ds, kind, started, finished, location, status="success", enc="aes-256-gcm",
        immutable=False, retention=30, verification="checksum", ok=True, n=[0]):
    n[0] += 1
    r = {"id": "%s-%d" % (ds, n[0]), "datastore": ds, "type": kind, "started": started,
         "status": status, "location": location, "bytes": 1000000, "encryption": enc,
         "immutable": immutable, "retention_days": retention, "verification": verification}
    if finished:
        r["finished"] = finished
    if verification != "none":
        r["verified_ok"] = ok
    return r


ALL = ["iso22301", "iso27001", "soc2", "nist80053", "hipaa", "pci", "dora"]

TOPICS = [
    "bia_approved", "risk_assessment", "strategy_selection", "crisis_comms_tested",
    "supplier_bc_reviewed", "internal_audit", "management_review", "key_management",
    "capacity_planning", "insurance", "bc_policy_approved", "plan_coordination",
    "training_completed", "alternate_site_agreement", "alternate_site_access",
    "primary_site_loss_plan", "provider_plans_reviewed", "dual_authorization_deletion",
    "transaction_recovery", "emergency_mode_procedures", "facility_access_for_recovery",
    "emergency_access_procedure", "training_risk_analysis", "media_physical_security",
    "media_location_review", "independent_tester",
]


def attestation(topic, date="2026-06-01", expires="2027-06-01"):
    a = {"topic": topic, "statement": "Reviewed and approved.", "attester": "ada", "date": date,
         "evidence": "https://wiki.example/%s" % topic}
    if expires:
        a["expires"] = expires
    return a


def contacts(verified="2026-10-01", phone=True):
    out = []
    for cid, name, role in [("ana", "Ana Silva", "on-call engineer"),
                            ("ben", "Ben Okafor", "head of SRE; crisis management lead"),
                            ("ada", "Ada Lovelace", "Chief Operating Officer")]:
        c = {"id": cid, "name": name, "role": role, "email": cid + "@example.com",
             "last_verified": verified}
        if phone:
            c["phone"] = "+1 555 0100"
        out.append(c)
    return out


def healthy():
    d = os.path.join(HERE, "healthy", "plan")
    dump(os.path.join(d, "plan.json"), {
        "drgen": 1,
        "organization": {"id": "okay", "name": "Okay Bank", "entity_type": "credit_institution"},
        "plan": {"version": "2.0", "owner": "ana", "approved_by": "Board risk committee",
                 "approved_on": "2026-09-20", "last_review": "2026-09-20",
                 "next_review": "2027-09-20"},
        "regions": [{"id": "r1", "role": "primary"}, {"id": "r2", "role": "secondary"}],
        "contacts": contacts(),
        "escalation": [{"level": 1, "contact": "ana", "after_minutes": 0},
                       {"level": 2, "contact": "ben", "after_minutes": 15}],
        "services": [
            {"id": "pay", "name": "Payments", "owner": "ana",
             "impact": {"revenue_loss_per_hour": 200000}, "data_scope": ["cde", "ephi"],
             "regions": ["r1", "r2"],
             "datastores": [{"id": "pay-db", "engine": "postgresql", "criticality": "critical"}]},
            {"id": "portal", "name": "Portal", "owner": "ben", "depends_on": ["pay"],
             "impact": {"revenue_loss_per_hour": 20000}, "regions": ["r1", "r2"],
             "datastores": [{"id": "portal-db", "engine": "mysql", "criticality": "important"}]},
            {"id": "wiki", "name": "Wiki", "owner": "ana",
             "impact": {"revenue_loss_per_hour": 500}, "regions": ["r1"],
             "datastores": [{"id": "wiki-db", "engine": "sqlite", "criticality": "standard"}]},
        ],
        "compliance": {"frameworks": ALL, "profile": {"nist80053": {"baseline": "all"}}},
        "attestations": [attestation(t) for t in TOPICS],
        "exceptions": [],
    })
    ndjson(os.path.join(d, "backups", "jobs.ndjson"), [
        job("pay-db", "snapshot", "2026-10-31T23:20:00Z", "2026-10-31T23:30:00Z", "primary"),
        job("pay-db", "continuous", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z", "secondary",
            retention=7),
        job("pay-db", "full", "2026-10-31T01:00:00Z", "2026-10-31T02:00:00Z", "offsite",
            immutable=True, retention=35),
        job("pay-db", "full", "2026-10-20T01:00:00Z", "2026-10-20T02:00:00Z", "offsite",
            immutable=True, retention=35, verification="restore_test"),
        job("portal-db", "incremental", "2026-10-31T23:50:00Z", "2026-10-31T23:58:00Z", "primary",
            enc="aes-256-cbc"),
        job("portal-db", "continuous", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z", "secondary",
            enc="aes-256-cbc", retention=7),
        job("portal-db", "full", "2026-10-30T01:00:00Z", "2026-10-30T02:00:00Z", "offsite",
            enc="aes-256-cbc", immutable=True, retention=90),
        job("portal-db", "full", "2026-09-15T01:00:00Z", "2026-09-15T02:00:00Z", "offsite",
            enc="aes-256-cbc", immutable=True, retention=90, verification="restore_test"),
        job("wiki-db", "snapshot", "2026-10-31T02:00:00Z", "2026-10-31T02:05:00Z", "primary",
            enc="aes-128-cbc"),
        job("wiki-db", "snapshot", "2026-06-01T02:00:00Z", "2026-06-01T02:05:00Z", "primary",
            enc="aes-128-cbc", verification="restore_test"),
    ])
    met = lambda s, rto, rpo, rec: {"service": s, "target_rto_minutes": rto,
                                    "target_rpo_minutes": rpo, "recovery_minutes": rec,
                                    "data_loss_minutes": 0, "recovered": True,
                                    "data_integrity": 1}
    drills = [
        {"id": "dr-pf", "date": "2026-04-01", "type": "partial_failover",
         "scope": {"services": ["portal", "wiki"], "traffic_percent": 20},
         "results": [met("portal", 60, 5, 30), met("wiki", 4320, 1440, 200)],
         "availability": 0.999, "issues": []},
        {"id": "dr-chaos", "date": "2026-07-01", "type": "chaos",
         "scope": {"services": ["pay"]}, "results": [met("pay", 5, 0, 2)],
         "availability": 0.999, "issues": []},
        {"id": "dr-full", "date": "2026-09-10", "type": "full_simulation",
         "scope": {"services": ["pay", "portal", "wiki"], "traffic_percent": 100},
         "results": [met("pay", 5, 0, 4), met("portal", 60, 5, 40), met("wiki", 4320, 1440, 300)],
         "availability": 0.995,
         "issues": [{"id": "DR-1", "title": "Runbook step order for portal", "severity": "low",
                     "owner": "ben", "due": "2026-10-15", "status": "closed"}]},
        {"id": "dr-tabletop", "date": "2026-10-05", "type": "tabletop",
         "scope": {"services": ["pay", "portal", "wiki"]}, "results": [], "issues": [],
         "notes": "Ransomware scenario: encrypted primary, restore from the immutable copies."},
    ]
    dump(os.path.join(d, "drills", "drills.json"), drills)


def gaps():
    d = os.path.join(HERE, "gaps", "plan")
    dump(os.path.join(d, "plan.json"), {
        "drgen": 1,
        "organization": {"id": "shaky", "name": "Shaky Payments", "entity_type": "payment_institution"},
        "plan": {"version": "1.3", "owner": "ana", "last_review": "2025-09-15",
                 "next_review": "2026-09-15"},
        "regions": [{"id": "r1", "role": "primary"}, {"id": "r2", "role": "secondary"}],
        "contacts": contacts(verified="2025-01-01", phone=False),
        "escalation": [{"level": 1, "contact": "ana", "after_minutes": 0},
                       {"level": 2, "contact": "ben", "after_minutes": 15}],
        "services": [
            {"id": "core", "name": "Core ledger", "owner": "ana",
             "impact": {"revenue_loss_per_hour": 150000}, "data_scope": ["cde"],
             "regions": ["r1"],
             "datastores": [{"id": "core-db", "engine": "postgresql", "criticality": "critical"}]},
            {"id": "api", "name": "API", "owner": "ben", "depends_on": ["core"],
             "impact": {"revenue_loss_per_hour": 120000}, "data_scope": ["cde"],
             "regions": ["r1", "r2"]},
            {"id": "claims", "name": "Claims", "owner": "ben",
             "impact": {"revenue_loss_per_hour": 30000}, "data_scope": ["ephi"],
             "regions": ["r1", "r2"],
             "datastores": [{"id": "claims-db", "engine": "postgresql", "criticality": "important"}]},
        ],
        "compliance": {"frameworks": ALL},
        "attestations": [
            attestation("management_review"),
            attestation("internal_audit", date="2025-09-01", expires="2026-09-01"),
            attestation("training_completed", date="2025-06-01", expires=None),
            attestation("media_location_review", date="2025-08-01", expires="2026-12-31"),
        ],
        "exceptions": [
            {"id": "EX-1", "control": "iso27001:A.8.14", "services": ["core"],
             "justification": "Second region for the core ledger lands with the 2027 migration.",
             "approved_by": "ben", "approved_on": "2026-04-01", "expires": "2027-03-31"},
            {"id": "EX-2", "control": "soc2:A1.2", "services": ["core"],
             "justification": "Offsite vault contract signed, copies start in Q4.",
             "approved_by": "ben", "approved_on": "2026-01-15", "expires": "2026-10-01"},
        ],
    })
    ndjson(os.path.join(d, "backups", "jobs.ndjson"), [
        job("core-db", "snapshot", "2026-10-29T23:00:00Z", "2026-10-29T23:30:00Z", "primary"),
        job("core-db", "snapshot", "2026-10-30T23:00:00Z", "2026-10-30T23:30:00Z", "primary",
            status="failed"),
        job("core-db", "snapshot", "2026-10-31T23:00:00Z", "2026-10-31T23:30:00Z", "primary",
            status="failed"),
        job("core-db", "full", "2026-10-29T01:00:00Z", "2026-10-29T02:00:00Z", "secondary",
            enc="none"),
        job("claims-db", "incremental", "2026-10-31T23:50:00Z", "2026-10-31T23:55:00Z", "primary"),
        job("claims-db", "continuous", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z", "secondary"),
        job("claims-db", "full", "2026-10-31T01:00:00Z", "2026-10-31T02:00:00Z", "offsite",
            immutable=True),
        job("claims-db", "full", "2026-09-01T01:00:00Z", "2026-09-01T02:00:00Z", "offsite",
            immutable=True, verification="restore_test"),
        job("claims-db", "full", "2026-10-15T01:00:00Z", "2026-10-15T02:00:00Z", "offsite",
            immutable=True, verification="restore_test", ok=False),
    ])
    dump(os.path.join(d, "drills", "2026-05-full.json"), {
        "id": "dr-full", "date": "2026-05-01", "type": "full_simulation",
        "scope": {"services": ["core", "api", "claims"], "traffic_percent": 100},
        "results": [
            {"service": "core", "recovery_minutes": 9, "data_loss_minutes": 0,
             "recovered": True, "data_integrity": 1},
            {"service": "api", "recovery_minutes": 3, "data_loss_minutes": 0,
             "recovered": True, "data_integrity": 1},
            {"service": "claims", "recovered": False},
        ],
        "availability": 0.97,
        "issues": [
            {"id": "DR-7", "title": "Core failover too slow: replica catch-up", "severity": "high",
             "owner": "ana", "due": "2026-12-01", "status": "open"},
            {"id": "DR-8", "title": "Claims promotion timed out", "severity": "high",
             "owner": "ben", "due": "2026-08-01", "status": "open"},
        ],
    })


def scope():
    d = os.path.join(HERE, "scope", "plan")
    dump(os.path.join(d, "plan.json"), {
        "drgen": 1,
        "organization": {"id": "tiny", "name": "Tiny Brokers", "entity_type": "microenterprise"},
        "plan": {"version": "1", "owner": "ana", "approved_by": "founder",
                 "last_review": "2026-08-01"},
        "regions": [{"id": "r1", "role": "primary"}],
        "contacts": contacts(),
        "escalation": [{"level": 1, "contact": "ana"}, {"level": 2, "contact": "ben"}],
        "services": [
            {"id": "book", "name": "Order book", "owner": "ana",
             "impact": {"revenue_loss_per_hour": 5000}, "data_scope": ["pii"], "regions": ["r1"],
             "datastores": [{"id": "book-db", "criticality": "important"}]},
        ],
        "compliance": {"frameworks": ["hipaa", "pci", "dora"]},
    })
    ndjson(os.path.join(d, "backups", "jobs.ndjson"), [
        job("book-db", "incremental", "2026-10-31T23:30:00Z", "2026-10-31T23:40:00Z", "primary"),
        job("book-db", "full", "2026-10-31T01:00:00Z", "2026-10-31T02:00:00Z", "offsite",
            immutable=True),
        job("book-db", "full", "2026-03-01T01:00:00Z", "2026-03-01T02:00:00Z", "offsite",
            immutable=True, verification="restore_test"),
    ])
    dump(os.path.join(d, "drills", "tabletop.json"), {
        "id": "dr-tt", "date": "2026-06-01", "type": "tabletop",
        "scope": {"services": ["book"]}, "results": [], "issues": []})


if __name__ == "__main__":
    healthy()
    gaps()
    scope()
    sys.exit(0)
