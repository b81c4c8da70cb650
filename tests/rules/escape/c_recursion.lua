-- Escape attempt: overflow the C stack (metamethods calling themselves).
return {
  run = function(arg, ctx)
    local t = setmetatable({}, { __index = function(self, k) return self[k] end })
    return t.anything
  end,
}
