-- Escape attempt: bypass __newindex with rawset and table functions.
return {
  run = function(arg, ctx)
    local ok1 = pcall(rawset, ctx, "model", {})
    local ok2 = pcall(table.insert, ctx.model.services, "x")
    local ok3 = pcall(function() ctx.model = nil end)
    local ok4 = pcall(setmetatable, ctx, {})
    if ok1 or ok2 or ok3 or ok4 then return "escaped" end
    rawset(ctx.model, "dir", "/")
  end,
}
