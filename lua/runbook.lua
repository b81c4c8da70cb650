-- runbook.lua -- the content of each service's recovery runbook (SPEC 3.6).
--
-- drgen reads:
--   build(service, ctx)   once per service -> a table (any shape; it becomes
--                         JSON for the runbook templates)
--   findings(ctx)         once -> runbook_exceeds_rto findings (the time
--                         budget of a service's steps against its RTO)
--
-- The shipped shape:
--   { service, name, tier, tier_name, rpo, rto, strategy, strategy_gap?,
--     automatic_failover, primary_region, target_region, in_place,
--     budget = { minutes, text, rto_minutes, exceeds, rto },
--     missing = { "what the plan does not say", ... },
--     sections = { { id, title, intro?, ordered, items = { { text, detail?,
--       kind?, minutes?, total?, commands = {...}?, missing? } } } } }
-- Section ids: pre_disaster, detection, declaration, pre_checks, recovery,
-- validation, rollback, contacts.  The service's hand-written prose comes
-- before them; a prose section whose heading names one of detection,
-- declaration, recovery, validation or rollback replaces it (views.c).
--
-- Every step is derived from the service's own facts (docs/rules.md,
-- "runbook.lua"): its regions, its datastores and where their copies and
-- replicas are, its dependencies in wave order, and its procedure
-- (plan.json `procedure`: commands and minutes per kind of step).  Where a
-- step needs a fact the plan lacks, the step says which one.

local M = {}

-- The operational numbers of the default runbooks.
M.defaults = {
  replication_lag_seconds = 5,
  newest_backup_max_minutes = 60,
  health_check_failures = 3,
  monitor_consensus = 0.8,
  failover_cooldown_minutes = 60,
  scale_factor = 2,
  traffic_first_percent = 10,
  traffic_ramp_minutes = 10,
  dns_ttl_seconds = 60,
  consistency_sample_percent = 10,
  smoke_test_minutes = 5,
  max_error_rate_percent = 0.1,
  max_p99_latency_ms = 500,
}

-- Expected minutes of each kind of step when the plan's procedure gives
-- none (plan.json services[].procedure.<kind>.minutes).
M.minutes = {
  detect = 5,      -- confirm the outage and declare
  fence = 2,       -- fence the old primary
  promote = 5,     -- promote a replica
  restore = 60,    -- restore the newest good copy
  deploy = 15,     -- deploy, scale or rebuild the service
  redirect = 10,   -- move traffic (DNS, weights, connection strings)
  verify = 10,     -- the validation checks
  rollback = 15,   -- fail back (not counted in the budget)
  prepare = 10,    -- check and prepare the target region (no procedure kind)
}

-- The kinds of step the plan's procedure may describe, in the order of
-- docs/plan-format.md.
M.step_kinds = { "detect", "fence", "promote", "restore", "deploy", "redirect", "verify", "rollback" }

local D = M.defaults
local fmt = string.format
local LOCATIONS = { "primary", "secondary", "offsite" }

local function item(text, detail)
  return { text = text, detail = detail }
end

-- "a, b and c"
local function words(list)
  local n = #list
  if n == 0 then return "" end
  if n == 1 then return list[1] end
  return table.concat(list, ", ", 1, n - 1) .. " and " .. list[n]
end

local function minutes_text(m)
  if m == 0 then return "0 minutes" end
  return drgen.format_minutes(m)
end

-- The procedure step of a kind: the datastore's, else the service's.
local function proc_step(kind, sproc, dproc)
  local step = dproc and dproc[kind]
  if step then return step end
  return sproc and sproc[kind]
end

-- A budgeted step: commands and minutes from the procedure, else words and
-- the default minutes of its kind.
local function step(kind, text, detail, sproc, dproc)
  local p = proc_step(kind, sproc, dproc)
  local s = item(text, detail)
  s.kind = kind
  s.minutes = (p and p.minutes) or M.minutes[kind]
  s.from_plan = p ~= nil and p.minutes ~= nil
  if p and p.commands and #p.commands > 0 then
    local cmds = {}
    for i, c in ipairs(p.commands) do cmds[i] = c end
    s.commands = cmds
  end
  return s
