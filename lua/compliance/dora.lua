-- compliance/dora.lua -- EU DORA, Regulation (EU) 2022/2554: ICT business
-- continuity (Article 11), backup and recovery (Article 12) and resilience
-- testing (Articles 24 and 25), with Commission Delegated Regulation (EU)
-- 2024/1774 (the RTS): Article 24 for central counterparties, central
-- securities depositories and trading venues, and Title III (Articles 39
-- and 40) for the simplified ICT risk management framework.
--
-- Two independent flags shape the regime (docs/compliance.md):
--   article_16      an entity of DORA Art. 16(1): Articles 5 to 15 do not
--                   apply (11 and 12 are n/a); RTS Title III does; Chapter
--                   IV (Articles 24 and 25) still applies
--   microenterprise Art. 3(60): Articles 11 and 12 apply with their "other
--                   than microenterprises" carve-outs (11(3) without the
--                   internal audit, 11(6) without the switchover and
--                   cyber-attack scenarios, 11(7) n/a, 12(4) an assessment
--                   attestation); 24(1), 24(4), 24(5) and 24(6) are n/a
-- Both come from organization.entity_type unless the profile sets them.
-- `regime` (or entity_type) names the market infrastructures with extra
-- duties: csd (Art. 12(5), RTS Art. 24(3)), ccp (RTS Art. 24(2)) and
-- trading_venue (RTS Art. 24(4)).  n/a reasons quote the article.
-- "Critical or important functions" are the services of the tiers in
-- `important_tiers` (default tiers 1 and 2).  DORA fixes yearly reviews
-- and tests: those limits are hard, as are the RTS Art. 24 limits.

local M = {
  id = "dora",
  name = "EU DORA (Regulation 2022/2554)",
  defaults = {
    regime = "auto",
    article_16 = false,
    microenterprise = false,
    review_grace = 1.0,
    drill_grace = 1.0,
    -- RTS 2024/1774 Art. 24(2)(a), 24(3)(b), 24(4)(a): two hours
    rts24_max_rto_minutes = 120,
    -- RTS Art. 24(4)(b): data loss "close to zero" for trading venues;
    -- drgen reads it as at most this many minutes
    rts24_trading_venue_max_rpo_minutes = 5,
  },
  hard = { "review_max_age_days", "drill_max_age_days", "review_grace", "drill_grace",
           "rts24_max_rto_minutes", "rts24_trading_venue_max_rpo_minutes" },
}

-- entity_type values (lowercase, "-" and " " as "_").
local ARTICLE_16 = {
  small_non_interconnected_investment_firm = true,
  exempted_payment_institution = true, payment_institution_exempted = true,
  exempted_credit_institution = true, credit_institution_exempted = true,
  exempted_electronic_money_institution = true, electronic_money_institution_exempted = true,
  small_iorp = true,
}
local MICRO = { microenterprise = true, micro = true }
local KINDS = {
  csd = "csd", central_securities_depository = "csd",
  ccp = "ccp", central_counterparty = "ccp",
  trading_venue = "trading_venue", regulated_market = "trading_venue",
  mtf = "trading_venue", multilateral_trading_facility = "trading_venue",
  otf = "trading_venue", organised_trading_facility = "trading_venue",
}

local REGIMES = { standard = true, csd = true, ccp = true, trading_venue = true, simplified = true }

