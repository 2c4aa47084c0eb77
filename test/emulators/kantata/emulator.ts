import { createEmulator } from '../kit/emulator';
import { registerAccountRoutes } from './account';
import { bearerAuth } from './auth';
import { errorBody } from './envelope';
import { registerEventRoutes } from './events';
import { registerExpenseRoutes } from './expenses';
import { registerExternalReferenceRoutes } from './external-references';
import { registerOAuthRoutes } from './oauth';
import { registerRateCardRoutes } from './rate-cards';
import { seedDemo } from './seeds';
import { initialKantataState, type KantataState, withDeliveryState } from './state';
import { registerStoryRoutes } from './stories';
import { registerSubmissionRoutes } from './submissions';
import { registerTimeEntryRoutes } from './time-entries';
import { registerUiRoutes } from './ui';
import { registerWorkspaceRoutes } from './workspaces';

/**
 * Kantata OX (Mavenlink) API v1 emulator. An instance's base URL (`http://127.0.0.1:PORT/i/{id}`) stands in
 * for `https://api.mavenlink.com`, so the API lives under `{base}/api/v1`, the emulated browser UI under
 * `{base}/ui` and the OAuth pages of `https://app.mavenlink.com` under `{base}/oauth` (oauth.ts). Effects counted: workspace.create/update, story.create, external_reference.create/update,
 * workspace_resource.create, rate_card_set.create, rate_card_set_version.create/publish, rate_card.create,
 * rate_card_role.create, role.create, template.apply, and for delivery: time_entry.create/update/approve,
 * expense.create/approve, timesheet_submission.create/approve, expense_report_submission.create/approve,
 * story.update, webhook.deliver (the push stand-in, see events.ts).
 */
export function createKantataEmulator() {
  return createEmulator<KantataState>({
    name: 'kantata',
    initialState: () => initialKantataState(),
    routes(app) {
      // A sandbox snapshot from before issue 3 gets the delivery tables on first use.
      app.use('*', async (c, next) => {
        withDeliveryState(c.get('instance').state);
        await next();
      });
      app.use('/api/*', bearerAuth);
      registerOAuthRoutes(app);
      registerWorkspaceRoutes(app);
      registerStoryRoutes(app);
      registerExternalReferenceRoutes(app);
      registerAccountRoutes(app);
      registerRateCardRoutes(app);
      registerTimeEntryRoutes(app);
      registerExpenseRoutes(app);
      registerSubmissionRoutes(app);
      registerEventRoutes(app);
      registerUiRoutes(app);
      app.all('/api/*', (c) =>
        c.json(
          errorBody([
            {
              type: 'system',
              message: `No route matches ${c.req.method} ${c.req.path.replace(/^\/i\/[^/]+/, '')}`,
            },
          ]),
          404,
        ),
      );
    },
    errorFormat(status, message) {
      const type = status === 401 ? 'oauth' : status === 422 ? 'validation' : 'system';
      // Kantata documents 503 "Service is unavailable" but not a Retry-After; the emulator sends one the way
      // a load balancer in front of a Rails app usually does, so callers can show they honour it.
      return {
        body: errorBody([{ type, message }]),
        ...(status === 503 ? { headers: { 'Retry-After': '2' } } : {}),
      };
    },
    seeds: { demo: seedDemo },
  });
}

export type KantataEmulator = ReturnType<typeof createKantataEmulator>;
