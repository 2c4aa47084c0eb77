import type { ActivationParams } from './workflows/activation-params';

/** Bindings and vars the worker runs with (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  DB_DRIVER?: string;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  ACTIVATION_WORKFLOW: Workflow<ActivationParams>;
  ERP_GOVERNOR: DurableObjectNamespace<import('./durable-objects/erp-governor').ErpGovernor>;
  /** base64 of 32 random bytes; encrypts connection secrets at rest. */
  SECRETS_KEY: string;
  /** Lets the operator create tenants (POST /v1/admin/tenants). */
  PLATFORM_ADMIN_TOKEN?: string;
  ALLOW_LOOPBACK_CONNECTIONS?: string;
}
