import { z } from 'zod';

/**
 * Kantata documents no push webhooks and no delivery signature: its change feed is the pull-based
 * Subscribed Events API (`GET /subscribed_events`, see events.ts). Pushes therefore come from the stand-in
 * the emulator (or a relay that polls Subscribed Events) provides, authenticated per Standard Webhooks v1:
 * `webhook-id`, `webhook-timestamp` (unix seconds), `webhook-signature` (space-separated `v1,<base64>`
 * HMAC-SHA256 of `id.timestamp.body` under the `whsec_` secret), rejected outside ±5 minutes. The body is
 * a subscribed event as the API lists it. Callers dedupe on the returned `id` (the webhook-id).
 */

export type KantataWebhookErrorCode =
  | 'MISSING_HEADERS'
  | 'BAD_SECRET'
  | 'STALE'
  | 'BAD_SIGNATURE'
  | 'BAD_PAYLOAD';

export class KantataWebhookError extends Error {
  readonly code: KantataWebhookErrorCode;
  constructor(code: KantataWebhookErrorCode, message: string) {
    super(message);
    this.name = 'KantataWebhookError';
    this.code = code;
  }
}

export interface KantataWebhookEvent {
  /** The delivery's webhook-id: the same on every retry of one event, so the dedupe key. */
  id: string;
  /** The subscribed event's own id. */
  eventId: string;
  /** e.g. `time_entry:updated`, `expense:created`, `story:updated`. */
  event: string;
  subjectType: string;
  subjectId: string;
  workspaceId?: string;
}

const TOLERANCE_SECONDS = 5 * 60;

const BodySchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  event_type: z.string().min(1),
  subject_type: z.string().min(1),
  subject_id: z.union([z.string(), z.number()]).transform(String),
  current_payload: z.unknown().optional(),
  previous_payload: z.unknown().optional(),
});

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  const v = found?.[1];
  return Array.isArray(v) ? v[0] : v;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const bin = atob(b64);
    const out = new Uint8Array(new ArrayBuffer(bin.length));
    for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function bytesOf(raw: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof raw === 'string') return new TextEncoder().encode(raw);
  return raw instanceof Uint8Array ? raw : new Uint8Array(raw);
}

function workspaceOf(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const w = (payload as Record<string, unknown>).workspace_id;
  return typeof w === 'string' || typeof w === 'number' ? String(w) : undefined;
}

/** Authenticate a delivery on its raw bytes, then read it. Throws KantataWebhookError. */
export async function parseKantataWebhook(
  headers: HeaderSource,
  rawBody: string | Uint8Array | ArrayBuffer,
  secret: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<KantataWebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new KantataWebhookError(
      'MISSING_HEADERS',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  const key = secret.startsWith('whsec_') ? base64ToBytes(secret.slice('whsec_'.length)) : undefined;
  if (!key || key.length === 0)
    throw new KantataWebhookError('BAD_SECRET', 'The webhook secret must be whsec_ + base64');
  const ts = Number(timestamp);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(timestamp) || Math.abs(now - ts) > (opts.toleranceSeconds ?? TOLERANCE_SECONDS))
    throw new KantataWebhookError('STALE', 'The webhook timestamp is outside the allowed window');
  const body = bytesOf(rawBody);
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(new ArrayBuffer(prefix.length + body.length));
  signed.set(prefix);
  signed.set(body, prefix.length);
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  let valid = false;
  for (const part of signatures.split(' ')) {
    const [version, sig] = part.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const sigBytes = base64ToBytes(sig);
    // crypto.subtle.verify compares in constant time.
    if (sigBytes && (await crypto.subtle.verify('HMAC', cryptoKey, sigBytes, signed))) valid = true;
  }
  if (!valid) throw new KantataWebhookError('BAD_SIGNATURE', 'No webhook signature matches the body');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new KantataWebhookError('BAD_PAYLOAD', 'The webhook body is not JSON');
  }
  const parsed = BodySchema.safeParse(json);
  if (!parsed.success)
    throw new KantataWebhookError(
      'BAD_PAYLOAD',
      `Not a Kantata subscribed event: ${parsed.error.issues[0]?.message}`,
    );
  const e = parsed.data;
  const workspaceId =
    e.subject_type === 'Workspace'
      ? e.subject_id
      : (workspaceOf(e.current_payload) ?? workspaceOf(e.previous_payload));
  return {
    id,
    eventId: e.id,
    event: e.event_type,
    subjectType: e.subject_type,
    subjectId: e.subject_id,
    ...(workspaceId ? { workspaceId } : {}),
  };
}
