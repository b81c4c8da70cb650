-- Visits every field of every view reachable from ctx (a few levels deep),
-- and returns some views whole (they convert to JSON like tables).
local function walk(v, depth)
  if depth > 5 then return 0 end
  local n = 0
  for _, x in pairs(v) do
    n = n + 1
    local t = type(x)
    if t == "userdata" or t == "table" then n = n + walk(x, depth + 1) end
  end
  return n
end

return {
  run = function(arg, ctx)
    local s = ctx.model.services[1]
    return {
      n = walk(ctx, 0),
      organization = ctx.model.organization,
      store = ctx.facts.stores[1],
      service = s,
      same = s == ctx.model.services[s.id] and s ~= ctx.model.services[2],
      len = #ctx.model.services,
      regions = ctx.model.regions["eu-west-1"].role,
    }
  end,
}
