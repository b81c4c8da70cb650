-- Escape attempt: change the global table and the library tables that a
-- later rule file would see.  Must have no effect outside this file.
setmetatable(_G, { __index = function(t, k) return "hijacked" end })
string.upper = function() return "hijacked" end
table.concat = nil
drgen.format_minutes = function() return "hijacked" end
return {
  run = function(arg, ctx)
    return { global = undefined_name, upper = ("x"):upper() }
  end,
}
