-- Escape attempt: string.dump round trip (bytecode can break the VM).
return {
  run = function(arg, ctx)
    local code = string.dump(function() return 1 end)
    return load(code)()
  end,
}
