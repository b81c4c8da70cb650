-- compliance/accountability.lua -- what makes an attestation, an exception
-- (a waiver) and a HIPAA addressable rationale acceptable to an auditor
-- (issue 13, items 10-12; docs/compliance.md, "Attestations" and
-- "Exceptions").  Policy lives here; compliance/evidence.lua applies it.
--
--   topics                   per attestation topic: max_age_days (the
--                            oldest an attestation may be, whatever its
--                            `expires`), independent (refused when the
--                            attester owns the plan or a service in scope),
--                            source (the framework text behind the number)
--   exception_max_months     the longest an exception may run, from its
--                            approved_on to its expires (profile setting
--                            exception_max_months)
--   check_exceptions(...)    the plan's exceptions as a whole -> errors
--                            { exception = i, key, message, severity? } (exit 2;
--                            severity "warning": reported, the build goes on)

local A = {}

local fmt = string.format
local H = require("compliance/common")

-- Topics whose maximum age or independence a framework fixes.  Every other
-- topic is at most attestation_max_age_days old (365, a drgen convention:
-- most frameworks say "planned intervals").
A.topics = {
  internal_audit = {
    independent = true, max_age_days = 365,
    source = "ISO 22301 9.2 (planned intervals, objective and impartial auditors); "
      .. "DORA Art. 11(3) (independent internal audit)",
  },
  independent_tester = {
    independent = true, max_age_days = 365,
    source = "DORA Art. 24(4) (independent testers, conflicts of interest managed)",
  },
  media_location_review = { max_age_days = 365, source = "PCI DSS 9.4.1.2 (at least once every 12 months)" },
  crisis_comms_tested = { max_age_days = 365, source = "DORA Art. 11(6) (at least yearly)" },
  training_completed = { max_age_days = 365, source = "NIST CP-3 (FedRAMP: annually)" },
}

A.exception_max_months = 12

-- Topics of HIPAA addressable specifications: "addressable_rationale:<id>".
A.addressable_prefix = "addressable_rationale:"

-- The maximum age in days of an attestation of `topic` for a control that
-- asks for `control_max` (or nil), under the profile's default.
function A.max_age_days(topic, control_max, default)
  local t = A.topics[topic]
  local m = default
  if t and t.max_age_days and t.max_age_days < m then m = t.max_age_days end
  if control_max and control_max < m then m = control_max end
  return m
end

