-- drills.lua -- the test programme, drill scoring, and the calendar checks
-- (drills and reviews that are due) (SPEC 3.4).
--
-- drgen reads:
--   programme             the test programme, shown in the plan
--   score(drill, ctx)     once per drill -> { passed = bool, status = "pass" | "fail" | "no_data",
--                         results = {...}, findings = {...} }
--                         results[i] scores drill.results[i]:
--                         { target_rto_minutes, target_rpo_minutes,
--                           rto_achievement, rpo_achievement, passed,
--                           status = "pass" | "fail" | "no_data", reason }
--   check(service, ctx)   once per service -> findings (drills overdue)
--   findings(ctx)         once -> findings (plan review, exceptions, tabletop)
--
-- Scoring: rto_achievement = min(target_rto / recovery_time, 1) and
-- rpo_achievement = min(target_rpo / data_loss, 1); a zero loss (or an
-- instant recovery) scores 1, a zero target with a non-zero loss scores 0.
-- A result passes when the service was recovered, RTO achievement >= 0.95,
-- RPO achievement >= 0.98 and data integrity is 100 %; a drill passes when
-- every result passes and availability during the test was >= 0.99.
-- A measurement the drill did not record (no recovery time, no data loss,
-- no integrity, no availability: a tabletop exercise) is not held against
-- it; its achievement is absent (null).  A service that was not recovered
-- scores an RTO achievement of 0.
-- A result that was recovered but measured neither a recovery time nor a
-- data loss proves nothing: its status is "no_data" (not a pass), and a
-- drill with such a result and no failing one is "no_data" too, and so is
-- a technical (not tabletop) drill that measured nothing at all: no
-- result and no availability.

local M = {}

M.pass = {
  rto_achievement = 0.95,
  rpo_achievement = 0.98,
  data_integrity = 1.0,
  availability = 0.99,
}

M.programme = {
  drills = {
    {
      type = "tabletop", frequency = "monthly", every_months = 1, duration_hours = 2,
      scope = "walk through the plan with the on-call teams",
    },
    {
      type = "partial_failover", frequency = "quarterly", every_months = 3, duration_hours = 4,
      traffic_percent = 20, scope = "non-critical services (tiers 3 and 4)",
      rollback = "automatic",
    },
    {
      type = "full_simulation", frequency = "twice a year", every_months = 6, duration_hours = 8,
      scope = "complete failover, all tiers",
    },
    {
      type = "chaos", frequency = "continuous",
      scope = "fault injection in production, within error budgets",
    },
  },
}

-- The pass criteria as the plan shows them: whole phrases, made from
-- M.pass so that the text cannot disagree with the scoring.
local function percent(x)
  local s = string.format("%.1f", x * 100):gsub("%.0$", "")
  return s .. " %"
end
M.programme.pass_criteria = {
  rto_achievement = "RTO achievement ≥ " .. percent(M.pass.rto_achievement),
  rpo_achievement = "RPO achievement ≥ " .. percent(M.pass.rpo_achievement),
  data_integrity = "data integrity " .. (M.pass.data_integrity >= 1 and "100 %"
    or "≥ " .. percent(M.pass.data_integrity)),
  availability = "availability ≥ " .. percent(M.pass.availability) .. " during the test",
}

-- Drills each service must have had, by tier: the drill type, how recent
-- the last one must be, and which types count (a stronger drill counts for
-- a weaker one: tabletop < chaos, partial_failover < full_simulation).
local full = { "full_simulation" }
local failover = { "partial_failover", "full_simulation" }
M.requirements = {
  [1] = {
    { type = "full_simulation", within_months = 6, counts = full, severity = "high" },
  },
  [2] = {
    { type = "full_simulation", within_months = 6, counts = full, severity = "high" },
  },
  [3] = {
    { type = "full_simulation", within_months = 6, counts = full, severity = "medium" },
    { type = "partial_failover", within_months = 3, counts = failover, severity = "medium" },
  },
  [4] = {
    { type = "full_simulation", within_months = 6, counts = full, severity = "low" },
    { type = "partial_failover", within_months = 3, counts = failover, severity = "low" },
  },
}

