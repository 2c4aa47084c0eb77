import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import type { DocuSignState, DsEnvelope } from './state';

/**
 * The eSignature REST API v2.1 subset: create an envelope (`POST /restapi/v2.1/accounts/{accountId}/
 * envelopes`, 201 with envelopeId/uri/statusDateTime/status), read it and its custom fields. Errors are
 * DocuSign's `{ errorCode, message }`.
 */

type C = Context<EmulatorEnv<DocuSignState>>;

export const dsError = (c: C, status: number, errorCode: string, message: string) =>
  c.json({ errorCode, message }, status as 400);

function authorised(c: C): boolean {
  return /^Bearer \S+/.test(c.req.header('authorization') ?? '');
}

function accountOk(c: C): boolean {
  return c.req.param('accountId') === c.get('instance').state.accountId;
}

const guard = (c: C) => {
  if (!authorised(c))
    return dsError(
      c,
      401,
      'AUTHORIZATION_INVALID_TOKEN',
      'The access token provided is expired, revoked or malformed.',
    );
  if (!accountOk(c))
    return dsError(
      c,
      400,
      'USER_LACKS_MEMBERSHIP',
      'The UserID does not have a valid membership in this Account.',
    );
  return undefined;
};

interface CreateBody {
  emailSubject?: unknown;
  status?: unknown;
  documents?: unknown[];
  recipients?: { signers?: { name?: unknown; email?: unknown; recipientId?: unknown }[] };
  customFields?: {
    textCustomFields?: { name?: unknown; value?: unknown; show?: unknown; required?: unknown }[];
  };
}

export function createEnvelope(
  state: DocuSignState,
  nextId: () => string,
  body: CreateBody,
): DsEnvelope | string {
  const status =
    body.status === 'sent'
      ? 'sent'
      : body.status === undefined || body.status === 'created'
        ? 'created'
        : undefined;
  if (!status) return 'INVALID_REQUEST_PARAMETER';
  const signers = (body.recipients?.signers ?? []).map((s, i) => ({
    recipientId: String(s.recipientId ?? i + 1),
    name: String(s.name ?? ''),
    email: String(s.email ?? ''),
    status: 'sent' as const,
  }));
  if (signers.some((s) => !s.name || !/^[^@\s]+@[^@\s]+$/.test(s.email)))
    return 'INVALID_EMAIL_ADDRESS_FOR_RECIPIENT';
  if (
    status === 'sent' &&
    (signers.length === 0 || !body.documents?.length || typeof body.emailSubject !== 'string')
  )
    return 'ENVELOPE_IS_INCOMPLETE';
  const t = new Date().toISOString();
  const id = nextId();
  const env: DsEnvelope = {
    envelopeId: `${id.padStart(8, '0')}-0000-4000-8000-${id.padStart(12, '0')}`,
    status,
    emailSubject: typeof body.emailSubject === 'string' ? body.emailSubject : '',
    createdDateTime: t,
    statusChangedDateTime: t,
    ...(status === 'sent' ? { sentDateTime: t } : {}),
    signers,
    textCustomFields: (body.customFields?.textCustomFields ?? []).map((f, i) => ({
      fieldId: String(10_000 + i),
      name: String(f.name ?? ''),
      value: String(f.value ?? ''),
      show: String(f.show ?? 'false'),
      required: String(f.required ?? 'false'),
    })),
  };
  state.envelopes[env.envelopeId] = env;
  return env;
}

const MESSAGES: Record<string, string> = {
  INVALID_REQUEST_PARAMETER:
    "The request contained at least one invalid parameter. Invalid value for 'status'.",
  INVALID_EMAIL_ADDRESS_FOR_RECIPIENT:
    'The email address for the recipient is invalid. The recipient Id follows.',
  ENVELOPE_IS_INCOMPLETE:
    'The Envelope is not Complete. A Complete Envelope Requires Documents, Recipients, Tabs, and a Subject Line.',
};

export function registerEnvelopeRoutes(app: EmulatorApp<DocuSignState>) {
  const base = '/restapi/v2.1/accounts/:accountId/envelopes';
  app.post(base, async (c) => {
    const refused = guard(c);
    if (refused) return refused;
    const body = (await c.req.json().catch(() => undefined)) as CreateBody | undefined;
    if (!body || typeof body !== 'object')
      return dsError(c, 400, 'INVALID_REQUEST_BODY', 'The request body is missing or improperly formatted.');
    const inst = c.get('instance');
    const env = createEnvelope(inst.state, () => inst.nextId(), body);
    if (typeof env === 'string') return dsError(c, 400, env, MESSAGES[env] ?? env);
    inst.effect('envelope.create');
    return c.json(
      {
        envelopeId: env.envelopeId,
        uri: `/envelopes/${env.envelopeId}`,
        statusDateTime: env.statusChangedDateTime,
        status: env.status,
      },
      201,
    );
  });

  const find = (c: C) => c.get('instance').state.envelopes[c.req.param('envelopeId') ?? ''];
  app.get(`${base}/:envelopeId`, (c) => {
    const refused = guard(c);
    if (refused) return refused;
    const env = find(c);
    if (!env)
      return dsError(
        c,
        404,
        'ENVELOPE_DOES_NOT_EXIST',
        'The envelope specified either does not exist or you have no rights to it.',
      );
    return c.json({
      envelopeId: env.envelopeId,
      status: env.status,
      emailSubject: env.emailSubject,
      createdDateTime: env.createdDateTime,
      sentDateTime: env.sentDateTime,
      completedDateTime: env.completedDateTime,
      statusChangedDateTime: env.statusChangedDateTime,
      envelopeUri: `/envelopes/${env.envelopeId}`,
      customFieldsUri: `/envelopes/${env.envelopeId}/custom_fields`,
      recipientsUri: `/envelopes/${env.envelopeId}/recipients`,
    });
  });
  app.get(`${base}/:envelopeId/custom_fields`, (c) => {
    const refused = guard(c);
    if (refused) return refused;
    const env = find(c);
    if (!env)
      return dsError(
        c,
        404,
        'ENVELOPE_DOES_NOT_EXIST',
        'The envelope specified either does not exist or you have no rights to it.',
      );
    return c.json({ textCustomFields: env.textCustomFields, listCustomFields: [] });
  });
}
