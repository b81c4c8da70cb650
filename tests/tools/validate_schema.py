#!/usr/bin/python3
"""Validates JSON (or NDJSON) files against one of drgen's JSON Schemas.

    validate_schema.py [--ndjson] SCHEMA FILE...
    validate_schema.py --check-schema SCHEMA...

Prints one line per problem ("FILE:LINE: POINTER: message"; LINE is the
NDJSON line, 0 for a whole JSON document) and a summary line per file.
Exit status: 0 all valid, 1 something invalid, 2 usage or setup error
(for example the jsonschema module is missing: Debian's python3-jsonschema).
"""

import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_schema: the jsonschema module is missing (python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)

MAX_SHOWN = 20   # problems printed per file


def pointer(path):
    out = ""
    for p in path:
        out += "/" + str(p).replace("~", "~0").replace("/", "~1")
    return out or "/"


def load_schema(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def leaf(e):
    """For anyOf/oneOf failures, the most relevant error underneath."""
    while e.context:
        e = jsonschema.exceptions.best_match(e.context)
    return e


def problems(validator, doc):
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
        e = leaf(e)
        yield pointer(e.absolute_path), e.message


def check_file(validator, path, ndjson):
    bad = 0
    shown = 0
    docs = 0
    with open(path, encoding="utf-8") as f:
        if ndjson:
            items = ((n, line) for n, line in enumerate(f, 1) if line.strip())
        else:
            items = [(0, f.read())]
        for line, text in items:
            docs += 1
            try:
                doc = json.loads(text)
            except ValueError as e:
                bad += 1
                print("%s:%d: not JSON: %s" % (path, line, e))
                continue
            errs = list(problems(validator, doc))
            if errs:
                bad += 1
            for ptr, msg in errs:
                if shown < MAX_SHOWN:
                    print("%s:%d: %s: %s" % (path, line, ptr, msg[:300]))
                shown += 1
    if shown > MAX_SHOWN:
        print("%s: %d more problems not shown" % (path, shown - MAX_SHOWN))
    what = "records" if ndjson else "documents"
    print("%s: %d %s, %d invalid" % (path, docs, what, bad))
    return bad == 0 and docs > 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--check-schema":
        ok = True
        for path in argv[2:]:
            try:
                load_schema(path)
                print("%s: valid schema" % path)
            except (ValueError, jsonschema.SchemaError) as e:
                print("%s: invalid schema: %s" % (path, e))
                ok = False
        return 0 if ok and len(argv) > 2 else 1
    args = argv[1:]
    ndjson = False
    if args and args[0] == "--ndjson":
        ndjson = True
        args = args[1:]
    if len(args) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        validator = load_schema(args[0])
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("validate_schema: %s: %s" % (args[0], e), file=sys.stderr)
        return 2
    ok = True
    for path in args[1:]:
        try:
            ok = check_file(validator, path, ndjson) and ok
        except OSError as e:
            print("%s: %s" % (path, e))
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
