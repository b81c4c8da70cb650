-- Escape attempt: a substring search of (n - m) * m byte comparisons.
return {
  run = function(arg, ctx)
    local s = string.rep("a", 8000000)
    return { s:find(string.rep("a", 4000000) .. "b", 1, true) }
  end,
}
