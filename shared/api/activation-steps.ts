/** The activation's steps in order, with the label a seller sees on the CRM card. Names are the workflow's step names. */
export const ACTIVATION_STEPS = [
  { name: 'load-contract', label: 'Read the deal from the CRM' },
  { name: 'validate-contract', label: 'Validate contract terms' },
  { name: 'upsert-erp-customer', label: 'Create or update the ERP customer' },
  { name: 'create-psa-project', label: 'Create the PSA project from its template' },
  { name: 'ensure-psa-wbs', label: 'Add WBS and milestones' },
  { name: 'ensure-psa-rate-card', label: 'Attach the rate card' },
  { name: 'ensure-psa-team', label: "Add the team's roles" },
  { name: 'upsert-erp-project', label: 'Create the ERP project' },
  { name: 'upsert-erp-billing-schedule', label: 'Create the ERP billing schedule' },
  { name: 'link-records', label: 'Link the records across systems' },
  { name: 'write-back-crm', label: 'Report back to the CRM record' },
] as const;

export type ActivationStepName = (typeof ACTIVATION_STEPS)[number]['name'];
