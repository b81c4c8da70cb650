-- runbook.lua -- the content of each service's recovery runbook (SPEC 3.6).
--
-- drgen reads:
--   build(service, ctx)   once per service -> a table (any shape; it becomes
--                         JSON for the runbook templates)
--
-- The shipped shape:
--   { service, name, tier, tier_name, rpo, rto, strategy, automatic_failover,
--     sections = { { id, title, intro?, ordered, items = { { text, detail? } } } } }
-- Section ids: pre_disaster, detection, declaration, pre_checks, recovery,
-- validation, rollback, contacts, and procedures (present when the service
-- has hand-written prose; the templates put the prose there).
-- Recovery steps name the service's dependencies first, in recovery order.

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

local D = M.defaults
local fmt = string.format

local function item(text, detail)
  return { text = text, detail = detail }
end

-- Static sections (the same table serves every runbook).
local pre_disaster = {
  multi = {
    item("Verify backup completion", "daily"),
    item(fmt("Test replication lag (threshold: at most %d s)", D.replication_lag_seconds), "hourly"),
    item("Validate DR credentials, kept in the secrets vault", "weekly"),
  },
  single = {
    item("Verify backup completion", "daily"),
    item("Validate DR credentials, kept in the secrets vault", "weekly"),
  },
}

-- The backup pre-check never allows more than the service's own RPO (RPO
-- 0: the replication-lag tolerance, docs/analysis.md), and says which
-- number it is.
local function pre_checks(rpo, tol)
  local limit, why = D.newest_backup_max_minutes, ""
  if rpo > 0 and rpo < limit then
    limit, why = rpo, " (the RPO)"
  elseif rpo <= 0 and tol < limit then
    limit, why = tol, " (RPO 0, judged with the replication-lag tolerance)"
  end
  return {
    item(fmt("Replication lag is at most %d s", D.replication_lag_seconds)),
    item(fmt("The newest backup is at most %s old%s", drgen.format_minutes(limit), why)),
    item("DR credentials are valid"),
  }
end

local rollback_items = {
  item("Roll back when validation fails or data corruption is detected"),
  item("Restore the previous DNS records"),
  item("Redirect traffic back to the original region"),
  item("Scale the DR side back down"),
}

local function strategy_kind(strategy)
  if strategy:find("multi%-region") then return "multi" end
  if strategy == "pilot light" then return "pilot" end
  return "restore"
end

-- The primary region of the service and the region to recover into.
local function regions_of(service, model)
  local primary, target
  for _, id in ipairs(service.regions) do
    local region = model.regions[id]
    local role = region and region.role
    if role == "primary" and not primary then primary = id
    elseif role ~= "primary" and not target then target = id end
  end
  if not target then
    for _, region in ipairs(model.regions) do
      if region.role ~= "primary" and region.id ~= primary then
        target = region.id
        break
      end
    end
  end
  return primary or service.regions[1] or "the primary region", target or "the recovery region"
end

