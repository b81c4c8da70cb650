-- Escape attempt: table.sort with a comparator that never returns.
return {
  run = function(arg, ctx)
    local t = {}
    for i = 1, 1000 do t[i] = i end
    local ok, err = pcall(table.sort, t, function(a, b) return true end)
    assert(not ok and err:find("invalid order function", 1, true), tostring(err))
    table.sort(t, function(a, b) while true do end end)
    return t
  end,
}
