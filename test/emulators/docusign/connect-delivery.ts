import { createHmac } from 'node:crypto';
import type { Instance } from '../kit/emulator';
import type { DocuSignState, DsEnvelope } from './state';

/**
 * Connect JSON SIM message for an envelope event, with the envelope summary, recipients and custom
 * fields included (what a configuration with "Include Data" sends).
 */
export function simMessage(
  state: DocuSignState,
  env: DsEnvelope,
  event: string,
  retryCount: number,
  origin: string,
) {
  return {
    event,
    apiVersion: 'v2.1',
    uri: `/restapi/v2.1/accounts/${state.accountId}/envelopes/${env.envelopeId}`,
    retryCount,
    configurationId: Number(state.connect.configurationId),
    generatedDateTime: new Date().toISOString(),
    data: {
      accountId: state.accountId,
      userId: '4c5d6e7f-0000-4000-8000-00000000u001',
      envelopeId: env.envelopeId,
      envelopeSummary: {
        status: env.status,
        documentsUri: `/envelopes/${env.envelopeId}/documents`,
        recipientsUri: `/envelopes/${env.envelopeId}/recipients`,
        emailSubject: env.emailSubject,
        envelopeId: env.envelopeId,
        customFieldsUri: `/envelopes/${env.envelopeId}/custom_fields`,
        createdDateTime: env.createdDateTime,
        sentDateTime: env.sentDateTime,
        completedDateTime: env.completedDateTime,
        statusChangedDateTime: env.statusChangedDateTime,
        sender: { userName: 'Deal Desk', email: 'dealdesk@example.com' },
        recipients: {
          signers: env.signers.map((s) => ({
            name: s.name,
            email: s.email,
            recipientId: s.recipientId,
            routingOrder: '1',
            status: s.status,
            ...(s.signedDateTime
              ? { signedDateTime: s.signedDateTime, deliveredDateTime: s.signedDateTime }
              : {}),
          })),
          recipientCount: String(env.signers.length),
        },
        customFields: { textCustomFields: env.textCustomFields, listCustomFields: [] },
        links: { self: `${origin}/restapi/v2.1/accounts/${state.accountId}/envelopes/${env.envelopeId}` },
      },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POST the signed event to the listener; retry a non-2xx answer or an unreachable listener after each
 * configured delay, with `retryCount` raised (so the body, and its signatures, differ per attempt).
 * Every attempt is recorded. Resolves when delivered or the retries are used up.
 */
export async function deliverConnect(
  inst: Instance<DocuSignState>,
  env: DsEnvelope,
  event: string,
  origin: string,
) {
  const cfg = inst.state.connect;
  if (!cfg.urlToPublishTo) return;
  for (let attempt = 0; attempt <= cfg.retryDelaysMs.length; attempt += 1) {
    if (attempt > 0) await sleep(cfg.retryDelaysMs[attempt - 1]!);
    const body = JSON.stringify(simMessage(inst.state, env, event, attempt, origin));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    cfg.hmacSecrets.forEach((secret, i) => {
      headers[`X-DocuSign-Signature-${i + 1}`] = createHmac('sha256', secret)
        .update(body, 'utf8')
        .digest('base64');
    });
    if (cfg.hmacSecrets.length) headers['X-Authorization-Digest'] = 'HMACSHA256';
    const record = { envelopeId: env.envelopeId, event, attempt: attempt + 1, at: new Date().toISOString() };
    try {
      const res = await fetch(cfg.urlToPublishTo, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
      inst.state.attempts.push({ ...record, status: res.status });
      if (res.ok) {
        inst.effect('connect.deliver');
        return;
      }
    } catch (e) {
      inst.state.attempts.push({ ...record, error: e instanceof Error ? e.message : String(e) });
    }
  }
  inst.effect('connect.fail');
}