function M.prepare(ev)
  local p = ev.p
  local t = (ev.model.organization.entity_type or ""):lower():gsub("[%s%-]", "_")
  local kind = p.regime
  if kind == "auto" then
    kind = KINDS[t] or "standard"
  elseif not REGIMES[kind] then
    ev.warnings[#ev.warnings + 1] = string.format(
      "compliance.profile.dora.regime: \"%s\" is not auto, standard, csd, ccp or trading_venue; " ..
      "using standard", kind)
    kind = "standard"
  end
  local art16, micro = p.article_16, p.microenterprise
  if not ev.overridden.article_16 then art16 = ARTICLE_16[t] or false end
  if not ev.overridden.microenterprise then micro = MICRO[t] or false end
  -- "simplified" (earlier versions): an Art. 16(1) entity
  if kind == "simplified" then kind, art16 = "standard", true end
  ev.kind, ev.article_16, ev.micro = kind, art16, micro
  local parts = {}
  if kind ~= "standard" or not (art16 or micro) then parts[1] = kind end
  if art16 then parts[#parts + 1] = "article_16" end
  if micro then parts[#parts + 1] = "microenterprise" end
  ev.regime = table.concat(parts, "+")
  -- RTS 2024/1774 Art. 40: Art. 16(1) entities restore-test yearly (unless
  -- the profile says otherwise).
  if art16 and not ev.overridden.restore_test_max_age_days then
    p.restore_test_max_age_days = { critical = 365, important = 365, standard = 365 }
  end
  local notes = {}
  if kind ~= "standard" then notes[#notes + 1] = kind:gsub("_", " ") end
  if art16 then
    notes[#notes + 1] = "Art. 16(1) entity: simplified ICT risk management framework (RTS 2024/1774 Title III)"
  end
  if micro then notes[#notes + 1] = "microenterprise (Art. 3(60))" end
  ev.scope_note = #notes > 0 and table.concat(notes, "; ") or "standard regime"
end

-- Why a paragraph is n/a, in the article's words.
local ART16_NA = "DORA Art. 16(1): \"Articles 5 to 15 of this Regulation shall not apply\" to the " ..
  "entities it lists; this one follows the simplified ICT risk management framework " ..
  "(RTS 2024/1774 Title III)"

local function outside_art16(ev)
  if ev.article_16 then return ART16_NA end
end

-- n/a for microenterprises (and, for Articles 11 and 12, Art. 16(1) entities).
local function not_micro(words, art11_12)
  return function(ev)
    if art11_12 and ev.article_16 then return ART16_NA end
    if ev.micro then
      return words .. "; this entity is a microenterprise (DORA Art. 3(60))"
    end
  end
end

local function art16_only(ev)
  if not ev.article_16 then
    return "RTS 2024/1774 Title III applies to \"the financial entities referred to in Article 16(1) " ..
      "of Regulation (EU) 2022/2554\"; this entity is not one of them" ..
      (ev.micro and " (a microenterprise follows DORA Arts 11 and 12 with their carve-outs)" or "")
  end
end

local function csd_only(ev)
  if ev.article_16 then return ART16_NA end
  if ev.kind ~= "csd" then
    return "DORA Art. 12(5): \"Central securities depositories shall maintain at least one secondary " ..
      "processing site\"; this entity is not a central securities depository"
  end
end

local function market_infrastructure_only(ev)
  if ev.kind ~= "ccp" and ev.kind ~= "csd" and ev.kind ~= "trading_venue" then
    return "RTS 2024/1774 Art. 24(2) to (4) add recovery limits for \"central counterparties\", " ..
      "\"central securities depositories\" and \"trading venues\" only; this entity is none of them"
  end
end

-- RTS Art. 24: the recovery objectives of the critical or important
-- functions within two hours (trading venues: data loss close to zero).
local function rts24_checks(ev)
  local c = { "recovery_limits", scope = "important", max_rto_minutes = ev.p.rts24_max_rto_minutes }
  if ev.kind == "trading_venue" then c.max_rpo_minutes = ev.p.rts24_trading_venue_max_rpo_minutes end
  return { c }
end

-- Articles 11 and 12: n/a for Art. 16(1) entities.
local A16 = outside_art16

M.controls = {
  {
    id = "Art. 11(1)", title = "ICT business continuity policy",
    applies = A16,
    attest = { "bc_policy_approved" },
    ask = "The ICT business continuity policy approved by the management body",
  },
  {
    id = "Art. 11(2)", title = "Business continuity arrangements for critical or important functions",
    applies = A16,
    checks = {
      { "recovery_objectives_defined", scope = "important" },
      { "contacts_complete", scope = "important" },
    },
    ask = "Scenario-specific containment plans and the procedure for reporting to the competent authority",
  },
  {
    id = "Art. 11(3)", title = "ICT response and recovery plans, independently audited",
    applies = A16,
    checks = { { "plan_reviewed_within_12_months" } },
    -- "in the case of financial entities other than microenterprises,
    -- shall be subject to independent internal audit reviews"
    attest = function(ev)
      if ev.micro then return {} end
      return { "internal_audit" }
    end,
    ask = "The internal audit report on the response and recovery plans (not required of microenterprises)",
  },
  {
    id = "Art. 11(4)", title = "Testing of ICT business continuity plans",
    applies = A16,
    checks = { { "drill_coverage", scope = "important" } },
    ask = "Evidence that ICT third-party providers of critical functions took part in the tests",
  },
  {
    id = "Art. 11(5)", title = "Business impact analysis and redundancy of critical components",
    applies = A16,
    checks = {
      { "recovery_objectives_defined" },
      { "redundant_region_for_tier1", scope = "important" },
    },
    ask = "The scenarios and qualitative criteria of the business impact analysis",
  },
  {
    id = "Art. 11(6)", title = "Yearly testing of the continuity plans of all functions",
    applies = A16,
    checks = function(ev)
      local c = { { "drill_coverage", scope = "all", min_type = "tabletop" } }
      -- "financial entities, other than microenterprises, shall include in
      -- the testing plans scenarios of cyber-attacks and switchovers"
      if not ev.micro then
        c[#c + 1] = { "drill_coverage", scope = "important", min_type = "partial_failover",
                      cap = "partial", label = "switchover_tested" }
        c[#c + 1] = { "drill_type_recent", types = { "chaos" }, keywords = { "ransomware", "cyber" },
                      what = "cyber-attack scenario or chaos drill", cap = "partial" }
      end
      return c
    end,
    attest = { "crisis_comms_tested" },
    ask = "Tests run after substantive changes to the systems of critical or important functions",
  },
  {
    id = "Art. 11(7)", title = "Crisis management function",
    applies = not_micro("DORA Art. 11(7): \"Financial entities, other than microenterprises, shall " ..
      "have a crisis management function\"", true),
    checks = { { "contacts_complete", scope = "important", require_role = { "crisis" },
                 role_text = "crisis management" } },
    ask = "The crisis-management procedures for internal and external communication",
  },
  {
    id = "Art. 12(1)", title = "Backup policies and restoration procedures",
    applies = A16,
    checks = {
      { "backup_currency_within_rpo" },
      { "restore_test_within_n_days" },
    },
    ask = "The documented backup policy: scope of data and minimum frequency by criticality",
  },
  {
    id = "Art. 12(2)", title = "Backup systems activated securely; periodic testing",
    applies = A16,
    checks = {
      { "restore_test_within_n_days" },
      { "encryption_at_rest_for_backups" },
      { "immutable_copy" },
    },
  },
  {
    id = "Art. 12(3)", title = "Segregated systems for restoring backups",
    applies = A16,
    checks = { { "offsite_copy_exists", at_best = "partial",
                 why = "an offsite copy is not a segregated restoration environment; where restores " ..
                   "run is not in the data" } },
    ask = "The design that keeps the systems backups are restored on physically and logically " ..
      "segregated from the source systems",
  },
  {
    id = "Art. 12(4)", title = "Redundant ICT capacities",
    applies = A16,
    -- "Microenterprises shall assess the need to maintain such redundant
    -- ICT capacities based on their risk profile."
    checks = function(ev)
      if ev.micro then return {} end
      return { { "redundant_region_for_tier1", scope = "important" } }
    end,
    attest = function(ev)
      if ev.micro then return { "redundancy_need_assessed" } end
      return {}
    end,
    ask = "Evidence that the redundant capacity is adequate for business needs (for a microenterprise: " ..
      "its assessment, based on its risk profile, of the need for redundant ICT capacities)",
  },
  {
    id = "Art. 12(5)", title = "Secondary processing site (central securities depositories)",
    applies = csd_only,
    checks = { { "redundant_region_for_tier1", scope = "important" } },
    ask = "The risk profile of the secondary site and staff access to it",
  },
  {
    id = "Art. 12(6)", title = "Recovery time and recovery point objectives per function",
    applies = A16,
    checks = {
      { "recovery_objectives_defined", scope = "important" },
      { "rto_achieved_in_last_drill", scope = "important", no_data = "fail" },
    },
    ask = "How the objectives were set for extreme scenarios and market impact",
  },
  {
    id = "Art. 12(7)", title = "Integrity checks and reconciliation on recovery",
    applies = A16,
    checks = {
      { "drill_coverage", scope = "important", integrity = true },
      { "restore_test_within_n_days", checksum_passes = true },
    },
    ask = "Reconciliations of data rebuilt from external stakeholders",
  },
  {
    id = "Art. 24(1)", title = "Digital operational resilience testing programme",
    applies = not_micro("DORA Art. 24(1): \"financial entities, other than microenterprises, shall [...] " ..
      "establish, maintain and review a sound and comprehensive digital operational resilience " ..
      "testing programme\""),
    checks = { { "drill_coverage", scope = "important", variety = true } },
    ask = "The testing programme document",
  },
  {
    id = "Art. 24(4)", title = "Independent testers",
    applies = not_micro("DORA Art. 24(4): \"Financial entities, other than microenterprises, shall " ..
      "ensure that tests are undertaken by independent parties, whether internal or external\""),
    attest = { "independent_tester" },
    ask = "Who ran the tests, and how conflicts of interest were managed",
  },
  {
    id = "Art. 24(5)", title = "Remediation of test findings",
    applies = not_micro("DORA Art. 24(5): \"Financial entities, other than microenterprises, shall " ..
      "establish procedures and policies to prioritise, classify and remedy all issues revealed " ..
      "throughout the performance of the tests\""),
    checks = { { "open_drill_findings_overdue" } },
    ask = "How findings are classified, and the internal validation that each was fully addressed",
  },
  {
    id = "Art. 24(6)", title = "Yearly testing of the systems of critical or important functions",
    applies = not_micro("DORA Art. 24(6): \"Financial entities, other than microenterprises, shall " ..
      "ensure, at least yearly, that appropriate tests are conducted on all ICT systems and " ..
      "applications supporting critical or important functions\""),
    checks = { { "drill_coverage", scope = "important" } },
  },
  {
    id = "Art. 25(1)", title = "Range of resilience tests",
    checks = { { "drill_type_recent", types = { "partial_failover", "full_simulation" },
                 what = "scenario-based failover test", at_best = "partial",
                 why = "a scenario-based test is one of the range of tests Art. 25(1) lists" } },
    ask = "Records of the other test types: vulnerability scans, penetration, performance and end-to-end tests",
  },
  {
    id = "RTS Art. 24", title = "Recovery within two hours (central counterparties, CSDs, trading venues)",
    applies = market_infrastructure_only,
    checks = rts24_checks,
    ask = "The ICT business continuity policy's provisions for end-of-day procedures and payments " ..
      "(CCPs), settlement (CSDs) or the resumption of trading (trading venues) within the limits",
  },
  {
    id = "RTS Art. 39", title = "Simplified regime: ICT business continuity plans",
    applies = art16_only,
    checks = {
      { "recovery_objectives_defined", scope = "important" },
      { "plan_reviewed_within_12_months" },
    },
    ask = "The scenarios the business continuity plans consider, and the backup and restore " ..
      "procedures they describe",
  },
  {
    id = "RTS Art. 40", title = "Simplified regime: yearly backup and restoration tests",
    applies = art16_only,
    checks = {
      { "restore_test_within_n_days", max_age_days = { critical = 365, important = 365, standard = 365 } },
      { "open_drill_findings_overdue" },
    },
    ask = "The report of test deficiencies to the management body",
  },
}

return M
