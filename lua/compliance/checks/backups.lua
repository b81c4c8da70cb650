-- compliance/checks/backups.lua -- the checks on backup records and copies:
-- currency against the RPO, failures remediated, offsite, encrypted and
-- immutable copies, restore tests and continuous replication.
--
-- Each check is a function (ev, a) -> result: ev is the framework's
-- evaluator (compliance/evidence.lua), a the parameters of the control's
-- check; results are built with compliance/common.lua.

local fmt = string.format
local H = require("compliance/common")
local DAY, judged_rpo, worst, day, time, days_text, plural, limit_text, age_text, age_beyond,
  set_of, contains, glob_any, drill_ref, copy_ref, result_of, new_result, item, finish, LOCATIONS =
  H.DAY, H.judged_rpo, H.worst, H.day, H.time, H.days_text, H.plural, H.limit_text, H.age_text,
  H.age_beyond, H.set_of, H.contains, H.glob_any, H.drill_ref, H.copy_ref, H.result_of,
  H.new_result, H.item, H.finish, H.LOCATIONS

local C = {}

-- R2: the newest successful copy of each datastore against its RPO.
function C.backup_currency_within_rpo(ev, a)
  local res = new_result(ev, "backup_currency_within_rpo")
  local counts = { ok = 0, late = 0, stale = 0, never = 0 }
  local tol = ev.facts.lag_tolerance_minutes or 0
  for _, st in ipairs(ev:stores(a.criticalities)) do
    local f = st.f
    local cur = f.currency
    counts[cur] = (counts[cur] or 0) + 1
    local main = st.crit ~= "standard"
    local rpo = judged_rpo(f.rpo_minutes, tol)
    if cur == "ok" then
      local loc = f.newest_location
      item(res, "pass", st.id, st.svc.id, nil, copy_ref(st.id, loc, f.at[loc]))
    elseif cur == "never" then
      item(res, main and "fail" or "partial", st.id, st.svc.id,
        fmt("%s (%s) has no successful backup", st.id, st.crit),
        { datastore = st.id, records = st.b.records })
    else
      local loc = f.newest_location
      local status = "partial"
      if cur == "stale" and main then status = "fail" end
      local limit = drgen.format_minutes(f.rpo_minutes or 0)
      if rpo ~= (f.rpo_minutes or 0) then
        limit = fmt("%s, judged with the replication-lag tolerance of %s", limit, drgen.format_minutes(rpo))
      end
      item(res, status, st.id, st.svc.id,
        fmt("%s (%s): newest copy %s old against an RPO of %s (%s)", st.id, st.crit,
          age_beyond(f.age_seconds, rpo), limit, cur),
        copy_ref(st.id, loc, f.at[loc]))
    end
  end
  res.metrics = counts
  return finish(res, fmt("%s, each with a copy within its RPO", plural(res.n, "datastore")),
    "n/a", "no datastores in scope")
end

