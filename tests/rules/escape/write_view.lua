-- Escape attempt: change the model the other rules see.
return {
  run = function(arg, ctx)
    ctx.model.services[1].tier = 1
    return "escaped"
  end,
}
