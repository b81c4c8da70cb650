-- Escape attempt: read a file.
return {
  run = function(arg, ctx)
    local f = io.open("/etc/passwd")
    return f:read("a")
  end,
}
