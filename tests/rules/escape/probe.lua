-- Runs after setmetatable_g.lua: reports what this file's globals look like.
return {
  run = function(arg, ctx)
    return {
      global = tostring(undefined_name),
      upper = string.upper("x"),
      method = ("x"):upper(),
      concat = table.concat({ "a", "b" }, ","),
      minutes = drgen.format_minutes(60),
    }
  end,
}
