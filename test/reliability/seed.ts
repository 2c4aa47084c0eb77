/**
 * Seed and scale of the reliability suite. `HANDOFF_SEED` replays a run (default: a random seed, printed in
 * each test's name); `HANDOFF_RELIABILITY_SCALE` (default 1) multiplies sizes and runs. In workerd they are
 * read from process.env, which holds the worker's string bindings (see vitest.reliability.config.ts).
 */
const env = ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
  {}) as Record<string, string | undefined>;

function parsePositive(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw && Number.isFinite(n) && n > 0 ? n : fallback;
}

export const SEED: number = env.HANDOFF_SEED
  ? Number(env.HANDOFF_SEED) | 0
  : Math.floor(Math.random() * 0x7fffffff) | 0 || 1;

export const SCALE: number = parsePositive(env.HANDOFF_RELIABILITY_SCALE, 1);

/** "(seed 123, scale 1)": put in test names so a failure names its replay. */
export const SEEDED = `(HANDOFF_SEED=${SEED}, scale ${SCALE})`;

/** Runs for a property: the base count times the scale. */
export const runs = (base: number) => Math.max(1, Math.round(base * SCALE));

/** A small deterministic PRNG (mulberry32), one stream per label so tests don't disturb each other. */
export function rng(label: string, seed = SEED): () => number {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 2654435761) >>> 0;
  let a = h || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const intIn = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Prefix an assertion failure with the seed so it can be replayed. */
export async function withSeed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message}\n  replay with HANDOFF_SEED=${SEED}`;
    throw e;
  }
}