-- R3: failed jobs are followed by a success; the success rate holds.
function C.backup_failures_remediated(ev, a)
  local res = new_result(ev, "backup_failures_remediated")
  local min_rate = ev.p.backup_success_rate
  local window = ev.p.remediation_hours * 60
  local tol = ev.facts.lag_tolerance_minutes or 0
  local all_records, all_successes, all_failures = 0, 0, 0
  for _, st in ipairs(ev:stores(a.criticalities)) do
    local f, b = st.f, st.b
    local records = 0
    for _, loc in ipairs(LOCATIONS) do records = records + b.at[loc].records end
    if records > 0 then
      local main = st.crit ~= "standard"
      local successes, failures = f.successes, f.failures_in_period
      all_records = all_records + records
      all_successes = all_successes + successes
      all_failures = all_failures + failures
      local rate = successes / records
      local limit = math.max(judged_rpo(f.rpo_minutes, tol), window)
      if successes == 0 then
        item(res, main and "fail" or "partial", st.id, st.svc.id,
          fmt("%s: all %s failed, none was followed by a success", st.id, plural(records, "job")),
          { datastore = st.id, records = records, successes = 0 })
      elseif failures > 0 and f.age_minutes > limit then
        item(res, main and "fail" or "partial", st.id, st.svc.id,
          fmt("%s: %s in %s and no success in the last %s (newest %s)", st.id,
            plural(failures, "failed job"), ev.ctx.period or "the period",
            drgen.format_minutes(limit), day(f.newest_success)),
          { datastore = st.id, failures_in_period = failures,
            record = f.at[f.newest_location].newest_success_id, date = time(f.newest_success) })
      elseif rate < min_rate then
        item(res, "partial", st.id, st.svc.id,
          fmt("%s: success rate %s %% is below %s %%", st.id,
            drgen.format_number(rate * 100, 1), drgen.format_number(min_rate * 100, 0)),
          { datastore = st.id, records = records, successes = successes })
      else
        item(res, "pass", st.id, st.svc.id, nil,
          failures > 0 and { datastore = st.id, failures_in_period = failures,
            record = f.at[f.newest_location].newest_success_id, date = time(f.newest_success) } or nil)
      end
    end
  end
  res.metrics = {
    records = all_records, successes = all_successes, failures_in_period = all_failures,
    success_rate = all_records > 0 and drgen.round(all_successes / all_records, 4) or nil,
  }
  return finish(res, fmt("every datastore's newest job state is healthy and %s of %s jobs succeeded%s",
      drgen.format_number(all_successes), drgen.format_number(all_records),
      all_failures > 0 and fmt("; the %s in %s were followed by successes",
        plural(all_failures, "failed job"), ev.ctx.period or "the period") or ""),
    "no_data", "no backup jobs on record for the datastores in scope")
end

-- R4: a fresh copy away from the primary site.
function C.offsite_copy_exists(ev, a)
  local res = new_result(ev, "offsite_copy_exists")
  local tol = ev.facts.lag_tolerance_minutes or 0
  local locs = a.locations or { "offsite" }
  local min_copies = a.min_copies or 0
  -- backed_up_only: a datastore with no successful copy anywhere is left to
  -- the checks on backups themselves (PCI 9.4.1.1 is about where offline
  -- media are kept, not whether there are any)
  local skipped = 0
  for _, st in ipairs(ev:stores(a.criticalities or { "critical", "important" })) do
    local f = st.f
    if a.backed_up_only and f.n_locations_ok == 0 then
      skipped = skipped + 1
      goto next_store
    end
    local rpo = f.rpo_minutes or 0
    local max_min = a.use_rpo and judged_rpo(rpo, tol) or math.max(rpo, ev.p.offsite_max_age_days * 1440)
    local best, best_loc
    for _, loc in ipairs(locs) do
      local lf = f.at[loc]
      if lf.has_success and (best == nil or lf.age_seconds < best) then best, best_loc = lf.age_seconds, loc end
    end
    local where = table.concat(locs, " or ")
    if best and best / 60 <= max_min then
      if f.n_locations_ok < min_copies then
        item(res, "partial", st.id, st.svc.id,
          fmt("%s: copies at %s of %d locations required", st.id,
            plural(f.n_locations_ok, "location"), min_copies),
          copy_ref(st.id, best_loc, f.at[best_loc]))
      else
        item(res, "pass", st.id, st.svc.id, nil, copy_ref(st.id, best_loc, f.at[best_loc]))
      end
    elseif best and best / 60 <= 4 * max_min then
      item(res, "partial", st.id, st.svc.id,
        fmt("%s: newest %s copy is %s old, more than %s", st.id, best_loc,
          age_beyond(best, max_min), limit_text(max_min)),
        copy_ref(st.id, best_loc, f.at[best_loc]))
    elseif not best and f.locations_ok.secondary and not contains(locs, "secondary") then
      item(res, "partial", st.id, st.svc.id,
        fmt("%s has no %s copy, only a secondary one (separation from the primary site not shown)",
          st.id, where),
        copy_ref(st.id, "secondary", f.at.secondary))
    elseif best then
      item(res, "fail", st.id, st.svc.id,
        fmt("%s: newest %s copy is %s old, more than 4 x %s", st.id, best_loc,
          age_beyond(best, 4 * max_min), limit_text(max_min)),
        copy_ref(st.id, best_loc, f.at[best_loc]))
    else
      item(res, "fail", st.id, st.svc.id,
        f.n_locations_ok > 0 and fmt("%s has copies only at the primary site", st.id)
          or fmt("%s has no successful copy anywhere", st.id),
        { datastore = st.id, records = st.b.records })
    end
    ::next_store::
  end
  res.metrics = { skipped_never_backed_up = skipped }
  local left_out = skipped > 0 and fmt(" (%s with no backup at all left to the backup checks)",
    plural(skipped, "datastore")) or ""
  return finish(res, fmt("%s, each with a copy at %s within its age limit%s",
      plural(res.n, "datastore"), table.concat(locs, " or "), left_out),
    "n/a", skipped > 0 and ("no backed-up critical or important datastores in scope" .. left_out)
      or "no critical or important datastores in scope")
