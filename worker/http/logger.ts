type Level = 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };

/**
 * The least severe level written, from the `LOG_LEVEL` var (`info` by default). Workers with `nodejs_compat`
 * see their string vars in `process.env`, so the same module reads it in workerd and in Node.
 */
function threshold(): number {
  const wanted = globalThis.process?.env?.LOG_LEVEL;
  return wanted && wanted in RANK ? RANK[wanted as Level] : 0;
}

/** Structured log lines: every one carries the correlation id so a click can be followed to its last write. */
export function log(
  level: Level,
  message: string,
  fields: Record<string, unknown> & { correlationId: string },
) {
  if (RANK[level] < threshold()) return;
  const line = JSON.stringify({ level, message, at: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
