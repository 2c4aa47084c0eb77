import { createServer } from 'node:net';

/**
 * Below Linux's ephemeral range (32768–60999 by default), where the kernel never picks a port on its own: a
 * port handed out here cannot be taken by some outgoing connection's local end before its server binds it
 * (that happened: "Address already in use" for a sandbox's wrangler dev).
 */
const LOW = 20_000;
const HIGH = 32_000;
/** Ports this process has handed out already: never twice. */
const given = new Set<number>();

const tryListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/** A port nothing listens on right now (loopback only), outside the range the kernel hands out. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (given.has(port)) continue;
    given.add(port);
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
