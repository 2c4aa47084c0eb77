import { ConnectorError } from '../errors';
import type { ErpPostResult } from '../ports';

/** Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One line's failure as a result (so the other lines of the batch still post). */
export function lineFailure(key: string, error: unknown): ErpPostResult {
  if (error instanceof ConnectorError) {
    return {
      key,
      ok: false,
      retryable: error.retryable,
      code: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
      ...(error.fix ? { fix: error.fix } : {}),
    };
  }
  // A bug or an unexpected shape: retrying may help, and the message says what happened.
  return {
    key,
    ok: false,
    retryable: true,
    code: 'NETSUITE_UNEXPECTED',
    message: String((error as Error)?.message ?? error),
  };
}
