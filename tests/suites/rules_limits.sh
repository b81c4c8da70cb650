#!/bin/sh
# Limits of the rule sandbox hold inside library functions too (issue 12
# items 4-6), end to end: a copy of the sample plan with a rules/cost.lua
# that extends the shipped one and misbehaves.  Each build must fail (or
# succeed) quickly with the rule file and line; timeout is a backstop.
. "$DRGEN_ROOT/tests/lib/suite.sh"

LIMIT=${RULES_LIMITS_TIMEOUT:-60}

# plan NAME BODY: a copy of the sample whose cost.lua runs BODY (Lua) in
# estimate() before the shipped estimate.
plan() {
	rm -rf "$TMP/$1"
	cp -R "$DRGEN_ROOT/samples/kestrel" "$TMP/$1"
	mkdir -p "$TMP/$1/rules"
	cat >"$TMP/$1/rules/cost.lua" <<LUA
local shipped = require("cost")
local M = setmetatable({}, { __index = shipped })
function M.estimate(service, ctx)
  $2
  return shipped.estimate(service, ctx)
end
return M
LUA
}

# build NAME: runs drgen build on plan NAME; stderr in $TMP/NAME.err.
build() {
	NO_COLOR=1 timeout "$LIMIT" "$DRGEN" build "$TMP/$1" -o "$TMP/$1.out" \
		--period 2026-10 >"$TMP/$1.err" 2>&1
}

plan pattern 'local s = string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40) .. "b")'
build pattern; rc=$?
check "a backtracking pattern fails the build (exit 2, not a hang)" test "$rc" -eq 2
check "the pattern error names rules/cost.lua:4" \
	grep -q 'rules/cost.lua:4: error: pattern too costly for a subject of 40 bytes' "$TMP/pattern.err"

plan memory 'local t = {} for i = 1, 1e9 do t[i] = string.rep("m", 1000) .. i end'
build memory; rc=$?
check "a memory bomb fails the build (exit 2)" test "$rc" -eq 2
check "the memory error names rules/cost.lua:4" \
	grep -q 'rules/cost.lua:4: error: memory limit exceeded' "$TMP/memory.err"

plan rep 'local big = string.rep("x", 1 << 30)'
build rep; rc=$?
check "a huge string.rep fails the build (exit 2)" test "$rc" -eq 2
check "the string.rep memory error names rules/cost.lua:4" \
	grep -q 'rules/cost.lua:4: error: memory limit exceeded' "$TMP/rep.err"

plan toolarge 'local big = string.rep("x", 1 << 40)'
build toolarge; rc=$?
check "a library error of a wrapped function keeps the rule's line" \
	grep -q 'rules/cost.lua:4: error: resulting string too large' "$TMP/toolarge.err"

plan malformed 'local x = ("x"):find("[a")'
build malformed; rc=$?
check "a malformed pattern fails with the rule's line" \
	grep -q "rules/cost.lua:4: error: malformed pattern (missing ']')" "$TMP/malformed.err"

plan print 'local big = string.rep("p", 8 << 20) for i = 1, 100 do print(big) end'
build print; rc=$?
size=$(wc -c <"$TMP/print.err")
check "printing 100 x 8 MiB per service still builds (exit 0)" test "$rc" -eq 0
check "print output stays small ($size bytes of stderr)" test "$size" -lt 200000
check "a cut print note says how much was cut" \
	grep -q 'rules/cost.lua:4: note: print: ppp.*\.\.\. (8384512 bytes cut)' "$TMP/print.err"
check "further prints are suppressed" grep -q 'further print output of rules suppressed' "$TMP/print.err"

[ -n "${KEEP:-}" ] || rm -rf "$TMP"
