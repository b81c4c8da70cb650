-- A tier rule with a runtime error on line 8.
local shipped = require("tiers")
return {
  levels = shipped.levels,
  currency_grace_minutes = 15,
  classify = function(service, ctx)
    local missing
    return { tier = missing.tier }
  end,
}
