-- Escape attempt: load a precompiled (binary) chunk from a string.
return {
  run = function(arg, ctx)
    local chunk = "\27Lua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08\x78\x56"
    local f, err = load(chunk, "bin", "b")
    return f()
  end,
}