end

local function missing_item(text, fact)
  local s = item(text, "missing fact: " .. fact)
  s.missing = fact
  return s
end

-- ---- facts of the service ------------------------------------------------

local function list_has(list, x)
  if not list then return false end
  for _, v in ipairs(list) do
    if v == x then return true end
  end
  return false
end

-- The service's primary region (its region with role primary, else its
-- first) and its other regions.
local function service_regions(service, model)
  local primary, others = nil, {}
  for _, id in ipairs(service.regions) do
    local region = model.regions[id]
    if region and region.role == "primary" and not primary then primary = id end
  end
  primary = primary or service.regions[1]
  for _, id in ipairs(service.regions) do
    if id ~= primary and not list_has(others, id) then others[#others + 1] = id end
  end
  return primary, others
end

-- The newest successful copy of a datastore, preferring region `want`
-- and never in region `avoid` (the failed region, for a recovery
-- elsewhere): { location, id, region, age_minutes, finished } or nil.
local function newest_copy(ds, want, avoid)
  local f, b = ds.facts, ds.backups
  local best
  for _, loc in ipairs(LOCATIONS) do
    local lf = f and f.at[loc]
    local region = b.at[loc].newest_success_region
    if lf and lf.has_success and not (avoid and region == avoid) then
      local c = {
        location = loc, id = lf.newest_success_id, region = region,
        age_minutes = lf.age_seconds and lf.age_seconds / 60,
        finished = lf.newest_success,
      }
      local better = not best
      if best and want then
        local cw, bw = c.region == want, best.region == want
        if cw ~= bw then better = cw
        else better = c.finished > best.finished end
      elseif best then
        better = c.finished > best.finished
      end
      if better then best = c end
    end
  end
  return best
end

-- Regions where a datastore has a replica it can promote: those its
-- procedure declares, and those that receive its continuous replication.
local function replica_regions(ds)
  local out = {}
  local p = ds.procedure
  if p and p.replica_regions then
    for _, r in ipairs(p.replica_regions) do out[#out + 1] = r end
  end
  for _, loc in ipairs(LOCATIONS) do
    local at = ds.backups.at[loc]
    if at.successes_by_type.continuous > 0 and at.newest_success_region
        and not list_has(out, at.newest_success_region) then
      out[#out + 1] = at.newest_success_region
    end
  end
  return out
end

-- Where the service recovers to, and why: its procedure's target region;
-- else its own second region; else (one region) a region its own data is
-- in (a replica or a copy); else in place.
local function target_of(service, primary, others)
  local p = service.procedure
  if p and p.target_region then
    return p.target_region, "the target region of its procedure"
  end
  if others[1] then
    return others[1], "its second region"
  end
  for _, ds in ipairs(service.datastores) do
    for _, r in ipairs(replica_regions(ds)) do
      if r ~= primary then return r, fmt("where the replica of %s is", ds.id) end
    end
  end
  for _, ds in ipairs(service.datastores) do
    for _, loc in ipairs(LOCATIONS) do
      local at = ds.backups.at[loc]
      local r = at.successes > 0 and at.newest_success_region
      if r and r ~= primary then
        return r, fmt("where the %s copy of %s is", loc, ds.id)
      end
    end
  end
  return primary, nil
end

local function copy_text(c)
  local age = c.age_minutes and (c.age_minutes < 1 and "less than a minute"
    or drgen.format_minutes(math.floor(c.age_minutes + 0.5)))
  return fmt("%s copy%s, record %s, %s old at the as-of time",
    c.location, c.region and (" in " .. c.region) or "", c.id or "(no id)", age or "of unknown age")
end

-- ---- the recovery plan of one service ------------------------------------

local plans = {}     -- service id -> plan (the same within one build)

local function by_wave(a, b)
  if a.wave ~= b.wave then return a.wave < b.wave end
  return a.id < b.id
end

local plan_of

-- The minutes until every dependency is back, and a step per dependency.
-- Every service starts at the disaster, so this service waits from `start`
-- (its own detection) until the longest of its dependencies' budgets
-- (which include their own waits): the recovery waves' critical path.
local function dependency_steps(service, ctx, steps, start)
  local deps = {}
  for _, dep in ipairs(service.dependencies) do
    deps[#deps + 1] = { id = dep.id, wave = dep.facts.recovery_wave, svc = dep }
  end
  if #deps > 1 then table.sort(deps, by_wave) end
  local ready = start
  for _, dep in ipairs(deps) do
    local t = ctx.tiers[dep.id]
    local p = plan_of(dep.svc, ctx)
    local wait = 0
    if p.budget_minutes > ready then
      wait = p.budget_minutes - ready
      ready = p.budget_minutes
    end
    local s = item(
      fmt("Wait until %s is recovered (tier %d, recovery wave %d; see its runbook)",
        dep.id, t.tier, dep.wave),
      fmt("its runbook takes %s; RTO %s", minutes_text(p.budget_minutes),
        drgen.format_minutes(t.rto_minutes)))
    s.kind = "wait"
    s.minutes = wait
    steps[#steps + 1] = s
  end
  return ready - start
end

local function build_plan(service, ctx)
  local model = ctx.model
  local t = ctx.tiers[service.id]
  local sproc = service.procedure
  local primary, others = service_regions(service, model)
  local missing = {}
  local p = { primary = primary, steps = {}, missing = missing, stores = {} }

  if not primary then
    missing[#missing + 1] = "the regions the service runs in (services[].regions)"
    primary = "its region"
    p.primary = nil
  end
  local target, why = target_of(service, primary, others)
  p.target, p.target_why = target, why
  p.in_place = target == primary
  local stores = service.datastores
  p.stateless = #stores == 0

  local steps = p.steps
  local function add(s) steps[#steps + 1] = s end

  add(step("detect", "Confirm the outage against the detection criteria and declare the disaster",
    "see Detection and Declaration", sproc))
  p.wait_minutes = dependency_steps(service, ctx, steps, steps[1].minutes)

  -- The service itself, in the target region.
  if p.stateless then
    if p.in_place then
      add(step("deploy", fmt("Redeploy %s in %s from its deployment pipeline (it keeps no data of its own)",
        service.id, primary), nil, sproc))
    else
      add(step("deploy", fmt("Scale %s in %s to take the full load (%dx its share)",
        service.id, target, D.scale_factor), nil, sproc))
    end
  elseif not p.in_place then
    local s = item(#others > 0
      and fmt("Prepare %s: check that the region is healthy and scale %s there to production size", target, service.id)
      or fmt("Prepare %s: check that the region is healthy and that %s can be deployed there (it does not run there today)",
        target, service.id))
    s.kind, s.minutes = "prepare", M.minutes.prepare
    add(s)
  end

  -- Each datastore: promote a replica in the target region (fenced first),
  -- else restore its newest good copy.
  local promotes, restores = 0, 0
  for _, ds in ipairs(stores) do
    local dproc = ds.procedure
    local reps = replica_regions(ds)
    local st = { id = ds.id }
    p.stores[#p.stores + 1] = st
    if list_has(reps, target) then
      st.method = "promote"
      promotes = promotes + 1
      if not (dproc and dproc.promotion_fences) then
        add(step("fence", fmt("Fence the old primary of %s in %s so it takes no more writes (no split brain)",
          ds.id, primary), nil, sproc, dproc))
      end
      add(step("promote", fmt("Promote the replica of %s in %s and point the connection strings at it",
        ds.id, target), (dproc and dproc.promotion_fences) and "its promotion fences the old primary automatically" or nil,
        sproc, dproc))
    else
      st.method = "restore"
      restores = restores + 1
      local c = newest_copy(ds, target, not p.in_place and primary or nil)
      if not c and not p.in_place and newest_copy(ds, target) then
        add(missing_item(fmt("Restore %s (%s) into %s: every successful copy is in %s, the region being recovered from",
          ds.id, ds.engine or "datastore", target, primary),
          fmt("a copy of %s outside %s (backups/)", ds.id, primary)))
        missing[#missing + 1] = fmt("a copy of %s outside %s", ds.id, primary)
      elseif not c then
        add(missing_item(fmt("Restore %s (%s): no successful copy is on record, so there is nothing to restore from",
          ds.id, ds.engine or "datastore"), fmt("a successful backup of %s (backups/)", ds.id)))
        missing[#missing + 1] = fmt("a successful backup of %s", ds.id)
      else
        local into = p.in_place and fmt("in place in %s", primary) or fmt("into %s", target)
        add(step("restore", fmt("Restore %s (%s) %s from its newest good copy: %s",
          ds.id, ds.engine or "datastore", into, copy_text(c)), nil, sproc, dproc))
        st.copy = c
        if not c.region then
          missing[#missing + 1] = fmt("the region of the %s copy of %s (backup records' region)", c.location, ds.id)
        end
      end
      if #others > 0 and #reps == 0 and not (dproc and dproc.replica_regions) then
        missing[#missing + 1] = fmt("whether %s has a replica in %s (datastores[].procedure.replica_regions)",
          ds.id, target)
      end
    end
  end
  if not p.stateless then
    add(step("deploy", fmt("Start %s in %s against the %s data and check its connection strings",
      service.id, target, restores > 0 and "restored" or "promoted"), nil, sproc))
  end
  if not p.in_place then
    add(step("redirect", fmt("Move traffic to %s: %d %% first, then ramp to 100 %% over %d minutes; DNS TTL %d s",
      target, D.traffic_first_percent, D.traffic_ramp_minutes, D.dns_ttl_seconds), nil, sproc))
  end
  add(step("verify", "Run the validation checks below and record the time the service is back", nil, sproc))

  -- Running total against the RTO.
  local total, uncounted = 0, 0
  for _, s in ipairs(steps) do
    if s.minutes then
      total = total + s.minutes
      s.total = total
    else
      uncounted = uncounted + 1
    end
  end
  p.budget_minutes, p.uncounted = total, uncounted
  p.promotes, p.restores = promotes, restores
  return p
end

plan_of = function(service, ctx)
  local p = plans[service.id]
  if not p then
    p = build_plan(service, ctx)
    plans[service.id] = p
  end
  return p
end

M.plan_of = plan_of

-- The strategy the facts support, and the gap to the tier's one.
local function strategy_of(service, ctx, p)
  local t = ctx.tiers[service.id]
  local n = service.facts.n_distinct_regions
  local shown, gap
  if p.in_place then
    shown = p.stateless and fmt("redeploy in place in %s", p.primary or "its region")
      or fmt("restore in place in %s", p.primary or "its region")
  elseif n < 2 then
    shown = fmt("restore into %s", p.target)
  elseif p.restores > 0 then
    shown = fmt("%s, from %s to %s; %d datastore%s restored from backup", t.strategy, p.primary, p.target,
      p.restores, p.restores == 1 and "" or "s")
  else
    shown = fmt("%s, from %s to %s", t.strategy, p.primary, p.target)
  end
  if t.multi_region and n < 2 then
    gap = fmt("tier %d (%s) calls for %s, which a service in %d region%s cannot meet",
      t.tier, t.tier_name, t.strategy, n, n == 1 and "" or "s")
  end
  local auto = t.multi_region and n >= 2 and p.restores == 0 and not p.in_place
  return shown, gap, auto
end

-- ---- the static parts ----------------------------------------------------

local rollback_in_place = {
  "Roll back when validation fails or data corruption is detected",
  "Redeploy the previous release",
}

local function rollback_items(service, p)
  local s = step("rollback", p.in_place and rollback_in_place[2]
    or fmt("Redirect traffic back to %s once it is healthy, in a maintenance window", p.primary),
    nil, service.procedure)
  local out = { item(p.stateless and "Roll back when validation fails" or rollback_in_place[1]), s }
  if not p.in_place then
    out[#out + 1] = item(fmt("Scale %s in %s back down", service.id, p.target))
  end
  return out
end

local function declaration_items(strategy_auto, strategy)
  if strategy_auto then
    return {
      item("Automatic failover only for a full failure, not a partial or degraded one"),
      item("Automatic failover only outside the maintenance windows"),
      item(fmt("Automatic failover only when monitor consensus is at least %s", D.monitor_consensus)),
      item(fmt("Automatic failover only when there was no failover in the last %s",
        drgen.format_minutes(D.failover_cooldown_minutes))),
      item("In every other case: alert the on-call engineers, who decide whether to declare"),
    }
  end
  return {
    item(fmt("No automatic failover: the on-call engineer declares the disaster (strategy: %s)", strategy)),
    item("Declare when the failure is full (not partial or degraded), outside the maintenance windows, and confirmed by the monitors"),
  }
end

local function health_items(service, prefix, out)
  for _, hc in ipairs(service.health_checks) do
    out[#out + 1] = item(fmt("%s%s: %s returns %d", prefix, hc.name or "health check",
      hc.endpoint or "(no endpoint)", hc.expected_status))
  end
  return out
end

local function pre_disaster_items(service, p)
  local out = {}
  for _, st in ipairs(p.stores) do
    out[#out + 1] = item(fmt("Verify that the backups of %s completed", st.id), "daily")
    if st.method == "promote" then
      out[#out + 1] = item(fmt("Check the replication lag of %s (at most %d s)", st.id, D.replication_lag_seconds),
        "hourly")
    end
  end
  if p.stateless then
    out[#out + 1] = item(fmt("Check that the deployment pipeline and artefacts of %s are available", service.id),
      "weekly")
  end
  out[#out + 1] = item("Validate DR credentials, kept in the secrets vault", "weekly")
  return out
end

-- The backup pre-check never allows more than the store's own RPO (RPO 0:
-- the replication-lag tolerance, docs/analysis.md), and says which number.
local function pre_check_items(service, p, rpo, tol)
  local out = {}
  local limit, why = D.newest_backup_max_minutes, ""
  if rpo > 0 and rpo < limit then
    limit, why = rpo, " (the RPO)"
  elseif rpo <= 0 and tol < limit then
    limit, why = tol, " (RPO 0, judged with the replication-lag tolerance)"
  end
  for _, st in ipairs(p.stores) do
    if st.method == "promote" then
      out[#out + 1] = item(fmt("Replication lag of %s is at most %d s", st.id, D.replication_lag_seconds))
    else
      out[#out + 1] = item(fmt("The newest copy of %s is at most %s old%s", st.id,
        drgen.format_minutes(limit), why))
    end
  end
  if p.stateless then
    out[#out + 1] = item(fmt("The last good release of %s is known", service.id))
  end
  out[#out + 1] = item("DR credentials are valid")
  return out
end

local function reach(c)
  local phone, email = c.phone, c.email
  if phone and email then return phone .. " " .. email end
  return phone or email
end

local function contact_items(service)
  local items = {}
  local owner = service.owner_contact
  if owner then
    items[#items + 1] = item(fmt("Service owner: %s (%s)", owner.name or owner.id, owner.role or "owner"),
      reach(owner))
  end
  for _, esc in ipairs(service.escalation) do
    local c = esc.contact_info
    local after = esc.after_minutes or 0
    local when = after > 0 and ("after " .. drgen.format_minutes(after)) or "immediately"
    local who = c and fmt("%s (%s)", c.name or c.id, c.role or "contact") or esc.contact
    items[#items + 1] = item(fmt("Level %d, %s: %s", esc.level, when, who), c and reach(c))
  end
  return items
end

function M.build(service, ctx)
  local t = ctx.tiers[service.id]
  local p = plan_of(service, ctx)
  local strategy, gap, auto = strategy_of(service, ctx, p)

  local detection = health_items(service, "Health check ", {})
  if #detection == 0 then
    detection[1] = missing_item("No health check is listed for this service", "services[].health_checks")
  else
    detection[#detection + 1] = item(fmt("%d consecutive failures of a health check page on-call",
      D.health_check_failures))
  end
  if p.stateless then
    detection[#detection + 1] = item("A bad release or configuration is rolled back, not failed over")
  elseif p.in_place then
    detection[#detection + 1] = item("A detected data corruption means restoring a copy from before it")
  else
    detection[#detection + 1] = item("A detected data corruption blocks failover: restore a copy from before it instead")
  end

  local validation = health_items(service, "Synthetic check of ", {})
  if #validation == 0 then
    validation[1] = missing_item("No health check to validate with", "services[].health_checks")
  end
  validation[#validation + 1] = item(fmt("Smoke tests pass (%d minutes)", D.smoke_test_minutes))
  validation[#validation + 1] = item(fmt("Error rate below %s %%", D.max_error_rate_percent))
  validation[#validation + 1] = item(fmt("p99 latency below %d ms", D.max_p99_latency_ms))
  if not p.stateless then
    validation[#validation + 1] = item(fmt("Data consistency: checksums on a %d %% sample",
      D.consistency_sample_percent))
  end

  local intro
  if p.in_place then
    intro = fmt("Recovery in place in %s.", p.primary or "its region")
  else
    intro = fmt("Recovery from %s into %s (%s).", p.primary or "its region", p.target, p.target_why)
  end
  local rto = t.rto_minutes
  local exceeds = rto and p.budget_minutes > rto
  intro = intro .. fmt(" The steps take %s against an RTO of %s%s%s.", minutes_text(p.budget_minutes),
    drgen.format_minutes(rto), exceeds and ": over budget" or "",
    p.uncounted > 0 and fmt(" (not counting %d step%s the plan's facts do not support)", p.uncounted,
      p.uncounted == 1 and "" or "s") or "")

  local sections = {
    { id = "pre_disaster", title = "Pre-disaster checklist", ordered = false,
      items = pre_disaster_items(service, p) },
    { id = "detection", title = "Detection", ordered = false, items = detection },
    { id = "declaration", title = "Declaration criteria", ordered = false,
      items = declaration_items(auto, strategy) },
    { id = "pre_checks", title = "Pre-checks before failover", ordered = false,
      items = pre_check_items(service, p, t.rpo_minutes or 0, ctx.facts.lag_tolerance_minutes or 0) },
    { id = "recovery", title = "Recovery steps", ordered = true, intro = intro, items = p.steps },
    { id = "validation", title = "Validation", ordered = false, items = validation },
    { id = "rollback", title = "Rollback", ordered = true, items = rollback_items(service, p) },
    { id = "contacts", title = "Contacts and escalation", ordered = false,
      items = contact_items(service) },
  }

  return {
    service = service.id,
    name = service.name or service.id,
    tier = t.tier,
    tier_name = t.tier_name,
    rpo = drgen.format_minutes(t.rpo_minutes),
    rto = drgen.format_minutes(t.rto_minutes),
    strategy = strategy,
    strategy_gap = gap,
    tier_strategy = t.strategy,
    automatic_failover = auto,
    primary_region = p.primary,
    target_region = p.target,
    in_place = p.in_place,
    missing = p.missing,
    budget = {
      minutes = p.budget_minutes,
      text = minutes_text(p.budget_minutes),
      wait_minutes = p.wait_minutes,
      rto_minutes = rto,
      rto = drgen.format_minutes(rto),
      exceeds = exceeds and true or false,
      uncounted = p.uncounted,
    },
    sections = sections,
  }
end

-- runbook_exceeds_rto: the steps of a service take longer than its RTO.
function M.findings(ctx)
  local out = {}
  if not ctx.tiers then return out end
  for _, service in ipairs(ctx.model.services) do
    local t = ctx.tiers[service.id]
    local p = plan_of(service, ctx)
    if t.rto_minutes and p.budget_minutes > t.rto_minutes then
      out[#out + 1] = {
        kind = "runbook_exceeds_rto",
        severity = t.tier <= 2 and "high" or "medium",
        subject = service.id,
        message = fmt("the steps of %s take %s; RTO %s", service.id,
          minutes_text(p.budget_minutes), drgen.format_minutes(t.rto_minutes)),
        recommendation = fmt(
          "Shorten the recovery of %s (automate its slowest steps, recover its dependencies sooner) or agree a longer RTO; give measured minutes in its procedure",
          service.id),
      }
    end
  end
  return out
end

return M
