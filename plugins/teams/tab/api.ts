import type { CardMoney } from '../cards/types';

/** The shapes the tab reads from the Handoff API (GET /v1/teams/me/approvals, /v1/teams/me/exceptions). */
export interface TabApproval {
  id: string;
  kind: 'milestone' | 'changeOrder';
  title: string;
  project: string;
  amount?: CardMoney;
  requestedAt?: string;
}

export interface TabException {
  id: string;
  rule: string;
  reason: string;
  owner?: string;
  suggestedFix?: string;
  raisedAt?: string;
}

export type Decision = { decision: 'accept' | 'reject'; comment?: string };
export type Resolution = { action: 'retry' | 'skip'; reason?: string };

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      ...init,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${this.token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    const body = (await res.json().catch(() => ({}))) as { message?: string; error?: { message?: string } };
    if (!res.ok) throw new Error(body.message ?? body.error?.message ?? `Handoff answered ${res.status}`);
    return body as T;
  }

  /** Lists come as an array or as {items}: both are accepted so the tab does not pin the envelope. */
  private async list<T>(path: string): Promise<T[]> {
    const body = await this.call<T[] | { items: T[] }>(path);
    return Array.isArray(body) ? body : (body.items ?? []);
  }

  approvals(): Promise<TabApproval[]> {
    return this.list('/v1/teams/me/approvals');
  }

  exceptions(): Promise<TabException[]> {
    return this.list('/v1/teams/me/exceptions');
  }

  decide(id: string, d: Decision): Promise<unknown> {
    return this.call(`/v1/teams/me/approvals/${encodeURIComponent(id)}/decision`, {
      method: 'POST',
      body: JSON.stringify(d),
    });
  }

  resolve(id: string, r: Resolution): Promise<unknown> {
    return this.call(`/v1/teams/me/exceptions/${encodeURIComponent(id)}/resolution`, {
      method: 'POST',
      body: JSON.stringify(r),
    });
  }
}
