import { z } from 'zod';
import type { Instance } from '../kit/emulator';

/** Custom entity fields the Handoff bundle installs on the project record (registered by default). */
export const HANDOFF_JOB_CUSTOM_FIELDS = [
  'custentity_handoff_psa_id',
  'custentity_handoff_psa_url',
  'custentity_handoff_contract_number',
  'custentity_handoff_not_to_exceed',
];

/** A certificate's public part as uploaded in "OAuth 2.0 Client Credentials (M2M) Setup": PEM (SPKI or X.509) or JWK. */
export const RegisteredKeySchema = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

export const NetSuiteEmulatorOptionsSchema = z.object({
  /** Account ID for the record links and the accepted `aud` https://{account}.suitetalk.api.netsuite.com/... */
  accountId: z.string().optional(),
  /** Integration records (client ids) and the certificates mapped to each. */
  clients: z
    .array(
      z.object({
        clientId: z.string().min(1),
        certificates: z.array(
          z.object({
            certificateId: z.string().min(1),
            publicKey: RegisteredKeySchema,
            revoked: z.boolean().default(false),
          }),
        ),
      }),
    )
    .default([]),
  /** Bearer tokens accepted without the token flow (a "ready access token" setup). */
  accessTokens: z.array(z.string()).default([]),
  tokenTtlSeconds: z.number().int().positive().default(3600),
  /** Extra `aud` values the token endpoint accepts besides this instance's own token URL. */
  tokenAudiences: z.array(z.string()).default([]),
  /**
   * Time each REST call spends "processing" while it holds one of the account's concurrency slots.
   * The kit's latencyMs is spent before a slot is taken, so only this makes concurrent calls collide.
   */
  processingMs: z.number().int().nonnegative().default(0),
  /** The sandbox can switch auth off; tests never do. */
  requireAuth: z.boolean().default(true),
  /** Custom field script ids each record type has in this account; any other custom field is refused. */
  customFields: z
    .object({
      customer: z.array(z.string()).default([]),
      job: z.array(z.string()).default(HANDOFF_JOB_CUSTOM_FIELDS),
      billingSchedule: z.array(z.string()).default([]),
      timeBill: z.array(z.string()).default([]),
      expenseReport: z.array(z.string()).default([]),
      invoice: z.array(z.string()).default([]),
      customerPayment: z.array(z.string()).default([]),
    })
    .prefault({}),
});
export type NetSuiteEmulatorOptions = z.infer<typeof NetSuiteEmulatorOptionsSchema>;
export type NetSuiteEmulatorOptionsInput = z.input<typeof NetSuiteEmulatorOptionsSchema>;

const parsed = new WeakMap<object, NetSuiteEmulatorOptions>();

/** The instance's options, parsed once per config object (the control plane replaces it on PATCH). */
export function optionsOf(instance: Instance<unknown>): NetSuiteEmulatorOptions {
  const cached = parsed.get(instance.config);
  if (cached) return cached;
  const options = NetSuiteEmulatorOptionsSchema.parse(instance.config.options);
  parsed.set(instance.config, options);
  return options;
}
