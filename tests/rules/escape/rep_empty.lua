-- Escape attempt: string.rep of an empty string loops n times in C.
return {
  run = function(arg, ctx)
    local a = string.rep("", 1 << 60)
    local b = ("").rep("", 1 << 60, "")
    local c = string.rep("ab", 3, ",")
    local d = string.rep("x", 0)
    return { a = a, b = b, c = c, d = d, n = #a + #b }
  end,
}
