-- A tier rule that does not compile (line 4).
return {
  classify = function(service, ctx)
    return { tier = = 1 }
  end,
}
