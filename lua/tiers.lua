-- tiers.lua -- which tier each service is in, and what that tier promises.
--
-- Defaults of SPEC 3.1.  A service is classified by its revenue loss per
-- hour of outage, strictly greater than a level's threshold; an explicit
-- `tier` in plan.json wins and is reported as an override.
--
-- drgen reads:
--   levels                  the four tiers, in order (tier 1 first)
--   currency_grace_minutes  the replication-lag tolerance: backup currency of a
--                           store with RPO 0 is judged against this; an RPO
--                           above zero is judged as written (docs/analysis.md)
--   classify(service, ctx)  once per service -> { tier = 1..4, reason = ..., overridden = bool,
--                           unclassified = bool } (omitted objective fields come from
--                           levels[tier]; unclassified: no impact data, judged as `tier`)
--   findings(ctx)           once, after currency and inversions are known
-- See docs/rules.md for the views a rule receives.

local M = {}

M.levels = {
  {
    tier = 1, name = "critical", revenue_above = 100000,
    criterion = "revenue loss above 100,000 per hour",
    rpo_minutes = 0, rto_minutes = 5,
    strategy = "active-active multi-region", dr_multiplier = 3.5,
    multi_region = true,
  },
  {
    tier = 2, name = "essential", revenue_above = 10000,
    criterion = "revenue loss above 10,000 per hour",
    rpo_minutes = 5, rto_minutes = 60,
    strategy = "active-passive multi-region", dr_multiplier = 2.0,
    multi_region = true,
  },
  {
    tier = 3, name = "standard", revenue_above = 1000,
    criterion = "revenue loss above 1,000 per hour",
    rpo_minutes = 60, rto_minutes = 240,
    strategy = "pilot light", dr_multiplier = 1.3,
    multi_region = false,
  },
  {
    tier = 4, name = "non-critical", revenue_above = nil,
    criterion = "any other service",
    rpo_minutes = 1440, rto_minutes = 4320,
    strategy = "backup and restore", dr_multiplier = 1.1,
    multi_region = false,
  },
}

-- A continuously replicated copy is always some minutes behind: a tier-1
-- store (RPO 0) counts as current while its newest copy is at most this old.
-- It floors RPO 0 only: a store with an RPO above zero is never judged more
-- loosely than its own RPO, whatever this value.
M.currency_grace_minutes = 15

local levels = M.levels

-- An amount with the plan's currency: "100,000 EUR" (plain without one).
local function money(x, ctx)
  local org = ctx and ctx.model and ctx.model.organization
  local cur = org and org.currency
  if cur then return drgen.format_number(x) .. " " .. cur end
  return drgen.format_number(x)
end

-- The tier the revenue rule gives, and why (ctx, when given, names the currency).
local function computed_tier(service, ctx)
  local revenue = service.impact.revenue_loss_per_hour
  if revenue == nil then
    return #levels, "no revenue impact recorded"
  end
  for _, level in ipairs(levels) do
    if level.revenue_above == nil then
      return level.tier, string.format(
        "revenue loss of %s per hour is at most %s",
        money(revenue, ctx), money(levels[level.tier - 1].revenue_above, ctx))
    end
    if revenue > level.revenue_above then
      return level.tier, string.format(
        "revenue loss of %s per hour is above %s",
        money(revenue, ctx), money(level.revenue_above, ctx))
    end
  end
  return #levels, "below every threshold"
end

M.computed_tier = computed_tier

-- A service without impact data (no revenue loss per hour: the business
-- impact analysis has not classified it) is not the least critical: it is
-- judged as this tier, the strictest, until classified, and named
-- "unclassified" in every document, so missing data never looks like
-- compliance (issue 13 item 8).
M.unclassified_tier = 1

local function unclassified(service)
  return service.impact.revenue_loss_per_hour == nil
end

function M.classify(service, ctx)
  local tier, why = computed_tier(service, ctx)
  if not service.tier and unclassified(service) then
    return {
      tier = M.unclassified_tier, tier_name = "unclassified", unclassified = true,
      reason = string.format(
        "no business impact recorded (revenue loss per hour): judged as tier %d until classified",
        M.unclassified_tier),
    }
  end
  if service.tier then
    return {
      tier = service.tier,
      overridden = true,
      reason = string.format("set in the plan (the revenue rule gives tier %d: %s)", tier, why),
    }
  end
  return { tier = tier, reason = why }
end

local function severity_for_tier(tier)
  if tier <= 2 then return "high" end
  return "medium"
end

function M.findings(ctx)
  local out = {}
  local facts = ctx.facts
  if not facts then return out end

  for _, inv in ipairs(facts.inversions) do
    local s, dep = inv.service, inv.dependency
    local st, dt = ctx.tiers[s.id], ctx.tiers[dep.id]
    out[#out + 1] = {
      kind = "tier_inversion",
      severity = severity_for_tier(inv.service_tier),
      subject = s.id,
      ref = dep.id,
      message = string.format(
        "tier %d service %s depends on %s, which is tier %d (RTO %s, against %s for %s)",
        inv.service_tier, s.id, dep.id, inv.dependency_tier,
        drgen.format_minutes(dt.rto_minutes), drgen.format_minutes(st.rto_minutes), s.id),
      recommendation = string.format(
        "Raise %s to tier %d (or give it an RTO within %s), or remove %s's dependency on it",
        dep.id, inv.service_tier, drgen.format_minutes(st.rto_minutes), s.id),
    }
  end

  -- Services the business impact analysis has not classified.
  for _, s in ipairs(ctx.model.services) do
    if unclassified(s) then
      local t = ctx.tiers[s.id]
      out[#out + 1] = {
        kind = "impact_unknown",
        severity = t.unclassified and "high" or "medium",
        subject = s.id,
        message = t.unclassified
          and string.format(
            "%s has no business impact recorded (revenue loss per hour), so its tier is unknown; "
            .. "it is judged as tier %d (RPO %s, RTO %s) until classified", s.id, t.tier,
            drgen.format_minutes(t.rpo_minutes), drgen.format_minutes(t.rto_minutes))
          or string.format(
            "%s has no business impact recorded (revenue loss per hour); its tier %d is set in "
            .. "the plan without the impact analysis behind it", s.id, t.tier),
        recommendation = string.format(
          "Record %s's impact (revenue_loss_per_hour, customers_affected, mtpd_hours) from the "
          .. "business impact analysis", s.id),
      }
    end
  end

  for _, s in ipairs(facts.single_region) do
    local t = ctx.tiers[s.id]
    local n = s.facts.n_distinct_regions
    out[#out + 1] = {
      kind = "single_region",
      severity = severity_for_tier(t.tier),
      subject = s.id,
      message = string.format(
        "%s runs in %d region%s, but tier %d (%s) requires the %s strategy",
        s.id, n, n == 1 and "" or "s", t.tier, t.tier_name, t.strategy),
      recommendation = string.format(
        "Deploy %s to a second region and list it in the plan, as the %s strategy needs",
        s.id, t.strategy),
    }
  end
  return out
end

return M
