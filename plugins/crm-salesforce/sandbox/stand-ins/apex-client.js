/**
 * Stand-in for `@salesforce/apex/Class.method` outside Salesforce: POSTs the parameters as JSON to the
 * sandbox server's same-origin /apex/{Class}/{method} and resolves with its JSON. On a non-2xx answer it
 * rejects with what imperative Apex rejects with in LWC ({ status, body: { message } }), so the components
 * handle it exactly as they do in an org.
 */

function toMessage(status, body, text) {
  if (body && typeof body.message === 'string') {
    return body.message;
  }
  // The Handoff API's own envelope, if the sandbox passes it through: keep its details for the card.
  if (body?.error && typeof body.error.message === 'string') {
    const e = body.error;
    return JSON.stringify({
      handoffError: true,
      status,
      code: e.code || null,
      message: e.message,
      requestId: e.requestId || null,
      retryable: status === 429 || status >= 500,
      fix: null,
      details: Array.isArray(e.details) ? e.details : [],
    });
  }
  return text || `HTTP ${status}`;
}

export async function callApex(className, methodName, params) {
  let response;
  try {
    response = await fetch(`/apex/${encodeURIComponent(className)}/${encodeURIComponent(methodName)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(params || {}),
    });
  } catch (error) {
    throw {
      status: 0,
      body: { message: `Could not reach the sandbox server: ${error.message}` },
      headers: {},
    };
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (_e) {
    body = null;
  }
  if (!response.ok) {
    throw { status: response.status, body: { message: toMessage(response.status, body, text) }, headers: {} };
  }
  return body;
}
