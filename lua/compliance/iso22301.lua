-- compliance/iso22301.lua -- ISO 22301:2019, business continuity management
-- systems: the clauses the plan's data can speak to.
--
-- Clause numbers and titles follow the standard; the wording here is
-- drgen's own.  ISO 22301 fixes no intervals ("planned intervals"), so the
-- thresholds are drgen's conventions (E.defaults): reviews and drills
-- within 12 months with a 25 % grace period, restore tests by datastore
-- criticality.  Each control names the shared checks of
-- compliance/evidence.lua that judge it, the attestations that stand for
-- what data cannot show, and what an auditor should ask for besides.

local M = {
  id = "iso22301",
  name = "ISO 22301:2019",
  defaults = {},
  hard = {},
}

M.controls = {
  {
    id = "7.4", title = "Communication",
    checks = { { "contacts_complete" } },
    ask = "The communication procedures for interested parties and records of their use",
  },
  {
    id = "7.5", title = "Documented information",
    checks = { { "plan_reviewed_within_12_months" } },
    ask = "How plan versions are approved, protected against change and distributed",
  },
  {
    id = "8.2.1", title = "Business impact analysis and risk assessment: general",
    checks = { { "recovery_objectives_defined" } },
    attest = { "bia_approved" },
    ask = "The BIA and risk assessment method, and the date and approver of the last review",
  },
  {
    id = "8.2.2", title = "Business impact analysis",
    checks = { { "recovery_objectives_defined" } },
    ask = "Impact criteria over time, the MTPD of each prioritized activity, and supplier " ..
      "dependencies outside the service list",
  },
  {
    id = "8.2.3", title = "Risk assessment",
    checks = {
      { "redundant_region_for_tier1", informational = true },
      { "offsite_copy_exists", informational = true },
      { "immutable_copy", informational = true },
    },
    attest = { "risk_assessment" },
    ask = "The risk register with the treatment decided for each disruption risk",
  },
  {
    id = "8.3", title = "Business continuity strategies and solutions",
    checks = {
      { "redundant_region_for_tier1" },
      { "offsite_copy_exists" },
      { "backup_currency_within_rpo" },
      { "rto_achieved_in_last_drill", scope = "critical" },
    },
    attest = { "strategy_selection" },
    ask = "The rationale for the chosen strategies, with their cost and benefit",
  },
  {
    id = "8.4.1", title = "Business continuity plans and procedures: general",
    checks = { { "plan_reviewed_within_12_months" } },
    ask = "A review of the plans' content for adequacy",
  },
  {
    id = "8.4.2", title = "Response structure",
    checks = { { "contacts_complete" } },
    ask = "Evidence of the response teams' competence and authority to act",
  },
  {
    id = "8.4.3", title = "Warning and communication",
    checks = {
      { "contacts_complete" },
      { "drill_coverage", scope = "critical", min_type = "tabletop", label = "communication_exercised" },
    },
    attest = { "crisis_comms_tested" },
    ask = "Contacts for external parties and authorities, and a test of the notification tooling",
  },
  {
    id = "8.4.4", title = "Business continuity plans",
    checks = { { "recovery_objectives_defined" } },
    ask = "How the plans are reachable when primary systems are down (an offline copy)",
  },
  {
    id = "8.4.5", title = "Recovery",
    checks = {
      { "restore_test_within_n_days" },
      { "rto_achieved_in_last_drill", scope = "critical" },
    },
    ask = "The procedures for returning from temporary arrangements (failback)",
  },
  {
    id = "8.5", title = "Exercise programme",
    checks = {
      { "drill_coverage", scope = "critical", variety = true },
      { "open_drill_findings_overdue" },
    },
    ask = "Exercise scenarios and objectives, and the signed post-exercise reports",
  },
  {
    id = "8.6", title = "Evaluation of business continuity documentation and capabilities",
    checks = {
      { "plan_reviewed_within_12_months" },
      { "open_drill_findings_overdue" },
      { "rto_achieved_in_last_drill", scope = "critical" },
    },
    attest = { "supplier_bc_reviewed" },
    ask = "The evaluation of partners' and suppliers' continuity capabilities",
  },
  {
    id = "9.1", title = "Monitoring, measurement, analysis and evaluation",
    -- KPIs that can be computed are not monitoring and evaluation (issue 13)
    checks = { { "kpis_computable", at_best = "partial",
                 why = "KPIs that can be computed are not monitoring and evaluation: what is " ..
                   "measured and when, and management's analysis of the results, are not in the data" } },
    ask = "The monitoring plan (what is measured, how and when) and management's documented " ..
      "evaluation of the continuity KPIs",
  },
  {
    id = "9.2", title = "Internal audit",
    attest = { "internal_audit" },
    ask = "The internal audit programme and the last audit report, with the auditor's independence",
  },
  {
    id = "9.3", title = "Management review",
    attest = { "management_review" },
    ask = "The minutes of the last management review, its inputs and its decisions",
  },
  {
    id = "10.1", title = "Nonconformity and corrective action",
    checks = { { "open_drill_findings_overdue" } },
    ask = "Corrective action records from incidents and audits, not only from drills",
  },
}

return M
