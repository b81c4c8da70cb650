-- Returns its argument (a read-only table) with a few things about it.
return {
  run = function(arg, ctx)
    local ok = pcall(function() arg.extra = 1 end)
    return { arg = arg, writable = ok, n = #arg.list, period = ctx.period,
             services = #ctx.model.services }
  end,
}
