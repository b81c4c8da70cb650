-- Escape attempt: a pattern that backtracks 2^40 times inside string.find,
-- where the instruction hook never runs.
return {
  run = function(arg, ctx)
    local s = string.rep("a", 40)
    return { string.find(s, string.rep("a?", 40) .. string.rep("a", 40) .. "b") }
  end,
}
