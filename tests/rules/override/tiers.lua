-- The worked example of docs/rules.md: thresholds ten times higher, the rest
-- as shipped.
local shipped = require("tiers")
local M = {}
M.levels = {}
for i, level in ipairs(shipped.levels) do
  local copy = {}
  for k, v in pairs(level) do copy[k] = v end
  if copy.revenue_above then
    copy.revenue_above = copy.revenue_above * 10
    copy.criterion = "revenue loss above " .. drgen.format_number(copy.revenue_above) .. " per hour"
  end
  M.levels[i] = copy
end
M.currency_grace_minutes = shipped.currency_grace_minutes
function M.classify(service, ctx)
  if service.tier then
    return { tier = service.tier, overridden = true, reason = "set in the plan" }
  end
  local revenue = service.impact.revenue_loss_per_hour or 0
  for _, level in ipairs(M.levels) do
    if level.revenue_above == nil or revenue > level.revenue_above then
      return { tier = level.tier, reason = "custom thresholds" }
    end
  end
end
return M
