import type { PostingMessage } from './queues/messages';
import type { ActivationParams } from './workflows/activation-params';
import type { AmendmentParams } from './workflows/amendment-params';
import type { MilestoneInvoiceParams } from './workflows/milestone-invoice-params';

/** Bindings and vars the worker runs with (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  DB_DRIVER?: string;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  ACTIVATION_WORKFLOW: Workflow<ActivationParams>;
  MILESTONE_INVOICE_WORKFLOW: Workflow<MilestoneInvoiceParams>;
  AMENDMENT_WORKFLOW: Workflow<AmendmentParams>;
  /** One per PSA project: its changes and polls, in order (the intake). */
  INTAKE_LANES: DurableObjectNamespace<import('./durable-objects/intake-lane').IntakeLane>;
  POSTING_QUEUE: Queue<PostingMessage>;
  /** Per-tenant request budgets (Cloudflare rate limiting): authenticated API calls, webhooks, syncs. */
  API_RATE_LIMIT: RateLimit;
  WEBHOOK_RATE_LIMIT: RateLimit;
  SYNC_RATE_LIMIT: RateLimit;
  ERP_GOVERNOR: DurableObjectNamespace<import('./durable-objects/erp-governor').ErpGovernor>;
  /** One per bulk exception job: works its frozen selection page by page on its alarm. */
  EXCEPTION_JOBS: DurableObjectNamespace<import('./durable-objects/exception-job').ExceptionJobRunner>;
  /** One per firm: counts every call's outcome per connection and applies the outage rule. */
  CONNECTION_MONITOR: DurableObjectNamespace<
    import('./durable-objects/connection-monitor').ConnectionMonitor
  >;
  /** Outage rule: this many unavailable answers in a row (default 5)... */
  OUTAGE_FAILURES?: string;
  /** ...all within this many seconds (default 600) mark the connection offline. */
  OUTAGE_WINDOW_SECONDS?: string;
  /** The data key: base64 of 32 random bytes; encrypts connection secrets at rest (AES-256-GCM). */
  SECRETS_KEY: string;
  /** The data key's id (default `v1`), written in front of every ciphertext it makes. */
  SECRETS_KEY_ID?: string;
  /** Previous data keys still readable during a rotation: `id:base64`, comma-separated. */
  SECRETS_KEY_PREVIOUS?: string;
  /** The sidebar embed-token key (HS256): base64 of 32 random bytes, separate from the data key. */
  EMBED_SIGNING_KEY?: string;
  /** Its id (default `v1`), the `kid` of every token it signs. */
  EMBED_SIGNING_KEY_ID?: string;
  /** Previous embed keys, kept until their last tokens expire (10 minutes): `id:base64`, comma-separated. */
  EMBED_SIGNING_KEY_PREVIOUS?: string;
  /** Lets the operator create tenants (POST /v1/admin/tenants). */
  PLATFORM_ADMIN_TOKEN?: string;
  /** The console's static files (wrangler.toml `[assets]`). */
  ASSETS: Fetcher;
  /** "true" only for the sandbox and tests: tenant URLs and the Bot Connector may be local emulators. */
  ALLOW_LOOPBACK_CONNECTIONS?: string;
  /**
   * Extra host names (exact, or `*.suffix` with two labels after the star) that tenant CRM/PSA/ERP/CLM URLs
   * may use besides the vendors' documented hosts, comma-separated (e.g. a vendor's custom domain or proxy).
   */
  ALLOWED_CUSTOM_VENDOR_HOSTS?: string;
  /** Extra https origins the Teams bot token may be sent to (a sovereign cloud's Bot Connector), comma-separated. */
  TEAMS_BOT_CONNECTOR_ORIGINS?: string;
  /** Base of the queues' exponential retry delay in seconds (default 1; 0 in tests retries at once). */
  QUEUE_RETRY_BASE_SECONDS?: string;
  /** The Teams bot (Azure Bot registration): app id, and its client secret (a secret). */
  TEAMS_BOT_APP_ID?: string;
  TEAMS_BOT_APP_PASSWORD?: string;
  /** Defaults: Bot Framework's OpenID metadata, issuer and token endpoint (emulators in the sandbox). */
  BOT_OPENID_METADATA_URL?: string;
  BOT_ISSUER?: string;
  BOT_TOKEN_URL?: string;
  /** Entra authority for Teams tab SSO (default https://login.microsoftonline.com) and accepted audiences. */
  ENTRA_AUTHORITY?: string;
  TEAMS_SSO_AUDIENCES?: string;
  /**
   * Handoff's Entra app for OpenID Connect sign-in (proving a firm's Microsoft 365 organisation): client id and
   * secret; default: the Teams bot's registration (TEAMS_BOT_APP_ID / TEAMS_BOT_APP_PASSWORD).
   */
  ENTRA_CLIENT_ID?: string;
  ENTRA_CLIENT_SECRET?: string;
  /**
   * Handoff's packaged Salesforce External Client App (consumer key and secret), with the web server flow, PKCE
   * and the openid scope. Firms connect their org with it (callback `{origin}/v1/console/connections/crm/callback`)
   * and people sign in to the console with it (callback `{origin}/console/auth/salesforce/callback`).
   */
  SALESFORCE_CLIENT_ID?: string;
  SALESFORCE_CLIENT_SECRET?: string;
  /** Handoff's Kantata OX application (id and secret token), callback `https://{host}/v1/console/connections/psa/callback`. */
  KANTATA_CLIENT_ID?: string;
  KANTATA_CLIENT_SECRET?: string;
  /** The Salesforce login host (default https://login.salesforce.com; test.salesforce.com or a My Domain). */
  SALESFORCE_LOGIN_URL?: string;
}
