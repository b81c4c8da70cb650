#!/usr/bin/python3
"""Checks the OSCAL documents of a drgen build (docs/oscal.md).

    validate_oscal.py OSCAL_DIR EVIDENCE_DIR

OSCAL_DIR holds NIST's schemas (oscal_assessment-results_schema_v1.1.3.json,
oscal_complete_schema_v1.1.2.json); EVIDENCE_DIR is a build's evidence/.
Checks:
  - assessment-results.json against the 1.1.3 assessment-results schema,
    assessment-plan.json and system-security-plan.json against the complete
    schema (its patterns use \\p{L}: Python's `regex` module stands in for
    `re`, Debian python3-regex);
  - every UUID is defined once per document;
  - every *-uuid / *-uuids reference and every "#uuid" href resolves to an
    element of the document or of the documents it imports (AR -> AP -> SSP),
    and every import href names a file beside it;
  - every control of results.json is exactly one finding, whose drgen-status
    property is the control's status;
  - every back-matter resource's SHA-256 is the file's, where the file is in
    the pack.
Prints one line per problem; exit 0 when all hold, 1 otherwise, 2 on setup
errors (a module missing).
"""

import hashlib
import json
import os
import sys

try:
    import jsonschema
    import regex
except ImportError as e:
    print("validate_oscal: %s (Debian python3-jsonschema, python3-regex)" % e, file=sys.stderr)
    sys.exit(2)

problems = []


def problem(msg):
    problems.append(msg)
    if len(problems) <= 40:
        print(msg)


def validator(schema):
    """A draft-07 validator whose `pattern` uses the regex module."""
    base = jsonschema.Draft7Validator

    def pattern(v, patrn, instance, schema):
        if isinstance(instance, str) and not regex.search(patrn, instance):
            yield jsonschema.ValidationError("%r does not match %r" % (instance, patrn))

    def pattern_properties(v, pp, instance, schema):
        if not isinstance(instance, dict):
            return
        for p, sub in pp.items():
            for k, val in instance.items():
                if regex.search(p, k):
                    yield from v.descend(val, sub, path=k, schema_path=p)

    cls = jsonschema.validators.extend(
        base, {"pattern": pattern, "patternProperties": pattern_properties})
    return cls(schema)


def pointer(path):
    return "/" + "/".join(str(p) for p in path)


def check_schema(name, doc, v):
    n = 0
    for err in v.iter_errors(doc):
        n += 1
        if n <= 10:
            problem("%s: %s: %s" % (name, pointer(err.absolute_path), err.message[:300]))
    if n > 10:
        problem("%s: %d schema errors in all" % (name, n))


def walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), k, v
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def defined(doc, name):
    ids = {}
    for path, k, v in walk(doc):
        if k == "uuid" and isinstance(v, str):
            if v in ids:
                problem("%s: uuid %s defined twice (%s and %s)" %
                        (name, v, pointer(ids[v]), pointer(path)))
            ids[v] = path
    return ids


