-- rules/tiers.lua: our thresholds; objectives, strategies and findings as shipped.
-- (The worked example of docs/rules.md, kept here so that the example runs.)
local shipped = require("tiers")     -- the file this one replaces (lua/tiers.lua)

local thresholds = { [1] = 250000, [2] = 25000 }

for _, level in ipairs(shipped.levels) do
  local above = thresholds[level.tier]
  if above then
    level.revenue_above = above
    level.criterion = "revenue loss above " .. drgen.format_number(above) .. " per hour"
  end
end

return shipped
