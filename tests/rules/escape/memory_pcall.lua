-- Escape attempt: catch the out-of-memory error and keep allocating.
return {
  run = function(arg, ctx)
    local keep = {}
    while true do
      pcall(function()
        for i = 1, 1e9 do keep[#keep + 1] = { i, i, i, i } end
      end)
    end
  end,
}
