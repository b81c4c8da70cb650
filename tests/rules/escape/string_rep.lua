-- Escape attempt: one huge allocation from a C function.
return {
  run = function(arg, ctx)
    return #string.rep("x", 1 << 30)
  end,
}
