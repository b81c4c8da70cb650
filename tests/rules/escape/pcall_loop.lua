-- Escape attempt: swallow the instruction-limit error with pcall.
return {
  run = function(arg, ctx)
    while true do
      pcall(function() while true do end end)
    end
  end,
}
