-- Escape attempt: string.format with a huge width or precision.
return {
  run = function(arg, ctx)
    local ok, err = pcall(string.format, "%99999999d", 1)
    assert(not ok and err:find("invalid conversion", 1, true), tostring(err))
    ok, err = pcall(string.format, "%.99999999f", 1)
    assert(not ok and err:find("invalid conversion", 1, true), tostring(err))
    local big = string.rep("x", 1 << 20)
    local s = string.format(string.rep("%s", 60), table.unpack((function()
      local t = {}
      for i = 1, 60 do t[i] = big end
      return t
    end)()))
    return #s
  end,
}
