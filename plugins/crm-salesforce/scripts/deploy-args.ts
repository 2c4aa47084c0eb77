import { parseArgs } from 'node:util';
import { z } from 'zod';

export const TEST_LEVELS = ['NoTestRun', 'RunSpecifiedTests', 'RunLocalTests', 'RunAllTestsInOrg'] as const;

/** How to reach the org: an sf CLI alias/username already logged in, or the JWT bearer flow. */
export const DeployTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alias'), targetOrg: z.string().min(1) }),
  z.object({
    kind: z.literal('jwt'),
    clientId: z.string().min(1),
    jwtKeyFile: z.string().min(1),
    username: z.string().min(3),
    instanceUrl: z.string().url(),
  }),
]);
export type DeployTarget = z.infer<typeof DeployTargetSchema>;

export const DeployOptionsSchema = z.object({
  target: DeployTargetSchema,
  /** Check-only deploy: validates and runs the tests, changes nothing. */
  dryRun: z.boolean(),
  testLevel: z.enum(TEST_LEVELS),
  /** The Handoff API base URL written into the Named Credential "Handoff" (else the placeholder stays). */
  handoffUrl: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'The Handoff URL must be https://')
    .optional(),
  sourceDir: z.string().min(1).optional(),
  waitMinutes: z.number().int().positive().max(240),
});
export type DeployOptions = z.infer<typeof DeployOptionsSchema>;

export type ParsedArgs = { help: true } | { help: false; options: DeployOptions };

export const HELP = `Deploy the Handoff Salesforce package (plugins/crm-salesforce/force-app) to an org.

Usage:
  npm run sf:deploy -- --target-org <alias|username> [options]
  npm run sf:deploy -- --client-id <id> --jwt-key-file <server.key> --username <user> --instance-url <url> [options]

Org (one of):
  --target-org <alias>     an org the sf CLI is already logged in to (sf org login web --alias ...)
  --client-id <id>         JWT bearer flow: consumer key of the connected app,
  --jwt-key-file <path>    the private key whose certificate is on the connected app,
  --username <user>        the (pre-authorized) user to deploy as,
  --instance-url <url>     the login URL: https://login.salesforce.com, https://test.salesforce.com or your My Domain

Options:
  --dry-run                check-only deploy: validate and run tests, change nothing
  --test-level <level>     ${TEST_LEVELS.join(' | ')} (default RunSpecifiedTests: HandoffActivationControllerTest)
  --handoff-url <url>      set the Named Credential "Handoff" to this https URL (else edit it in Setup)
  --source-dir <dir>       deploy another source folder (default: the package's force-app)
  --wait <minutes>         how long to wait for the deploy (default 30)
  -h, --help               show this help
`;

export class DeployArgsError extends Error {
  override name = 'DeployArgsError';
}

export function parseDeployArgs(argv: string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        'target-org': { type: 'string', short: 'o' },
        'client-id': { type: 'string' },
        'jwt-key-file': { type: 'string' },
        username: { type: 'string', short: 'u' },
        'instance-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
        'test-level': { type: 'string', short: 'l' },
        'handoff-url': { type: 'string' },
        'source-dir': { type: 'string', short: 'd' },
        wait: { type: 'string', short: 'w' },
      },
    }));
  } catch (error) {
    throw new DeployArgsError((error as Error).message);
  }
  if (values.help) return { help: true };

  const jwtFlags = ['client-id', 'jwt-key-file', 'username', 'instance-url'] as const;
  const givenJwt = jwtFlags.filter((f) => values[f] !== undefined);
  if (values['target-org'] !== undefined && givenJwt.length > 0) {
    throw new DeployArgsError(
      `Use either --target-org or the JWT flags (${givenJwt.map((f) => `--${f}`).join(', ')}), not both.`,
    );
  }
  let target: unknown;
  if (values['target-org'] !== undefined) {
    target = { kind: 'alias', targetOrg: values['target-org'] };
  } else if (givenJwt.length > 0) {
    const missing = jwtFlags.filter((f) => values[f] === undefined);
    if (missing.length > 0)
      throw new DeployArgsError(`The JWT flow also needs ${missing.map((f) => `--${f}`).join(', ')}.`);
    target = {
      kind: 'jwt',
      clientId: values['client-id'],
      jwtKeyFile: values['jwt-key-file'],
      username: values.username,
      instanceUrl: values['instance-url'],
    };
  } else {
    throw new DeployArgsError(
      'Say which org: --target-org <alias>, or --client-id, --jwt-key-file, --username and --instance-url.',
    );
  }

  const parsed = DeployOptionsSchema.safeParse({
    target,
    dryRun: values['dry-run'] === true,
    testLevel: values['test-level'] ?? 'RunSpecifiedTests',
    handoffUrl: values['handoff-url'],
    sourceDir: values['source-dir'],
    waitMinutes: values.wait === undefined ? 30 : Number(values.wait),
  });
  if (!parsed.success) {
    throw new DeployArgsError(
      parsed.error.issues.map((i) => `${flagFor(i.path.map(String))}: ${i.message}`).join('\n'),
    );
  }
  return { help: false, options: parsed.data };
}

function flagFor(path: string[]): string {
  const names: Record<string, string> = {
    instanceUrl: '--instance-url',
    testLevel: '--test-level',
    handoffUrl: '--handoff-url',
    waitMinutes: '--wait',
    username: '--username',
    clientId: '--client-id',
    jwtKeyFile: '--jwt-key-file',
    targetOrg: '--target-org',
  };
  const last = path[path.length - 1] ?? '';
  return names[last] ?? last;
}
