-- cost.lua -- the estimated monthly cost of disaster recovery (SPEC 3.2).
--
-- Per service: monthly_cost x (tier multiplier - 1) for the standby
-- infrastructure, plus backup storage: the bytes each location retains
-- (successful copies still within retention at the as-of time) times a
-- price per GB-month for that location.  drgen sums dr_monthly_cost per
-- tier and for the plan.
--
-- drgen reads:
--   prices                   shown in the plan (any table)
--   estimate(service, ctx)   -> { dr_monthly_cost = n, infrastructure = n, storage = n }

local M = {}

-- Price per GB-month (GB = 2^30 bytes, as cloud storage is billed), in the
-- plan's currency: standard object storage for primary copies, an
-- infrequent-access class in the secondary region, an archive class with
-- object lock for the offsite vault.
M.prices = {
  primary = 0.023,
  secondary = 0.0125,
  offsite = 0.004,
}

-- Fixed order, so sums are the same on every run.
local locations = { "primary", "secondary", "offsite" }
local GB = 1024 * 1024 * 1024

local function storage_cost(service)
  local total = 0
  for _, ds in ipairs(service.datastores) do
    local at = ds.backups.at
    for _, loc in ipairs(locations) do
      local bytes = at[loc].bytes_retained
      if bytes > 0 then
        total = total + bytes / GB * M.prices[loc]
      end
    end
  end
  return total
end

function M.estimate(service, ctx)
  local tier = ctx.tiers[service.id]
  local infrastructure = (service.monthly_cost or 0) * (tier.dr_multiplier - 1)
  local storage = storage_cost(service)
  return {
    dr_monthly_cost = drgen.round(infrastructure + storage, 2),
    infrastructure = drgen.round(infrastructure, 2),
    storage = drgen.round(storage, 2),
  }
end

return M
