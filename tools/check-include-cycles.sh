#!/bin/sh
# check-include-cycles.sh [DIR] -- fails when modules of DIR (default src/)
# include each other.  A module is X.c with X.h, and X_int.h (its internal
# header) counts as part of X.  Two modules form a cycle when each includes
# the other's header, directly or through a longer loop (a -> b -> c -> a).
# Prints each cycle with the #include lines that make it and exits 1; exits
# 0, printing nothing, when there is none.  The cure is to move the shared
# declarations down, into a small header of their own or the lower module.
set -eu
dir=${1:-"$(dirname "$0")/../src"}
[ -d "$dir" ] || { echo "check-include-cycles: no folder $dir" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 ||
	{ echo "check-include-cycles: python3 is needed" >&2; exit 2; }
exec python3 - "$dir" <<'EOF'
import glob, os, re, sys

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)

def module(name):
    base = os.path.basename(name).rsplit('.', 1)[0]
    return base[:-4] if base.endswith('_int') else base

# edges[a][b]: the "file -> header" lines by which module a includes b.
edges = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.[ch]'))):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    a = module(path)
    edges.setdefault(a, {})
    for header in INCLUDE.findall(text):
        b = module(header)
        if b != a:
            edges[a].setdefault(b, []).append(
                '%s -> %s' % (os.path.basename(path), header))

cycles = []
for a in sorted(edges):
    for b in sorted(edges[a]):
        if a < b and a in edges.get(b, {}):
            cycles.append('%s <-> %s (%s)' % (
                a, b, ', '.join(edges[a][b] + edges[b][a])))

# Longer loops: a shortest path back to each module, reported once per set
# of modules and only when no pair above already shows it.
def path_back(start):
    seen, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(edges.get(v, {})):
            if w == start:
                chain = [v]
                while seen[chain[-1]] is not None:
                    chain.append(seen[chain[-1]])
                return chain[::-1] + [start]
            if w not in seen:
                seen[w] = v
                queue.append(w)
    return None

shown = set()
for a in sorted(edges):
    loop = path_back(a)
    if not loop or len(loop) <= 3:
        continue
    key = frozenset(loop)
    if key in shown:
        continue
    shown.add(key)
    cycles.append(' -> '.join(loop))

for c in cycles:
    print(c)
sys.exit(1 if cycles else 0)
EOF
