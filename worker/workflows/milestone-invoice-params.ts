export interface MilestoneInvoiceParams {
  tenantId: string;
  approvalId: string;
  contractKey: string;
  milestoneKey: string;
  correlationId: string;
  actor: string;
}
