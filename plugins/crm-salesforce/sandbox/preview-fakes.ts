import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Tiny fake backend for previewing the sandbox page without the real sandbox server: a few records, and
 * activations that move one step per second. The record id picks the story:
 *   006...01 never activated; Activate project runs it (one retry on the PSA project) to Active
 *   006...02 needs fixes (two fields, on the Account and the Opportunity)
 *   006...03 failed with an exception
 *   006...04 in flight, retrying the PSA project
 *   006...05 the backend is down: Apex rejects with the Handoff error envelope
 */

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(
  here,
  '..',
  'force-app',
  'main',
  'default',
  'lwc',
  'handoffActivationCard',
  '__tests__',
  'data',
);

type Json = Record<string, unknown>;
type View = Json & { steps: Json[]; status: string; updatedAt: string };

function fixture(name: string): View {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as View;
}

export const PREVIEW_IDS = {
  fresh: '006000000000001AAA',
  needsFixes: '006000000000002AAA',
  failed: '006000000000003AAA',
  retrying: '006000000000004AAA',
  outage: '006000000000005AAA',
} as const;

/** What the sandbox server answers when Handoff itself failed: the API's envelope, passed through. */
export const OUTAGE_ENVELOPE = {
  error: {
    code: 'UPSTREAM_UNAVAILABLE',
    message: 'Handoff cannot reach NetSuite right now.',
    requestId: 'req_preview_503',
    details: [
      {
        field: 'erp',
        message: 'NetSuite answered 503 three times.',
        fix: 'Wait a few minutes; nothing was created twice.',
      },
    ],
  },
};
const ACCOUNT_ID = '001000000000001AAA';

const opportunity = (id: string, name: string, extra: Json = {}): Json => ({
  attributes: { type: 'Opportunity' },
  Id: id,
  Name: name,
  AccountId: ACCOUNT_ID,
  Account: { Name: 'Acme Logistics GmbH' },
  StageName: 'Closed Won',
  CloseDate: '2025-03-03',
  Amount: 184500,
  CurrencyIsoCode: 'EUR',
  Handoff_SOW_Number__c: 'SOW-1042',
  Handoff_Billing_Model__c: 'Fixed Fee',
  Handoff_Start_Date__c: '2025-04-01',
  Handoff_End_Date__c: '2025-09-30',
  Handoff_Travel_Cap__c: 12000,
  Handoff_Project_Template__c: 'Cloud migration (fixed fee)',
  Handoff_Service_Line__c: 'Cloud & Infrastructure',
  ...extra,
});

export function previewRecords(): Map<string, Json> {
  return new Map<string, Json>([
    [PREVIEW_IDS.fresh, opportunity(PREVIEW_IDS.fresh, 'Acme Logistics – Cloud migration')],
    [
      PREVIEW_IDS.needsFixes,
      opportunity(PREVIEW_IDS.needsFixes, 'Acme Logistics – Data platform', {
        Handoff_Status__c: 'Needs fixes',
      }),
    ],
    [
      PREVIEW_IDS.failed,
      opportunity(PREVIEW_IDS.failed, 'Acme Logistics – Managed services', { Handoff_Status__c: 'Failed' }),
    ],
    [
      PREVIEW_IDS.retrying,
      opportunity(PREVIEW_IDS.retrying, 'Acme Logistics – Security review', {
        Handoff_Status__c: 'Retrying',
      }),
    ],
    [PREVIEW_IDS.outage, opportunity(PREVIEW_IDS.outage, 'Acme Logistics – Support retainer')],
    [
      ACCOUNT_ID,
      {
        attributes: { type: 'Account' },
        Id: ACCOUNT_ID,
        Name: 'Acme Logistics GmbH',
        Handoff_Legal_Name__c: 'Acme Logistics GmbH',
        BillingCity: 'Hamburg',
        BillingCountryCode: 'DE',
        Handoff_Tax_Scheme__c: 'VAT',
      },
    ],
  ]);
}

/** The activation of a record at a time, computed from when it started (no timers to clean up). */
export class FakeActivations {
  private readonly started = new Map<string, number>();
  private readonly fixed = new Map<string, View>([
    [PREVIEW_IDS.needsFixes, fixture('needsFixes')],
    [PREVIEW_IDS.failed, fixture('failed')],
  ]);

  constructor(private readonly stepMs = 1000) {
    this.started.set(PREVIEW_IDS.retrying, Date.now() - 2.5 * stepMs);
  }

  activate(recordId: string): View {
    if (!this.started.has(recordId) && !this.fixed.has(recordId)) this.started.set(recordId, Date.now());
    return this.get(recordId)!;
  }

  get(recordId: string): View | null {
    const fixed = this.fixed.get(recordId);
    if (fixed) return { ...fixed, crmRecordId: recordId };
    const startedAt = this.started.get(recordId);
    if (startedAt === undefined) return null;
    const base = fixture('active');
    const retrying = recordId === PREVIEW_IDS.retrying;
    // The PSA project step (index 2) is retried twice before it goes through; the retrying story stays there.
    const elapsedSteps = (Date.now() - startedAt) / this.stepMs;
    const position = retrying ? 2.5 : elapsedSteps < 2 ? elapsedSteps : Math.max(2, elapsedSteps - 2);
    const stepIndex = Math.floor(position);
    const steps = base.steps.map((step, i) => {
      if (i < stepIndex) return { ...step, status: 'done', attempts: i === 2 ? 3 : 1 };
      if (i > stepIndex)
        return { ...step, status: 'pending', attempts: 0, startedAt: null, finishedAt: null };
      const inRetry = i === 2 && (retrying || elapsedSteps < 4);
      return inRetry && elapsedSteps >= 2.3
        ? {
            ...step,
            status: 'retrying',
            attempts: 2,
            message: 'Kantata is rate limiting (HTTP 429); next try in 2 s.',
            finishedAt: null,
          }
        : { ...step, status: 'running', attempts: 1, finishedAt: null };
    });
    const done = stepIndex >= steps.length;
    const anyRetry = steps.some((s) => s.status === 'retrying');
    const status = done
      ? 'active'
      : stepIndex === 0 && elapsedSteps < 0.3
        ? 'queued'
        : anyRetry
          ? 'retrying'
          : 'running';
    return {
      ...base,
      crmRecordId: recordId,
      status,
      steps: done ? base.steps : steps,
      links: done ? base.links : [],
      completedAt: done ? base.completedAt : null,
      // Changes whenever the visible state does, like the real updatedAt.
      updatedAt: new Date(startedAt + Math.floor(elapsedSteps * 2) * (this.stepMs / 2)).toISOString(),
    };
  }
}
