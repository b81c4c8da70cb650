-- Escape attempt: never return.
return {
  run = function(arg, ctx)
    while true do end
  end,
}
