import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The layer rules live in biome.json (noRestrictedImports per folder) and lint/no-queries-in-routes.grit.
 * They are run here on a scratch tree laid out like the project, so a rule that stops matching (a renamed
 * folder, a dropped override) fails this test instead of silently letting violations through.
 */
const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'handoff-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lint(files: Record<string, string>): string[] {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  cpSync(path.join(root, 'biome.json'), path.join(scratch, 'biome.json'));
  cpSync(path.join(root, 'lint'), path.join(scratch, 'lint'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    writeFileSync(path.join(scratch, file), text);
  }
  const res = spawnSync(
    path.join(root, 'node_modules/.bin/biome'),
    ['lint', '--colors=off', '--max-diagnostics=1000', '.'],
    { cwd: scratch, encoding: 'utf8' },
  );
  const found = new Set<string>();
  for (const m of `${res.stdout}${res.stderr}`.matchAll(
    /^(\S+\.ts):(\d+):\d+ (lint\/style\/noRestrictedImports|plugin) /gm,
  ))
    found.add(`${m[1]}:${m[2]} ${m[3] === 'plugin' ? 'query' : 'import'}`);
  return [...found].sort();
}

describe('the layers are enforced by lint', () => {
  it('flags each forbidden import and query, and passes a route that calls a verb', () => {
    const found = lint({
      'worker/routes/v1-bad.ts': [
        "import { eq } from 'drizzle-orm';",
        "import { teamsConversationsTable } from '../db/schema';",
        "import { verifyBotRequest } from '../connectors/teams';",
        'export const used = [eq, teamsConversationsTable, verifyBotRequest];',
        "export const rows = (c: { get(k: 'db'): never }) => c.get('db').select();",
        'export const one = (db: never) => db.query.activationsTable.findFirst();',
        '',
      ].join('\n'),
      'worker/routes/v1-good.ts': [
        "import { listExceptions } from '../domain/exceptions/list-exceptions';",
        "export const ok = (c: { get(k: 'db'): never }) => listExceptions(c.get('db'), 't', { limit: 1 });",
        '',
      ].join('\n'),
      'worker/connectors/docusign/bad.ts': [
        "import { AmendmentChangesSchema } from '../../domain/amendments';",
        "import { registerV1Amendments } from '../../routes/v1-amendments';",
        'export const used = [AmendmentChangesSchema, registerV1Amendments];',
        '',
      ].join('\n'),
      'worker/domain/billing/bad.ts': [
        "import type { Context } from 'hono';",
        "import { registerV1Approvals } from '../../routes/v1-approvals';",
        'export const used: [unknown, Context?] = [registerV1Approvals];',
        '',
      ].join('\n'),
      'shared/model/bad.ts': [
        "import { createHash } from 'node:crypto';",
        "import { eq } from 'drizzle-orm';",
        "import type { Db } from '../../worker/db/client';",
        'export const used: [unknown, unknown, Db?] = [createHash, eq];',
        '',
      ].join('\n'),
    });
    expect(found).toEqual([
      'shared/model/bad.ts:1 import',
      'shared/model/bad.ts:2 import',
      'shared/model/bad.ts:3 import',
      'worker/connectors/docusign/bad.ts:1 import',
      'worker/connectors/docusign/bad.ts:2 import',
      'worker/domain/billing/bad.ts:1 import',
      'worker/domain/billing/bad.ts:2 import',
      'worker/routes/v1-bad.ts:1 import',
      'worker/routes/v1-bad.ts:2 import',
      'worker/routes/v1-bad.ts:3 import',
      'worker/routes/v1-bad.ts:5 query',
      'worker/routes/v1-bad.ts:6 query',
    ]);
  });
});
