-- Escape attempt: load a C module (or anything outside the rule directories).
return {
  run = function(arg, ctx)
    local lib = require("os")
    return lib.execute("true")
  end,
}
