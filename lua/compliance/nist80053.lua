-- compliance/nist80053.lua -- NIST SP 800-53 Rev. 5, Contingency Planning
-- (CP) family, every control and enhancement from CP-1 to CP-13, with the
-- SP 800-53B baselines (each control's `base`: L, M, H).
--
-- Which controls are evaluated follows the baseline chosen in the profile
-- (`baseline`: low, moderate, high or all; default high); controls outside
-- it, and controls withdrawn in Rev. 5, are reported as n/a with the
-- reason.  Drill depth follows SP 800-34's impact mapping through the
-- tiers: tier 1 needs a full simulation, tier 2 a partial failover, lower
-- tiers a tabletop exercise.  Restore tests of critical datastores are due
-- monthly (the FedRAMP value of CP-9(1)); drgen's conventions otherwise.

local M = {
  id = "nist80053",
  name = "NIST SP 800-53 Rev. 5 (CP)",
  defaults = {
    baseline = "high",
    drill_min_type = { "full_simulation", "partial_failover", "tabletop", "tabletop" },
    restore_test_max_age_days = { critical = 30, important = 90, standard = 365 },
  },
  hard = {},
}

local BASELINES = { low = "L", moderate = "M", high = "H" }

local function in_baseline(def)
  return function(ev)
    local b = ev.p.baseline
    if b == "all" then return nil end
    local letter = BASELINES[b]
    if not letter then return nil end
    if not (def.base or ""):find(letter, 1, true) then
      return string.format("not selected by the %s baseline (compliance.profile.nist80053.baseline)", b)
    end
    return nil
  end
end

local function telecom(id, title, base)
  return {
    id = id, title = title, base = base,
    attest = { "telecom_alternates" },
    ask = "Alternate telecommunications agreements, their priority-of-service terms and test records",
  }
end

M.controls = {
  {
    id = "CP-1", title = "Policy and procedures", base = "LMH",
    attest = { "bc_policy_approved" },
    ask = "The contingency planning policy and procedures, with their last review date",
  },
  {
    id = "CP-2", title = "Contingency plan", base = "LMH",
    checks = {
      { "recovery_objectives_defined" },
      { "contacts_complete" },
      { "plan_reviewed_within_12_months" },
      { "open_drill_findings_overdue" },
    },
    ask = "The plan's distribution list, its coordination with incident handling, and how it is protected",
  },
  {
    id = "CP-2(1)", title = "Coordinate with related plans", base = "MH",
    attest = { "plan_coordination" },
    ask = "Evidence that the plan was coordinated with the owners of related plans (BCP, COOP, IR, crisis communications)",
  },
  {
    id = "CP-2(2)", title = "Capacity planning", base = "H",
    attest = { "capacity_planning" },
    ask = "Capacity planning for processing, telecommunications and environment during contingency operations",
  },
  {
    id = "CP-2(3)", title = "Resume mission and business functions", base = "MH",
    checks = {
      { "recovery_objectives_defined" },
      { "rto_achieved_in_last_drill", scope = "critical" },
    },
  },
  { id = "CP-2(4)", title = "Resume all mission and business functions", withdrawn = "incorporated into CP-2(3)" },
  {
    id = "CP-2(5)", title = "Continue mission and business functions", base = "H",
    checks = {
      { "redundant_region_for_tier1" },
      { "rto_achieved_in_last_drill", scope = "critical" },
    },
  },
  {
    id = "CP-2(6)", title = "Alternate processing and storage sites", base = "",
    checks = {
      { "redundant_region_for_tier1" },
      { "offsite_copy_exists" },
    },
  },
  {
    id = "CP-2(7)", title = "Coordinate with external service providers", base = "",
    attest = { "provider_plans_reviewed" },
    ask = "The external providers' contingency plans and how they align with this one",
  },
  {
    id = "CP-2(8)", title = "Identify critical assets", base = "MH",
    checks = { { "recovery_objectives_defined" } },
  },
  {
    id = "CP-3", title = "Contingency training", base = "LMH",
    checks = { { "drill_coverage", scope = "critical", min_type = "tabletop", informational = true } },
    attest = { "training_completed" },
    ask = "Training records per role, including refresher training after system changes",
  },
  {
    id = "CP-3(1)", title = "Simulated events", base = "H",
    checks = { { "drill_coverage", scope = "critical", min_type = "tabletop" } },
    attest = { "training_completed" },
    ask = "Training records showing simulated events were used",
  },
  {
    id = "CP-3(2)", title = "Mechanisms used in training environments", base = "",
    attest = { "training_environment" },
    ask = "The mechanisms that make the contingency training environment realistic, and how they are used",
  },
  {
    id = "CP-4", title = "Contingency plan testing", base = "LMH",
    checks = {
      { "drill_coverage", scope = "all" },
      { "open_drill_findings_overdue" },
    },
    ask = "The test plan and the review of test results",
  },
  {
    id = "CP-4(1)", title = "Coordinate with related plans", base = "MH",
    checks = { { "drill_coverage", scope = "critical", dependencies = true, min_type = "partial_failover",
                 at_best = "partial",
                 why = "a drill that includes the dependencies does not show that the test was " ..
                   "coordinated with the owners of the related plans" } },
    ask = "Evidence that testing was coordinated with the owners of related plans",
  },
  {
    id = "CP-4(2)", title = "Alternate processing site", base = "H",
    checks = { { "drill_coverage", scope = "critical", min_type = "partial_failover", at_best = "partial",
                 why = "the drills do not record in which region the recovery ran" } },
    ask = "Records showing the tests ran at the alternate processing site",
  },
  {
    id = "CP-4(3)", title = "Automated testing", base = "",
    checks = { { "drill_type_recent", types = { "chaos" }, what = "automated (chaos) test" } },
  },
  {
    id = "CP-4(4)", title = "Full recovery and reconstitution", base = "",
    checks = { { "drill_coverage", scope = "critical", min_type = "full_simulation", integrity = true } },
  },
  {
    id = "CP-4(5)", title = "Self-challenge", base = "",
    checks = { { "drill_type_recent", types = { "chaos" }, what = "chaos drill", missing = "fail" } },
  },
  { id = "CP-5", title = "Contingency plan update", withdrawn = "incorporated into CP-2" },
  {
    id = "CP-6", title = "Alternate storage site", base = "MH",
    checks = {
      { "offsite_copy_exists" },
      { "encryption_at_rest_for_backups" },
    },
    attest = { "alternate_site_agreement" },
    ask = "The agreement with the alternate storage site for storing and retrieving backups",
  },
  {
    id = "CP-6(1)", title = "Separation from primary site", base = "MH",
    checks = { { "offsite_copy_exists" } },
    ask = "Why the alternate storage site does not share the primary site's threats",
  },
  {
    id = "CP-6(2)", title = "Recovery time and recovery point objectives", base = "H",
    checks = { { "offsite_copy_exists", use_rpo = true, locations = { "secondary", "offsite" },
                 criticalities = { "critical" } } },
  },
  {
    id = "CP-6(3)", title = "Accessibility", base = "MH",
    attest = { "alternate_site_access" },
    ask = "The access problems to the alternate storage site in an area-wide disaster, and their mitigations",
  },
  {
    id = "CP-7", title = "Alternate processing site", base = "MH",
    checks = {
      { "redundant_region_for_tier1" },
      { "rto_achieved_in_last_drill", scope = "critical", no_data = "fail" },
    },
    ask = "Agreements for the alternate processing site and evidence of equivalent controls there",
  },
  {
    id = "CP-7(1)", title = "Separation from primary site", base = "MH",
    checks = { { "redundant_region_for_tier1" } },
    ask = "Why the regions used are far enough apart",
  },
  {
    id = "CP-7(2)", title = "Accessibility", base = "MH",
    attest = { "alternate_site_access" },
    ask = "The access problems to the alternate processing site in an area-wide disaster, and their mitigations",
  },
  {
    id = "CP-7(3)", title = "Priority of service", base = "MH",
    attest = { "alternate_site_agreement" },
    ask = "Priority-of-service terms in the alternate processing site agreements",
  },
  {
    id = "CP-7(4)", title = "Preparation for use", base = "H",
    checks = { { "rto_achieved_in_last_drill", scope = "critical" } },
  },
  { id = "CP-7(5)", title = "Equivalent information security safeguards", withdrawn = "incorporated into CP-7" },
  {
    id = "CP-7(6)", title = "Inability to return to primary site", base = "",
    attest = { "primary_site_loss_plan" },
    ask = "The plan for operating when the primary site cannot be returned to",
  },
  telecom("CP-8", "Telecommunications services", "MH"),
  telecom("CP-8(1)", "Priority of service provisions", "MH"),
  telecom("CP-8(2)", "Single points of failure", "MH"),
  telecom("CP-8(3)", "Separation of primary and alternate providers", "H"),
  telecom("CP-8(4)", "Provider contingency plan", "H"),
  telecom("CP-8(5)", "Alternate telecommunication service testing", ""),
  {
    id = "CP-9", title = "System backup", base = "LMH",
    checks = {
      { "backup_currency_within_rpo" },
      { "backup_failures_remediated" },
      { "encryption_at_rest_for_backups" },
      { "immutable_copy" },
      { "offsite_copy_exists" },
    },
    ask = "Backups of system-level information and documentation not modelled as datastores",
  },
  {
    id = "CP-9(1)", title = "Testing for reliability and integrity", base = "MH",
    -- media reliability and information integrity: an integrity check is that test
    checks = { { "restore_test_within_n_days", checksum_passes = true } },
  },
  {
    id = "CP-9(2)", title = "Test restoration using sampling", base = "H",
    checks = { { "drill_coverage", scope = "critical", integrity = true, at_best = "partial",
                 why = "the drills do not record that a sample of backup information was restored in them" } },
    ask = "Records of which backup sample was restored, into which system functions, during the " ..
      "contingency plan test",
  },
  {
    id = "CP-9(3)", title = "Separate storage for critical information", base = "H",
    checks = { { "offsite_copy_exists", criticalities = { "critical" } } },
    ask = "Backups of critical software and security configuration",
  },
  { id = "CP-9(4)", title = "Protection from unauthorized modification", withdrawn = "incorporated into CP-9" },
  {
    id = "CP-9(5)", title = "Transfer to alternate storage site", base = "H",
    checks = { { "offsite_copy_exists", use_rpo = true, locations = { "secondary", "offsite" } } },
  },
  {
    id = "CP-9(6)", title = "Redundant secondary system", base = "",
    checks = { { "continuous_replication" } },
  },
  {
    id = "CP-9(7)", title = "Dual authorization for deletion or destruction", base = "",
    checks = { { "immutable_copy", at_best = "partial",
                 why = "a retention lock is only part of dual authorization" } },
    attest = { "dual_authorization_deletion" },
    ask = "The dual-authorization procedure for deleting backups",
  },
  {
    id = "CP-9(8)", title = "Cryptographic protection", base = "MH",
    checks = { { "encryption_at_rest_for_backups" } },
    ask = "FIPS validation of the cryptographic modules and the key management",
  },
  {
    id = "CP-10", title = "System recovery and reconstitution", base = "LMH",
    checks = {
      { "rto_achieved_in_last_drill", scope = "critical", no_data = "fail" },
      { "restore_test_within_n_days" },
    },
  },
  { id = "CP-10(1)", title = "Contingency plan testing", withdrawn = "incorporated into CP-4" },
  {
    id = "CP-10(2)", title = "Transaction recovery", base = "MH",
    checks = { { "continuous_replication", informational = true } },
    attest = { "transaction_recovery" },
    ask = "How transaction-based systems are recovered to a consistent point",
  },
  { id = "CP-10(3)", title = "Compensating security controls", withdrawn = "addressed through tailoring" },
  {
    id = "CP-10(4)", title = "Restore within time period", base = "H",
    checks = { { "restore_test_within_n_days" } },
    ask = "Configuration control of the images components are restored from",
  },
  { id = "CP-10(5)", title = "Failover capability", withdrawn = "incorporated into SI-13" },
  {
    id = "CP-10(6)", title = "Component protection", base = "",
    checks = { { "immutable_copy" } },
    ask = "Access control on the backup and recovery systems",
  },
  {
    id = "CP-11", title = "Alternate communications protocols", base = "",
    attest = { "alternate_protocols" },
    ask = "The alternate communications protocols that keep operations running, and their last test",
  },
  {
    id = "CP-12", title = "Safe mode", base = "",
    attest = { "safe_mode" },
    ask = "The conditions that put the system into safe mode, and the restrictions that then apply",
  },
  {
    id = "CP-13", title = "Alternative security mechanisms", base = "",
    attest = { "alternative_security_mechanisms" },
    ask = "The alternative or supplemental security mechanisms used when the primary ones are compromised",
  },
}

-- SP 800-53B baseline membership, shown for every control (results.json
-- `baselines`, the audit report): "low", "moderate", "high", or none.
local BASELINE_NAMES = { { "L", "low" }, { "M", "moderate" }, { "H", "high" } }

for _, def in ipairs(M.controls) do
  local names = {}
  for _, b in ipairs(BASELINE_NAMES) do
    if (def.base or ""):find(b[1], 1, true) then names[#names + 1] = b[2] end
  end
  def.baselines = names
  if not def.withdrawn then def.applies = in_baseline(def) end
end

function M.prepare(ev)
  if not BASELINES[ev.p.baseline] and ev.p.baseline ~= "all" then
    ev.warnings[#ev.warnings + 1] = string.format(
      "compliance.profile.nist80053.baseline: \"%s\" is not low, moderate, high or all; using all",
      ev.p.baseline)
    ev.p.baseline = "all"
  end
  ev.scope_note = ev.p.baseline == "all" and "every CP control" or (ev.p.baseline .. " baseline")
end

return M
