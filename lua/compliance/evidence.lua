-- compliance/evidence.lua -- the evidence checks every framework shares,
-- written once, and the engine that judges a framework's controls with
-- them (SPEC 3.5; docs/compliance.md).
--
-- A framework file (compliance/iso22301.lua, ...) is data: it returns
--   { id, name, scope_tag?, defaults?, hard?, prepare?, controls = {
--       { id, title, checks = { { "check", param = ... } }, attest = { topic },
--         ask?, applies?, aggregate?, addressable?, withdrawn? } } }
-- mapping each control to some of the checks below with the framework's
-- own thresholds.  drgen calls E.evaluate (this file) for each framework
-- named in compliance.frameworks; E.evaluate loads the framework file with
-- require, so a plan's rules/compliance/NAME.lua replaces a mapping and
-- its rules/compliance/evidence.lua the checks.  See E.evaluate for the
-- calls and what they return.
--
-- Checks.  Each check looks at the plan's data (the model and the facts
-- computed in C) and returns
--   { check, status, reason, items, n, n_pass, evidence, metrics }
-- status is pass, partial, fail, no_data (the evidence it needs is absent)
-- or n/a (nothing in scope).  `items` lists the subjects that did not pass
-- (a service, a datastore, a contact, a drill action, or the plan), each
-- { status, subject, service, detail, evidence }; passing subjects are only
-- counted, and a few of them kept as evidence, so a plan with 10,000
-- services stays cheap.  A check's status is the worst status of its items,
-- which lets an exception waive the items of the services it names.
--
-- Controls.  A control's status is the worst of its checks; when every
-- check passes but an attestation it needs is missing or expired, it is
-- capped at partial ("attestation outstanding"); a control that only an
-- attestation can satisfy is `attest` until one is current.  Active
-- exceptions turn the non-passing items of the services they name into
-- `waived`; a control whose only problems are waived is `waived`.  Expired
-- exceptions are ignored here (drills.lua reports them as findings) and
-- named in the reason.  Controls out of scope (no service carries the
-- framework's data_scope tag, a regime that excludes the paragraph, a
-- withdrawn control, a control outside the selected baseline) are `n/a`.
--
-- Thresholds are profile settings: E.defaults (drgen conventions from the
-- reference), then the framework's own defaults, then plan.json
-- compliance.profile (top-level keys for every framework, a key named
-- after the framework for that one only).  A top-level key never loosens a
-- limit the framework fixes (its `hard` list); the framework's own section
-- may.

local E = {}

local fmt = string.format

-- The RPO backup currency is judged against (docs/analysis.md): the RPO
-- itself, or the replication-lag tolerance when the RPO is 0.  The
-- tolerance never loosens an RPO above zero.
local function judged_rpo(rpo, tol)
  rpo = rpo or 0
  if rpo > 0 then return rpo end
  return tol or 0
end
local DAY = 86400

-- ---- statuses -------------------------------------------------------------

E.statuses = { "pass", "partial", "fail", "no_data", "attest", "waived", "n/a" }

-- "Worse than": the order used to combine statuses.
local RANK = {
  ["n/a"] = 0, pass = 1, waived = 2, partial = 3, attest = 4, no_data = 5, fail = 6,
}
E.rank = RANK

local function worst(a, b)
  if RANK[b] > RANK[a] then return b end
  return a
end
E.worst = worst

-- ---- settings -------------------------------------------------------------

E.defaults = {
  -- which tiers count as "tier 1" (critical) and as DORA's "critical or
  -- important functions"
  critical_tiers = { 1 },
  important_tiers = { 1, 2 },
  -- R10 plan review
  review_max_age_days = 365,
  review_grace = 1.25,
  lessons_learned_days = 90,
  -- R8 drill coverage: a drill of at least this type (a string, or a list
  -- by tier) within max age; grace multiplies the age before PARTIAL
  -- becomes FAIL
  drill_max_age_days = 365,
  drill_min_type = "partial_failover",
  drill_grace = 1.25,
  drill_variety_types = 2,
  drill_variety_months = 36,
  -- R7 restore tests, by datastore criticality
  restore_test_max_age_days = { critical = 90, important = 180, standard = 365 },
  -- R4 offsite copies: no older than max(RPO, this)
  offsite_max_age_days = 7,
  -- R6 immutable copies
  immutable_min_retention_days = 30,
  max_retention_days = 0,           -- 0: no upper bound
  -- R3 backup failures
  backup_success_rate = 0.95,
  remediation_hours = 24,
  -- R11 contacts
  contact_verification_max_age_days = 180,
  escalation_min_levels = 2,
  escalation_min_people = 2,
  contact_min_channels = 2,
  key_person_max = 3,
  -- R12 drill actions
  action_sla_days = 90,
  action_grace_days = 30,
  action_max_open_days = 180,
  -- attestations without an expiry date count for this long
  attestation_max_age_days = 365,
  -- R5 encryption: algorithm names as backup tools write them; "*" ends a prefix
  encryption_allowed = { "aes-256-*", "aes-192-*", "aes-128-*", "chacha20-poly1305",
                         "xchacha20-poly1305" },
  encryption_denied = { "none", "des", "des-*", "3des*", "des-ede3*", "rc4*", "blowfish*",
                        "bf-*" },
  -- evidence references listed per control (the rest are counted)
  evidence_max = 12,
}

-- Settings only one framework has (its `defaults`), by name.
E.framework_settings = { baseline = "nist80053", regime = "dora" }

local FRAMEWORKS = {
  iso22301 = true, iso27001 = true, soc2 = true, nist80053 = true, hipaa = true,
  pci = true, dora = true,
}

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

-- Checks a profile value against the default's shape; returns the value to
-- use, or nil and why not.
local function coerce(default, v)
  local dt = type(default)
  if dt == "number" then
    if type(v) == "number" and v >= 0 then return v end
    return nil, "a number >= 0"
  elseif dt == "string" then
    if type(v) == "string" then return v end
    if type(v) == "table" then return coerce({}, v) end  -- by tier
    return nil, "a string"
  elseif dt == "table" then
    if type(v) ~= "table" then return nil, "a list or an object" end
    local out = {}
    if #default > 0 or #v > 0 then           -- a list
      for i, x in ipairs(v) do
        local c, why = coerce(default[1] or x, x)
        if c == nil then return nil, "a list of " .. why .. "s" end
        out[i] = c
      end
      return out
    end
    for k, x in pairs(default) do out[k] = x end
    for k, x in pairs(v) do
      if default[k] == nil and next(default) ~= nil then
        return nil, fmt("an object with keys %s", E.keys(default))
      end
      local c, why = coerce(default[k] or x, x)
      if c == nil then return nil, fmt("an object of %ss", why) end
      out[k] = c
    end
    return out
  end
  return v
