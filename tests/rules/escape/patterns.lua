-- Not an escape: ordinary patterns behave as the string library defines.
return {
  run = function(arg, ctx)
    local words = 0
    for _ in ("one two three"):gmatch("%a+") do words = words + 1 end
    local long = string.rep(" ", 300) .. "x y" .. string.rep(" ", 300)
    return {
      trim = ("  a  b \t"):match("^%s*(.-)%s*$"),
      long_trim = long:match("^%s*(.-)%s*$"),
      find = ("abcabc"):find("c"),
      plain = ("a.b"):find(".", 1, true),
      gsub = (("a-b c"):gsub("[%s%-]", "_"):upper()),
      words = words,
      balanced = ("x(a(b))y"):match("%b()"),
      frontier = ("THE (quick) fox"):match("%f[%a]%u+%f[%A]"),
      backref = select(2, ([[say 'q' now]]):match("(['\"])(.-)%1")),
      nul = ("a\0b"):find("\0", 1, true),
    }
  end,
}