-- The organisation-wide tabletop exercise, and how often.
M.tabletop_months = 1
-- The plan is reviewed at least this often.
M.review_months = 12

local pass = M.pass

-- RTO or RPO achievement (SPEC 3.4): target over actual, capped at 1;
-- nothing lost (or an instant recovery) scores 1, a zero target with a
-- non-zero actual 0; nil when not measured.  The compliance checks call it
-- too (M.achievement), so a plan that changes the scoring changes both.
local function achievement(target, actual)
  if actual == nil then return nil end
  if actual <= 0 then return 1 end
  if target <= 0 then return 0 end
  return math.min(target / actual, 1)
end
M.achievement = achievement

-- A result that measured nothing: recovered, with neither a recovery time
-- nor a data loss recorded.  The compliance checks call it too.
local function measured_nothing(r)
  return r.recovered and r.recovery_minutes == nil and r.data_loss_minutes == nil
end
M.measured_nothing = measured_nothing
M.no_data_reason = "no recovery time or data loss was measured"

-- Minutes as a plain number: "90", "7.25", "1,440".
local function minutes_number(x)
  if x == math.floor(x) then return drgen.format_number(x, 0) end
  local s = drgen.format_number(x, 2):gsub("0+$", ""):gsub("%.$", "")
  return s
end

-- The achievement of a missed objective, named unambiguously (SPEC 3.4):
-- achievement = target / actual, shortfall = (1 - achievement) x 100.
-- "achieved 66.7 % of the RTO target: 90 min against 60 (shortfall 33.3 %)".
-- The compliance checks call it too (M.achievement_text).
local function achievement_text(what, actual, target)
  local a = achievement(target, actual) or 1
  return string.format("achieved %s %% of the %s target: %s min against %s (shortfall %s %%)",
    drgen.format_number(a * 100, 1), what, minutes_number(actual), minutes_number(target),
    drgen.format_number((1 - a) * 100, 1))
end
M.achievement_text = achievement_text

-- Issue severities as drill records write them, to finding severities.
local issue_severity = {
  critical = "high", high = "high", medium = "medium", low = "low",
}