def references(doc):
    for path, k, v in walk(doc):
        if k.endswith("-uuid") and isinstance(v, str):
            yield path, v
        elif k.endswith("-uuids") and isinstance(v, list):
            for i, x in enumerate(v):
                yield path + (i,), x
        elif k == "href" and isinstance(v, str) and v.startswith("#"):
            yield path, v[1:]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    oscal, ev = sys.argv[1], sys.argv[2]
    with open(os.path.join(oscal, "oscal_assessment-results_schema_v1.1.3.json")) as f:
        ar_schema = json.load(f)
    with open(os.path.join(oscal, "oscal_complete_schema_v1.1.2.json")) as f:
        complete = json.load(f)
    docs = {}
    for name in ("system-security-plan.json", "assessment-plan.json",
                 "assessment-results.json"):
        with open(os.path.join(ev, name), encoding="utf-8") as f:
            docs[name] = json.load(f)
    check_schema("assessment-results.json", docs["assessment-results.json"], validator(ar_schema))
    # The complete schema accepts any one model: check each document against
    # its own, so that an error is reported where it is, not as "no model".
    for name, model, ref in (
            ("assessment-plan.json", "assessment-plan", "#assembly_oscal-ap_assessment-plan"),
            ("system-security-plan.json", "system-security-plan",
             "#assembly_oscal-ssp_system-security-plan")):
        one = {k: v for k, v in complete.items() if k not in ("oneOf", "properties", "required")}
        one.update({"type": "object", "properties": {model: {"$ref": ref}},
                    "required": [model], "additionalProperties": False})
        check_schema(name, docs[name], validator(one))

    ids = {name: defined(d, name) for name, d in docs.items()}
    imports = {
        "assessment-results.json": docs["assessment-results.json"]["assessment-results"]
        ["import-ap"]["href"],
        "assessment-plan.json": docs["assessment-plan.json"]["assessment-plan"]
        ["import-ssp"]["href"],
    }
    for name, href in imports.items():
        if href not in docs:
            problem("%s: imports %s, which is not in the pack" % (name, href))
    for name, d in docs.items():
        scope = set(ids[name])
        n = name
        while n in imports and imports[n] in ids:
            n = imports[n]
            scope |= set(ids[n])
        for path, ref in references(d):
            if ref not in scope:
                problem("%s: %s: %s resolves to nothing" % (name, pointer(path), ref))

    # every control exactly once, with its status
    with open(os.path.join(ev, "results.json"), encoding="utf-8") as f:
        results = json.load(f)
    findings = docs["assessment-results.json"]["assessment-results"]["results"][0].get(
        "findings", [])
    seen = {}
    for fd in findings:
        props = {p["name"]: p["value"] for p in fd.get("props", [])}
        key = (props.get("framework"), props.get("control"))
        seen.setdefault(key, []).append(props.get("drgen-status"))
    for c in results.get("controls", []):
        got = seen.get((c["framework"], c["control"]), [])
        if got != [c["status"]]:
            problem("control %s %s (%s): findings %s" %
                    (c["framework"], c["control"], c["status"], got))
    if len(findings) != len(results.get("controls", [])):
        problem("%d findings for %d controls" % (len(findings), len(results["controls"])))

    # an observation's subjects that carry drgen's status are the check's
    # own subjects (results.json checks[].subjects), with the same outcome
    judged = {}
    for c in results.get("controls", []):
        for k in c.get("checks", []):
            judged[(c["framework"], c["control"], k["check"])] = {
                s["id"]: s["status"] for s in k.get("subjects", [])
                if s["type"] in ("service", "datastore")}
    n_judged = 0
    for o in docs["assessment-results.json"]["assessment-results"]["results"][0].get(
            "observations", []):
        head, _, check = o["title"].rpartition(": ")
        fw, _, control = head.partition(" ")
        want = judged.get((fw, control, check))
        for sub in o.get("subjects", []):
            status = [p["value"] for p in sub.get("props", []) if p["name"] == "status"]
            if not status:
                continue
            n_judged += 1
            if want is None or want.get(sub["title"]) != status[0]:
                problem("observation %s: subject %s has status %s, results.json %s" %
                        (o["title"], sub["title"], status[0],
                         want.get(sub["title"]) if want else "no such check"))
    if judged and any(judged.values()) and n_judged == 0:
        problem("no observation names a judged subject with its status")

    # back-matter hashes of the files in the pack
    for name, d in docs.items():
        root = next(iter(d.values()))
        for r in root.get("back-matter", {}).get("resources", []):
            for link in r.get("rlinks", []):
                path = os.path.join(ev, link["href"])
                if ":" in link["href"] or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
                for h in link.get("hashes", []):
                    if h["algorithm"] == "SHA-256" and h["value"] != sha:
                        problem("%s: %s: SHA-256 %s, the file's is %s" %
                                (name, link["href"], h["value"], sha))
    print("validate_oscal: %d problem%s" % (len(problems), "" if len(problems) == 1 else "s"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
