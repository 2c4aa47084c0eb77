import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Contract, ContractSchema } from '../../../shared/model/contract';
import { money } from '../../../shared/model/money';
import type { Db } from '../../db/client';
import { activationsTable, contractVersionsTable, deliveryItemsTable, linksTable } from '../../db/schema';
import type { BillingContext } from './rules';

export interface ProjectContext {
  tenantId: string;
  contractKey: string;
  psaProjectId: string;
  contract: Contract;
  contractVersion: number;
  active: boolean;
  erpCustomerId?: string;
  erpProjectId?: string;
}

/** Store the terms a project is billed by (version 1 at activation; amendments add versions). */
export async function saveContractVersion(
  db: Db,
  tenantId: string,
  contractKey: string,
  contract: Contract,
  source: string,
  version = 1,
) {
  await db
    .insert(contractVersionsTable)
    .values({
      tenantId,
      contractKey,
      version,
      contract: contract as unknown as Record<string, unknown>,
      source,
    })
    .onConflictDoNothing();
}

/** The Handoff project behind a PSA project id, or undefined when Handoff did not provision it. */
export async function projectByPsaId(
  db: Db,
  tenantId: string,
  psaProjectId: string,
): Promise<ProjectContext | undefined> {
  const [link] = await db
    .select({ contractKey: linksTable.contractKey })
    .from(linksTable)
    .where(
      and(
        eq(linksTable.tenantId, tenantId),
        eq(linksTable.role, 'psa'),
        eq(linksTable.kind, 'project'),
        eq(linksTable.externalId, psaProjectId),
      ),
    )
    .limit(1);
  return link ? projectByContract(db, tenantId, link.contractKey) : undefined;
}

export async function projectByContract(
  db: Db,
  tenantId: string,
  contractKey: string,
): Promise<ProjectContext | undefined> {
  // One round trip to the database for the three reads.
  const [[version], links, [activation]] = await db.batch([
    db
      .select()
      .from(contractVersionsTable)
      .where(
        and(eq(contractVersionsTable.tenantId, tenantId), eq(contractVersionsTable.contractKey, contractKey)),
      )
      .orderBy(desc(contractVersionsTable.version))
      .limit(1),
    db
      .select()
      .from(linksTable)
      .where(
        and(
          eq(linksTable.tenantId, tenantId),
          eq(linksTable.contractKey, contractKey),
          eq(linksTable.localKey, ''),
        ),
      ),
    db
      .select({ status: activationsTable.status })
      .from(activationsTable)
      .where(and(eq(activationsTable.tenantId, tenantId), eq(activationsTable.opportunityId, contractKey)))
      .limit(1),
  ]);
  const psa = links.find((l) => l.role === 'psa' && l.kind === 'project');
  if (!version || !psa) return undefined;
  return {
    tenantId,
    contractKey,
    psaProjectId: psa.externalId,
    contract: ContractSchema.parse(version.contract),
    contractVersion: version.version,
    active: activation?.status === 'active',
    erpCustomerId: links.find((l) => l.role === 'erp' && l.kind === 'customer')?.externalId,
    erpProjectId: links.find((l) => l.role === 'erp' && l.kind === 'project')?.externalId,
  };
}

