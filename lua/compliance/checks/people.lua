-- compliance/checks/people.lua -- the checks on people: owners, escalation
-- paths, contact channels and verification, key-person risk.
--
-- Each check is a function (ev, a) -> result: ev is the framework's
-- evaluator (compliance/evidence.lua), a the parameters of the control's
-- check; results are built with compliance/common.lua.

local fmt = string.format
local H = require("compliance/common")
local DAY, worst, day, days_text, plural, plan_ref, new_result, item, finish =
  H.DAY, H.worst, H.day, H.days_text, H.plural, H.plan_ref, H.new_result, H.item, H.finish

local C = {}

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

return C
