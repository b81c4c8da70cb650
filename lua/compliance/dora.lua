-- compliance/dora.lua -- EU DORA, Regulation (EU) 2022/2554: ICT business
-- continuity (Article 11), backup and recovery (Article 12) and resilience
-- testing (Articles 24 and 25), with the simplified regime of Commission
-- Delegated Regulation (EU) 2024/1774 (Articles 39 and 40).
--
-- The regime comes from organization.entity_type (or the profile's
-- `regime`): microenterprises and the other entities of DORA Article 16
-- follow the simplified regime, where the paragraphs written for
-- non-microenterprises are n/a; Article 12(5) applies to central
-- securities depositories only.  "Critical or important functions" are
-- the services of the tiers in `important_tiers` (default tiers 1 and 2).
-- DORA fixes yearly reviews and tests: those limits are hard.

local M = {
  id = "dora",
  name = "EU DORA (Regulation 2022/2554)",
  defaults = {
    regime = "auto",
    review_grace = 1.0,
    drill_grace = 1.0,
  },
  hard = { "review_max_age_days", "drill_max_age_days", "review_grace", "drill_grace" },
}

-- entity_type values that select a regime (lowercase, "-" and " " as "_").
local SIMPLIFIED = {
  microenterprise = true, micro = true,
  small_non_interconnected_investment_firm = true,
  exempted_payment_institution = true, payment_institution_exempted = true,
  exempted_electronic_money_institution = true, electronic_money_institution_exempted = true,
  small_iorp = true,
}
local CSD = { csd = true, central_securities_depository = true }
local CCP = { ccp = true, central_counterparty = true }

local REGIMES = { standard = true, simplified = true, csd = true, ccp = true }

function M.prepare(ev)
  local regime = ev.p.regime
  if regime == "auto" then
    local t = (ev.model.organization.entity_type or ""):lower():gsub("[%s%-]", "_")
    if SIMPLIFIED[t] then regime = "simplified"
    elseif CSD[t] then regime = "csd"
    elseif CCP[t] then regime = "ccp"
    else regime = "standard" end
  elseif not REGIMES[regime] then
    ev.warnings[#ev.warnings + 1] = string.format(
      "compliance.profile.dora.regime: \"%s\" is not auto, standard, simplified, csd or ccp; using standard",
      regime)
    regime = "standard"
  end
  ev.regime = regime
  -- RTS 2024/1774 Art. 40: under the simplified regime backups are
  -- restore-tested at least yearly (unless the profile says otherwise).
  if regime == "simplified" and not ev.overridden.restore_test_max_age_days then
    ev.p.restore_test_max_age_days = { critical = 365, important = 365, standard = 365 }
  end
  ev.scope_note = regime == "simplified" and "simplified regime (RTS 2024/1774 Title III)"
    or (regime .. " regime")
end

local function not_simplified(ev)
  if ev.regime == "simplified" then
    return "applies to entities outside the simplified regime only (DORA Art. 16)"
  end
end

local function simplified_only(ev)
  if ev.regime ~= "simplified" then
    return "applies under the simplified regime only; Articles 11, 12 and 24 cover this entity"
  end
end

local function csd_only(ev)
  if ev.regime ~= "csd" then return "applies to central securities depositories only" end
end

