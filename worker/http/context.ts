import type { Db } from '../db/client';
import type { Env } from '../env';

export interface Principal {
  tenantId: string;
  /** The API key id, or "platform" for the operator token. */
  keyId: string;
  scope: 'crm' | 'psa' | 'admin' | 'platform';
  /** The API key's label (what the tenant calls it), for the audit trail. */
  label?: string;
  /** The person behind the call when the surface tells us (Salesforce user id from Apex). */
  user?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    correlationId: string;
    db: Db;
    principal: Principal;
    /** Set by the security headers for /docs: the nonce of its one inline style. */
    secureHeadersNonce?: string;
  };
};