-- Why attester `id` is not independent of the plan and of the services
-- `recs` (plain service records), or nil.
function A.conflict(model, id, recs)
  if model.plan.owner == id then return "owns the plan" end
  local owned = {}
  for _, rec in ipairs(recs) do
    if rec.s.owner == id then owned[#owned + 1] = rec.id end
  end
  if #owned > 0 then
    table.sort(owned)
    return fmt("owns %s %s", #owned == 1 and "service" or "services",
      table.concat(owned, ", ", 1, math.min(#owned, 3)) .. (#owned > 3 and ", ..." or ""))
  end
  return nil
end

-- ---- exceptions -----------------------------------------------------------

-- Edit distance of a and b (insertions, deletions, substitutions and
-- swaps of two neighbours: "A.8.41" is one edit from "A.8.14"), or cap + 1
-- once beyond cap.
local function distance(a, b, cap)
  if math.abs(#a - #b) > cap then return cap + 1 end
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    local best = cap + 1
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:sub(i, i) == b:sub(j - 1, j - 1) and a:sub(i - 1, i - 1) == b:sub(j, j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
      if v < best then best = v end
    end
    if best > cap then return cap + 1 end
  end
  return d[#a][#b]
end
A.distance = distance

-- ", did you mean \"x\"" for the name of `names` closest to s, or "".
function A.suggest(s, names)
  local cap = #s >= 8 and 2 or 1
  local best, best_d
  for _, n in ipairs(names) do
    local d = distance(s:lower(), n:lower(), cap)
    if d <= cap and (best_d == nil or d < best_d or (d == best_d and n < best)) then
      best, best_d = n, d
    end
  end
  return best and fmt(", did you mean \"%s\"", best) or ""
end

local KNOWN_FRAMEWORKS = { "iso22301", "iso27001", "soc2", "nist80053", "hipaa", "pci", "dora" }

-- The framework file `name`, or nil when there is none.
local function framework(name)
  if not name:match("^[%w_-]+$") then return nil end
  local ok, fw = pcall(require, "compliance/" .. name)
  if ok and type(fw) == "table" and type(fw.controls) == "table" then return fw end
  return nil
end

-- Checks every exception of the plan: a framework-prefixed control that
-- exists, checks the control uses, an approver who does not own what is
-- waived, and a duration within the rules' maximum.  norm_control
-- normalizes a control id; max_months the longest duration.
function A.check_exceptions(ctx, norm_control, max_months, check_names)
  local errors = {}
  local model = ctx.model
  local function err(i, key, msg, ...)
    errors[#errors + 1] = { exception = i, key = key, message = fmt(msg, ...) }
  end
  local function warn(i, key, msg, ...)
    errors[#errors + 1] = { exception = i, key = key, message = fmt(msg, ...), severity = "warning" }
  end
  local evaluated = {}
  for _, f in ipairs(model.compliance.frameworks) do evaluated[f] = true end
  local by_id = {}
  for _, s in ipairs(model.services) do by_id[s.id] = s end
  local ds_service = {}
  for _, ds in ipairs(model.datastores) do ds_service[ds.id] = ds.service end

  for i, x in ipairs(model.exceptions) do
    local label = fmt("exception \"%s\"", x.id or "?")
    local prefix, cid = (x.control or ""):match("^([^:]+):(.+)$")
    if not prefix then
      -- which frameworks have such a control, to say how to write it
      local has = {}
      for _, name in ipairs(model.compliance.frameworks) do
        local fw = framework(name)
        for _, def in ipairs(fw and fw.controls or {}) do
          if norm_control(def.id) == norm_control(x.control or "") then
            has[#has + 1] = name .. ":" .. def.id
          end
        end
      end
      err(i, "control", "%s: control \"%s\" does not name its framework; write framework:id%s",
        label, x.control or "",
        #has > 0 and (" (" .. table.concat(has, " or ") .. ")") or " (e.g. iso27001:A.8.13)")
    else
      local fwname = prefix:lower()
      local fw = framework(fwname)
      if not fw then
        local names = {}
        for _, f in ipairs(KNOWN_FRAMEWORKS) do names[#names + 1] = f end
        for _, f in ipairs(model.compliance.frameworks) do
          if not H.contains(names, f) then names[#names + 1] = f end
        end
        err(i, "control", "%s: there is no framework \"%s\"%s", label, prefix,
          A.suggest(fwname, names))
      elseif not evaluated[fwname] then
        -- a framework set aside for now: the exception is checked, not applied
        warn(i, "control", "%s: framework %s is not in compliance.frameworks, so the exception "
          .. "is not applied", label, fwname)
      end
      if fw then
        local def, ids = nil, {}
        for _, d in ipairs(fw.controls) do
          ids[#ids + 1] = d.id
          if norm_control(d.id) == norm_control(cid) then def = d end
        end
        if not def then
          local normed, back = {}, {}
          for _, id in ipairs(ids) do
            local n = norm_control(id)
            normed[#normed + 1] = n
            back[n] = id
          end
          local hint = A.suggest(norm_control(cid), normed)
          local near = hint:match('"(.*)"')
          err(i, "control", "%s: %s has no control \"%s\"%s", label, fwname, cid,
            near and fmt(", did you mean \"%s:%s\"", fwname, back[near]) or "")
        elseif #x.checks > 0 then
          local used = {}
          if type(def.checks) == "table" then
            for _, c in ipairs(def.checks) do used[#used + 1] = c.label or c[1] end
          end
          for k, name in ipairs(x.checks) do
            local known = (#used > 0 and H.contains(used, name)) or
              (#used == 0 and check_names[name])
            if not known then
              local names = used
              if #names == 0 then
                names = {}
                for n in pairs(check_names) do names[#names + 1] = n end
                table.sort(names)
              end
              err(i, "checks/" .. (k - 1), "%s: %s %s does not use the check \"%s\"%s%s",
                label, fwname, def.id, name, A.suggest(name, names),
                #used > 0 and (" (its checks: " .. table.concat(used, ", ") .. ")") or "")
            end
          end
        end
      end
    end

    -- the approver must not own what is waived
    local owners = {}
    for _, sid in ipairs(x.services) do
      if by_id[sid] then owners[#owners + 1] = { by_id[sid].owner, "service " .. sid } end
    end
    for _, dsid in ipairs(x.datastores) do
      local sid = ds_service[dsid]
      if sid and by_id[sid] then
        owners[#owners + 1] = { by_id[sid].owner, fmt("service %s (datastore %s)", sid, dsid) }
      end
    end
    if #x.services == 0 and #x.datastores == 0 then
      owners[#owners + 1] = { model.plan.owner, "the plan" }
    end
    for _, o in ipairs(owners) do
      if o[1] ~= nil and o[1] == x.approved_by then
        err(i, "approved_by", "%s: approved by %s, who owns %s; an exception is approved by "
          .. "someone other than the owner of what it waives", label, x.approved_by, o[2])
        break
      end
    end

    -- the duration
    if x.approved_on and x.expires then
      local limit = drgen.months_after(x.approved_on, max_months)
      if x.expires > limit then
        err(i, "expires", "%s: runs from %s to %s, longer than the %d months the rules allow "
          .. "(expires on %s at the latest)", label, H.day(x.approved_on), H.day(x.expires),
          max_months, H.day(limit))
      end
    end
  end
  return errors
end

return A
