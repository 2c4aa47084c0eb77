export { changeOrderCard } from './change-order';
export type { AdaptiveCard } from './elements';
export { exceptionCard } from './exception';
export { formatMoney } from './format';
export { milestoneAcceptanceCard } from './milestone-acceptance';
export type * from './types';
export { INPUT_IDS, VERBS, type Verb } from './verbs';

/** Teams refuses bot messages over ~28 KB; the builders cap lists and text to stay under it. */
export const MAX_CARD_BYTES = 28 * 1024;

export function cardBytes(card: unknown): number {
  return new TextEncoder().encode(JSON.stringify(card)).length;
}
