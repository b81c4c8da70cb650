-- backup_policy.lua -- the backup policy each datastore must follow, and the
-- gaps between that policy and what the backup logs show (SPEC 3.3).
--
-- drgen reads:
--   policies                  by criticality (critical, important, standard);
--                             shown in the plan; `check` names one per store
--   programme                 restore tests and DR drills, shown in the plan
--   check(datastore, ctx)     once per datastore -> { policy = "critical", findings = {...} }
--
-- The facts a check uses (datastore.facts, computed in C): currency against
-- the service's RPO (ok, late, stale, never), which locations hold a
-- successful copy, encryption and immutability of the copies, the newest
-- successful restore test, failures in the period.

local M = {}

M.policies = {
  critical = {
    method = "continuous replication",
    copies_at = { "primary", "secondary", "offsite" },
    encryption = "aes-256-gcm",
    compression = "zstd",
    verification = "checksum and restore test",
    schedule = "continuous, hourly snapshots, daily full",
    retention = "continuous 7 d, snapshots 30 d, daily 90 d, monthly 7 y",
    -- what the checks below require
    continuous = true,
    immutable_copy = true,
    restore_test_months = 1,
  },
  important = {
    method = "incremental",
    copies_at = { "primary", "secondary" },
    encryption = "aes-256-cbc",
    compression = "gzip",
    verification = "checksum",
    schedule = "incremental every 4 h, weekly full",
    retention = "incremental 14 d, weekly 90 d, monthly 1 y",
    continuous = false,
    immutable_copy = false,
  },
  standard = {
    method = "snapshot",
    copies_at = { "primary" },
    encryption = "aes-128-cbc",
    compression = "lz4",
    verification = "size check",
    schedule = "daily snapshot",
    retention = "daily 30 d, monthly 6 months",
    continuous = false,
    immutable_copy = false,
  },
}

M.programme = {
  {
    activity = "restore test",
    frequency = "monthly",
    scope = "a random sample of backups",
    criterion = "100 % restoration",
  },
  {
    activity = "full-system DR drill",
    frequency = "quarterly",
    scope = "the whole system",
    criterion = "RTO met",
  },
}

-- Relative strength of encryption algorithms as the backup tools name them;
-- a copy is "below policy" when weaker than the policy's algorithm.
local strength = {
  ["aes-128-cbc"] = 1, ["aes-128-ctr"] = 1, ["aes-128-gcm"] = 2,
  ["aes-192-cbc"] = 2, ["aes-192-gcm"] = 2,
  ["aes-256-cbc"] = 3, ["aes-256-ctr"] = 3,
  ["aes-256-gcm"] = 4, ["chacha20-poly1305"] = 4, ["xchacha20-poly1305"] = 4,
}

local locations = { "primary", "secondary", "offsite" }

-- Severity of a gap, by the store's criticality.
local severity = {
  critical = { high = "critical", medium = "high", low = "medium" },
  important = { high = "high", medium = "medium", low = "low" },
  standard = { high = "medium", medium = "low", low = "low" },
}

local function finding(out, ds, kind, level, message, recommendation)
  out[#out + 1] = {
    kind = kind,
    severity = severity[ds.criticality][level],
    subject = ds.id,
    message = message,
    recommendation = recommendation,
  }
end

-- Values that are the same for every datastore of a build.
local cache_ctx, lag_minutes, restore_since = nil, 0, {}

local function per_build(ctx)
  if ctx ~= cache_ctx then
    cache_ctx = ctx
    lag_minutes = ctx.facts.lag_tolerance_minutes or 0
    restore_since = {}
  end
end

local function restore_test_since(ctx, months)
  local t = restore_since[months]
  if not t then
    t = drgen.months_before(ctx.as_of, months)
    restore_since[months] = t
  end
  return t
end

-- An age beyond LIMIT minutes, in words that do not round it down onto
-- the limit ("5 minutes 1 second old", not "5 minutes old, beyond 5").
local function age_beyond(minutes, limit)
  local shown = math.floor(minutes + 0.5)
  if shown > limit then return drgen.format_minutes(shown) end
  local secs = math.floor(minutes * 60 + 0.5)
  local m, s = secs // 60, secs % 60
  local sec = string.format("%d second%s", s, s == 1 and "" or "s")
  if m == 0 then return sec end
  if s == 0 then return drgen.format_minutes(m) end
  return drgen.format_minutes(m) .. " " .. sec
end

