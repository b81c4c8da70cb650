-- compliance/checks/drills.lua -- the checks on drills: coverage by type and
-- age, the RTO achieved in the last drill, drill actions tracked to closure,
-- and variety of types.
--
-- Each check is a function (ev, a) -> result: ev is the framework's
-- evaluator (compliance/evidence.lua), a the parameters of the control's
-- check; results are built with compliance/common.lua.

local fmt = string.format
local H = require("compliance/common")
local DAY, worst, day, time, days_text, plural, set_of, STRENGTH, drill_ref, plan_ref, result_of,
  new_result, item, finish =
  H.DAY, H.worst, H.day, H.time, H.days_text, H.plural, H.set_of, H.STRENGTH, H.drill_ref,
  H.plan_ref, H.result_of, H.new_result, H.item, H.finish

local NO_DRILLS = {}

local C = {}

-- The minimum drill type for a service (a string, or a list by tier).
local function min_type_for(spec, tier)
  if type(spec) == "table" then return spec[tier] or spec[#spec] end
  return spec
end

-- R8: every service in scope appears in a recent drill of the required type.
function C.drill_coverage(ev, a)
  local res = new_result(ev, "drill_coverage")
  local max_age = (a.max_age_days or ev.p.drill_max_age_days) * DAY
  local grace = a.grace or ev.p.drill_grace
  local spec = a.min_type or ev.p.drill_min_type
  local as_of = ev.as_of
  local variety_since = a.variety and drgen.months_before(as_of, ev.p.drill_variety_months)
  for _, rec in ipairs(ev:scope(a.scope)) do
    local need = min_type_for(spec, rec.tier)
    local need_strength = STRENGTH[need] or 2
    local drills = ev:service_drills(rec.id)
    local best, weaker, late, no_outcome
    local types = {}
    -- newest first; stop at the first qualifying drill (or, for the variety
    -- sub-check, at the start of its window)
    for k = #drills, 1, -1 do
      local d = drills[k]
      local age = as_of - d.date
      if variety_since then
        if d.date >= variety_since then types[d.type] = true elseif best then break end
      elseif best or age > max_age * grace then
        break
      end
      if not best then
        local strong = STRENGTH[d.type] >= need_strength
        if age <= max_age then
          if not strong then
            weaker = weaker or d
          elseif d.type == "tabletop" or (d.svc[rec.id] or 0) > 0 then
            best = d
          else
            no_outcome = no_outcome or d
          end
        elseif age <= max_age * grace and strong then
          late = late or d
        end
      end
    end
    local label = best and "" or fmt("%s (tier %d)", rec.id, rec.tier)
    local st, detail, ref = "pass", nil, nil
    if best then
      ref = #res.evidence < res.keep and drill_ref(best) or nil
    elseif no_outcome then
      st, ref = "partial", drill_ref(no_outcome)
      detail = fmt("%s: %s drill %s (%s) records no outcome for it", label, no_outcome.type,
        no_outcome.id, day(no_outcome.date))
    elseif weaker then
      st, ref = "partial", drill_ref(weaker)
      detail = fmt("%s: only a %s drill (%s) within %s; %s or stronger required", label,
        weaker.type, day(weaker.date), days_text(max_age / DAY), need)
    elseif late then
      st, ref = "partial", drill_ref(late)
      detail = fmt("%s: last %s drill %s, %s ago (limit %s)", label, late.type, day(late.date),
        days_text((as_of - late.date) / DAY), days_text(max_age / DAY))
    else
      local last = drills[#drills]
      st = "fail"
      detail = last and fmt("%s: no %s or stronger drill within %s (last drill %s)", label, need,
          days_text(max_age / DAY), day(last.date))
        or fmt("%s: never drilled", label)
      ref = last and drill_ref(last) or { file = "plan.json", service = rec.id }
    end
    if st == "pass" and a.integrity and best.type ~= "tabletop" then
      local r = result_of(best, rec.id)
      if r.data_integrity == nil then
        st = "partial"
        detail = fmt("%s: drill %s (%s) did not check data integrity", fmt("%s (tier %d)", rec.id, rec.tier), best.id, day(best.date))
      elseif r.data_integrity < 1 or not r.recovered then
        st = "partial"
        detail = fmt("%s: drill %s (%s) did not restore it to a known state (integrity %s %%)", fmt("%s (tier %d)", rec.id, rec.tier),
          best.id, day(best.date), drgen.format_number(r.data_integrity * 100, 2))
      end
    end
    if st == "pass" and a.dependencies then
      local members = best.svc
      local missing = {}
      for _, dep in ipairs(rec.s.depends_on) do
        if not members[dep] then missing[#missing + 1] = dep end
      end
      if #missing > 0 then
        st = "partial"
        detail = fmt("%s: its dependenc%s %s not in drill %s (%s)", fmt("%s (tier %d)", rec.id, rec.tier),
          #missing == 1 and "y" or "ies", table.concat(missing, ", "), best.id, day(best.date))
      end
    end
    if st == "pass" and variety_since then
      local n = 0
      for _ in pairs(types) do n = n + 1 end
      if n < ev.p.drill_variety_types then
        st = "partial"
        detail = fmt("%s: only %s in %d months (at least %d wanted)", fmt("%s (tier %d)", rec.id, rec.tier),
          plural(n, "drill type"), ev.p.drill_variety_months, ev.p.drill_variety_types)
      end
    end
    if st ~= "pass" and ref == nil then ref = drill_ref(best) end
    item(res, st, rec.id, rec.id, detail, ref)
  end
  local need_text = type(spec) == "table" and "a drill of the type its tier requires"
    or ("a " .. spec .. " or stronger drill")
  return finish(res, fmt("%s, each in %s within %s", ev:scope_text(a.scope, res.n),
      need_text, days_text(max_age / DAY)),
    "n/a", "no " .. ev:scope_text(a.scope) .. " in scope")
end

-- Whether an issue concerns service svc: the services it names when it
-- names any (the drill file says so), else its title naming the service by
-- id or name.
local function concerns(issue, svc)
  if #issue.services > 0 then
    for _, id in ipairs(issue.services) do
      if id == svc.id then return true end
    end
    return false
  end
  local title = (issue.title or ""):lower()
  return title:find(svc.id:lower(), 1, true) ~= nil
    or title:find((svc.s.name or svc.id):lower(), 1, true) ~= nil
end

-- An open action of drill d that concerns service svc.
local function tracked_action(d, svc)
  for _, issue in ipairs(d.issues) do
    if issue.open and concerns(issue, svc) then return issue end
  end
  return nil
end

-- R9: the newest technical drill of each service met RTO and RPO with its
-- data intact.
function C.rto_achieved_in_last_drill(ev, a)
  local res = new_result(ev, "rto_achieved_in_last_drill")
  local as_of = ev.as_of
  ev.drills_rule = ev.drills_rule or require("drills")
  -- Scored and judged exactly as drills.lua does: its thresholds, its formula.
  local pass, achievement = ev.drills_rule.pass, ev.drills_rule.achievement
  for _, rec in ipairs(ev:scope(a.scope)) do
    local drills = ev:service_drills(rec.id)
    local d, r, k
    for j = #drills, 1, -1 do
      local x = drills[j]
      if STRENGTH[x.type] >= 2 then
        local xr, xk = result_of(x, rec.id)
        if xr then d, r, k = x, xr, xk; break end
      end
    end
    if not d then
      item(res, "no_data", rec.id, rec.id, fmt("%s (tier %d) has never been recovered in a technical drill",
        rec.id, rec.tier), { file = "plan.json", service = rec.id })
    elseif ev.drills_rule.measured_nothing(r) then
      -- Recovered, but no time and no loss measured: it proves nothing.
      item(res, "no_data", rec.id, rec.id, fmt("%s (tier %d) in the %s drill %s (%s): %s", rec.id,
        rec.tier, d.type, d.id, day(d.date), ev.drills_rule.no_data_reason), drill_ref(d))
    else
      local target_rto = r.target_rto_minutes or rec.rto or 0
      local target_rpo = r.target_rpo_minutes or rec.rpo or 0
      local rto_ach = r.recovered and achievement(target_rto, r.recovery_minutes) or nil
      local rpo_ach = achievement(target_rpo, r.data_loss_minutes)
      local ref
      local problems, st = {}, "pass"
      if not r.recovered then
        st = "fail"; problems[#problems + 1] = "not recovered"
      else
        if r.data_integrity == nil then
          st = worst(st, "partial"); problems[#problems + 1] = "data integrity not tested"
        elseif r.data_integrity < pass.data_integrity then
          st = worst(st, "fail")
          problems[#problems + 1] = fmt("data integrity %s %%",
            drgen.format_number(r.data_integrity * 100, 2))
        end
        local misses = {}
        if rto_ach ~= nil and rto_ach < pass.rto_achievement then
          misses[#misses + 1] = { "RTO", r.recovery_minutes, target_rto }
        end
        if rpo_ach ~= nil and rpo_ach < pass.rpo_achievement then
          misses[#misses + 1] = { "RPO", r.data_loss_minutes, target_rpo }
        end
        for _, m in ipairs(misses) do
          local what, actual, target = m[1], m[2], m[3]
          local text = ev.drills_rule.achievement_text(what, actual, target)
          local action = tracked_action(d.view, rec)
          if target <= 0 or actual > 2 * target then
            st = worst(st, "fail"); problems[#problems + 1] = text .. ", less than half of the target achieved"
          elseif action == nil then
            st = worst(st, "fail"); problems[#problems + 1] = text .. " with no open action tracking it"
          elseif action.due ~= nil and action.due < as_of then
            st = worst(st, "fail")
            problems[#problems + 1] = fmt("%s; action %s overdue since %s", text, action.id, day(action.due))
          else
            st = worst(st, "partial")
            problems[#problems + 1] = fmt("%s, tracked by %s%s", text, action.id,
              action.due and (" (due " .. day(action.due) .. ")") or "")
            ref = { file = d.source, drill = d.id, date = day(d.date), type = d.type, issue = action.id }
          end
        end
        if r.target_rto_minutes ~= nil and rec.rto ~= nil and r.target_rto_minutes ~= rec.rto
          or r.target_rpo_minutes ~= nil and rec.rpo ~= nil and r.target_rpo_minutes ~= rec.rpo then
          st = worst(st, "partial")
          problems[#problems + 1] = "the drill's targets differ from the tier's current ones"
        end
      end
      if st == "pass" then
        item(res, "pass", rec.id, rec.id, nil, #res.evidence < res.keep and drill_ref(d) or nil)
      else
        item(res, st, rec.id, rec.id, fmt("%s (tier %d) in the %s drill %s (%s): %s", rec.id, rec.tier,
          d.type, d.id, day(d.date), table.concat(problems, "; ")), ref or drill_ref(d))
      end
    end
  end
  return finish(res, fmt("%s, each meeting RTO and RPO with data intact in its newest technical drill",
      ev:scope_text(a.scope, res.n)),
    "n/a", "no " .. ev:scope_text(a.scope) .. " in scope")
end

-- True when drill d (a record of Ev:drills) names a service of the base.
local function drill_in_base(ev, d)
  if not ev.fw.scope_tag then return true end
  ev:base()
  for id in pairs(d.svc) do
    if ev.in_base[id] then return true end
  end
  return false
end

-- The one service an issue concerns, if any (for exceptions): the one it
-- names, else the first its title names; none when it names several, so
-- that an exception for one of them cannot waive the others.
local function issue_service(ev, d, issue)
  if #issue.services > 0 then
    return #issue.services == 1 and issue.services[1] or nil
  end
  local title = (issue.title or ""):lower()
  for _, r in ipairs(d.results) do
    if title:find(r.service:lower(), 1, true) then return r.service end
  end
  return nil
end

-- R12: open drill actions past their due date.
function C.open_drill_findings_overdue(ev, a)
  local res = new_result(ev, "open_drill_findings_overdue")
  res.subject_type = "issue"   -- its subjects (results.json checks[].subjects)
  local p = ev.p
  local as_of = ev.as_of
  local n_drills, n_open, n_closed = 0, 0, 0
  ev:all_services()
  for _, d in ipairs(ev:drills().list) do
    if drill_in_base(ev, d) then
      n_drills = n_drills + 1
      for _, issue in ipairs(d.n_issues > 0 and d.view.issues or NO_DRILLS) do
        if not issue.open then
          n_closed = n_closed + 1
        else
          n_open = n_open + 1
          local due = issue.due or (d.date + p.action_sla_days * DAY)
          local late = (as_of - due) / DAY
          local open_for = (as_of - d.date) / DAY
          local ref = { file = d.source, drill = d.id, issue = issue.id, due = day(due) }
          local st, detail = "pass", nil
          if late > p.action_grace_days or open_for > p.action_max_open_days then
            st = "fail"
          elseif late > 0 then
            st = "partial"
          end
          if st ~= "pass" then
            local parts = {}
            if late > 0 then
              parts[#parts + 1] = fmt("is %s past its due date %s", days_text(late), day(due))
            end
            if open_for > p.action_max_open_days then
              parts[#parts + 1] = fmt("has been open %s (limit %s)%s", days_text(open_for),
                days_text(p.action_max_open_days), late > 0 and "" or (", due " .. day(due)))
            end
            detail = fmt("action %s of drill %s %s", issue.id, d.id, table.concat(parts, " and "))
          end
          item(res, st, issue.id, st ~= "pass" and issue_service(ev, d.view, issue) or nil,
            detail, ref)
        end
      end
    end
  end
  res.metrics = { drills = n_drills, open = n_open, closed = n_closed }
  if n_drills == 0 then
    res.n = 0
    return finish(res, nil, "no_data", "no drills on record, so no record of corrective actions")
  end
  if res.n == 0 then
    item(res, "pass", "plan", nil, nil, nil)
    res.evidence = { plan_ref("drills", plural(n_drills, "drill")) }
  end
  return finish(res, fmt("no drill action is past its due date (%d open, %d closed, over %s)",
    n_open, n_closed, plural(n_drills, "drill")))
end

-- A drill of one of `types` (or whose id or notes name a keyword) within
-- max_age days, anywhere in the plan.
function C.drill_type_recent(ev, a)
  local res = new_result(ev, "drill_type_recent")
  res.subject_type = "drill"   -- its subjects (results.json checks[].subjects)
  local max_age = (a.max_age_days or ev.p.drill_max_age_days) * DAY
  local types = set_of(a.types or { "chaos" })
  local found
  local drills = ev:drills().list
  for k = #drills, 1, -1 do
    local d = drills[k]
    if ev.as_of - d.date > max_age then break end
    if drill_in_base(ev, d) then
      local match = types[d.type]
      if not match and a.keywords then
        local text = (d.id .. " " .. (d.view.notes or "")):lower()
        for _, w in ipairs(a.keywords) do
          if text:find(w, 1, true) then match = true; break end
        end
      end
      if match then found = d; break end
    end
  end
  local what = a.what or (table.concat(a.types or { "chaos" }, " or ") .. " drill")
  if found then
    item(res, "pass", found.id, nil, nil, drill_ref(found))
  else
    item(res, a.missing or "partial", "plan", nil,
      fmt("no %s within %s", what, days_text(max_age / DAY)), { file = "drills/" })
  end
  return finish(res, found and fmt("%s %s on %s", what, found.id, day(found.date)))
end

-- ---- attestations -----------------------------------------------------------

return C
