import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLogTable } from '../db/schema';
import type { Principal } from '../http/context';
import { log } from '../http/logger';
import { redactSecrets } from './secret-shapes';

export interface AuditEntry {
  tenantId: string;
  correlationId: string;
  /**
   * Who acted, always as authenticated: `operator`, `key:{apiKeyId}`, `person:{memberId}` (a console sign-in), a Teams user's Entra object id, or
   * `system` for Handoff's own workflows. Never a name a caller typed (that goes in `detail.note`).
   */
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  detail?: Record<string, unknown>;
}

/** The audited form of an authenticated caller: the actor, and the principal's details for `detail.principal`. */
export interface AuditedPrincipal {
  actor: string;
  principal: Record<string, string>;
}

/** The actor and principal of an API key or operator call (the Salesforce user header only as extra). */
export function auditedPrincipal(p: Principal): AuditedPrincipal {
  if (p.scope === 'platform') return { actor: 'operator', principal: { type: 'operator' } };
  if (p.scope === 'console' && p.person)
    return {
      actor: `person:${p.person.id}`,
      principal: {
        type: 'console-session',
        personId: p.person.id,
        name: p.person.name,
        provider: p.person.provider,
        subject: p.person.subject,
        roles: p.person.roles.join(','),
        ...(p.person.email ? { email: p.person.email } : {}),
      },
    };
  return {
    actor: `key:${p.keyId}`,
    principal: {
      type: 'api-key',
      keyId: p.keyId,
      scope: p.scope,
      ...(p.label ? { label: p.label } : {}),
      ...(p.user ? { crmUser: p.user } : {}),
    },
  };
}

/** An audit entry acted by an authenticated principal: the actor from it, `detail.principal` beside. */
export function byPrincipal(who: AuditedPrincipal, entry: Omit<AuditEntry, 'actor'>): AuditEntry {
  return { ...entry, actor: who.actor, detail: { ...entry.detail, principal: who.principal } };
}

/** Secrets never reach the audit trail: secret-named settings and secret-looking values are redacted. */
export function auditRow(entry: AuditEntry) {
  return { ...entry, detail: redactSecrets(entry.detail ?? {}) };
}

/** Every audit row is also a log line with the same correlation id. */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  const row = auditRow(entry);
  log('info', entry.action, {
    correlationId: entry.correlationId,
    tenantId: entry.tenantId,
    subject: `${entry.subjectType}:${entry.subjectId}`,
    actor: entry.actor,
    ...row.detail,
  });
  await db.insert(auditLogTable).values(row);
}

/** The audit trail of one click (its correlation id), oldest first. */
export async function listAuditEntries(db: Db, tenantId: string, correlationId: string) {
  const rows = await db
    .select()
    .from(auditLogTable)
    .where(and(eq(auditLogTable.tenantId, tenantId), eq(auditLogTable.correlationId, correlationId)))
    .orderBy(asc(auditLogTable.id));
  return rows.map(({ id: _id, tenantId: _t, ...r }) => ({ ...r, detail: r.detail ?? null }));
}
