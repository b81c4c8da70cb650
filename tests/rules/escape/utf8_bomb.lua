-- Escape attempt: utf8 functions over a huge string and huge arguments.
return {
  run = function(arg, ctx)
    local ok, err = pcall(utf8.char, 0x7FFFFFFF + 1)
    assert(not ok, "utf8.char accepted a value above 0x7FFFFFFF")
    local s = string.rep("\u{10FFFF}", 1 << 22)   -- 16 MiB
    assert(utf8.len(s) == 1 << 22)
    assert(utf8.offset(s, 1 << 21) == 4 * ((1 << 21) - 1) + 1)
    local n = 0
    for _, c in utf8.codes(s:sub(1, 4000)) do n = n + 1 end
    return { n = n, len = utf8.len(s) }
  end,
}