function M.check(ds, ctx)
  per_build(ctx)
  local crit = ds.criticality
  local policy = M.policies[crit]
  local facts = ds.facts
  local out = {}
  local id = ds.id
  local currency = facts.currency

  -- Currency against the RPO of the owning service.
  if currency == "never" then
    finding(out, ds, "backup_never", "high",
      string.format("no successful backup of %s at any location", id),
      string.format("Set up %s backups of %s (%s) and check that the first job succeeds",
        policy.method, id, policy.schedule))
    return { policy = crit, findings = out }
  end
  if currency == "stale" or currency == "late" then
    -- An RPO above zero is judged as written; RPO 0 against the
    -- replication-lag tolerance (docs/analysis.md), and the words say so.
    local rpo = facts.rpo_minutes or 0
    local age = age_beyond(facts.age_minutes, rpo > 0 and rpo or lag_minutes)
    local message, allows
    if rpo > 0 then
      message = string.format("newest backup of %s is %s old, beyond its RPO of %s (%s)",
        id, age, drgen.format_minutes(rpo), currency)
      allows = string.format("the RPO allows %s", drgen.format_minutes(rpo))
    else
      message = string.format(
        "newest backup of %s is %s old: RPO %s, judged with the replication-lag tolerance of %s (%s)",
        id, age, drgen.format_minutes(rpo), drgen.format_minutes(lag_minutes), currency)
      allows = string.format("the replication-lag tolerance allows %s", drgen.format_minutes(lag_minutes))
    end
    finding(out, ds, "backup_stale", currency == "stale" and "high" or "medium", message,
      string.format("Find out why %s backups stopped or slowed and run one now; %s", id, allows))
  end

  -- Copies at every location the policy names.
  local ok_at = facts.locations_ok
  for _, loc in ipairs(policy.copies_at) do
    if not ok_at[loc] then
      if loc == "offsite" then
        finding(out, ds, "no_offsite_copy", "high",
          string.format("%s has no successful offsite copy", id),
          string.format("Copy %s backups to the offsite vault, as the %s policy requires", id, crit))
      else
        finding(out, ds, "missing_copy", "medium",
          string.format("%s has no successful copy at the %s location", id, loc),
          string.format("Add a %s copy of %s backups, as the %s policy requires", loc, id, crit))
      end
    end
  end

  -- Encryption: every copy, with at least the policy's algorithm.
  if not facts.encrypted then
    local n = facts.successes_unencrypted
    finding(out, ds, "unencrypted_backup", "high",
      string.format("%d successful backup%s of %s %s not encrypted", n,
        n == 1 and "" or "s", id, n == 1 and "is" or "are"),
      string.format("Enable %s encryption for every %s backup job", policy.encryption, id))
  else
    local need = strength[policy.encryption] or 0
    local at = ds.backups.at
    for _, loc in ipairs(locations) do
      if ok_at[loc] then
        local alg = at[loc].newest_encryption
        if alg and (strength[alg] or 0) < need then
          finding(out, ds, "weak_encryption", "low",
            string.format("%s copy of %s is encrypted with %s, weaker than the policy's %s",
              loc, id, alg, policy.encryption),
            string.format("Switch %s backups at %s to %s", id, loc, policy.encryption))
        end
      end
    end
  end

  -- Method and immutability.
  if policy.continuous and not facts.continuous then
    finding(out, ds, "backup_method_gap", "medium",
      string.format("%s has no continuous replication, which the %s policy requires", id, crit),
      string.format("Set up continuous replication of %s to the secondary region", id))
  end
  if policy.immutable_copy and not facts.immutable then
    finding(out, ds, "no_immutable_copy", "medium",
      string.format("%s has no immutable (object-locked) copy", id),
      string.format("Enable object lock on the offsite copies of %s", id))
  end

  -- Restore tests within the required interval.
  local months = policy.restore_test_months
  if months then
    local last = facts.last_restore_test
    if facts.restore_test_failing then
      finding(out, ds, "no_restore_test", "high",
        string.format("newest restore test of %s (%s) failed on %s", id,
          facts.last_restore_test_failed_id or "unknown",
          drgen.format_date(facts.last_restore_test_failed)),
        string.format("Fix the restore of %s and repeat the test until it restores 100 %%", id))
    elseif last == nil or last < restore_test_since(ctx, months) then
      finding(out, ds, "no_restore_test", "high",
        last and string.format("no successful restore test of %s since %s (required every %d month%s)",
            id, drgen.format_date(last), months, months == 1 and "" or "s")
          or string.format("%s has never had a successful restore test", id),
        string.format("Restore a sample of %s backups this month and check that 100 %% of the data comes back", id))
    end
  end

  -- Failed jobs in the period.
  local failures = facts.failures_in_period
  if failures > 0 then
    finding(out, ds, "backup_failures", "low",
      string.format("%d failed or partial backup job%s of %s in %s", failures,
        failures == 1 and "" or "s", id, ctx.period or "the period"),
      string.format("Review the failed %s jobs and fix their cause", id))
  end

  return { policy = crit, findings = out }
end

return M
