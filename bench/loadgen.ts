/**
 * A small closed-loop HTTP load generator, run as its own process by bench/run.ts so the load does not
 * share an event loop with the emulators. `connections` loops each send one request, wait for the
 * answer, send the next, until `durationMs` is over (bounded in time). Prints one JSON line.
 *
 *   tsx bench/loadgen.ts <url> <connections> <durationMs> [bearer token]
 */
import { Agent, request } from 'undici';

const [url, connArg, durArg, token] = process.argv.slice(2);
if (!url) {
  console.error('usage: loadgen <url> <connections> <durationMs> [token]');
  process.exit(2);
}
const connections = Number(connArg ?? 16);
const durationMs = Number(durArg ?? 10_000);
const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
const started = performance.now();
const deadline = started + durationMs;

async function loop() {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      const res = await request(url!, { method: 'GET', headers, dispatcher: agent });
      await res.body.dump();
      latencies.push(performance.now() - t0);
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    } catch {
      errors += 1;
    }
  }
}

await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    requests: latencies.length,
    errors,
    statuses,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies.at(-1) ?? 0,
  }),
);
await agent.close();
