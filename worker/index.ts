import { newApp } from './app';
import { getDb } from './db/client';
import { enqueuePolls, resendStaleQueued } from './domain/billing/enqueue-polls';
import { settleDeadLetters } from './domain/dead-letters/replay-dead-letters';
import { sweepExceptionJobs } from './domain/exceptions/jobs/jobs';
import { sweep } from './domain/maintenance/sweep';
import { retestOfflineConnections } from './domain/operations/outage';
import type { Env } from './env';
import { consumePosting, consumePostingDeadLetters } from './queues/posting-consumer';
import { registerConsoleAuth } from './routes/console-auth';
import { registerConsolePages } from './routes/console-pages';
import { registerDocs } from './routes/docs';
import { registerV1ActivationsCreate } from './routes/v1-activations-create';
import { registerV1ActivationsGet } from './routes/v1-activations-get';
import { registerV1AdminApiKeys } from './routes/v1-admin-api-keys';
import { registerV1AdminConnections } from './routes/v1-admin-connections';
import { registerV1AdminIdentityClaims } from './routes/v1-admin-identity-claims';
import { registerV1AdminPlatformKeys } from './routes/v1-admin-platform-keys';
import { registerV1AdminSync } from './routes/v1-admin-sync';
import { registerV1AdminTeams } from './routes/v1-admin-teams';
import { registerV1AdminTenantsCreate } from './routes/v1-admin-tenants-create';
import { registerV1Amendments } from './routes/v1-amendments';
import { registerV1Approvals } from './routes/v1-approvals';
import { registerV1AuditList } from './routes/v1-audit-list';
import { registerV1ConsoleConnections } from './routes/v1-console-connections';
import { registerV1ConsoleConnectionsDocuSign } from './routes/v1-console-connections-docusign';
import { registerV1ConsoleConnectionsNetSuite } from './routes/v1-console-connections-netsuite';
import { registerV1ConsoleConnectionsOAuth } from './routes/v1-console-connections-oauth';
import { registerV1ConsoleFirstAdmin } from './routes/v1-console-first-admin';
import { registerV1ConsoleGroupMappings } from './routes/v1-console-group-mappings';
import { registerV1ConsoleHealth } from './routes/v1-console-health';
import { registerV1ConsoleMembers } from './routes/v1-console-members';
import { registerV1ConsoleSession } from './routes/v1-console-session';
import { registerV1ConsoleSla } from './routes/v1-console-sla';
import { registerV1Contracts } from './routes/v1-contracts';
import { registerV1DeadLettersActions } from './routes/v1-dead-letters-actions';
import { registerV1DeadLettersList } from './routes/v1-dead-letters-list';
import { registerV1ExceptionJobsControl } from './routes/v1-exception-jobs-control';
import { registerV1ExceptionJobsCreate } from './routes/v1-exception-jobs-create';
import { registerV1ExceptionJobsRead } from './routes/v1-exception-jobs-read';
import { registerV1ExceptionsActions } from './routes/v1-exceptions-actions';
import { registerV1ExceptionsFacets } from './routes/v1-exceptions-facets';
import { registerV1ExceptionsGet } from './routes/v1-exceptions-get';
import { registerV1ExceptionsList } from './routes/v1-exceptions-list';
import { registerV1IdentityMicrosoftCallback } from './routes/v1-identity-microsoft-callback';
import { registerV1Sidebar } from './routes/v1-sidebar';
import { registerV1TeamsMessages } from './routes/v1-teams-messages';
import { registerV1TeamsTab } from './routes/v1-teams-tab';
import { registerKantataWebhooks } from './routes/webhooks-kantata';

export { ConnectionMonitor } from './durable-objects/connection-monitor';
export { ErpGovernor } from './durable-objects/erp-governor';
export { ExceptionJobRunner } from './durable-objects/exception-job';
export { IntakeLane } from './durable-objects/intake-lane';
export { ActivationWorkflow } from './workflows/activation';
export { AmendmentWorkflow } from './workflows/amendment';
export { MilestoneInvoiceWorkflow } from './workflows/milestone-invoice';

const app = newApp();
registerV1ActivationsCreate(app);
registerV1ActivationsGet(app);
registerV1AdminTenantsCreate(app);
registerV1AdminConnections(app);
registerV1AdminApiKeys(app);
registerV1AdminPlatformKeys(app);
registerV1AdminSync(app);
registerV1ExceptionsList(app);
registerV1ExceptionsFacets(app);
registerV1ExceptionsGet(app);
registerV1ExceptionsActions(app);
registerV1ExceptionJobsCreate(app);
registerV1ExceptionJobsRead(app);
registerV1ExceptionJobsControl(app);
registerV1ConsoleSla(app);
registerV1Approvals(app);
registerV1AuditList(app);
registerV1Contracts(app);
registerV1DeadLettersList(app);
registerV1ConsoleHealth(app);
registerV1DeadLettersActions(app);
registerV1Sidebar(app);
registerKantataWebhooks(app);
registerV1AdminTeams(app);
registerV1AdminIdentityClaims(app);
registerV1IdentityMicrosoftCallback(app);
registerV1Amendments(app);
registerV1TeamsMessages(app);
registerV1TeamsTab(app);
registerV1ConsoleConnections(app);
registerV1ConsoleConnectionsOAuth(app);
registerV1ConsoleConnectionsNetSuite(app);
registerV1ConsoleConnectionsDocuSign(app);
registerConsoleAuth(app);
registerV1ConsoleSession(app);
registerV1ConsoleMembers(app);
registerV1ConsoleGroupMappings(app);
registerV1ConsoleFirstAdmin(app);
registerDocs(app);
registerConsolePages(app);

const CONSUMERS: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  'handoff-posting': consumePosting,
  'handoff-posting-dlq': consumePostingDeadLetters,
};

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const consume = CONSUMERS[batch.queue];
    if (!consume) throw new Error(`No consumer for queue ${batch.queue}`);
    await consume(batch, env);
  },
  async scheduled(controller, env, ctx) {
    const db = getDb(env);
    const correlationId = `cron-${new Date(controller.scheduledTime).toISOString()}`;
    ctx.waitUntil(
      Promise.all([
        sweep(env, db),
        enqueuePolls(db, env, correlationId),
        resendStaleQueued(db, env.POSTING_QUEUE),
        sweepExceptionJobs(env, db),
        // Outage mode: re-test offline connections; those that answer resume their waiting work.
        retestOfflineConnections(env, db, correlationId),
        settleDeadLetters(db),
      ]),
    );
  },
} satisfies ExportedHandler<Env>;