end

-- Relative strength of algorithms (for the equivalence sub-check).
local CIPHER_STRENGTH = {
  ["aes-128-cbc"] = 1, ["aes-128-ctr"] = 1, ["aes-128-gcm"] = 2, ["aes-128-xts"] = 2,
  ["aes-192-cbc"] = 2, ["aes-192-gcm"] = 2,
  ["aes-256-cbc"] = 3, ["aes-256-ctr"] = 3, ["aes-256-xts"] = 3,
  ["aes-256-gcm"] = 4, ["chacha20-poly1305"] = 4, ["xchacha20-poly1305"] = 4,
}

-- R5: every successful copy encrypted with an accepted algorithm; copies
-- away from primary at least as strong as primary.
function C.encryption_at_rest_for_backups(ev, a)
  local res = new_result(ev, "encryption_at_rest_for_backups")
  local allowed, denied = ev.p.encryption_allowed, ev.p.encryption_denied
  local verdicts = {}    -- algorithm -> "denied", "unknown" or "ok"
  local function verdict(alg)
    local v = verdicts[alg]
    if not v then
      v = glob_any(denied, alg) and "denied" or (glob_any(allowed, alg) and "ok" or "unknown")
      verdicts[alg] = v
    end
    return v
  end
  local locs = a.locations or LOCATIONS
  local sensitive = set_of({ "ephi", "cde" })
  for _, st in ipairs(ev:stores(a.criticalities)) do
    local f, b = st.f, st.b
    local main = st.crit ~= "standard"
    if not main then
      for _, tag in ipairs(st.svc.s.data_scope) do if sensitive[tag] then main = true end end
    end
    local hard = main and "fail" or "partial"
    local status, problems, seen = "pass", {}, {}
    local any = false
    for _, loc in ipairs(locs) do
      local lf = f.at[loc]
      if lf.has_success then
        any = true
        local alg = (b.at[loc].newest_encryption or "none"):lower()
        seen[#seen + 1] = { loc, lf, alg }
        if lf.successes_unencrypted > 0 then
          status = worst(status, hard)
          problems[#problems + 1] = fmt("%s unencrypted at %s",
            plural(lf.successes_unencrypted, "copy", "copies"), loc)
        elseif verdict(alg) == "denied" then
          status = worst(status, hard)
          problems[#problems + 1] = fmt("%s copies use %s", loc, alg)
        elseif verdict(alg) == "unknown" then
          status = worst(status, "partial")
          problems[#problems + 1] = fmt("%s copies use %s, not on the accepted list", loc, alg)
        end
      end
    end
    if any and a.equivalence ~= false and f.at.primary.has_success then
      local p_alg = (b.at.primary.newest_encryption or ""):lower()
      local p_str = CIPHER_STRENGTH[p_alg]
      for _, loc in ipairs({ "secondary", "offsite" }) do
        local alg = (b.at[loc].newest_encryption or ""):lower()
        local s = CIPHER_STRENGTH[alg]
        if f.at[loc].has_success and p_str and s and s < p_str then
          status = worst(status, "partial")
          problems[#problems + 1] = fmt("%s copies (%s) weaker than primary (%s)", loc, alg, p_alg)
        end
      end
    end
    if any then
      local refs = {}
      for i, x in ipairs(seen) do
        refs[i] = { datastore = st.id, location = x[1], record = x[2].newest_success_id,
                    encryption = x[3] }
        if status == "pass" then break end
      end
      if status == "pass" then
        item(res, "pass", st.id, st.svc.id, nil, refs[1])
      else
        item(res, status, st.id, st.svc.id, fmt("%s (%s): %s", st.id, st.crit,
          table.concat(problems, ", ")), refs)
      end
    end
  end
  return finish(res, fmt("%s, every successful copy encrypted with an accepted algorithm",
      plural(res.n, "datastore")),
    "n/a", "no backed-up datastores in scope")
end

-- R6: an immutable (object-locked) copy of every critical datastore.
function C.immutable_copy(ev, a)
  local res = new_result(ev, "immutable_copy")
  local required = set_of(a.required or { "critical" })
  local tol = ev.facts.lag_tolerance_minutes or 0
  local min_ret = ev.p.immutable_min_retention_days
  local max_ret = ev.p.max_retention_days
  for _, st in ipairs(ev:stores(a.criticalities or { "critical", "important" })) do
    local f, b = st.f, st.b
    local need = required[st.crit]
    local max_min = math.max(judged_rpo(f.rpo_minutes, tol), ev.p.offsite_max_age_days * 1440)
    local best_loc, problems, status = nil, {}, "pass"
    for _, loc in ipairs({ "offsite", "secondary", "primary" }) do
      if not best_loc and f.at[loc].successes_immutable > 0 then best_loc = loc end
    end
    if not best_loc then
      status = need and "fail" or "partial"
      problems[#problems + 1] = "no immutable copy"
    else
      local lf = f.at[best_loc]
      if best_loc == "primary" then
        status = worst(status, "partial"); problems[#problems + 1] = "immutable copies only at the primary site"
      end
      if lf.age_seconds / 60 > max_min then
        status = worst(status, "partial")
        problems[#problems + 1] = fmt("newest %s copy is %s old", best_loc, age_text(lf.age_seconds))
      end
      local ret = b.at[best_loc].max_retention_days
      if ret and ret > 0 and ret < min_ret then
        status = worst(status, "partial")
        problems[#problems + 1] = fmt("retention at %s is %s, below %s", best_loc,
          days_text(ret), days_text(min_ret))
      end
    end
    if max_ret and max_ret > 0 then
      for _, loc in ipairs(LOCATIONS) do
        local ret = b.at[loc].max_retention_days
        if f.at[loc].has_success and ret and ret > max_ret then
          status = worst(status, "partial")
          problems[#problems + 1] = fmt("%s copies kept %s, above the %s maximum", loc,
            days_text(ret), days_text(max_ret))
        end
      end
    end
    local ref = best_loc and copy_ref(st.id, best_loc, f.at[best_loc]) or { datastore = st.id }
    if best_loc then ref.immutable_copies = f.at[best_loc].successes_immutable end
    if status == "pass" then
      item(res, "pass", st.id, st.svc.id, nil, ref)
    else
      item(res, status, st.id, st.svc.id, fmt("%s (%s): %s", st.id, st.crit,
        table.concat(problems, ", ")), ref)
    end
  end
  return finish(res, fmt("%s, each with a recent immutable copy away from the primary site",
      plural(res.n, "datastore")),
    "n/a", "no critical datastores in scope")
end

-- The newest drill whose result for service svc says it restored the data
-- from backup (restored_from_backup), recovered with full integrity, or nil.
-- A failover to a replica does not test the backups, so it never counts.
local function drill_restore(ev, svc)
  local drills = ev:service_drills(svc.id)
  for k = #drills, 1, -1 do
    local d = drills[k]
    local r = result_of(d, svc.id)
    if r and r.recovered and r.restored_from_backup and r.data_integrity ~= nil
        and r.data_integrity >= 1 then
      return d
    end
  end
  return nil
end

local function store_label(st, n)
  return fmt("%s (%s, every %s)", st.id, st.crit, days_text(n))
end

-- The evidence of a restore-test record (kind restore_test) of store f.
local function test_ref(st, f, method)
  if method == "integrity_check" then
    return { datastore = st.id, record = f.last_integrity_check_id,
             date = time(f.last_integrity_check), kind = "restore_test",
             method = "integrity_check" }
  end
  return { datastore = st.id, record = f.last_restore_test_id, date = time(f.last_restore_test),
           kind = "restore_test", method = "restore",
           tested_backup = f.last_restore_test_tested_backup,
           tested_backup_time = f.last_restore_test_tested_time
             and time(f.last_restore_test_tested_time) or nil,
           location = f.last_restore_test_location }
end

-- R7: a successful restore test within N days, N by criticality.  A
-- restore test is a restore-test record of method "restore", or a drill
-- whose result says it restored from backup; both are evidence when both
-- exist (a newer drill never hides the record).  A restore-test record of
-- method "integrity_check" (the stored data read back and verified, nothing
-- restored) passes only where the control says so (checksum_passes, as a
-- backup's own verification does); elsewhere it is at most partial.
function C.restore_test_within_n_days(ev, a)
  local res = new_result(ev, "restore_test_within_n_days")
  local limits = a.max_age_days or ev.p.restore_test_max_age_days
  local as_of = ev.as_of
  local drill_cache = {}
  for _, st in ipairs(ev:stores(a.criticalities)) do
    local f, b = st.f, st.b
    local n = limits[st.crit] or 365
    local function recent(t) return t ~= nil and (as_of - t) <= n * DAY end
    local rec = f.last_restore_test
    if drill_cache[st.svc.id] == nil then drill_cache[st.svc.id] = drill_restore(ev, st.svc) or false end
    local d = drill_cache[st.svc.id] or nil
    local last = rec
    if d and (last == nil or d.date > last) then last = d.date end
    -- Evidence: the record, and a drill that restored from backup too.
    local refs = {}
    if rec then refs[#refs + 1] = test_ref(st, f, "restore") end
    if d then refs[#refs + 1] = drill_ref(d) end
    local last_ref = #refs > 1 and refs or refs[1]
    local verified
    for _, loc in ipairs(LOCATIONS) do
      local v = b.at[loc].newest_verified
      if v and (verified == nil or v > verified) then verified = v end
    end
    local ic = f.last_integrity_check
    local failed = f.last_restore_test_failed
    local function label() return store_label(st, n) end
    if failed and (last == nil or failed > last) then
      item(res, "fail", st.id, st.svc.id,
        fmt("%s: newest restore test %s failed on %s and none passed since", label(),
          f.last_restore_test_failed_id or "?", day(failed)),
        { datastore = st.id, record = f.last_restore_test_failed_id, date = time(failed),
          kind = "restore_test", method = "restore", result = "failed" })
    elseif a.checksum_passes and f.last_integrity_check_failed
        and (last == nil or f.last_integrity_check_failed > last)
        and (ic == nil or f.last_integrity_check_failed > ic) then
      -- Where integrity checks count, a failed one is a failed test too.
      local icf = f.last_integrity_check_failed
      item(res, "fail", st.id, st.svc.id,
        fmt("%s: newest integrity check %s failed on %s and no test passed since", label(),
          f.last_integrity_check_failed_id or "?", day(icf)),
        { datastore = st.id, record = f.last_integrity_check_failed_id, date = time(icf),
          kind = "restore_test", method = "integrity_check", result = "failed" })
    elseif recent(last) then
      item(res, "pass", st.id, st.svc.id, nil, last_ref)
    elseif a.checksum_passes and recent(ic) then
      item(res, "pass", st.id, st.svc.id, nil, test_ref(st, f, "integrity_check"))
    elseif a.checksum_passes and recent(verified) then
      item(res, "pass", st.id, st.svc.id, nil,
        { datastore = st.id, verified = time(verified) })
    elseif recent(ic) or recent(verified) then
      local what = recent(ic)
        and fmt("stored data integrity-checked (newest %s, %s)", day(ic),
          f.last_integrity_check_id or "?")
        or fmt("copies verified (newest %s)", day(verified))
      item(res, "partial", st.id, st.svc.id,
        fmt("%s: %s but %s", label(), what,
          last and ("last restore test " .. day(last)) or "never restored from backup in a test"),
        last_ref or (recent(ic) and test_ref(st, f, "integrity_check"))
          or { datastore = st.id, verified = time(verified) })
    elseif last and (as_of - last) <= 2 * n * DAY then
      item(res, "partial", st.id, st.svc.id,
        fmt("%s: last restore test %s, %s ago", label(), day(last),
          days_text((as_of - last) / DAY)),
        last_ref)
    else
      item(res, "fail", st.id, st.svc.id,
        last and fmt("%s: last restore test %s, %s ago", label(), day(last),
          days_text((as_of - last) / DAY))
          or fmt("%s: never restore-tested", label()),
        last_ref or { datastore = st.id })
    end
  end
  return finish(res, fmt("%s, each restore-tested successfully within its interval",
      plural(res.n, "datastore")),
    "n/a", "no datastores in scope")
end

-- NIST CP-9(6): a continuously replicated copy of every datastore of the
-- services in scope, current against the RPO, away from the primary.
function C.continuous_replication(ev, a)
  local res = new_result(ev, "continuous_replication")
  local tol = ev.facts.lag_tolerance_minutes or 0
  local in_scope = {}
  for _, rec in ipairs(ev:scope(a.scope or "critical")) do in_scope[rec.id] = true end
  for _, st in ipairs(ev:stores(nil)) do
    if in_scope[st.svc.id] then
      local f = st.f
      local limit = judged_rpo(f.rpo_minutes, tol)
      local best, best_loc
      for _, loc in ipairs({ "secondary", "offsite" }) do
        local lf = f.at[loc]
        if lf.has_success and (best == nil or lf.age_seconds < best) then best, best_loc = lf.age_seconds, loc end
      end
      if not f.continuous then
        item(res, "fail", st.id, st.svc.id, fmt("%s: no continuous replication", st.id),
          { datastore = st.id })
      elseif not best or best / 60 > limit then
        item(res, "partial", st.id, st.svc.id,
          fmt("%s: replicated, but the newest copy away from the primary is %s", st.id,
            best and (age_text(best) .. " old") or "missing"),
          best_loc and copy_ref(st.id, best_loc, f.at[best_loc]) or { datastore = st.id })
      else
        item(res, "pass", st.id, st.svc.id, nil, copy_ref(st.id, best_loc, f.at[best_loc]))
      end
    end
  end
  return finish(res, fmt("%s of %s, each replicated continuously and current",
      plural(res.n, "datastore"), ev:scope_text(a.scope or "critical")),
    "n/a", "no datastores of " .. ev:scope_text(a.scope or "critical") .. " in scope")
end

return C