local function add(out, f) out[#out + 1] = f end

function M.score(drill, ctx)
  local results, findings = {}, {}
  local all_passed, any_failed = true, false
  local as_of = ctx.as_of

  local tiers = ctx.tiers
  for i, r in ipairs(drill.results) do
    local tier = tiers[r.service]
    local target_rto = r.target_rto_minutes or tier.rto_minutes
    local target_rpo = r.target_rpo_minutes or tier.rpo_minutes
    local rto = 0
    if r.recovered then rto = achievement(target_rto, r.recovery_minutes) end
    local rpo = achievement(target_rpo, r.data_loss_minutes)
    local integrity_ok = r.data_integrity == nil or r.data_integrity >= pass.data_integrity
    local met = r.recovered
      and (rto == nil or rto >= pass.rto_achievement)
      and (rpo == nil or rpo >= pass.rpo_achievement)
      and integrity_ok
    local status, reason = met and "pass" or "fail", nil
    if met and measured_nothing(r) then
      status, reason = "no_data", M.no_data_reason
    end
    local passed = status == "pass"

    results[i] = {
      target_rto_minutes = target_rto,
      target_rpo_minutes = target_rpo,
      rto_achievement = rto,
      rpo_achievement = rpo,
      passed = passed,
      status = status,
      reason = reason,
    }
    if status == "fail" then any_failed = true end
    all_passed = all_passed and passed

    local where = nil
    if not passed then
      where = string.format("%s drill %s on %s", drill.type, drill.id,
        drgen.format_date(drill.date))
    end
    if not r.recovered then
      add(findings, {
        kind = "not_recovered", severity = tier.tier <= 2 and "critical" or "high",
        subject = r.service, ref = drill.id,
        message = string.format("%s was not recovered in the %s%s", r.service, where,
          r.failure and (": " .. r.failure) or ""),
        recommendation = string.format(
          "Find why %s did not recover, fix its runbook or automation, and repeat the drill", r.service),
      })
    elseif rto ~= nil and rto < pass.rto_achievement then
      local msg = string.format("%s in the %s",
        achievement_text("RTO", r.recovery_minutes, target_rto), where)
      add(findings, {
        kind = "rto_missed", severity = "high", subject = r.service, ref = drill.id,
        message = msg,
        recommendation = string.format(
          "Shorten the recovery of %s (automate the slowest runbook steps, keep the standby warmer) or agree a longer RTO",
          r.service),
      })
    end
    if rpo ~= nil and rpo < pass.rpo_achievement then
      local msg = string.format("%s in the %s",
        achievement_text("RPO", r.data_loss_minutes, target_rpo), where)
      add(findings, {
        kind = "rpo_missed", severity = "high", subject = r.service, ref = drill.id,
        message = msg,
        recommendation = string.format(
          "Replicate or back up %s's datastores more often so that less data is at risk", r.service),
      })
    end
    if not integrity_ok then
      add(findings, {
        kind = "integrity_failed", severity = "high", subject = r.service, ref = drill.id,
        message = string.format("data integrity of %s was %s %% after the %s",
          r.service, drgen.format_number(math.floor(r.data_integrity * 10000 + 1e-6) / 100, 2), where),
        recommendation = string.format(
          "Check %s's restored data against checksums and fix what lost or corrupted it", r.service),
      })
    end
  end

  if drill.availability ~= nil and drill.availability < pass.availability then
    all_passed, any_failed = false, true
    add(findings, {
      kind = "availability_missed", severity = "medium", subject = drill.id,
      message = string.format("availability during drill %s was %s %%, below %s %%",
        drill.id, drgen.format_number(drill.availability * 100, 2),
        drgen.format_number(pass.availability * 100, 0)),
      recommendation = "Reduce the impact of failover on users (drain connections, shift traffic gradually)",
    })
  end

  for _, issue in ipairs(drill.issues) do
    if issue.open and issue.due ~= nil and issue.due < as_of then
      local days = math.floor(drgen.days_between(issue.due, as_of))
      add(findings, {
        kind = "action_overdue",
        severity = issue_severity[issue.severity or ""] or "medium",
        subject = drill.id, ref = issue.id,
        message = string.format("drill action %s \"%s\" is open %d day%s after its due date %s%s",
          issue.id, issue.title or "", days, days == 1 and "" or "s",
          drgen.format_date(issue.due), issue.owner and (" (owner " .. issue.owner .. ")") or ""),
        recommendation = string.format("Close %s or agree a new due date with its owner", issue.id),
      })
    end
  end

  -- A technical drill with no result (every JUnit testcase skipped, say)
  -- and no availability records that it ran, not that anything recovered:
  -- it proves nothing.  Availability alone is a measurement of the drill.
  if #drill.results == 0 and drill.availability == nil and drill.type ~= "tabletop" then
    all_passed = false
  end
  local drill_status = all_passed and "pass" or any_failed and "fail" or "no_data"
  return { passed = all_passed, status = drill_status, results = results, findings = findings }
end

-- Drills overdue for one service, by its tier.
function M.check(service, ctx)
  local out = {}
  local tier = ctx.tiers[service.id]
  local last_by_type = service.facts.last_drill_by_type
  for _, req in ipairs(M.requirements[tier.tier] or {}) do
    local last
    for _, t in ipairs(req.counts) do
      local d = last_by_type[t]
      if d ~= nil and (last == nil or d > last) then last = d end
    end
    local due = last and drgen.months_after(last, req.within_months)
    if last == nil or due < ctx.as_of then
      add(out, {
        kind = "drill_overdue", severity = req.severity,
        subject = service.id, ref = req.type,
        message = last
          and string.format("no %s drill of %s since %s; tier %d requires one every %d months (due %s)",
                req.type, service.id, drgen.format_date(last), tier.tier, req.within_months,
                drgen.format_date(due))
          or string.format("%s has never had a %s drill; tier %d requires one every %d months",
                service.id, req.type, tier.tier, req.within_months),
        recommendation = string.format("Include %s in the next %s drill", service.id, req.type),
      })
    end
  end
  return out
end

-- The contact-verification age limit in days: compliance.profile's top-level
-- contact_verification_max_age_days when the plan sets one, else the
-- compliance engine's default.
local function contact_max_age(model)
  local profile = model.compliance and model.compliance.profile
  local v = type(profile) == "table" and profile.contact_verification_max_age_days
  if type(v) == "number" and v >= 0 then return v end
  return require("compliance/evidence").defaults.contact_verification_max_age_days
end

function M.findings(ctx)
  local out = {}
  local model = ctx.model
  local as_of = ctx.as_of

  -- Plan review.
  local plan = model.plan
  local review_due = plan.last_review and drgen.months_after(plan.last_review, M.review_months)
  if plan.last_review == nil then
    add(out, {
      kind = "plan_review_overdue", severity = "high", subject = "plan",
      message = "the plan has no recorded review date",
      recommendation = "Review the plan with its owner and record last_review and next_review in plan.json",
    })
  elseif review_due < as_of or (plan.next_review ~= nil and plan.next_review < as_of) then
    local due = review_due
    if plan.next_review ~= nil and plan.next_review < due then due = plan.next_review end
    add(out, {
      kind = "plan_review_overdue", severity = "high", subject = "plan",
      message = string.format("the plan was last reviewed on %s; the next review was due on %s",
        drgen.format_date(plan.last_review), drgen.format_date(due)),
      recommendation = string.format(
        "Review the plan (at least every %d months) and record the new review dates", M.review_months),
    })
  end

  -- Contacts not verified recently: the people the runbooks send the
  -- on-call engineer to.  The limit is the compliance checks' own
  -- (contact_verification_max_age_days, which compliance.profile may
  -- set), so the plan and the audit flag the same people.
  local max_age = contact_max_age(model)
  for _, c in ipairs(model.contacts) do
    local never = c.last_verified == nil
    if never or as_of - c.last_verified > max_age * 86400 then
      add(out, {
        kind = "contact_unverified", severity = "medium", subject = c.id,
        message = never and string.format("contact %s has never been verified", c.id)
          or string.format("contact %s was last verified on %s, more than %d days before %s",
            c.id, drgen.format_date(c.last_verified), max_age, drgen.format_date(as_of)),
        recommendation = string.format(
          "Verify %s's phone and e-mail and record last_verified in plan.json", c.id),
      })
    end
  end

  -- Exceptions past their expiry are ignored by the compliance rules.
  for _, ex in ipairs(model.exceptions) do
    if ex.expires ~= nil and ex.expires < as_of then
      local scope = #ex.services > 0 and table.concat(ex.services, ", ") or "every service"
      add(out, {
        kind = "exception_expired", severity = "medium", subject = ex.control,
        ref = drgen.format_date(ex.expires),
        message = string.format("the exception %s for %s (%s) expired on %s and is no longer applied",
          ex.id, ex.control, scope, drgen.format_date(ex.expires)),
        recommendation = string.format(
          "Fix %s, or renew exception %s with a new approval and expiry date", ex.control, ex.id),
      })
    end
  end

  -- The organisation-wide tabletop exercise.
  local since = drgen.months_before(as_of, M.tabletop_months)
  local last
  for _, d in ipairs(model.drills) do
    -- model.drills holds no drill after as-of (the loader left them out)
    if d.type == "tabletop" and (last == nil or d.date > last) then
      last = d.date
    end
  end
  if last == nil or last < since then
    add(out, {
      kind = "drill_overdue", severity = "low", subject = "plan", ref = "tabletop",
      message = last
        and string.format("no tabletop exercise since %s; the programme runs one every month",
              drgen.format_date(last))
        or "no tabletop exercise on record; the programme runs one every month",
      recommendation = "Run a tabletop exercise of the plan with the on-call teams",
    })
  end
  return out
end

return M
