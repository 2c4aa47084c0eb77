export interface AmendmentParams {
  tenantId: string;
  amendmentId: string;
  correlationId: string;
}

export interface ChangeOrderDecisionEvent {
  decision: 'approve' | 'reject';
  actor: string;
  comment?: string;
}