/** Billable time and travel already posted or on their way: what the caps are counted against. */
export async function billingContext(db: Db, p: ProjectContext): Promise<BillingContext> {
  const rows = await db
    .select({
      kind: deliveryItemsTable.kind,
      isTravel: deliveryItemsTable.isTravel,
      total: sql<number>`coalesce(sum(${deliveryItemsTable.amountMinor}), 0)`,
    })
    .from(deliveryItemsTable)
    .where(
      and(
        eq(deliveryItemsTable.tenantId, p.tenantId),
        eq(deliveryItemsTable.contractKey, p.contractKey),
        eq(deliveryItemsTable.billable, true),
        inArray(deliveryItemsTable.state, ['queued', 'posted']),
      ),
    )
    .groupBy(deliveryItemsTable.kind, deliveryItemsTable.isTravel);
  const sum = (f: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(f).reduce((a, r) => a + Number(r.total), 0);
  return {
    projectActive: p.active,
    billedTime: money(
      sum((r) => r.kind === 'time'),
      p.contract.currency,
    ),
    travelUsed: money(
      sum((r) => r.kind === 'expense' && r.isTravel),
      p.contract.currency,
    ),
  };
}

/**
 * The projects of many contracts at once (a bulk job's page spans any number of them): the same as
 * projectByContract for each, in three queries whatever their number.
 */
export async function projectsByContracts(
  db: Db,
  tenantId: string,
  contractKeys: string[],
): Promise<Map<string, ProjectContext>> {
  const keys = sql`(select value from json_each(${JSON.stringify([...new Set(contractKeys)])}))`;
  const [versions, links, activations] = await db.batch([
    db
      .select()
      .from(contractVersionsTable)
      .where(
        and(eq(contractVersionsTable.tenantId, tenantId), inArray(contractVersionsTable.contractKey, keys)),
      ),
    db
      .select()
      .from(linksTable)
      .where(
        and(
          eq(linksTable.tenantId, tenantId),
          inArray(linksTable.contractKey, keys),
          eq(linksTable.localKey, ''),
        ),
      ),
    db
      .select({ key: activationsTable.opportunityId, status: activationsTable.status })
      .from(activationsTable)
      .where(and(eq(activationsTable.tenantId, tenantId), inArray(activationsTable.opportunityId, keys))),
  ]);
  const out = new Map<string, ProjectContext>();
  for (const key of new Set(contractKeys)) {
    const version = versions
      .filter((v) => v.contractKey === key)
      .reduce<(typeof versions)[number] | undefined>(
        (a, v) => (!a || v.version > a.version ? v : a),
        undefined,
      );
    const own = links.filter((l) => l.contractKey === key);
    const psa = own.find((l) => l.role === 'psa' && l.kind === 'project');
    if (!version || !psa) continue;
    out.set(key, {
      tenantId,
      contractKey: key,
      psaProjectId: psa.externalId,
      contract: ContractSchema.parse(version.contract),
      contractVersion: version.version,
      active: activations.find((a) => a.key === key)?.status === 'active',
      erpCustomerId: own.find((l) => l.role === 'erp' && l.kind === 'customer')?.externalId,
      erpProjectId: own.find((l) => l.role === 'erp' && l.kind === 'project')?.externalId,
    });
  }
  return out;
}

/** billingContext of many projects at once, in one query. */
export async function billingContexts(
  db: Db,
  tenantId: string,
  projects: ProjectContext[],
): Promise<Map<string, BillingContext>> {
  const rows = projects.length
    ? await db
        .select({
          key: deliveryItemsTable.contractKey,
          kind: deliveryItemsTable.kind,
          isTravel: deliveryItemsTable.isTravel,
          total: sql<number>`coalesce(sum(${deliveryItemsTable.amountMinor}), 0)`,
        })
        .from(deliveryItemsTable)
        .where(
          and(
            eq(deliveryItemsTable.tenantId, tenantId),
            inArray(
              deliveryItemsTable.contractKey,
              sql`(select value from json_each(${JSON.stringify(projects.map((p) => p.contractKey))}))`,
            ),
            eq(deliveryItemsTable.billable, true),
            inArray(deliveryItemsTable.state, ['queued', 'posted']),
          ),
        )
        .groupBy(deliveryItemsTable.contractKey, deliveryItemsTable.kind, deliveryItemsTable.isTravel)
    : [];
  return new Map(
    projects.map((p) => {
      const sum = (f: (r: (typeof rows)[number]) => boolean) =>
        rows.filter((r) => r.key === p.contractKey && f(r)).reduce((a, r) => a + Number(r.total), 0);
      return [
        p.contractKey,
        {
          projectActive: p.active,
          billedTime: money(
            sum((r) => r.kind === 'time'),
            p.contract.currency,
          ),
          travelUsed: money(
            sum((r) => r.kind === 'expense' && r.isTravel),
            p.contract.currency,
          ),
        },
      ];
    }),
  );
}
