-- compliance/iso27001.lua -- ISO/IEC 27001:2022 Annex A: the controls about
-- backup, redundancy and continuity that the plan's data can speak to.
--
-- Control ids are written as Annex A numbers with the "A." prefix tools
-- commonly use ("A.8.13"); an exception may name "iso27001:A.8.13" or
-- "8.13".  Thresholds are drgen's conventions (E.defaults); the standard
-- itself asks for "planned intervals".

local M = {
  id = "iso27001",
  name = "ISO/IEC 27001:2022 Annex A",
  defaults = {},
  hard = {},
}

M.controls = {
  {
    id = "A.5.24", title = "Information security incident management planning and preparation",
    checks = { { "contacts_complete" } },
    ask = "The approved incident-management procedure, its roles and how it was communicated",
  },
  {
    id = "A.5.26", title = "Response to information security incidents",
    checks = { { "rto_achieved_in_last_drill", scope = "critical", at_best = "partial",
                 why = "drills show the procedures work in an exercise; responses to real incidents " ..
                   "are not in the data" } },
    ask = "Records of real incidents and how the documented procedures were followed",
  },
  {
    id = "A.5.27", title = "Learning from information security incidents",
    checks = {
      { "open_drill_findings_overdue" },
      { "plan_reviewed_within_12_months" },
    },
    ask = "Post-incident reviews and the control changes they led to",
  },
  {
    id = "A.5.29", title = "Information security during disruption",
    checks = {
      { "encryption_at_rest_for_backups" },
      { "immutable_copy" },
    },
    ask = "Evidence that access control and logging at the recovery site match the primary",
  },
  {
    id = "A.5.30", title = "ICT readiness for business continuity",
    checks = {
      { "recovery_objectives_defined" },
      { "backup_currency_within_rpo" },
      { "drill_coverage", scope = "critical" },
      { "rto_achieved_in_last_drill", scope = "critical", no_data = "fail" },
      { "redundant_region_for_tier1" },
    },
    ask = "The approved ICT continuity requirements derived from the business continuity objectives",
  },
  {
    id = "A.7.10", title = "Storage media",
    -- every copy is on storage media, not only the offsite ones
    checks = { { "encryption_at_rest_for_backups", at_best = "partial",
                 why = "the backup records show how the copies are encrypted, not how the media " ..
                   "are handled, transported, reused or disposed of" } },
    ask = "Logs of media handling, transport, reuse and disposal",
  },
  {
    id = "A.8.13", title = "Information backup",
    checks = {
      { "backup_currency_within_rpo" },
      { "backup_failures_remediated" },
      { "offsite_copy_exists" },
      { "restore_test_within_n_days" },
    },
    ask = "The topic-specific backup policy, and backups of software and system images " ..
      "not modelled as datastores",
  },
  {
    id = "A.8.14", title = "Redundancy of information processing facilities",
    checks = { { "redundant_region_for_tier1", scope = "multi_region" } },
    ask = "The capacity of the redundant site against peak demand",
  },
  {
    id = "A.8.24", title = "Use of cryptography",
    checks = { { "encryption_at_rest_for_backups" } },
    attest = { "key_management" },
    ask = "The cryptography rules and the last key-management review",
  },
}

return M
