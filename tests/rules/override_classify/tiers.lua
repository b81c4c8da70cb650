-- The second example of docs/rules.md: regulated services are at least tier 2.
local shipped = require("tiers")
local M = { levels = shipped.levels,
            currency_grace_minutes = shipped.currency_grace_minutes,
            findings = shipped.findings }

function M.classify(service, ctx)
  if service.tier then
    return { tier = service.tier, overridden = true, reason = "set in the plan" }
  end
  local tier, why = shipped.computed_tier(service)
  -- Anything regulated is at least tier 2.
  if service.impact.regulatory and tier > 2 then
    return { tier = 2, reason = why .. "; regulated, so at least tier 2" }
  end
  return { tier = tier, reason = why }
end

return M
