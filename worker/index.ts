import { newApp } from './app';
import { getDb } from './db/client';
import { sweep } from './domain/maintenance/sweep';
import type { Env } from './env';
import { registerDocs } from './routes/docs';
import { registerV1ActivationsCreate } from './routes/v1-activations-create';
import { registerV1ActivationsGet } from './routes/v1-activations-get';
import { registerV1AdminConnections } from './routes/v1-admin-connections';
import { registerV1AdminTenantsCreate } from './routes/v1-admin-tenants-create';
import { registerV1AuditList } from './routes/v1-audit-list';
import { registerV1ExceptionsList } from './routes/v1-exceptions-list';

export { ErpGovernor } from './durable-objects/erp-governor';
export { ActivationWorkflow } from './workflows/activation';

const app = newApp();
registerV1ActivationsCreate(app);
registerV1ActivationsGet(app);
registerV1AdminTenantsCreate(app);
registerV1AdminConnections(app);
registerV1ExceptionsList(app);
registerV1AuditList(app);
registerDocs(app);

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(env, getDb(env)));
  },
} satisfies ExportedHandler<Env>;
