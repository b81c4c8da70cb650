-- A tier rule that returns a tier out of range.
local shipped = require("tiers")
return {
  levels = shipped.levels,
  currency_grace_minutes = 15,
  classify = function(service, ctx)
    return { tier = 7 }
  end,
}
