-- compliance/hipaa.lua -- HIPAA Security Rule, 45 CFR 164.308(a)(7)
-- (contingency plan) and the related specifications.
--
-- Scope: the services whose data_scope carries "ephi", and their
-- datastores; without any, every control is n/a.  An addressable
-- specification is met by its checks; where it is declared not
-- implemented, a current attestation "addressable_rationale:<id>" with the
-- alternative measure, approved by the security official (the setting
-- security_official, a contact id), gives it the status "alternative"
-- (alternative measure documented) instead of partial, attest or no_data;
-- failing data stays a fail (evidence.lua, Ev:addressable).  "Exact
-- copies" are shown by verification, so a checksum counts as a test of
-- the data backup plan.

local M = {
  id = "hipaa",
  name = "HIPAA Security Rule 164.308(a)(7)",
  scope_tag = "ephi",
  -- the contact id of the HIPAA security official (164.308(a)(2)), who
  -- approves the documentation of addressable specifications
  defaults = { security_official = "" },
  hard = {},
}

local A = "164.308(a)(7)(ii)(A)"
local B = "164.308(a)(7)(ii)(B)"
local Cc = "164.308(a)(7)(ii)(C)"
local D = "164.308(a)(7)(ii)(D)"
local Ee = "164.308(a)(7)(ii)(E)"

M.controls = {
  {
    id = "164.308(a)(7)(i)", title = "Contingency plan (standard)",
    aggregate = { A, B, Cc, D, Ee },
  },
  {
    id = A, title = "Data backup plan (required)",
    checks = {
      { "backup_currency_within_rpo" },
      { "restore_test_within_n_days", checksum_passes = true },
    },
  },
  {
    id = B, title = "Disaster recovery plan (required)",
    checks = {
      { "restore_test_within_n_days" },
      { "plan_reviewed_within_12_months" },
    },
  },
  {
    id = Cc, title = "Emergency mode operation plan (required)",
    checks = { { "encryption_at_rest_for_backups" } },
    attest = { "emergency_mode_procedures" },
    ask = "The procedures that keep critical processes running, with ePHI protected, in emergency mode",
  },
  {
    id = D, title = "Testing and revision procedures (addressable)",
    addressable = true,
    checks = {
      { "drill_coverage", scope = "all" },
      { "plan_reviewed_within_12_months" },
      { "open_drill_findings_overdue" },
    },
  },
  {
    id = Ee, title = "Applications and data criticality analysis (addressable)",
    addressable = true,
    checks = { { "recovery_objectives_defined" } },
  },
  {
    id = "164.310(a)(2)(i)", title = "Contingency operations (addressable)",
    addressable = true,
    attest = { "facility_access_for_recovery" },
    ask = "Facility-access procedures that support restoring data under the contingency plan",
  },
  {
    id = "164.312(a)(2)(ii)", title = "Emergency access procedure (required)",
    attest = { "emergency_access_procedure" },
    ask = "The break-glass procedure for reaching ePHI during an emergency, and its last test",
  },
  {
    id = "164.312(a)(2)(iv)", title = "Encryption and decryption (addressable)",
    addressable = true,
    checks = { { "encryption_at_rest_for_backups", at_best = "partial",
                 why = "the backup records show the encryption of backup copies only, not of ePHI in " ..
                   "the systems that hold it" } },
    ask = "The mechanism that encrypts and decrypts ePHI at rest in the systems that hold it, " ..
      "and key management for the ePHI backups",
  },
  {
    id = "164.316(b)(2)", title = "Documentation: retention, availability and updates",
    checks = { { "plan_reviewed_within_12_months", at_best = "partial",
                 why = "a plan review shows (iii) updates only; retention for six years (i) and " ..
                   "availability to those who use it (ii) are not in the data" } },
    ask = "Evidence that contingency documentation is kept for six years and available to those who use it",
  },
}

return M
