import { createRoute, z } from '@hono/zod-openapi';
import { CalendarDateSchema, DateTimeSchema } from '../../shared/model/calendar-date';
import { OpportunityIdSchema } from '../../shared/model/ids';
import { NonBlankNameSchema, nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { AmendmentChangesSchema, AmendmentNumberSchema } from '../domain/amendments';
import { listAmendments } from '../domain/amendments/list-amendments';
import { receiveAmendment } from '../domain/amendments/receive-amendment';
import { receiveDocuSignEnvelope } from '../domain/amendments/receive-docusign-envelope';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { idempotent } from '../http/idempotency';
import { log } from '../http/logger';
import {
  conflictResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  keyScopes,
  security,
  unprocessableResponse,
} from './openapi-common';
import { OPPORTUNITY } from './openapi-examples';

const numberConflict = conflictResponse(
  "The number is not the contract's next, or is taken by another amendment",
  'Contract 006000000000002AAA has amendments up to 1; this one is numbered 3.',
  'number',
  'Number it 2, or send amendment 2 first.',
);
const currencyMismatch = unprocessableResponse(
  'Money in the change set is not in the contract currency',
  'changes.rates.0.rate is in EUR but the contract is in USD',
  'changes.rates.0.rate.currency',
  'State every amount in USD; an amendment cannot change the contract currency.',
);

const Received = z
  .object({
    id: z.string(),
    duplicate: z.boolean().openapi({ description: 'true when this amendment was already recorded' }),
  })
  .openapi('AmendmentReceived');

const AmendmentRequestSchema = z
  .object({
    crmRecordId: OpportunityIdSchema,
    number: AmendmentNumberSchema,
    amendmentRef: nonBlank(64).openapi({
      description: "The CRM's record of this amendment; the same ref is the same amendment.",
    }),
    effectiveDate: CalendarDateSchema,
    signedBy: z
      .array(
        z.object({
          name: NonBlankNameSchema,
          email: z.email().max(254).optional(),
          signedAt: DateTimeSchema.optional(),
        }),
      )
      .min(1)
      .max(20),
    changes: AmendmentChangesSchema,
  })
  .openapi('AmendmentRequest');

const AmendmentSchema = z
  .object({
    id: z.string(),
    number: z.number(),
    state: z.string(),
    effectiveDate: z.string(),
    contractVersion: z.number().nullable(),
    message: z.string().nullable(),
    diff: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Amendment');

const received = { id: 'amd_Hc4Jr9pW2sLx', duplicate: false };

const docusign = createRoute({
  method: 'post',
  path: '/v1/webhooks/docusign/{tenantId}',
  operationId: 'receiveDocuSignEnvelope',
  tags: ['Amendments'],
  summary: 'DocuSign Connect: a signed amendment (envelope-completed, JSON SIM), HMAC-verified',
  description:
    "The envelope's custom fields carry the amendment: handoff_contract_key, amendment_number (the contract's next), effective_date and handoff_changes (the change set as JSON). A 409 (out of order) is retried by Connect.",
  security: security.docusignConnect,
  request: {
    params: z.object({ tenantId: z.string().min(1).max(64).openapi({ example: 'ten_Vb2Lq8sN0xYz' }) }),
  },
  responses: {
    202: jsonBody(Received, 'Recorded (or already recorded)', received),
    200: jsonBody(z.object({ ignored: z.string() }), 'Not an amendment event', {
      ignored: 'Connect event "envelope-sent" is not envelope-completed',
    }),
    409: numberConflict,
    422: currencyMismatch,
    ...errorResponses,
  },
});

const fromCrm = createRoute({
  method: 'post',
  path: '/v1/amendments',
  operationId: 'createAmendment',
  tags: ['Amendments'],
  summary: 'An amendment signed in the CRM (contract change order). Requires Idempotency-Key.',
  description:
    "Amendments of a contract are numbered 1, 2, 3...: `number` must be the contract's latest plus one (the same number again is accepted only for the same amendmentRef). Money must be in the contract currency.",
  security: keyScopes('crm'),
  middleware: [requireKey('crm'), idempotent('POST /v1/amendments')] as const,
  request: {
    body: jsonRequest(AmendmentRequestSchema, 'The amendment', {
      crmRecordId: OPPORTUNITY,
      number: 1,
      amendmentRef: 'a1X5g000001AmdQEAS',
      effectiveDate: '2026-11-17',
      signedBy: [{ name: 'Hank Scorpio', email: 'hank@globex.example', signedAt: '2026-11-16T15:04:05Z' }],
      changes: {
        rates: [
          { role: 'Consultant', rate: { amountMinor: 18_000, currency: 'USD' }, effectiveFrom: '2026-11-17' },
        ],
        notToExceed: { amountMinor: 30_000_000, currency: 'USD' },
      },
    }),
  },
  responses: {
    202: jsonBody(Received, 'Recorded (or already recorded under this amendmentRef)', received),
    409: numberConflict,
    422: currencyMismatch,
    ...errorResponses,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/amendments',
  operationId: 'listAmendments',
  tags: ['Amendments'],
  summary: "A contract's amendments: state, diff, the version they made",
  security: keyScopes('admin', 'crm'),
  middleware: [requireKey('admin', 'crm')] as const,
  request: { query: z.object({ contractKey: OpportunityIdSchema.openapi({ example: OPPORTUNITY }) }) },
  responses: {
    200: jsonBody(z.object({ amendments: z.array(AmendmentSchema) }), 'Oldest first', {
      amendments: [
        {
          id: received.id,
          number: 1,
          state: 'applied',
          effectiveDate: '2026-11-17',
          contractVersion: 2,
          message: 'Amendment 1 applied from 2026-11-17: contract version 2.',
          diff: {
            rates: [{ role: 'Consultant', before: 16_500, after: 18_000, effectiveFrom: '2026-11-17' }],
          },
        },
      ],
    }),
    ...errorResponses,
  },
});

export function registerV1Amendments(app: App) {
  app.openapi(docusign, async (c) => {
    const { tenantId } = c.req.valid('param');
    const raw = await c.req.text();
    const out = await receiveDocuSignEnvelope(c.get('db'), c.env, {
      tenantId,
      raw,
      headers: c.req.raw.headers,
      correlationId: c.get('correlationId'),
    });
    if (out.outcome === 'unverified')
      throw new ApiError('UNAUTHORIZED', 'The DocuSign Connect signature could not be verified.');
    if (out.outcome === 'ignored') return c.json({ ignored: out.reason }, 200);
    if (out.outcome === 'refused') {
      log('warn', 'docusign event refused', {
        correlationId: c.get('correlationId'),
        tenantId,
        error: out.error,
      });
      throw new ApiError(
        'VALIDATION_FAILED',
        `The envelope is not a Handoff amendment: ${out.message}`,
        out.details.length ? out.details : undefined,
      );
    }
    return c.json(out.received, 202);
  });
  app.openapi(fromCrm, async (c) => {
    const b = c.req.valid('json');
    const out = await receiveAmendment(c.get('db'), c.env, {
      tenantId: c.get('principal').tenantId,
      contractKey: b.crmRecordId,
      number: b.number,
      source: 'crm',
      sourceRef: b.amendmentRef,
      effectiveDate: b.effectiveDate,
      signedBy: b.signedBy,
      changes: b.changes,
      correlationId: c.get('correlationId'),
    });
    return c.json(out, 202);
  });
  app.openapi(list, async (c) => {
    const { contractKey } = c.req.valid('query');
    const amendments = await listAmendments(c.get('db'), c.get('principal').tenantId, contractKey);
    return c.json({ amendments }, 200);
  });
}
