import { createRoute, z } from '@hono/zod-openapi';
import {
  ConnectionRoleSchema,
  ConnectionStatusSchema,
  ConnectionTestSchema,
  PluginStatusSchema,
} from '../../shared/api/connections';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { connectionOverview, pluginStatus } from '../domain/connections/overview';
import { testConnection } from '../domain/connections/test-connection';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';

const RoleParam = z.enum(ConnectionRoleSchema.options).openapi({
  param: { name: 'role', in: 'path' },
  description: 'crm: Salesforce · psa: Kantata · erp: NetSuite · clm: DocuSign · teams: Microsoft Teams',
});

const overview = createRoute({
  method: 'get',
  path: '/v1/console/connections',
  operationId: 'listConsoleConnections',
  tags: ['Console'],
  summary: "The firm's connections: what each reaches, who authorized it, the choices made, the latest test",
  description:
    'Never a secret: tokens, keys and certificates stay encrypted on the server. `listenerUrl` is where DocuSign Connect posts this firm’s messages. Needs `view`.',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  responses: {
    200: jsonBody(
      z.object({ connections: z.array(ConnectionStatusSchema), listenerUrl: z.string().url() }),
      'Every system, connected or not',
      {
        connections: [
          {
            role: 'crm',
            system: 'salesforce',
            connected: true,
            updatedAt: '2026-11-17T10:02:11.000Z',
            details: {
              instanceUrl: 'https://lumen.my.salesforce.com',
              org: { id: '00D5g000004XyZaEAK', name: 'Lumen Partners' },
              connectedAs: { userId: '0055g00000AbCdEAAV', username: 'integration@lumen.example' },
              method: 'web server flow',
              orgId: '00D5g000004XyZaEAK',
            },
            lastTest: {
              ok: false,
              at: '2026-11-17T10:03:40.000Z',
              failed: ['Handoff fields on Opportunity'],
            },
          },
          {
            role: 'clm',
            system: 'docusign',
            connected: true,
            updatedAt: '2026-11-17T10:12:00.000Z',
            details: {
              listenerUrl: 'https://handoff.example.com/v1/webhooks/docusign/ten_8Hq2Lx0Vb3Nm',
              keys: [
                { id: 'csk_Qx81Lm2z', addedAt: '2026-11-17T10:12:00.000Z', retiresAt: null, active: true },
              ],
            },
            lastTest: null,
          },
        ],
        listenerUrl: 'https://handoff.example.com/v1/webhooks/docusign/ten_8Hq2Lx0Vb3Nm',
      },
    ),
    ...errorResponses,
  },
});

const test = createRoute({
  method: 'post',
  path: '/v1/console/connections/{role}/test',
  operationId: 'testConnection',
  tags: ['Console'],
  summary: 'Test a connection: a real read of the system, each finding with its fix',
  description:
    "Reads the system through its connector with the connection's own credentials: Salesforce (sign-in and org, Handoff's fields and objects as the connected user sees them, API allocation), Kantata (sign-in, the project templates and roles the firm's deals name), NetSuite (token, SuiteQL access, chosen subsidiaries, billing items), DocuSign (active Connect keys, signed messages received), Teams (the proven organisation, the bot's credentials, the bot installed, approvers). Audited. Needs `connections:manage`.",
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: { params: z.object({ role: RoleParam }) },
  responses: {
    200: jsonBody(ConnectionTestSchema, 'What the test found (ok is false when any check fails)', {
      role: 'crm',
      system: 'salesforce',
      ok: false,
      checks: [
        { name: 'Sign-in', ok: true, message: 'Connected to Lumen Partners (00D5g000004XyZaEAK).' },
        {
          name: 'Handoff fields on Opportunity',
          ok: false,
          message: 'Missing on Opportunity: Handoff_Billing_Model__c (Billing model).',
          fix: 'Deploy the Handoff package to this org (plugins/crm-salesforce: `npm run sf:deploy -- --target-org <alias>`). If it is deployed, assign the Handoff_Admin permission set to the user Handoff connects as: Salesforce hides fields and objects the user cannot read.',
        },
      ],
      testedAt: '2026-11-17T10:03:40.000Z',
    }),
    ...errorResponses,
  },
});

const plugins = createRoute({
  method: 'get',
  path: '/v1/console/plugins',
  operationId: 'listPluginStatus',
  tags: ['Console'],
  summary:
    'Whether the Salesforce package, the Teams app and the PSA sidebar are installed, and how to install them',
  description:
    'Salesforce: asked of the org (Tooling API: InstalledSubscriberPackage, else the deployed card and Apex class). Teams: people of the firm have the bot (conversation references). Sidebar: its host minted an embed token in the last 7 days. Needs `view`.',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  responses: {
    200: jsonBody(z.object({ plugins: z.array(PluginStatusSchema) }), 'One entry per plugin', {
      plugins: [
        {
          plugin: 'salesforce',
          installed: true,
          message:
            'Deployed from source: the handoffActivationCard card and the HandoffActivationController class are in the org.',
          lastSeenAt: '2026-11-17T10:00:00.000Z',
          links: [
            {
              label: 'Install guide (plugins/crm-salesforce/README.md)',
              href: 'plugins/crm-salesforce/README.md',
            },
          ],
          command: 'npm run sf:deploy -- --target-org <alias> --handoff-url https://handoff.example.com',
        },
        {
          plugin: 'sidebar',
          installed: false,
          message: 'The sidebar has not been embedded yet: no PSA host has minted a token.',
          fix: 'Serve the sidebar from this origin and have the PSA host page call HandoffSidebar.mount, its backend minting tokens with POST /v1/embed-tokens and the PSA key (plugins/psa-sidebar/README.md).',
          lastSeenAt: null,
          links: [{ label: 'API reference', href: '/docs' }],
          command: 'npm run build:plugins',
        },
      ],
    }),
    ...errorResponses,
  },
});

export function registerV1ConsoleConnections(app: App) {
  app.openapi(overview, async (c) => {
    const { tenantId } = c.get('principal');
    return c.json(
      await connectionOverview(c.get('db'), c.env, { tenantId, origin: new URL(c.req.url).origin }),
      200,
    );
  });
  app.openapi(test, async (c) => {
    const { role } = c.req.valid('param');
    const principal = c.get('principal');
    const result = await testConnection(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, role, origin: new URL(c.req.url).origin },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(result, 200);
  });
  app.openapi(plugins, async (c) => {
    const { tenantId } = c.get('principal');
    return c.json(
      { plugins: await pluginStatus(c.get('db'), c.env, { tenantId, origin: new URL(c.req.url).origin }) },
      200,
    );
  });
}