end

function E.keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ", ")
end

-- Threshold overrides only tighten: the stricter of a and b.
local function stricter(a, b)
  if type(a) == "number" and type(b) == "number" then return math.min(a, b) end
  if type(a) == "table" and type(b) == "table" then
    local out = copy(a)
    for k, x in pairs(b) do
      if type(out[k]) == "number" and type(x) == "number" then out[k] = math.min(out[k], x) end
    end
    return out
  end
  return b
end

-- The settings of framework fw (its `defaults` and `hard` lists) under the
-- plan's compliance.profile.  Problems become warnings (the default is used).
function E.settings(fw, profile, warnings, overridden)
  overridden = overridden or {}
  local p = copy(E.defaults)
  for k, v in pairs(fw.defaults or {}) do p[k] = copy(v) end
  local hard = {}
  for _, k in ipairs(fw.hard or {}) do hard[k] = true end

  local function apply(key, v, where, tighten_only)
    if p[key] == nil then
      -- another framework's own setting written at the top level
      if where == "" and E.framework_settings[key] then return end
      warnings[#warnings + 1] = fmt("compliance.profile%s: unknown setting \"%s\" (known: %s)",
        where, key, E.keys(where == "" and E.defaults or p))
      return
    end
    local c, why = coerce(p[key], v)
    if c == nil then
      warnings[#warnings + 1] = fmt("compliance.profile%s.%s: expected %s; using the default",
        where, key, why)
      return
    end
    if tighten_only then c = stricter(p[key], c) end
    p[key] = c
    overridden[key] = true
  end

  if type(profile) == "table" then
    local keys = {}
    for k in pairs(profile) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v = profile[k]
      if FRAMEWORKS[k] then
        -- another framework's section, or this one's (applied below)
        if type(v) ~= "table" then
          warnings[#warnings + 1] = fmt("compliance.profile.%s: expected an object", k)
        end
      else
        apply(k, v, "", hard[k])
      end
    end
    local own = profile[fw.id]
    if type(own) == "table" then
      local okeys = {}
      for k in pairs(own) do okeys[#okeys + 1] = k end
      table.sort(okeys)
      for _, k in ipairs(okeys) do apply(k, own[k], "." .. fw.id, false) end
    end
  end
  return p
end

-- ---- small helpers -------------------------------------------------------

local function day(t) return drgen.format_date(t) end
local function time(t) return drgen.format_time(t) end

local function days_text(n)
  n = math.floor(n + 0.5)
  return fmt("%d day%s", n, n == 1 and "" or "s")
end

local function plural(n, word, words)
  return fmt("%d %s", n, n == 1 and word or (words or word .. "s"))
end

-- A limit given in minutes, in days when it is long.
local function limit_text(minutes)
  if minutes >= 2880 then return days_text(minutes / 1440) end
  return drgen.format_minutes(minutes)
end

local function age_text(seconds)
  if seconds < 2 * DAY then return drgen.format_minutes(math.floor(seconds / 60 + 0.5)) end
  return days_text(seconds / DAY)
end

-- An age beyond LIMIT minutes that does not round down onto the limit
-- ("5 minutes 1 second", not "5 minutes ... against an RPO of 5 minutes").
local function age_beyond(seconds, limit)
  if math.floor(seconds / 60 + 0.5) > limit or seconds >= 2 * DAY then return age_text(seconds) end
  local m, s = seconds // 60, seconds % 60
  local sec = fmt("%d second%s", s, s == 1 and "" or "s")
  if m == 0 then return sec end
  if s == 0 then return drgen.format_minutes(m) end
  return drgen.format_minutes(m) .. " " .. sec
end

local function set_of(list)
  local s = {}
  for _, x in ipairs(list or {}) do s[x] = true end
  return s
end

local function contains(view, x)
  for _, v in ipairs(view) do if v == x then return true end end
  return false
end

-- Glob with a trailing "*" (the only wildcard).
local function glob(pattern, s)
  if pattern:sub(-1) == "*" then
    local prefix = pattern:sub(1, -2)
    return s:sub(1, #prefix) == prefix
  end
  return s == pattern
end

local function glob_any(list, s)
  for _, p in ipairs(list) do if glob(p, s) then return true end end
  return false
end

-- Drill types by strength: tabletop < chaos = partial_failover < full_simulation.
local STRENGTH = { tabletop = 1, chaos = 2, partial_failover = 2, full_simulation = 3 }
E.drill_strength = STRENGTH

local function drill_ref(d)
  return { file = d.source, drill = d.id, date = day(d.date), type = d.type }
end

local function plan_ref(key, value)
  return { file = "plan.json", key = key, value = value }
end

local function copy_ref(ds_id, loc, lf)
  return { datastore = ds_id, location = loc, record = lf.newest_success_id,
           date = lf.newest_success and time(lf.newest_success) or nil }
end

-- ---- shared data and the evaluator of a framework ---------------------------

-- What every framework reads, read from the views once per build: services
-- and datastores as plain records, the drill index (Ev:drills), the
-- exceptions by control (Ev:exception_index), and check results (shared
-- by frameworks when a check would compute the same; Ev:shared_run).
-- Dropped by evaluate{phase = "end"}.
local shared

local function shared_data(ctx)
  if not shared then
    shared = { ctx = ctx, checks = {} }
  end
  return shared
end

local Ev = {}
Ev.__index = Ev

function E.new(ctx, fw, warnings)
  local model = ctx.model
  local ev = setmetatable({
    ctx = ctx, model = model, facts = ctx.facts, as_of = ctx.as_of,
    fw = fw, warnings = warnings or {}, scopes = {}, shared = shared_data(ctx),
  }, Ev)
  ev.overridden = {}
  ev.p = E.settings(fw, model.compliance.profile, ev.warnings, ev.overridden)
  ev.critical = set_of(ev.p.critical_tiers)
  ev.important = set_of(ev.p.important_tiers)
  return ev
end

-- A stable text of a value (tables with sorted keys), for cache keys.
local function serialize(v)
  if type(v) ~= "table" then return tostring(v) end
  local t = {}
  for k, x in pairs(v) do t[#t + 1] = tostring(k) .. "=" .. serialize(x) end
  table.sort(t)
  return "{" .. table.concat(t, ",") .. "}"
end

-- Check results are shared by every framework whose evaluator would
-- compute the same: same check and parameters, same scope tag, and the
-- same values of the settings the check read.  Ev:run records those
-- reads the first time a check runs (critical_tiers and important_tiers
-- always count: Ev:scope reads them through ev.critical and ev.important),
-- so frameworks whose settings differ only where a check does not look
-- (NIST's baseline, DORA's regime and grace factors) share its result.
-- shared.checks[key] lists the runs of one check: { read = { [setting] =
-- serialized value }, r = result }.
local ALWAYS_READ = { "critical_tiers", "important_tiers" }

function Ev:shared_run(key)
  local runs = self.shared.checks[key]
  if not runs then
    runs = {}
    self.shared.checks[key] = runs
  end
  for _, run in ipairs(runs) do
    local same = true
    for k, v in pairs(run.read) do
      if serialize(self.p[k]) ~= v then same = false; break end
    end
    if same then return run.r, runs end
  end
  return nil, runs
end

-- Calls check fn with the settings seen through a table that notes each
-- setting read; returns the result and the settings read.
function Ev:run_recording(fn, c)
  local p, read = self.p, {}
  for _, k in ipairs(ALWAYS_READ) do read[k] = serialize(p[k]) end
  self.p = setmetatable({}, {
    __index = function(_, k)
      local v = p[k]
      if read[k] == nil then read[k] = serialize(v) end
      return v
    end,
    __newindex = function(_, k, v) p[k] = v end,
  })
  local r = fn(self, c)
  self.p = p
  return r, read
end

-- Every service as a plain record { s, id, tier, rto, rpo } (read once).
function Ev:all_services()
  local sh = self.shared
  if not sh.services then
    local list, by_id = {}, {}
    local tiers = self.ctx.tiers
    for i, s in ipairs(self.model.services) do
      local t = tiers[i]
      local rec = { s = s, id = s.id, tier = t.tier, rto = t.rto_minutes, rpo = t.rpo_minutes }
      list[i] = rec
      by_id[rec.id] = rec
    end
    sh.services, sh.by_id = list, by_id
  end
  self.by_id = sh.by_id
  return sh.services
end

-- The services the framework covers: all, or those carrying its tag
-- (self.in_base names them).
function Ev:base()
  if self._base then return self._base end
  local all = self:all_services()
  local b, in_base = all, {}
  if self.fw.scope_tag then
    b = {}
    for _, rec in ipairs(all) do
      if contains(rec.s.data_scope, self.fw.scope_tag) then b[#b + 1] = rec end
    end
  end
  for _, rec in ipairs(b) do in_base[rec.id] = true end
  self._base, self.in_base = b, in_base
  return b
end

local SCOPE_NOUN = {
  all = { "service", "services" },
  critical = { "tier 1 service", "tier 1 services" },
  important = { "critical or important service", "critical or important services" },
  multi_region = { "service of a multi-region tier", "services of a multi-region tier" },
}

-- Services of the base in scope `name`: all, critical (tier 1), important
-- (DORA's critical or important functions), multi_region (the tier's
-- strategy spans regions).
function Ev:scope(name)
  name = name or "all"
  if self.scopes[name] then return self.scopes[name] end
  local out = {}
  for _, rec in ipairs(self:base()) do
    local keep
    if name == "all" then keep = true
    elseif name == "critical" then keep = self.critical[rec.tier]
    elseif name == "important" then keep = self.important[rec.tier]
    elseif name == "multi_region" then keep = rec.s.facts.multi_region_required
    else error("unknown scope \"" .. tostring(name) .. "\"") end
    if keep then out[#out + 1] = rec end
  end
  self.scopes[name] = out
  return out
end

-- "3 tier 1 services", "1 service tagged ephi"; without n: "tier 1 services".
function Ev:scope_text(name, n)
  local noun = SCOPE_NOUN[name or "all"]
  local t = n and plural(n, noun[1], noun[2]) or noun[2]
  if self.fw.scope_tag then t = fmt("%s tagged %s", t, self.fw.scope_tag) end
  return t
end

-- Every datastore of the base services as a plain record (read once):
-- { ds, id, crit, svc, f = its facts, b = its backup summary }, and the
-- lists by criticality.
function Ev:stores(criticalities)
  local key = "stores:" .. table.concat(criticalities or {}, ",")
  if self.scopes[key] then return self.scopes[key] end
  local all = self.scopes["stores:"]
  if not all then
    local sh = self.shared
    if not sh.stores then
      local list = {}
      self:all_services()
      for _, ds in ipairs(self.model.datastores) do
        local svc = sh.by_id[ds.service]
        list[#list + 1] = { ds = ds, id = ds.id, crit = ds.criticality, svc = svc,
                            f = ds.facts, b = ds.backups }
      end
      sh.stores = list
    end
    self:base()
    if not self.fw.scope_tag then
      all = sh.stores
    else
      all = {}
      for _, st in ipairs(sh.stores) do
        if self.in_base[st.svc.id] then all[#all + 1] = st end
      end
    end
    self.scopes["stores:"] = all
  end
  if not criticalities then return all end
  local want = set_of(criticalities)
  local out = {}
  for _, st in ipairs(all) do
    if want[st.crit] then out[#out + 1] = st end
  end
  self.scopes[key] = out
  return out
end

-- Drill records (Ev:drills) keep only what the checks scan; the rest is
-- read from the view when a reason or a reference needs it, and kept.
local DrillRec = {
  __index = function(t, k)
    local v
    if k == "n_issues" then v = #t.view.issues else v = t.view[k] end
    if v ~= nil then rawset(t, k, v) end
    return v
  end,
}

-- Every drill (model.drills holds none dated after as-of: the loader left
-- them out, so every consumer sees the same set), read from the views once:
-- { view, date, type, svc = { [service id] = result index, or 0 when the
-- drill names the service in its scope only } } (id, source, notes, ...
-- come from the view); `list` in model order (by date), and
-- `by_service[id]` the drills naming a service, oldest first.
function Ev:drills()
  if self.shared.drills then return self.shared.drills end
  local list, by_service = {}, {}
  local n = 0
  for _, d in ipairs(self.model.drills) do
    local date = d.date
    local svc = {}
    local rec = setmetatable({ view = d, date = date, type = d.type, svc = svc }, DrillRec)
    n = n + 1
    list[n] = rec
    for k, r in ipairs(d.results) do
      local sid = r.service
      if not svc[sid] then
        local l = by_service[sid]
        if l then l[#l + 1] = rec else by_service[sid] = { rec } end
      end
      svc[sid] = k
    end
    for _, sid in ipairs(d.scope_services) do
      if not svc[sid] then
        svc[sid] = 0
        local l = by_service[sid]
        if l then l[#l + 1] = rec else by_service[sid] = { rec } end
      end
    end
  end
  self.shared.drills = { list = list, by_service = by_service }
  return self.shared.drills
end

-- The result of service `id` in drill record d (a view) and its index, or nil.
local function result_of(d, id)
  local k = d.svc[id]
  if k and k > 0 then return d.view.results[k], k end
  return nil
end

local NO_DRILLS = {}

-- The drills naming service `id`, oldest first.
function Ev:service_drills(id)
  return self:drills().by_service[id] or NO_DRILLS
end

function Ev:age_days(t)
  return (self.as_of - t) / DAY
end

-- ---- check results ---------------------------------------------------------

local function new_result(ev, check)
  return { check = check, items = {}, n = 0, n_pass = 0, evidence = {}, metrics = {},
           keep = ev.p.evidence_max }
end

-- One subject's outcome.  `related` names a second service the outcome is
-- about (a single-region dependency), so an exception for that service
-- covers it too.
local function item(res, status, subject, service, detail, evidence, related)
  res.n = res.n + 1
  if status == "pass" then
    res.n_pass = res.n_pass + 1
    if evidence and #res.evidence < res.keep then
      if evidence[1] then
        for _, e in ipairs(evidence) do res.evidence[#res.evidence + 1] = e end
      else
        res.evidence[#res.evidence + 1] = evidence
      end
    end
    return
  end
  res.items[#res.items + 1] = {
    status = status, subject = subject, service = service, detail = detail,
    evidence = evidence, related = related,
  }
end

-- The reason of a set of non-passing items: the worst first, a few named.
function E.summarize(items, status, limit)
  limit = limit or 3
  local parts, more = {}, 0
  for pass = 1, 2 do
    for _, it in ipairs(items) do
      local first = (it.status == status)
      if (pass == 1) == first then
        if #parts < limit then parts[#parts + 1] = it.detail else more = more + 1 end
      end
    end
  end
  local s = table.concat(parts, "; ")
  if more > 0 then s = fmt("%s; and %d more", s, more) end
  return s
end

local function finish(res, pass_reason, empty_status, empty_reason)
  if res.n == 0 then
    res.status = empty_status or "n/a"
    res.reason = empty_reason or "nothing in scope"
    return res
  end
  local st = "pass"
  for _, it in ipairs(res.items) do st = worst(st, it.status) end
  res.status = st
  res.pass_reason = pass_reason
  if st == "pass" then
    res.reason = pass_reason
  else
    res.reason = E.summarize(res.items, st)
  end
  return res
end

-- ---- the checks (reference section 11) ------------------------------------

local C = {}
E.checks = C

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

local LOCATIONS = { "primary", "secondary", "offsite" }

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
  for _, st in ipairs(ev:stores(a.criticalities or { "critical", "important" })) do
    local f = st.f
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
  end
  return finish(res, fmt("%s, each with a copy at %s within its age limit",
      plural(res.n, "datastore"), table.concat(locs, " or ")),
    "n/a", "no critical or important datastores in scope")
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

-- The newest drill that restored service svc with full integrity, or nil.
local function drill_restore(ev, svc)
  local drills = ev:service_drills(svc.id)
  for k = #drills, 1, -1 do
    local d = drills[k]
    local r = result_of(d, svc.id)
    if r and r.recovered and r.data_integrity ~= nil and r.data_integrity >= 1 then return d end
  end
  return nil
end

local function store_label(st, n)
  return fmt("%s (%s, every %s)", st.id, st.crit, days_text(n))
end

-- R7: a successful restore test (or a drill that restored the service with
-- full integrity) within N days, N by criticality.
function C.restore_test_within_n_days(ev, a)
  local res = new_result(ev, "restore_test_within_n_days")
  local limits = a.max_age_days or ev.p.restore_test_max_age_days
  local as_of = ev.as_of
  local drill_cache = {}
  for _, st in ipairs(ev:stores(a.criticalities)) do
    local f, b = st.f, st.b
    local n = limits[st.crit] or 365
    local last, last_ref = f.last_restore_test, nil
    if last then
      last_ref = { datastore = st.id, record = f.last_restore_test_id, date = time(last),
                   verification = "restore_test" }
    end
    if drill_cache[st.svc.id] == nil then drill_cache[st.svc.id] = drill_restore(ev, st.svc) or false end
    local d = drill_cache[st.svc.id]
    if d and (last == nil or d.date > last) then
      last, last_ref = d.date, drill_ref(d)
    end
    local verified
    for _, loc in ipairs(LOCATIONS) do
      local v = b.at[loc].newest_verified
      if v and (verified == nil or v > verified) then verified = v end
    end
    local failed = f.last_restore_test_failed
    local function label() return store_label(st, n) end
    if failed and (last == nil or failed > last) then
      item(res, "fail", st.id, st.svc.id,
        fmt("%s: newest restore test %s failed on %s and none passed since", label(),
          f.last_restore_test_failed_id or "?", day(failed)),
        { datastore = st.id, record = f.last_restore_test_failed_id, date = time(failed),
          verification = "restore_test", result = "failed" })
    elseif last and (as_of - last) <= n * DAY then
      item(res, "pass", st.id, st.svc.id, nil, last_ref)
    elseif verified and (as_of - verified) <= n * DAY and a.checksum_passes then
      item(res, "pass", st.id, st.svc.id, nil,
        { datastore = st.id, verified = time(verified) })
    elseif verified and (as_of - verified) <= n * DAY then
      item(res, "partial", st.id, st.svc.id,
        fmt("%s: copies verified (newest %s) but %s", label(), day(verified),
          last and ("last restore test " .. day(last)) or "never restore-tested"),
        last_ref or { datastore = st.id, verified = time(verified) })
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

-- An open action of drill d that names service svc (by id or name).
local function tracked_action(d, svc)
  local id, name = svc.id:lower(), (svc.s.name or svc.id):lower()
  for _, issue in ipairs(d.issues) do
    if issue.open then
      local title = (issue.title or ""):lower()
      if title:find(id, 1, true) or title:find(name, 1, true) then return issue end
    end
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
          local text = fmt("%s missed (%s against %s)", what, drgen.format_minutes(actual),
            drgen.format_minutes(target))
          local action = tracked_action(d.view, rec)
          if target <= 0 or actual > 2 * target then
            st = worst(st, "fail"); problems[#problems + 1] = text .. ", more than twice the target"
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

-- The escalation chain of a service, analysed once per chain.
local function chain_info(ev, s)
  ev.chains = ev.chains or {}
  local chain = s.escalation
  local info = ev.chains[chain]
  if info then return info end
  info = { levels = #chain, people = 0, contacts = {}, ids = {} }
  local seen = {}
  for _, step in ipairs(chain) do
    local c = step.contact_info
    if c and not seen[c.id] then
      seen[c.id] = true
      info.people = info.people + 1
      info.contacts[#info.contacts + 1] = c
      info.ids[#info.ids + 1] = c.id
    end
  end
  ev.chains[chain] = info
  return info
end

local function role_matches(c, patterns)
  local text = ((c.role or "") .. " " .. (c.name or "") .. " " .. (c.id or "")):lower()
  for _, p in ipairs(patterns) do
    if text:find(p, 1, true) then return true end
  end
  return false
end

-- R11: owners, escalation paths, channels and verification of contacts.
function C.contacts_complete(ev, a)
  local res = new_result(ev, "contacts_complete")
  local p = ev.p
  local as_of = ev.as_of
  local scope_name = a.scope or "critical"
  local owned = {}
  local people = {}          -- contact id -> contact, for verification
  local critical_chain = {}  -- contact id -> true (on a tier-1 chain)
  local in_scope = {}
  for _, rec in ipairs(ev:scope(scope_name)) do in_scope[rec.id] = true end

  for _, rec in ipairs(ev:base()) do
    local s = rec.s
    local problems, st = {}, "pass"
    local hard = in_scope[rec.id] and "fail" or "partial"
    local owner = s.owner_contact
    if not owner then
      st = hard; problems[#problems + 1] = "no owner"
    else
      people[owner.id] = owner
      if in_scope[rec.id] then owned[owner.id] = (owned[owner.id] or 0) + 1 end
    end
    if in_scope[rec.id] then
      local ci = chain_info(ev, s)
      if ci.levels == 0 then
        st = worst(st, "fail"); problems[#problems + 1] = "no escalation path"
      else
        if ci.levels < p.escalation_min_levels or ci.people < p.escalation_min_people then
          st = worst(st, "partial")
          problems[#problems + 1] = fmt("escalation path of %s and %s", plural(ci.levels, "level"),
            plural(ci.people, "person", "people"))
        end
        for _, c in ipairs(ci.contacts) do
          people[c.id] = c
          critical_chain[c.id] = true
        end
        if a.require_role then
          local found = false
          for _, c in ipairs(ci.contacts) do
            if role_matches(c, a.require_role) then found = true; break end
          end
          if not found then
            st = worst(st, "partial")
            problems[#problems + 1] = fmt("no %s contact on its escalation path", a.role_text or a.require_role[1])
          end
        end
      end
    end
    if st == "pass" then
      item(res, "pass", rec.id, rec.id, nil, nil)
    else
      item(res, st, rec.id, rec.id, fmt("%s: %s", rec.id, table.concat(problems, ", ")),
        { file = "plan.json", service = rec.id })
    end
  end

  -- contacts: channels (on tier-1 chains) and verification
  local ids = {}
  for id in pairs(people) do ids[#ids + 1] = id end
  table.sort(ids)
  local max_age = p.contact_verification_max_age_days
  for _, id in ipairs(ids) do
    local c = people[id]
    local problems, st = {}, "pass"
    if critical_chain[id] then
      local channels = (c.email and 1 or 0) + (c.phone and 1 or 0)
      if channels < p.contact_min_channels then
        st = "partial"; problems[#problems + 1] = plural(channels, "channel")
      end
    end
    if c.last_verified == nil then
      st = "partial"; problems[#problems + 1] = "never verified"
    elseif (as_of - c.last_verified) > max_age * DAY then
      st = "partial"
      problems[#problems + 1] = fmt("last verified %s, more than %s ago", day(c.last_verified),
        days_text(max_age))
    end
    if (owned[id] or 0) > p.key_person_max then
      st = "partial"
      problems[#problems + 1] = fmt("owns %s (key-person risk)", ev:scope_text(scope_name, owned[id]))
    end
    if st == "pass" then
      item(res, "pass", "contact:" .. id, nil, nil, nil)
    else
      item(res, st, "contact:" .. id, nil, fmt("contact %s: %s", id, table.concat(problems, ", ")),
        { file = "plan.json", contact = id,
          last_verified = c.last_verified and day(c.last_verified) or nil })
    end
  end
  res.evidence = { plan_ref("contacts", plural(#ids, "contact")) }
  return finish(res, fmt("every service has an owner; %s have an escalation path of %d or more people " ..
      "with %d channels each; %s verified within %s",
      ev:scope_text(scope_name), p.escalation_min_people, p.contact_min_channels,
      plural(#ids, "contact"), days_text(max_age)),
    "n/a", "no services in scope")
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

-- The service an issue title names, if any (for exceptions).
local function issue_service(ev, d, issue)
  local title = (issue.title or ""):lower()
  for _, r in ipairs(d.results) do
    if title:find(r.service:lower(), 1, true) then return r.service end
  end
  return nil
end

-- R12: open drill actions past their due date.
function C.open_drill_findings_overdue(ev, a)
  local res = new_result(ev, "open_drill_findings_overdue")
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
    res.n = 1; res.n_pass = 1
    res.evidence = { plan_ref("drills", plural(n_drills, "drill")) }
  end
  return finish(res, fmt("no drill action is past its due date (%d open, %d closed, over %s)",
    n_open, n_closed, plural(n_drills, "drill")))
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

-- A drill of one of `types` (or whose id or notes name a keyword) within
-- max_age days, anywhere in the plan.
function C.drill_type_recent(ev, a)
  local res = new_result(ev, "drill_type_recent")
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

-- The newest attestation of `topic` dated at or before as-of: pass when it
-- is current, `attest` otherwise.
function Ev:attestation(topic, max_age_days)
  self.att_cache = self.att_cache or {}
  local key = topic .. "|" .. tostring(max_age_days)
  if self.att_cache[key] then return self.att_cache[key] end
  local as_of = self.as_of
  local newest, future
  for _, at in ipairs(self.model.attestations) do
    if at.topic == topic then
      if at.date <= as_of then
        if newest == nil or at.date > newest.date then newest = at end
      else
        future = at
      end
    end
  end
  local r = { topic = topic }
  -- an explicit max age always applies; the default only to attestations
  -- that carry no expiry date
  local max_age = (max_age_days or self.p.attestation_max_age_days) * DAY
  if newest == nil then
    r.status = "attest"
    r.reason = future and fmt("the attestation of %s is dated %s, after the as-of date", topic, day(future.date))
      or fmt("no attestation of %s on record", topic)
  else
    r.attester, r.role, r.date = newest.attester, newest.role, day(newest.date)
    r.expires = newest.expires and day(newest.expires) or nil
    r.evidence = { file = "plan.json", attestation = topic, attester = newest.attester,
                   date = day(newest.date), expires = r.expires, ref = newest.evidence }
    if newest.expires ~= nil and newest.expires < as_of then
      r.status = "attest"
      r.reason = fmt("the attestation of %s by %s expired on %s", topic, newest.attester or "?", r.expires)
    elseif (newest.expires == nil or max_age_days) and as_of - newest.date > max_age then
      r.status = "attest"
      r.reason = fmt("the attestation of %s by %s (%s) is older than %s", topic,
        newest.attester or "?", r.date, days_text(max_age / DAY))
    else
      r.status = "pass"
      r.reason = fmt("%s attested by %s on %s%s", topic, newest.attester or "?", r.date,
        r.expires and (", valid until " .. r.expires) or "")
    end
  end
  self.att_cache[key] = r
  return r
end

-- ---- exceptions ---------------------------------------------------------------

-- "A.8.13", "a.8.13", "8.13" and "§164.308(a)" all name the same control.
local function norm_control(id)
  id = id:lower():gsub("%s+", ""):gsub("§", "")
  id = id:gsub("^art%.?", ""):gsub("^a%.(%d)", "%1")
  return id
end
E.norm_control = norm_control

-- The plan's exceptions, read once per build and indexed by the control
-- they name (normalized, without the framework prefix), in plan order:
-- plain records { control, fw (the prefix in lowercase, or nil),
-- services (a list; empty: every service), justification, approved_by,
-- expires }.
function Ev:exception_index()
  local sh = self.shared
  if sh.exceptions then return sh.exceptions end
  local by_control = {}
  for _, x in ipairs(self.model.exceptions) do
    local c = x.control or ""
    local fw, cid = c:match("^([^:]+):(.*)$")
    if not fw then cid = c end
    local services = {}
    for i, sid in ipairs(x.services) do services[i] = sid end
    local ex = { control = x.control, fw = fw and fw:lower(), services = services,
                 justification = x.justification, approved_by = x.approved_by,
                 expires = x.expires }
    local key = norm_control(cid)
    local l = by_control[key]
    if l then l[#l + 1] = ex else by_control[key] = { ex } end
  end
  sh.exceptions = by_control
  return by_control
end

local NO_EXCEPTIONS = {}

-- The exceptions naming control `id` of this framework: active and expired.
function Ev:exceptions(id)
  local active, expired = {}, {}
  for _, ex in ipairs(self:exception_index()[norm_control(id)] or NO_EXCEPTIONS) do
    if ex.fw == nil or ex.fw == self.fw.id then
      if ex.expires ~= nil and ex.expires < self.as_of then
        expired[#expired + 1] = ex
      else
        active[#active + 1] = ex
      end
    end
  end
  return active, expired
end

local function exception_scope(ex)
  if #ex.services == 0 then return "every service" end
  local t = {}
  for _, s in ipairs(ex.services) do t[#t + 1] = s end
  return table.concat(t, ", ")
end

local function exception_ref(ex)
  return { file = "plan.json", exception = ex.control, services = exception_scope(ex),
           approved_by = ex.approved_by, expires = ex.expires and day(ex.expires) or nil }
end

-- The items of check result r with the active exceptions applied; returns
-- the items, the resulting status and the exceptions used.
local function apply_waivers(r, active)
  if #active == 0 or r.status == "pass" or r.status == "n/a" or #r.items == 0 then
    return r.items, r.status, {}
  end
  -- the first active exception covering an item is the one applied:
  -- by service, the position of the first exception naming it (or of the
  -- first naming no service, which covers every item)
  local first, every = {}, nil
  for k = #active, 1, -1 do
    local x = active[k]
    if #x.services == 0 then every = k end
    for _, sid in ipairs(x.services) do first[sid] = k end
  end
  local items, st, used, seen = {}, "pass", {}, {}
  for _, it in ipairs(r.items) do
    local k = every
    local ks = it.service ~= nil and first[it.service]
    if ks and (k == nil or ks < k) then k = ks end
    local kr = it.related ~= nil and first[it.related]
    if kr and (k == nil or kr < k) then k = kr end
    local ex = k and active[k]
    if ex then
      items[#items + 1] = { status = "waived", subject = it.subject, service = it.service,
                            related = it.related, detail = it.detail, evidence = it.evidence,
                            waived_from = it.status }
      if not seen[ex] then seen[ex] = true; used[#used + 1] = ex end
    else
      items[#items + 1] = it
    end
    st = worst(st, items[#items].status)
  end
  return items, st, used
end

-- ---- controls -----------------------------------------------------------------

-- Keys of a check entry that shape how a control uses the check rather
-- than the check itself: informational (shown, not counted), cap (the
-- status is at worst this), at_best (a pass counts only as this, for the
-- reason given in why), no_data = "fail" (absent evidence fails here),
-- label (the name shown).
local RESERVED = { informational = true, cap = true, at_best = true, why = true, no_data = true,
                   label = true }

local function params_key(name, c)
  local ks = {}
  for k in pairs(c) do
    if type(k) == "string" and not RESERVED[k] then ks[#ks + 1] = k end
  end
  table.sort(ks)
  local parts = { name }
  local function ser(v)
    if type(v) == "table" then
      local t = {}
      for kk, vv in pairs(v) do t[#t + 1] = tostring(kk) .. "=" .. ser(vv) end
      table.sort(t)
      return "{" .. table.concat(t, ",") .. "}"
    end
    return tostring(v)
  end
  for _, k in ipairs(ks) do parts[#parts + 1] = k .. "=" .. ser(c[k]) end
  return table.concat(parts, ";")
end

-- Runs check c = { "name", param = value, ... }, or returns the result of
-- an earlier run that computed the same (see Ev:shared_run).
function Ev:run(c)
  local name = c[1]
  local key = params_key(name, c) .. "|" .. tostring(self.fw.scope_tag)
  local r, runs = self:shared_run(key)
  if r then return r end
  local fn = C[name]
  if not fn then error(fmt("%s: unknown check \"%s\"", self.fw.id, tostring(name)), 2) end
  local read
  r, read = self:run_recording(fn, c)
  runs[#runs + 1] = { read = read, r = r }
  return r
end

-- Fields that identify an evidence reference (for removing duplicates).
local REF_KEYS = { "file", "key", "value", "service", "datastore", "location", "record", "drill",
                   "issue", "contact", "attestation", "exception" }

local function ref_key(e)
  if type(e) ~= "table" then return e end
  local t = {}
  for i, k in ipairs(REF_KEYS) do t[i] = tostring(e[k]) end
  return table.concat(t, "\1")
end

-- Collects evidence references without duplicates, up to a limit; past
-- the limit references are only counted (the count may include repeats).
local function collector(limit)
  local c = { list = {}, seen = {}, more = 0, limit = limit }
  function c.add(e)
    if e == nil or (type(e) == "table" and next(e) == nil) then return end
    if type(e) == "table" and e[1] ~= nil then
      for _, x in ipairs(e) do c.add(x) end
      return
    end
    if #c.list >= c.limit then c.more = c.more + 1; return end
    local key = ref_key(e)
    if c.seen[key] then return end
    c.seen[key] = true
    c.list[#c.list + 1] = e
  end
  -- the evidence of a list of items: only as many as can still be listed
  function c.add_items(items)
    for i, it in ipairs(items) do
      if #c.list >= c.limit then
        c.more = c.more + (#items - i + 1)
        return
      end
      c.add(it.evidence)
    end
  end
  function c.done()
    if c.more > 0 then
      c.list[#c.list + 1] = fmt("and %d more evidence reference%s", c.more, c.more == 1 and "" or "s")
    end
    return c.list
  end
  return c
end

local function na_control(fw, def, reason)
  return { framework = fw.id, control = def.id, title = def.title, status = "n/a",
           reason = reason, evidence = {}, ask = def.ask, checks = {} }
end

-- Judges one control (see the header for the rules).
function Ev:control(def)
  local fw = self.fw
  if def.withdrawn then
    return na_control(fw, def, "withdrawn in this revision: " .. def.withdrawn)
  end
  if self.na_reason then return na_control(fw, def, self.na_reason) end
  if def.applies then
    local why = def.applies(self)
    if why then return na_control(fw, def, why) end
  end

  local out = { framework = fw.id, control = def.id, title = def.title, ask = def.ask }
  local active, expired = self:exceptions(def.id)
  local ev_refs = collector(self.p.evidence_max)
  local checks, notes = {}, {}
  local machine, n_machine = "n/a", 0
  local worst_reasons, pass_reasons = {}, {}
  local waived_items, used_ex = {}, {}
  local pending = {}

  local def_checks = def.checks
  if type(def_checks) == "function" then def_checks = def_checks(self) end
  for _, c in ipairs(def_checks or {}) do
    local r = self:run(c)
    local items, st, used = apply_waivers(r, active)
    for _, ex in ipairs(used) do
      if not used_ex[ex] then used_ex[ex] = true; used_ex[#used_ex + 1] = ex end
    end
    local reason = r.reason
    if st ~= r.status then
      local rest = {}
      for _, it in ipairs(items) do
        if it.status == "waived" then waived_items[#waived_items + 1] = it
        else rest[#rest + 1] = it end
      end
      reason = #rest > 0 and E.summarize(rest, st) or ("waived: " .. E.summarize(items, "waived"))
    end
    if st == "no_data" and c.no_data == "fail" then
      st = "fail"
      reason = reason .. " (missing evidence counts as failing here)"
    end
    if c.cap and RANK[st] > RANK[c.cap] then st = c.cap end
    if c.at_best and st == "pass" then
      st = c.at_best
      reason = fmt("%s; %s at best, because %s", reason, c.at_best, c.why or "the data cannot show more")
    end
    checks[#checks + 1] = { check = c.label or c[1], status = st, reason = reason,
                            informational = c.informational or nil }
    pending[#pending + 1] = { items = items, r = r, informational = c.informational, status = st,
                              reason = reason }
    if not c.informational then
      machine = worst(machine, st)
      n_machine = n_machine + 1
    end
  end
  local seen_reason = {}
  for _, pnd in ipairs(pending) do
    if not pnd.informational and not seen_reason[pnd.reason] then
      seen_reason[pnd.reason] = true
      if pnd.status == machine then worst_reasons[#worst_reasons + 1] = pnd.reason end
      if pnd.status ~= "n/a" then pass_reasons[#pass_reasons + 1] = pnd.reason end
    end
  end

  -- attestations
  local atts, missing = {}, {}
  local def_attest = def.attest
  if type(def_attest) == "function" then def_attest = def_attest(self) end
  for _, a in ipairs(def_attest or {}) do
    local topic, max_age = a, nil
    if type(a) == "table" then topic, max_age = a[1], a.max_age_days end
    local r = self:attestation(topic, max_age)
    atts[#atts + 1] = { topic = topic, status = r.status, reason = r.reason,
                        attester = r.attester, date = r.date, expires = r.expires }
    if r.evidence then ev_refs.add(r.evidence) end
    if r.status ~= "pass" then missing[#missing + 1] = r end
  end
  -- HIPAA addressable specifications: a documented rationale stands in for
  -- machine evidence.
  local rationale
  if def.addressable then
    rationale = self:attestation("addressable_rationale:" .. def.id)
    if rationale.status == "pass" then ev_refs.add(rationale.evidence) end
  end

  -- combine
  local status, reason
  if n_machine == 0 and #atts == 0 then
    status, reason = "attest", def.attest_reason or "only a human attestation can show this"
  elseif machine == "n/a" and #atts == 0 then
    status, reason = "n/a", table.concat(worst_reasons, "; ")
  elseif n_machine == 0 or machine == "n/a" then
    if #missing > 0 then
      status = "attest"
      local t = {}
      for _, m in ipairs(missing) do t[#t + 1] = m.reason end
      reason = table.concat(t, "; ")
    else
      status = "pass"
      local t = {}
      for _, x in ipairs(atts) do t[#t + 1] = self:attestation(x.topic).reason end
      reason = table.concat(t, "; ")
    end
  else
    status = machine
    if status == "pass" or status == "waived" then
      if #missing > 0 then
        status = "partial"
        local t = {}
        for _, m in ipairs(missing) do t[#t + 1] = m.reason end
        reason = "attestation outstanding: " .. table.concat(t, "; ") ..
          (machine == "pass" and "; the data checks pass" or "")
      elseif status == "pass" then
        for _, x in ipairs(atts) do pass_reasons[#pass_reasons + 1] = x.reason end
        reason = table.concat(pass_reasons, "; ")
      end
    else
      reason = table.concat(worst_reasons, "; ")
      if #missing > 0 then
        local t = {}
        for _, m in ipairs(missing) do t[#t + 1] = m.topic end
        reason = reason .. "; attestation also outstanding: " .. table.concat(t, ", ")
      end
    end
  end

  if rationale and rationale.status == "pass" and status ~= "pass" and status ~= "n/a" then
    reason = fmt("addressable specification met by a documented alternative (%s); data checks: %s",
      rationale.reason, reason)
    status = "pass"
  end

  -- a whole-control exception (no services named) also covers attestations
  if status ~= "pass" and status ~= "n/a" and status ~= "waived" then
    for _, ex in ipairs(active) do
      if #ex.services == 0 then
        status = "waived"
        if not used_ex[ex] then used_ex[ex] = true; used_ex[#used_ex + 1] = ex end
        break
      end
    end
  end

  if status == "waived" then
    local parts = {}
    for _, ex in ipairs(used_ex) do
      parts[#parts + 1] = fmt("waived for %s by the exception approved by %s until %s: %s",
        exception_scope(ex), ex.approved_by or "?", ex.expires and day(ex.expires) or "no expiry",
        ((ex.justification or "no justification given"):gsub("%.$", "")))
    end
    local what = {}
    for _, it in ipairs(waived_items) do what[#what + 1] = it.detail end
    reason = table.concat(parts, "; ")
    if #what > 0 then reason = reason .. " (waived: " .. table.concat(what, "; ") .. ")" end
  elseif #used_ex > 0 then
    local parts = {}
    for _, ex in ipairs(used_ex) do
      parts[#parts + 1] = fmt("%s waived by exception until %s", exception_scope(ex),
        ex.expires and day(ex.expires) or "no expiry")
    end
    reason = reason .. "; " .. table.concat(parts, "; ")
  end
  if #used_ex > 0 then
    local ex = used_ex[1]
    out.exception = { control = ex.control, services = exception_scope(ex),
                      justification = ex.justification, approved_by = ex.approved_by,
                      expires = ex.expires and day(ex.expires) or nil }
    for _, x in ipairs(used_ex) do ev_refs.add(exception_ref(x)) end
  end
  for _, ex in ipairs(expired) do
    notes[#notes + 1] = fmt("the exception for %s expired on %s and is not applied",
      exception_scope(ex), day(ex.expires))
    ev_refs.add(exception_ref(ex))
  end
  if #notes > 0 then reason = (reason or "") .. "; " .. table.concat(notes, "; ") end

  -- evidence: what did not pass first, then what did
  for _, pnd in ipairs(pending) do ev_refs.add_items(pnd.items) end
  for _, pnd in ipairs(pending) do ev_refs.add(pnd.r.evidence) end

  out.status = status
  out.reason = reason
  out.evidence = ev_refs.done()
  out.checks = checks
  if #atts > 0 then out.attestations = atts end
  return out
end

-- ---- frameworks -----------------------------------------------------------------

-- The evaluator and header of framework fw: scope, regime, warnings.
local function start(fw, ctx)
  local warnings = {}
  local ev = E.new(ctx, fw, warnings)
  if fw.prepare then fw.prepare(ev) end
  local scope_text
  if fw.scope_tag then
    local n = #ev:base()
    if n == 0 then
      ev.na_reason = fmt("no service carries the data_scope tag \"%s\", so %s does not apply",
        fw.scope_tag, fw.name)
      scope_text = fmt("no service tagged %s", fw.scope_tag)
    else
      local ids = {}
      for _, rec in ipairs(ev:base()) do ids[#ids + 1] = rec.id end
      scope_text = fmt("%s tagged %s: %s", plural(n, "service"), fw.scope_tag,
        table.concat(ids, ", ", 1, math.min(#ids, 10)) .. (#ids > 10 and ", ..." or ""))
    end
  else
    scope_text = fmt("all %s", plural(#ev:base(), "service"))
  end
  if ev.scope_note then scope_text = scope_text .. "; " .. ev.scope_note end
  ev.done = {}
  ev.by_def = {}
  for _, def in ipairs(fw.controls) do ev.by_def[def.id] = def end
  return ev, {
    framework = fw.id, name = fw.name, scope = scope_text, regime = ev.regime,
    warnings = warnings, count = #fw.controls,
  }
end

-- Control `def` of the evaluator's framework (memoized; an aggregate is the
-- worst of the controls it names).
local function judge(ev, def)
  local c = ev.done[def.id]
  if c then return c end
  local fw = ev.fw
  if not def.aggregate then
    c = ev:control(def)
  elseif ev.na_reason then
    c = na_control(fw, def, ev.na_reason)
  else
    local st, parts = "n/a", {}
    local refs = collector(ev.p.evidence_max)
    for _, id in ipairs(def.aggregate) do
      local x = judge(ev, ev.by_def[id])
      st = worst(st, x.status)
      parts[#parts + 1] = fmt("%s %s", id, x.status)
      refs.add(fmt("%s %s", fw.id, id))
    end
    c = { framework = fw.id, control = def.id, title = def.title, ask = def.ask,
          status = st, reason = "worst of its parts: " .. table.concat(parts, ", "),
          evidence = refs.done(), checks = {} }
  end
  ev.done[def.id] = c
  return c
end

-- Frameworks being evaluated (between their start and their last control).
local running = {}

-- The framework file of `name` (compliance/NAME.lua: a table of controls).
local function framework(name)
  if type(name) ~= "string" or not name:match("^[%w_-]+$") then
    error(fmt("evaluate: invalid framework name %s", tostring(name)), 3)
  end
  local fw = require("compliance/" .. name)
  if type(fw) ~= "table" or type(fw.controls) ~= "table" then
    error(fmt("compliance/%s.lua must return a table with `controls`", name), 3)
  end
  fw.id = fw.id or name
  fw.name = fw.name or name
  return fw
end

-- The one entry point drgen calls, once per framework named in
-- compliance.frameworks:
--   evaluate{ framework = NAME, phase = "start" } -> { framework, name,
--       scope, regime, warnings, count }
--   evaluate{ framework = NAME, control = i }     -> control i (1..count)
-- and once at the end, evaluate{ phase = "end" }, which drops the shared
-- data.  One call per control keeps each call within the instruction
-- budget on large plans; what the calls share (the plan's data read into
-- plain tables, check results) lives in this module between them.
-- Without `phase` or `control`, returns the header with every control in
-- `controls` (rule authors, tests).
function E.evaluate(arg, ctx)
  if arg.phase == "end" then
    shared, running = nil, {}
    return {}
  end
  local name = arg.framework
  if arg.phase == "start" or arg.control == nil then
    local fw = framework(name)
    local ev, out = start(fw, ctx)
    if arg.phase == "start" then
      running[name] = out.count > 0 and ev or nil
      return out
    end
    out.controls = {}
    for i, def in ipairs(fw.controls) do out.controls[i] = judge(ev, def) end
    return out
  end
  local ev, i = running[name], arg.control
  if not ev or type(i) ~= "number" or not ev.fw.controls[i] then
    error(fmt("evaluate: control %s of %s without a start", tostring(i), tostring(name)), 2)
  end
  local c = judge(ev, ev.fw.controls[i])
  if i == #ev.fw.controls then running[name] = nil end
  return c
end

-- One check on its own (tests and rule authors): arg = { check = name,
-- params = {...}, framework = {id, scope_tag, defaults} }.
function E.run_check(arg, ctx)
  local fw = arg.framework or { id = "test", name = "test" }
  local ev = E.new(ctx, fw, {})
  local c = { arg.check }
  for k, v in pairs(arg.params or {}) do c[k] = v end
  local r = ev:run(c)
  return { status = r.status, reason = r.reason, items = r.items, n = r.n, n_pass = r.n_pass,
           metrics = r.metrics }
end

function E.run_attestation(arg, ctx)
  local ev = E.new(ctx, { id = "test", name = "test" }, {})
  local r = ev:attestation(arg.topic, arg.max_age_days)
  return { status = r.status, reason = r.reason }
end

return E
