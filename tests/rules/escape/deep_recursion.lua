-- Escape attempt: overflow the stack with Lua recursion.
local function down(n)
  return down(n + 1) + 1
end
return {
  run = function(arg, ctx)
    return down(1)
  end,
}
