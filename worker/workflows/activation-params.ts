export interface ActivationParams {
  tenantId: string;
  activationId: string;
  opportunityId: string;
  correlationId: string;
  attempt: number;
  actor: string;
}
