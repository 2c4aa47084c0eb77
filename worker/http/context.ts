import type { ConsoleRole } from '../../shared/api/console';
import type { Db } from '../db/client';
import type { Env } from '../env';

export interface Principal {
  tenantId: string;
  /** The API key id, "platform" for the operator token, or "session:{id}" for a console sign-in. */
  keyId: string;
  scope: 'crm' | 'psa' | 'admin' | 'platform' | 'console';
  /** The API key's label (what the tenant calls it), for the audit trail. */
  label?: string;
  /** The person behind the call when the surface tells us (Salesforce user id from Apex). */
  user?: string;
  /** A person signed in to the console (scope `console`): who they are and their roles in this firm. */
  person?: ConsolePerson;
}

export interface ConsolePerson {
  /** Handoff's id for the person (a console member of this firm). */
  id: string;
  name: string;
  email?: string;
  /** The identity provider that vouched for them, and their subject there. */
  provider: 'entra' | 'salesforce';
  subject: string;
  roles: ConsoleRole[];
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    correlationId: string;
    db: Db;
    principal: Principal;
    /** The console session behind a `console` principal (its CSRF token and expiry, for GET /v1/console/session). */
    consoleSession?: import('../domain/console/sessions').LiveSession;
    /** Set by the security headers for /docs: the nonce of its one inline style. */
    secureHeadersNonce?: string;
  };
};
