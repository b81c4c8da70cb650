return {
  run = function(arg, ctx)
    return require("no_such_rule")
  end,
}
