-- compliance/checks/plan.lua -- the checks on the plan document itself:
-- recovery objectives defined, the plan reviewed, redundant regions for tier
-- 1, KPIs computable.
--
-- Each check is a function (ev, a) -> result: ev is the framework's
-- evaluator (compliance/evidence.lua), a the parameters of the control's
-- check; results are built with compliance/common.lua.

local fmt = string.format
local H = require("compliance/common")
local DAY, worst, day, time, days_text, plural, drill_ref, plan_ref, result_of, new_result, item,
  finish, LOCATIONS =
  H.DAY, H.worst, H.day, H.time, H.days_text, H.plural, H.drill_ref, H.plan_ref, H.result_of,
  H.new_result, H.item, H.finish, H.LOCATIONS

local C = {}

-- R1: every service has a tier with RTO and RPO, an owner and an impact
-- figure; no dependency has a longer RTO than its dependent.
function C.recovery_objectives_defined(ev, a)
  local res = new_result(ev, "recovery_objectives_defined")
  local inv = {}
  for _, x in ipairs(ev.facts.inversions) do
    local id = x.service.id
    inv[id] = inv[id] or x
  end
  local list = ev:scope(a.scope)
  for _, rec in ipairs(list) do
    local s, problems, st = rec.s, {}, "pass"
    local hard = ev.critical[rec.tier] and "fail" or "partial"
    if rec.rto == nil or rec.rpo == nil then
      problems[#problems + 1] = "no RTO or RPO"; st = worst(st, hard)
    end
    if s.owner == nil then
      problems[#problems + 1] = "no owner"; st = worst(st, hard)
    end
    local im = s.impact
    if im.revenue_loss_per_hour == nil and im.customers_affected == nil and im.mtpd_hours == nil then
      problems[#problems + 1] = "no impact figure"; st = worst(st, "partial")
    end
    local x = inv[rec.id]
    if x then
      local dep = ev.by_id[x.dependency.id]
      problems[#problems + 1] = fmt("depends on %s (tier %d, RTO %s), slower than its own RTO of %s",
        dep.id, x.dependency_tier, drgen.format_minutes(dep.rto or 0),
        drgen.format_minutes(rec.rto or 0))
      st = worst(st, "partial")
    end
    if st == "pass" then
      item(res, "pass", rec.id, rec.id, nil, nil)
    else
      item(res, st, rec.id, rec.id, fmt("%s: %s", rec.id, table.concat(problems, ", ")),
        { file = "plan.json", service = rec.id })
    end
  end
  res.evidence = { plan_ref("services", plural(#list, "service")) }
  res.metrics.services = #list
  return finish(res, fmt("%s, each with a tier (RTO and RPO), an owner and an impact figure; " ..
      "no dependency recovers slower than its dependent", ev:scope_text(a.scope, #list)),
    "n/a", "no " .. ev:scope_text(a.scope) .. " in scope")
end

-- R10: the plan has a version, an approver and a recent review, made after
-- the latest drill that found issues.
function C.plan_reviewed_within_12_months(ev, a)
  local res = new_result(ev, "plan_reviewed_within_12_months")
  local plan = ev.model.plan
  local as_of = ev.as_of
  local max_age = (a.max_age_days or ev.p.review_max_age_days)
  local grace = a.grace or ev.p.review_grace
  local problems, st, refs = {}, "pass", {}
  if plan.last_review == nil then
    st = "fail"; problems[#problems + 1] = "the plan has no review date"
  else
    local age = ev:age_days(plan.last_review)
    refs[#refs + 1] = plan_ref("plan.last_review", day(plan.last_review))
    if age > max_age * grace then
      st = "fail"
      problems[#problems + 1] = fmt("last reviewed %s, %s ago (limit %s)", day(plan.last_review),
        days_text(age), days_text(max_age))
    elseif age > max_age then
      st = "partial"
      problems[#problems + 1] = fmt("last reviewed %s, %s ago: past the %s limit, within the grace period",
        day(plan.last_review), days_text(age), days_text(max_age))
    end
    if plan.next_review ~= nil and plan.next_review < as_of and st == "pass" then
      st = "partial"
      problems[#problems + 1] = fmt("the next review was due on %s", day(plan.next_review))
    end
    -- lessons learned: the newest drill with issues, against the review
    local latest
    for _, d in ipairs(ev:drills().list) do
      if d.n_issues > 0 and (latest == nil or d.date >= latest.date) then latest = d end
    end
    if latest and (latest.date - plan.last_review) > ev.p.lessons_learned_days * DAY then
      st = worst(st, "partial")
      problems[#problems + 1] = fmt("the last review (%s) predates drill %s (%s), which found %s, by %s",
        day(plan.last_review), latest.id, day(latest.date), plural(latest.n_issues, "issue"),
        days_text((latest.date - plan.last_review) / DAY))
      refs[#refs + 1] = drill_ref(latest)
    end
  end
  if plan.version == nil then
    st = worst(st, "partial"); problems[#problems + 1] = "the plan has no version"
  else
    refs[#refs + 1] = plan_ref("plan.version", plan.version)
  end
  if plan.approved_by == nil then
    st = worst(st, "partial"); problems[#problems + 1] = "the plan has no approver"
  else
    refs[#refs + 1] = plan_ref("plan.approved_by", plan.approved_by)
  end
  item(res, st, "plan", nil, "plan: " .. table.concat(problems, "; "), refs)
  return finish(res, fmt("plan version %s approved by %s, last reviewed %s",
      plan.version or "?", plan.approved_by or "?", plan.last_review and day(plan.last_review) or "?"))
end

-- The first single-region service among the transitive dependencies of rec.
local function single_region_dependency(ev, rec, memo, visiting)
  local v = memo[rec.id]
  if v ~= nil then return v or nil end
  if visiting[rec.id] then return nil end
  visiting[rec.id] = true
  local found = false
  for _, dep in ipairs(rec.s.depends_on) do
    local drec = ev.by_id[dep]
    if drec then
      if drec.s.facts.n_distinct_regions < 2 then found = drec; break end
      local deeper = single_region_dependency(ev, drec, memo, visiting)
      if deeper then found = deeper; break end
    end
  end
  visiting[rec.id] = nil
  memo[rec.id] = found
  return found or nil
end

-- R13: services in scope, and everything they depend on, run in at least
-- two regions.
function C.redundant_region_for_tier1(ev, a)
  local res = new_result(ev, "redundant_region_for_tier1")
  ev:all_services()
  ev.shared.region_memo = ev.shared.region_memo or {}
  for _, rec in ipairs(ev:scope(a.scope or "critical")) do
    local n = rec.s.facts.n_distinct_regions
    local function ref()
      return { file = "plan.json", service = rec.id, regions = table.concat(rec.s.regions, ", ") }
    end
    if n < 2 then
      item(res, "fail", rec.id, rec.id, fmt("%s (tier %d) runs in %s", rec.id, rec.tier,
        plural(n, "region")), ref())
    else
      local dep = a.dependencies ~= false and single_region_dependency(ev, rec, ev.shared.region_memo, {})
      if dep then
        item(res, "partial", rec.id, rec.id,
          fmt("%s (tier %d) depends on %s, which runs in one region", rec.id, rec.tier, dep.id),
          { file = "plan.json", service = dep.id, regions = table.concat(dep.s.regions, ", ") },
          dep.id)
      else
        item(res, "pass", rec.id, rec.id, nil, #res.evidence < res.keep and ref() or nil)
      end
    end
  end
  local scope_name = a.scope or "critical"
  return finish(res, fmt("%s, each running in two or more regions, as do their dependencies",
      ev:scope_text(scope_name, res.n)),
    "n/a", "no " .. ev:scope_text(scope_name) .. " in scope")
end

-- DORA RTS 2024/1774 Art. 24(2) to (4): the recovery objectives of every
-- service in scope within fixed limits (max_rto_minutes; max_rpo_minutes
-- when given), judged on the tier's RTO and RPO.
function C.recovery_limits(ev, a)
  local res = new_result(ev, "recovery_limits")
  local max_rto, max_rpo = a.max_rto_minutes, a.max_rpo_minutes
  local fm = drgen.format_minutes
  -- "RTO 121 minutes is longer than 120 minutes", never "2 hours ... than 2 hours"
  local function over(what, x, limit, words)
    local xs, ls = fm(x), fm(limit)
    if xs == ls then xs, ls = fmt("%d minutes", x), fmt("%d minutes", limit) end
    return fmt("%s %s is %s %s", what, xs, words, ls)
  end
  for _, rec in ipairs(ev:scope(a.scope)) do
    local problems = {}
    if rec.rto == nil then
      problems[#problems + 1] = "no RTO"
    elseif max_rto and rec.rto > max_rto then
      problems[#problems + 1] = over("RTO", rec.rto, max_rto, "longer than")
    end
    if max_rpo then
      if rec.rpo == nil then
        problems[#problems + 1] = "no RPO"
      elseif rec.rpo > max_rpo then
        problems[#problems + 1] = over("RPO", rec.rpo, max_rpo, "more than")
      end
    end
    local ref = { file = "plan.json", service = rec.id, tier = rec.tier, rto_minutes = rec.rto,
                  rpo_minutes = rec.rpo }
    if #problems == 0 then
      item(res, "pass", rec.id, rec.id, nil, ref)
    else
      item(res, "fail", rec.id, rec.id, fmt("%s (tier %d): %s", rec.id, rec.tier,
        table.concat(problems, ", ")), ref)
    end
  end
  local limits = fmt("an RTO of at most %s", fm(max_rto or 0))
  if max_rpo then limits = fmt("%s and an RPO of at most %s", limits, fm(max_rpo)) end
  return finish(res, fmt("%s, each with %s", ev:scope_text(a.scope, res.n), limits),
    "n/a", "no " .. ev:scope_text(a.scope) .. " in scope")
end

-- ISO 22301 9.1: the KPIs drgen reports can be computed for every tier 1
-- service (backups on record for its datastores, a measured drill).
function C.kpis_computable(ev, a)
  local res = new_result(ev, "kpis_computable")
  local records, successes, ok, stores = 0, 0, 0, 0
  for _, st in ipairs(ev:stores(nil)) do
    stores = stores + 1
    for _, loc in ipairs(LOCATIONS) do records = records + st.b.at[loc].records end
    successes = successes + st.f.successes
    if st.f.currency == "ok" then ok = ok + 1 end
  end
  for _, rec in ipairs(ev:scope(a.scope or "critical")) do
    local missing = {}
    for _, ds in ipairs(rec.s.datastores) do
      if ds.backups.records == 0 then missing[#missing + 1] = "no backup records for " .. ds.id end
    end
    local measured = false
    for _, d in ipairs(ev:service_drills(rec.id)) do
      local r = result_of(d, rec.id)
      if r and r.recovery_minutes ~= nil then measured = true; break end
    end
    if not measured then missing[#missing + 1] = "no measured recovery time" end
    if #missing == 0 then
      item(res, "pass", rec.id, rec.id, nil, nil)
    else
      item(res, "partial", rec.id, rec.id, fmt("%s: %s", rec.id, table.concat(missing, ", ")),
        { file = "plan.json", service = rec.id })
    end
  end
  res.metrics = {
    backup_success_rate = records > 0 and drgen.round(successes / records, 4) or nil,
    stores_within_rpo = stores > 0 and drgen.round(ok / stores, 4) or nil,
  }
  if records == 0 then
    res.n = 0
    return finish(res, nil, "no_data", "no backup records, so no backup KPIs")
  end
  res.evidence = { "evidence/results.json (summary, datastores, drills)" }
  return finish(res, fmt("backup success, currency against RPO, restore tests and RTO attainment " ..
    "are computed for %s", ev:scope_text(a.scope or "critical", res.n)))
end

return C
