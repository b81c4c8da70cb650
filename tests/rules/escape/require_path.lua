-- Escape attempt: require a file outside the rule directories by path.
return {
  run = function(arg, ctx)
    return require("../../../../etc/passwd")
  end,
}
