-- Escape attempt: exhaust memory (doubling strings, kept alive in a table).
return {
  run = function(arg, ctx)
    local keep, s = {}, "x"
    while true do
      s = s .. s
      keep[#keep + 1] = s
    end
  end,
}