local function store_list(service)
  local ids = {}
  for _, ds in ipairs(service.datastores) do ids[#ids + 1] = ds.id end
  return #ids > 0 and table.concat(ids, ", ") or nil
end

-- Direct dependencies, in recovery order (wave, then id).
local function by_wave(a, b)
  if a.wave ~= b.wave then return a.wave < b.wave end
  return a.id < b.id
end

local function dependency_steps(service, ctx)
  local deps = {}
  for _, dep in ipairs(service.dependencies) do
    deps[#deps + 1] = { id = dep.id, wave = dep.facts.recovery_wave }
  end
  if #deps > 1 then table.sort(deps, by_wave) end
  local steps = {}
  for i, dep in ipairs(deps) do
    local t = ctx.tiers[dep.id]
    steps[i] = item(
      fmt("Confirm that %s is recovered (tier %d, recovery wave %d; see its runbook)",
        dep.id, t.tier, dep.wave),
      "RTO " .. drgen.format_minutes(t.rto_minutes))
  end
  return steps
end

-- The strategy's own steps, without the service's datastores: the same for
-- every service with the same strategy and regions, so built once.
local function strategy_steps(kind, target)
  local steps = {}
  local function add(text) steps[#steps + 1] = item(text) end
  if kind == "multi" then
    add(fmt("Verify the health of the target region %s", target))
    add(fmt("Prepare the target: scale to %dx capacity, warm the caches, verify database readiness, update the configuration",
      D.scale_factor))
    add("Promote the read replica and update the connection strings")
    add(fmt("Shift traffic by weighted routing: %d %% first, then ramp to 100 %% over %d minutes; update DNS (TTL %d s)",
      D.traffic_first_percent, D.traffic_ramp_minutes, D.dns_ttl_seconds))
    add(fmt("Verify data consistency: checksums on a %d %% sample", D.consistency_sample_percent))
    add(fmt("Complete the failover: %s now serves all traffic; record the time", target))
  elseif kind == "pilot" then
    add(fmt("Scale the pilot-light environment in %s up to production size (%dx the idle footprint)",
      target, D.scale_factor))
    add("Promote the replicas (or restore the newest backups) of the datastores")
    add("Update the configuration and connection strings")
    add(fmt("Switch DNS to %s (TTL %d s)", target, D.dns_ttl_seconds))
    add(fmt("Verify data consistency: checksums on a %d %% sample", D.consistency_sample_percent))
  else
    add(fmt("Provision the infrastructure in %s from its infrastructure code", target))
    steps[#steps + 1] = false   -- the restores of the service's datastores go here
    add("Verify the restored data (checksums, record counts)")
    add("Deploy the application and update the connection strings")
    add(fmt("Switch DNS to %s (TTL %d s)", target, D.dns_ttl_seconds))
  end
  return steps
end

-- Parts that depend only on the strategy and the regions, built once each.
local memo = {}

local function shared_parts(kind, strategy, primary, target)
  local key = kind .. "\0" .. strategy .. "\0" .. primary .. "\0" .. target
  local p = memo[key]
  if p then return p end
  p = {
    detection_head = item(fmt("Health checks run against %s; %d consecutive failures page on-call",
      primary, D.health_check_failures)),
    detection_tail = item("Continuous data-corruption detection; a detected corruption blocks automatic failover"),
    intro = fmt("Strategy: %s, from %s to %s.", strategy, primary, target),
    steps = strategy_steps(kind, target),
  }
  if kind == "multi" then
    p.declaration = {
      -- Each line stands alone: a checklist read at 3 a.m. has no lead-in.
      item("Automatic failover only for a full failure, not a partial or degraded one"),
      item("Automatic failover only outside the maintenance windows"),
      item(fmt("Automatic failover only when monitor consensus is at least %s", D.monitor_consensus)),
      item(fmt("Automatic failover only when there was no failover in the last %s",
        drgen.format_minutes(D.failover_cooldown_minutes))),
      item("In every other case: alert the on-call engineers, who decide whether to declare"),
    }
  else
    p.declaration = {
      item(fmt("The %s strategy has no automatic failover: the on-call engineer declares the disaster",
        strategy)),
      item("Declare when the failure is full (not partial or degraded), outside the maintenance windows, and confirmed by the monitors"),
    }
  end
  memo[key] = p
  return p
end

local validation_tail = {
  item(fmt("Smoke tests pass (%d minutes)", D.smoke_test_minutes)),
  item(fmt("Error rate below %s %%", D.max_error_rate_percent)),
  item(fmt("p99 latency below %d ms", D.max_p99_latency_ms)),
}

local function recovery_steps(service, ctx, kind, shared)
  local steps = dependency_steps(service, ctx)
  for _, step in ipairs(shared.steps) do
    if step then
      steps[#steps + 1] = step
    else
      for _, ds in ipairs(service.datastores) do
        local f = ds.facts
        local loc = f and f.newest_location
        local newest = loc and f.at[loc]
        local id = newest and newest.newest_success_id
        steps[#steps + 1] = item(
          fmt("Restore %s (%s) from its newest successful backup", ds.id, ds.engine or "datastore"),
          id and fmt("at the last build: %s at %s, finished %s", id, loc,
            drgen.format_time(newest.newest_success)) or nil)
      end
    end
  end
  if kind ~= "restore" then
    local stores = store_list(service)
    if stores then
      steps[#steps + 1] = item("Datastores to promote and check", stores)
    end
  end
  return steps
end

local function health_items(service, prefix, out)
  for _, hc in ipairs(service.health_checks) do
    out[#out + 1] = item(fmt("%s%s: %s returns %d", prefix, hc.name or "health check",
      hc.endpoint or "(no endpoint)", hc.expected_status))
  end
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
  for _, step in ipairs(service.escalation) do
    local c = step.contact_info
    local after = step.after_minutes or 0
    local when = after > 0 and ("after " .. drgen.format_minutes(after)) or "immediately"
    local who = c and fmt("%s (%s)", c.name or c.id, c.role or "contact") or step.contact
    items[#items + 1] = item(fmt("Level %d, %s: %s", step.level, when, who), c and reach(c))
  end
  return items
end

function M.build(service, ctx)
  local t = ctx.tiers[service.id]
  local strategy = t.strategy
  local kind = strategy_kind(strategy)
  local primary, target = regions_of(service, ctx.model)
  local shared = shared_parts(kind, strategy, primary, target)

  local detection = health_items(service, "Primary-site health check ", { shared.detection_head })
  detection[#detection + 1] = shared.detection_tail

  local validation = health_items(service, "Synthetic check of ", {})
  for _, it in ipairs(validation_tail) do validation[#validation + 1] = it end

  local sections = {
    { id = "pre_disaster", title = "Pre-disaster checklist", ordered = false,
      items = kind == "restore" and pre_disaster.single or pre_disaster.multi },
    { id = "detection", title = "Detection", ordered = false, items = detection },
    { id = "declaration", title = "Declaration criteria", ordered = false, items = shared.declaration },
    { id = "pre_checks", title = "Pre-checks before failover", ordered = false, items = pre_checks(t.rpo_minutes or 0, ctx.facts.lag_tolerance_minutes or 0) },
    { id = "recovery", title = "Recovery steps", ordered = true, intro = shared.intro,
      items = recovery_steps(service, ctx, kind, shared) },
    { id = "validation", title = "Validation", ordered = false, items = validation },
    { id = "rollback", title = "Rollback", ordered = true, items = rollback_items },
    { id = "contacts", title = "Contacts and escalation", ordered = false,
      items = contact_items(service) },
  }
  if service.has_runbook then
    sections[#sections + 1] = { id = "procedures", title = "Service procedures",
      ordered = false, items = {} }
  end

  return {
    service = service.id,
    name = service.name or service.id,
    tier = t.tier,
    tier_name = t.tier_name,
    rpo = drgen.format_minutes(t.rpo_minutes),
    rto = drgen.format_minutes(t.rto_minutes),
    strategy = strategy,
    automatic_failover = kind == "multi",
    sections = sections,
  }
end

return M
