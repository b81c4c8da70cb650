-- compliance/common.lua -- what the engine (compliance/evidence.lua) and the
-- checks (compliance/checks/*.lua) share: statuses and their order, text
-- for ages and limits, evidence references, and the result of a check
-- built subject by subject.

local H = {}

local fmt = string.format
H.fmt = fmt

-- The RPO backup currency is judged against (docs/analysis.md): the RPO
-- itself, or the replication-lag tolerance when the RPO is 0.  The
-- tolerance never loosens an RPO above zero.
local function judged_rpo(rpo, tol)
  rpo = rpo or 0
  if rpo > 0 then return rpo end
  return tol or 0
end
local DAY = 86400

H.statuses = { "pass", "partial", "fail", "no_data", "attest", "waived", "alternative", "n/a" }

-- "Worse than": the order used to combine statuses.
local RANK = {
  ["n/a"] = 0, pass = 1, alternative = 2, waived = 3, partial = 4, attest = 5, no_data = 6, fail = 7,
}
H.rank = RANK

local function worst(a, b)
  if RANK[b] > RANK[a] then return b end
  return a
end
H.worst = worst

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
H.drill_strength = STRENGTH

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

-- The result of service `id` in drill record d (a view) and its index, or nil.
local function result_of(d, id)
  local k = d.svc[id]
  if k and k > 0 then return d.view.results[k], k end
  return nil
end

-- ---- check results ---------------------------------------------------------

local function new_result(ev, check)
  local keep = ev.p.evidence_max
  if not keep or keep <= 0 then keep = math.huge end   -- 0: no limit (the default)
  local listed = ev.p.check_subjects_max
  if not listed or listed <= 0 then listed = math.huge end
  -- passed: the passing subjects, kept while the check has judged no more
  -- than `listed` subjects in all (past that only counted)
  return { check = check, items = {}, n = 0, n_pass = 0, evidence = {}, metrics = {},
           keep = keep, listed = listed, passed = {} }
end

-- What an item's subject is, and its id: a datastore's item names its
-- service too, a service's names itself; the plan and contacts
-- ("contact:ID") say so in their subject; a check whose subjects are
-- something else (drills, drill actions) sets res.subject_type.
function H.subject_of(res, subject, service)
  if type(subject) ~= "string" then return nil end
  if service == nil and subject == "plan" then return "plan", subject end
  local contact = service == nil and subject:match("^contact:(.+)$")
  if contact then return "contact", contact end
  if res.subject_type then return res.subject_type, subject end
  if service == subject then return "service", subject end
  if service ~= nil then return "datastore", subject end
  return "other", subject
end

-- One subject's outcome.  `related` names a second service the outcome is
-- about (a single-region dependency), so an exception for that service
-- covers it too.
local function item(res, status, subject, service, detail, evidence, related)
  res.n = res.n + 1
  if res.n > res.listed then res.passed = nil end
  if status == "pass" then
    res.n_pass = res.n_pass + 1
    if res.passed then res.passed[#res.passed + 1] = { subject = subject, service = service } end
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

-- The reason of a set of non-passing items: those of `status` (the worst)
-- first, every one named once (a detail repeated by several items is
-- given once).  No "and N more": an auditor needs the whole list.
function H.summarize(items, status)
  local parts, seen = {}, {}
  for pass = 1, 2 do
    for _, it in ipairs(items) do
      local first = (it.status == status)
      if (pass == 1) == first and it.detail and not seen[it.detail] then
        seen[it.detail] = true
        parts[#parts + 1] = it.detail
      end
    end
  end
  return table.concat(parts, "; ")
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
    res.reason = H.summarize(res.items, st)
  end
  return res
end

local LOCATIONS = { "primary", "secondary", "offsite" }

H.DAY = DAY
H.judged_rpo = judged_rpo
H.worst = worst
H.RANK = RANK
H.day = day
H.time = time
H.days_text = days_text
H.plural = plural
H.limit_text = limit_text
H.age_text = age_text
H.age_beyond = age_beyond
H.set_of = set_of
H.contains = contains
H.glob = glob
H.glob_any = glob_any
H.STRENGTH = STRENGTH
H.drill_ref = drill_ref
H.plan_ref = plan_ref
H.copy_ref = copy_ref
H.result_of = result_of
H.new_result = new_result
H.item = item
H.finish = finish
H.LOCATIONS = LOCATIONS

return H
