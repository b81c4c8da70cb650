-- require loads other rule files from the same directories, once per file.
local util = require("lib.util")
local again = require("lib/util")
return {
  run = function(arg, ctx)
    return { twice = util.twice(21), same = util == again, calls = util.loads() }
  end,
}
