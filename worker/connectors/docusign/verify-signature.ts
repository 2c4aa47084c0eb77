/**
 * DocuSign Connect HMAC ("How to validate an HMAC signature", developers.docusign.com/platform/webhooks/
 * connect/validate): the whole raw request body is signed with HMAC-SHA256 under each active Connect
 * key, base64-encoded, and sent as `X-DocuSign-Signature-1`, `-2`, ... one header per active key (up to
 * 100 during rotation). A message is authentic when any header matches any of our secrets. Compare in
 * constant time, on the raw bytes, before parsing the JSON.
 */

const MAX_SIGNATURE_HEADERS = 100;

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** The base64 values of every `X-DocuSign-Signature-N` header present. */
export function connectSignatures(headers: HeaderSource): string[] {
  const out: string[] = [];
  for (let n = 1; n <= MAX_SIGNATURE_HEADERS; n += 1) {
    const v = headerValue(headers, `X-DocuSign-Signature-${n}`);
    if (v) out.push(v.trim());
  }
  return out;
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Constant time for equal lengths; an HMAC-SHA256 is always 32 bytes, so length says nothing secret. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();

export async function connectHmac(secret: string, rawBody: string | Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, body as BufferSource));
}

/** base64(HMAC-SHA256(secret, body)): what DocuSign puts in an X-DocuSign-Signature-N header. */
export async function signConnectBody(secret: string, rawBody: string | Uint8Array): Promise<string> {
  const mac = await connectHmac(secret, rawBody);
  return btoa(String.fromCharCode(...mac));
}

/**
 * True when one of the message's signature headers is the HMAC of `rawBody` under one of `secrets`.
 * Every (secret, header) pair is compared, so the time taken does not reveal which key matched.
 */
export async function verifyConnectSignature(
  rawBody: string | Uint8Array,
  headers: HeaderSource,
  secrets: readonly string[],
): Promise<boolean> {
  const given = connectSignatures(headers)
    .map(decodeBase64)
    .filter((b): b is Uint8Array => b !== undefined);
  const usable = secrets.filter((s) => s.length > 0);
  if (given.length === 0 || usable.length === 0) return false;
  const expected = await Promise.all(usable.map((s) => connectHmac(s, rawBody)));
  let ok = false;
  for (const e of expected) for (const g of given) ok = timingSafeEqual(e, g) || ok;
  return ok;
}
