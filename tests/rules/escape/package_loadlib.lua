-- Escape attempt: package.loadlib / dofile / loadfile.
return {
  run = function(arg, ctx)
    local f = dofile or loadfile or (package and package.loadlib)
    return f("/etc/passwd")
  end,
}
