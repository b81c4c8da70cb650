-- Escape attempt: the same kind of pattern through a string method, gsub
-- and gmatch (each must be bounded, not only string.find).
return {
  run = function(arg, ctx)
    local s = ("a"):rep(400)
    local ok, err = pcall(string.gsub, s, "a*a*a*a*b", "x")
    assert(not ok and err:find("pattern too costly", 1, true), "gsub was not bounded")
    ok, err = pcall(string.gmatch, s, "a-a-a-a-b")
    assert(not ok and err:find("pattern too costly", 1, true), "gmatch was not bounded")
    return { s:match("a*a*a*a*a*b") }
  end,
}
