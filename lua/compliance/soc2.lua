-- compliance/soc2.lua -- SOC 2 (2017 Trust Services Criteria, points of
-- focus revised 2022): the availability criteria and the common criteria
-- about recovery and business disruption.
--
-- The criteria set no frequency ("periodic"); drgen's conventions apply
-- (E.defaults): 12 months for drills and reviews.

local M = {
  id = "soc2",
  name = "SOC 2 (TSC 2017, availability)",
  defaults = {},
  hard = {},
}

M.controls = {
  {
    id = "A1.1", title = "Capacity management",
    checks = { { "redundant_region_for_tier1", informational = true } },
    attest = { "capacity_planning" },
    ask = "Capacity monitoring and the demand forecast, including headroom for component failure",
  },
  {
    id = "A1.2", title = "Environmental protections, backup and recovery infrastructure",
    checks = {
      { "backup_currency_within_rpo" },
      { "backup_failures_remediated" },
      { "offsite_copy_exists" },
      { "redundant_region_for_tier1" },
      { "immutable_copy" },
    },
    ask = "Environmental protections (fire, power, water), or the hosting provider's SOC report",
  },
  {
    id = "A1.3", title = "Recovery plan testing",
    checks = {
      { "drill_coverage", scope = "critical" },
      { "rto_achieved_in_last_drill", scope = "critical", no_data = "fail" },
      { "restore_test_within_n_days" },
      { "plan_reviewed_within_12_months" },
      { "open_drill_findings_overdue" },
    },
    ask = "Test scenarios covering key-personnel and vendor unavailability",
  },
  {
    id = "CC7.4", title = "Incident response",
    checks = { { "contacts_complete" } },
    ask = "The incident-response programme: containment, remediation and communication",
  },
  {
    id = "CC7.5", title = "Recovery from identified security incidents",
    checks = {
      { "rto_achieved_in_last_drill", scope = "critical" },
      { "open_drill_findings_overdue" },
      { "plan_reviewed_within_12_months" },
      { "contacts_complete" },
      { "drill_type_recent", types = { "chaos" }, keywords = { "ransomware", "cyber" },
        what = "chaos or cyber-attack drill", cap = "partial" },
    },
    ask = "Root-cause analyses of real incidents and the changes that followed",
  },
  {
    id = "CC9.1", title = "Risk mitigation for business disruption",
    checks = {
      { "recovery_objectives_defined" },
      { "redundant_region_for_tier1" },
      { "offsite_copy_exists" },
      { "plan_reviewed_within_12_months" },
    },
    attest = { "insurance" },
    ask = "Insurance cover for business disruption",
  },
}

return M
