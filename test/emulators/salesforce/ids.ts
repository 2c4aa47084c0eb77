/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 more base-62 characters, and
 * a 3-character suffix that makes the 15-character id case-insensitive (each suffix character encodes
 * which of 5 characters are upper case). Clients such as jsforce and the LWC compare 18-character ids,
 * so the emulator issues real, checksum-valid ones.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** The 18-character form of a 15- or 18-character id, or undefined when it is not a well-formed id. */
export function to18(id: string): string | undefined {
  if (/^[a-zA-Z0-9]{18}$/.test(id)) {
    const head = id.slice(0, 15);
    return caseSafeSuffix(head) === id.slice(15).toUpperCase() ? head + caseSafeSuffix(head) : undefined;
  }
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return id + caseSafeSuffix(id);
  return undefined;
}

/** Build the id number `n` of an object with key prefix `prefix` (e.g. 006 + 1 → 006000000000001AAA). */
export function makeId(prefix: string, n: number): string {
  let body = '';
  let rest = n;
  do {
    body = BASE62.charAt(rest % 62) + body;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  const id15 = prefix + body.padStart(12, '0');
  return id15 + caseSafeSuffix(id15);
}
