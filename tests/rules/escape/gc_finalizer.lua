-- Escape attempt: a finalizer runs with hooks off, so an endless loop in it
-- would hang the build.
return {
  run = function(arg, ctx)
    setmetatable({}, { __gc = function() while true do end end })
    return "escaped"
  end,
}
