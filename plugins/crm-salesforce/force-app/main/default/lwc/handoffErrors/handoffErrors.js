/**
 * Turns what an imperative Apex call, LDS or plain JS rejects with into something a seller can read.
 *
 * HandoffActivationController throws AuraHandledException whose message is JSON
 * ({ handoffError: true, status, code, message, requestId, retryable, fix, details: [{ field, message, fix }] }),
 * so the backend's field problems survive the trip; everything else falls back to the usual shapes
 * (UI API arrays, body.message, JS errors, HTTP status text).
 */

function parseHandoffPayload(text) {
  if (typeof text !== 'string' || !text.startsWith('{')) {
    return null;
  }
  try {
    const parsed = JSON.parse(text);
    return parsed && parsed.handoffError === true ? parsed : null;
  } catch (_e) {
    return null;
  }
}

function normalizeDetails(details) {
  if (!Array.isArray(details)) {
    return [];
  }
  return details
    .filter((d) => d && typeof d.message === 'string')
    .map((d) => ({
      field: typeof d.field === 'string' ? d.field : '',
      message: d.message,
      fix: typeof d.fix === 'string' ? d.fix : null,
    }));
}

/**
 * One error as { message, code, requestId, retryable, fix, details[] }.
 * @param {unknown} error
 */
export function describeError(error) {
  const fallback = { code: null, requestId: null, retryable: false, fix: null, details: [] };
  if (!error) {
    return { ...fallback, message: 'Unknown error' };
  }
  const body = error.body;
  const handoff = parseHandoffPayload(body?.message) || parseHandoffPayload(error.message);
  if (handoff) {
    return {
      message: handoff.message || 'Handoff could not complete the request.',
      code: handoff.code || null,
      requestId: handoff.requestId || null,
      retryable: handoff.retryable === true,
      fix: handoff.fix || null,
      details: normalizeDetails(handoff.details),
    };
  }
  if (Array.isArray(body)) {
    return {
      ...fallback,
      message:
        body
          .map((e) => e?.message)
          .filter(Boolean)
          .join(' ') || 'Unknown error',
    };
  }
  if (body?.output?.fieldErrors) {
    const details = [];
    for (const [field, errors] of Object.entries(body.output.fieldErrors)) {
      for (const e of errors) {
        details.push({ field, message: e.message, fix: null });
      }
    }
    return { ...fallback, message: body.message || 'Some fields are not valid.', details };
  }
  if (body && typeof body.message === 'string') {
    return { ...fallback, message: body.message };
  }
  if (typeof error.message === 'string') {
    return { ...fallback, message: error.message };
  }
  if (typeof error === 'string') {
    return { ...fallback, message: error };
  }
  return { ...fallback, message: error.statusText || 'Unknown error' };
}

/**
 * Flat, readable messages for one or more errors (the lwc-recipes `reduceErrors` contract: string[]).
 * @param {unknown|unknown[]} errors
 * @returns {string[]}
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  const messages = [];
  for (const error of list.filter(Boolean)) {
    const described = describeError(error);
    messages.push(described.message);
    for (const d of described.details) {
      const where = d.field ? `${d.field}: ` : '';
      messages.push(d.fix ? `${where}${d.message} Fix: ${d.fix}` : `${where}${d.message}`);
    }
  }
  return messages.filter(Boolean);
}
