-- compliance/pci.lua -- PCI DSS v4.0.1: requirement 12.10 (incident response)
-- and the backup-media requirements that go with it.
--
-- Scope: the services whose data_scope carries "cde" (the cardholder data
-- environment) and their datastores; without any, every control is n/a.
-- PCI fixes 12 months for the plan's review and test: those limits are
-- hard (no grace period, and a top-level profile setting cannot loosen
-- them).  Restore tests are judged against the same 12 months.

local M = {
  id = "pci",
  name = "PCI DSS v4.0.1",
  scope_tag = "cde",
  defaults = {
    review_grace = 1.0,
    drill_grace = 1.0,
    restore_test_max_age_days = { critical = 365, important = 365, standard = 365 },
  },
  hard = { "review_max_age_days", "drill_max_age_days", "review_grace", "drill_grace" },
}

M.controls = {
  {
    id = "12.10.1", title = "Incident response plan exists and is ready to be activated",
    checks = {
      { "plan_reviewed_within_12_months" },
      { "contacts_complete", scope = "all" },
      { "backup_currency_within_rpo" },
    },
    ask = "The procedures for notifying payment brands and acquirers, and the legal reporting analysis",
  },
  {
    id = "12.10.2", title = "Incident response plan reviewed and tested at least once every 12 months",
    checks = {
      { "plan_reviewed_within_12_months" },
      { "drill_coverage", scope = "all" },
      { "restore_test_within_n_days", cap = "partial", label = "recovery_element_tested" },
    },
  },
  {
    id = "12.10.3", title = "Incident response personnel available 24/7",
    checks = { { "contacts_complete", scope = "all", require_role = { "on-call", "24x7", "24/7" },
                 role_text = "on-call (24/7)" } },
    ask = "The on-call rota showing 24/7 coverage",
  },
  {
    id = "12.10.4", title = "Incident response personnel are trained",
    attest = { "training_completed" },
    ask = "Training records of the incident response staff",
  },
  {
    id = "12.10.4.1", title = "Training frequency set by a targeted risk analysis",
    attest = { "training_risk_analysis" },
    ask = "The targeted risk analysis that sets how often incident response training runs",
  },
  {
    id = "12.10.6", title = "Incident response plan evolves with lessons learned",
    checks = {
      { "plan_reviewed_within_12_months" },
      { "open_drill_findings_overdue" },
    },
  },
  {
    id = "9.4.1.1", title = "Offline media backups with cardholder data are stored securely",
    -- a datastore with no backup at all has no offline media to keep
    -- (12.10.1 and the backup checks judge it)
    checks = { { "offsite_copy_exists", backed_up_only = true } },
    attest = { "media_physical_security" },
    ask = "The physical security of the offline backup location",
  },
  {
    id = "9.4.1.2", title = "Security of the offline backup location reviewed every 12 months",
    attest = { { "media_location_review", max_age_days = 365 } },
    ask = "The last review of the offline backup location's security",
  },
  {
    id = "3.5.1", title = "PAN rendered unreadable wherever stored, backups included",
    checks = { { "encryption_at_rest_for_backups", at_best = "partial",
                 why = "the backup records cover backup copies only; PAN in the datastores " ..
                   "themselves, logs and other media is not in the data" } },
    attest = { "key_management" },
    ask = "Evidence that PAN is unreadable wherever else it is stored (datastores, logs, " ..
      "removable media), and the key-management procedures for the backup encryption keys",
  },
}

return M
