-- Escape attempt: reach a shared table through metatables (the string
-- metatable's __index is the real string library; a view's metatable
-- holds the C functions).
return {
  run = function(arg, ctx)
    local mt = getmetatable("")
    local vmt = getmetatable(ctx.model)
    local cmt = getmetatable(ctx)
    assert(type(mt) ~= "table" and type(vmt) ~= "table" and type(cmt) ~= "table",
      "a metatable was reachable")
    mt.__index.upper = nil
    return "escaped"
  end,
}
