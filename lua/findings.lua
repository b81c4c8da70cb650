-- findings.lua -- how findings are tracked from period to period (docs/audit.md).
--
-- drgen reads:
--   policy(_, ctx)  once per build -> { due_days = {severity = days},
--                                       controls = {kind = {check, ...}} }
--
-- due_days: a finding is due this many days after the as-of time of the
-- first report that raised it (its `first_reported`).  It is overdue when
-- the as-of time of a later report is past that moment: on the due day
-- itself (as-of equal to the due time) it is not yet overdue.  A severity
-- missing from the table gives the finding no due date.
--
-- controls: the compliance checks (lua/compliance/checks/) that judge what
-- a finding of each kind is about.  A finding affects a control when one of
-- those checks of the control did not pass and its reason names the
-- finding's subject (as a word: "claims-db", "plan"); a finding whose subject is a control
-- ("iso27001:A.8.13", from exception_expired) affects that control.

local M = {}

M.due_days = {
  critical = 14,
  high = 30,
  medium = 90,
  low = 180,
  info = 365,
}

M.controls = {
  backup_never = { "backup_currency_within_rpo", "offsite_copy_exists" },
  backup_stale = { "backup_currency_within_rpo", "offsite_copy_exists" },
  backup_failures = { "backup_failures_remediated" },
  no_offsite_copy = { "offsite_copy_exists" },
  missing_copy = { "offsite_copy_exists" },
  unencrypted_backup = { "encryption_at_rest_for_backups" },
  weak_encryption = { "encryption_at_rest_for_backups" },
  backup_method_gap = { "continuous_replication" },
  no_immutable_copy = { "immutable_copy" },
  no_restore_test = { "restore_test_within_n_days", "recovery_element_tested" },
  rto_missed = { "rto_achieved_in_last_drill" },
  rpo_missed = { "rto_achieved_in_last_drill" },
  not_recovered = { "rto_achieved_in_last_drill" },
  integrity_failed = { "rto_achieved_in_last_drill" },
  availability_missed = { "rto_achieved_in_last_drill" },
  drill_overdue = { "drill_coverage", "drill_type_recent", "switchover_tested" },
  action_overdue = { "open_drill_findings_overdue" },
  single_region = { "redundant_region_for_tier1" },
  tier_inversion = { "recovery_objectives_defined", "redundant_region_for_tier1" },
  plan_review_overdue = { "plan_reviewed_within_12_months" },
  contact_unverified = { "contacts_complete" },
  runbook_exceeds_rto = { "recovery_objectives_defined" },
}

function M.policy(_, _)
  return { due_days = M.due_days, controls = M.controls }
end

return M
