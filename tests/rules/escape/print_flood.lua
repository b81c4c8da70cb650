-- Escape attempt: 150 prints of 8 MiB each (1.2 GiB of stderr), some
-- with several arguments, and a multi-byte character at the cut.
return {
  run = function(arg, ctx)
    local big = string.rep("x", 8 << 20)
    print("short", 1, nil)
    print(string.rep("a", 4095) .. "\u{20AC}" .. "tail")
    for i = 1, 150 do print(big, big) end
    return { done = true }
  end,
}
