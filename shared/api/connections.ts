import { z } from 'zod';

/**
 * Install and connect (the console's Connections page): what each system's connection looks like to the firm's
 * people, what a test found, and which plugins are in place. Shared by the worker (which answers it) and the
 * console (which shows it). Never a secret: tokens and keys stay on the server.
 */

/** The systems a firm connects, by the role each plays (Teams is the approvers' surface, not a role of the sync). */
export const ConnectionRoleSchema = z.enum(['crm', 'psa', 'erp', 'clm', 'teams']);
export type ConnectionRole = z.infer<typeof ConnectionRoleSchema>;

export const SYSTEM_OF_ROLE = {
  crm: 'salesforce',
  psa: 'kantata',
  erp: 'netsuite',
  clm: 'docusign',
  teams: 'teams',
} as const satisfies Record<ConnectionRole, string>;

/** One thing a test read: whether it holds, what was found, and what to do when it does not. */
export const ConnectionCheckSchema = z
  .object({
    name: z.string(),
    ok: z.boolean(),
    message: z.string(),
    fix: z.string().optional(),
  })
  .meta({ id: 'ConnectionCheck' });
export type ConnectionCheck = z.infer<typeof ConnectionCheckSchema>;

export const ConnectionTestSchema = z
  .object({
    role: ConnectionRoleSchema,
    system: z.string(),
    ok: z.boolean().meta({ description: 'Every check holds.' }),
    checks: z.array(ConnectionCheckSchema),
    testedAt: z.string(),
  })
  .meta({ id: 'ConnectionTest' });
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

/** A DocuSign Connect key Handoff verifies with: never the key, only when it was added and until when it counts. */
export const ConnectKeySchema = z
  .object({
    id: z.string(),
    addedAt: z.string(),
    retiresAt: z
      .string()
      .nullable()
      .meta({ description: 'Still verifying until then (a rotation’s overlap).' }),
    active: z.boolean(),
  })
  .meta({ id: 'ConnectKey' });
export type ConnectKey = z.infer<typeof ConnectKeySchema>;

export const ConnectionStatusSchema = z
  .object({
    role: ConnectionRoleSchema,
    system: z.string(),
    connected: z.boolean(),
    updatedAt: z.string().nullable(),
    /** What the connection reaches and how (org, account, user who authorized, choices): never a secret. */
    details: z.record(z.string(), z.unknown()),
    lastTest: z
      .object({ ok: z.boolean(), at: z.string(), failed: z.array(z.string()) })
      .nullable()
      .meta({ description: 'The latest test of this connection, from the audit trail.' }),
  })
  .meta({ id: 'ConnectionStatus' });
export type ConnectionStatus = z.infer<typeof ConnectionStatusSchema>;

export const PluginStatusSchema = z
  .object({
    plugin: z.enum(['salesforce', 'teams', 'sidebar']),
    installed: z.boolean().nullable().meta({ description: 'null: Handoff cannot tell yet (see message).' }),
    message: z.string(),
    fix: z.string().optional(),
    lastSeenAt: z.string().nullable(),
    /** Where to get it and how to install it. */
    links: z.array(z.object({ label: z.string(), href: z.string() })),
    /** A command to build the package for this deployment, when there is one. */
    command: z.string().optional(),
  })
  .meta({ id: 'PluginStatus' });
export type PluginStatus = z.infer<typeof PluginStatusSchema>;
