import { createEmulator } from '../kit/emulator';
import { registerTokenEndpoint, requireBearer } from './oauth';
import { optionsOf } from './options';
import { registerRecordRoutes } from './record-routes';
import { initialNetSuiteState, type NetSuiteState, seedDemo, upgradeState } from './state';
import { registerUiRoutes } from './ui';
import { netsuiteErrorFormat } from './vendor-errors';

/**
 * NetSuite SuiteTalk REST web services, the subset Handoff uses: OAuth 2.0 client credentials,
 * record v1 (customer, job, billingSchedule, timeBill, expenseReport, invoice, customerPayment) with
 * external-id upsert, a sliver of SuiteQL and async jobs with X-NetSuite-Idempotency-Key, and
 * read-only UI pages (plus "Record payment" and "Email" buttons on an invoice). Over the concurrency limit it answers 429
 * CONCURRENCY_LIMIT_EXCEEDED in NetSuite's error shape (through the kit's errorFormat).
 */
export function createNetSuiteEmulator() {
  return createEmulator<NetSuiteState>({
    name: 'netsuite',
    initialState: () => initialNetSuiteState(),
    routes(app) {
      app.use('*', async (c, next) => {
        upgradeState(c.get('instance').state);
        return next();
      });
      app.use('/services/rest/*', async (c, next) => {
        const ms = optionsOf(c.get('instance')).processingMs;
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return next();
      });
      registerTokenEndpoint(app);
      app.use('/services/rest/record/*', requireBearer);
      app.use('/services/rest/query/*', requireBearer);
      app.use('/services/rest/async/*', requireBearer);
      registerRecordRoutes(app);
      registerUiRoutes(app);
    },
    errorFormat: netsuiteErrorFormat,
    seeds: { demo: seedDemo },
  });
}
export type NetSuiteEmulator = ReturnType<typeof createNetSuiteEmulator>;
