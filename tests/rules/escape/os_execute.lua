-- Escape attempt: run a shell command.
return {
  run = function(arg, ctx)
    os.execute("touch /tmp/drgen-sandbox-pwned")
    return "escaped"
  end,
}
