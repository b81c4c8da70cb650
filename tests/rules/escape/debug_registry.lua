-- Escape attempt: reach the registry (and the real globals) through debug.
return {
  run = function(arg, ctx)
    local reg = debug.getregistry()
    return reg[2].os.execute("true")
  end,
}