M.controls = {
  {
    id = "Art. 11(1)", title = "ICT business continuity policy",
    attest = { "bc_policy_approved" },
    ask = "The ICT business continuity policy approved by the management body",
  },
  {
    id = "Art. 11(2)", title = "Business continuity arrangements for critical or important functions",
    checks = {
      { "recovery_objectives_defined", scope = "important" },
      { "contacts_complete", scope = "important" },
    },
    ask = "Scenario-specific containment plans and the procedure for reporting to the competent authority",
  },
  {
    id = "Art. 11(3)", title = "ICT response and recovery plans, independently audited",
    checks = { { "plan_reviewed_within_12_months" } },
    attest = function(ev)
      if ev.regime == "simplified" then return {} end
      return { "internal_audit" }
    end,
    ask = "The internal audit report on the response and recovery plans",
  },
  {
    id = "Art. 11(4)", title = "Testing of ICT business continuity plans",
    checks = { { "drill_coverage", scope = "important" } },
    ask = "Evidence that ICT third-party providers of critical functions took part in the tests",
  },
  {
    id = "Art. 11(5)", title = "Business impact analysis and redundancy of critical components",
    checks = {
      { "recovery_objectives_defined" },
      { "redundant_region_for_tier1", scope = "important" },
    },
    ask = "The scenarios and qualitative criteria of the business impact analysis",
  },
  {
    id = "Art. 11(6)", title = "Yearly testing of the continuity plans of all functions",
    checks = function(ev)
      local c = { { "drill_coverage", scope = "all", min_type = "tabletop" } }
      if ev.regime ~= "simplified" then
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
    applies = not_simplified,
    checks = { { "contacts_complete", scope = "important", require_role = { "crisis" },
                 role_text = "crisis management" } },
    ask = "The crisis-management procedures for internal and external communication",
  },
  {
    id = "Art. 12(1)", title = "Backup policies and restoration procedures",
    checks = {
      { "backup_currency_within_rpo" },
      { "restore_test_within_n_days" },
    },
    ask = "The documented backup policy: scope of data and minimum frequency by criticality",
  },
  {
    id = "Art. 12(2)", title = "Backup systems activated securely; periodic testing",
    checks = {
      { "restore_test_within_n_days" },
      { "encryption_at_rest_for_backups" },
      { "immutable_copy" },
    },
  },
  {
    id = "Art. 12(3)", title = "Segregated systems for restoring backups",
    checks = { { "offsite_copy_exists", at_best = "partial",
                 why = "an offsite copy is not a segregated restoration environment; where restores " ..
                   "run is not in the data" } },
    ask = "The design that keeps the systems backups are restored on physically and logically " ..
      "segregated from the source systems",
  },
  {
    id = "Art. 12(4)", title = "Redundant ICT capacities",
    applies = not_simplified,
    checks = { { "redundant_region_for_tier1", scope = "important" } },
    ask = "Evidence that the redundant capacity is adequate for business needs",
  },
  {
    id = "Art. 12(5)", title = "Secondary processing site (central securities depositories)",
    applies = csd_only,
    checks = { { "redundant_region_for_tier1", scope = "important" } },
    ask = "The risk profile of the secondary site and staff access to it",
  },
  {
    id = "Art. 12(6)", title = "Recovery time and recovery point objectives per function",
    checks = {
      { "recovery_objectives_defined", scope = "important" },
      { "rto_achieved_in_last_drill", scope = "important", no_data = "fail" },
    },
    ask = "How the objectives were set for extreme scenarios and market impact",
  },
  {
    id = "Art. 12(7)", title = "Integrity checks and reconciliation on recovery",
    checks = {
      { "drill_coverage", scope = "important", integrity = true },
      { "restore_test_within_n_days", checksum_passes = true },
    },
    ask = "Reconciliations of data rebuilt from external stakeholders",
  },
  {
    id = "Art. 24(1)", title = "Digital operational resilience testing programme",
    applies = not_simplified,
    checks = { { "drill_coverage", scope = "important", variety = true } },
    ask = "The testing programme document",
  },
  {
    id = "Art. 24(4)", title = "Independent testers",
    attest = { "independent_tester" },
    ask = "Who ran the tests, and how conflicts of interest were managed",
  },
  {
    id = "Art. 24(5)", title = "Remediation of test findings",
    checks = { { "open_drill_findings_overdue" } },
    ask = "How findings are classified, and the internal validation that each was fully addressed",
  },
  {
    id = "Art. 24(6)", title = "Yearly testing of the systems of critical or important functions",
    applies = not_simplified,
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
    id = "RTS Art. 40", title = "Simplified regime: yearly backup and restoration tests",
    applies = simplified_only,
    checks = {
      { "restore_test_within_n_days", max_age_days = { critical = 365, important = 365, standard = 365 } },
      { "open_drill_findings_overdue" },
    },
    ask = "The report of test deficiencies to the management body",
  },
}

return M
