import { h } from '../dom';
import { formatAge } from '../format';

/**
 * A relative age that stays true between refreshes: the element remembers the instant it counts from,
 * and `refreshAges` rewrites the text without re-rendering anything else.
 */
export function age(sinceMs: number, prefix = '', now = Date.now()) {
  return h(
    'span',
    { 'data-since': sinceMs, 'data-prefix': prefix, title: new Date(sinceMs).toLocaleString() },
    `${prefix}${formatAge((now - sinceMs) / 1000)}`,
  );
}

export function refreshAges(root: ParentNode, now = Date.now()): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-since]')) {
    const text = `${el.dataset.prefix ?? ''}${formatAge((now - Number(el.dataset.since)) / 1000)}`;
    if (el.textContent !== text) el.textContent = text;
  }
}
