import { z } from 'zod';
import { createEmulator } from '../kit/emulator';
import { deliverConnect } from './connect-delivery';
import { createEnvelope, registerEnvelopeRoutes } from './envelopes';
import { type DocuSignState, initialDocuSignState } from './state';

const ConnectConfigInput = z.object({
  urlToPublishTo: z.string().url().optional(),
  hmacSecrets: z.array(z.string().min(1)).max(100).optional(),
  retryDelaysMs: z.array(z.number().int().nonnegative()).max(20).optional(),
});

/**
 * DocuSign eSignature + Connect emulator. Vendor plane: envelopes (create, read, custom fields).
 * Control plane (tests and the sandbox stand in for the signer): configure Connect, create an
 * envelope directly, complete an envelope (every signer signs, Connect delivers `envelope-completed`),
 * and read every delivery attempt.
 */
export const docusignEmulator = createEmulator<DocuSignState>({
  name: 'docusign',
  initialState: (config) => initialDocuSignState(config.options),
  routes: registerEnvelopeRoutes,
  errorFormat: (status, message, code) => ({
    body: { errorCode: status === 429 ? 'HOURLY_APIINVOCATION_LIMIT_EXCEEDED' : code, message },
  }),
  controlRoutes(app, instance) {
    app.put('/__emulator/instances/:id/connect', async (c) => {
      const inst = instance(c.req.param('id'));
      if (!inst) return c.json({ error: 'no such instance' }, 404);
      const parsed = ConnectConfigInput.safeParse(await c.req.json().catch(() => ({})));
      if (!parsed.success) return c.json({ error: parsed.error.issues }, 400);
      Object.assign(
        inst.state.connect,
        Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)),
      );
      return c.json(inst.state.connect);
    });
    app.post('/__emulator/instances/:id/envelopes', async (c) => {
      const inst = instance(c.req.param('id'));
      if (!inst) return c.json({ error: 'no such instance' }, 404);
      const env = createEnvelope(inst.state, () => inst.nextId(), {
        status: 'sent',
        documents: [{}],
        ...(await c.req.json()),
      });
      if (typeof env === 'string') return c.json({ error: env }, 400);
      return c.json(env, 201);
    });
    app.post('/__emulator/instances/:id/envelopes/:envelopeId/complete', async (c) => {
      const inst = instance(c.req.param('id'));
      if (!inst) return c.json({ error: 'no such instance' }, 404);
      const env = inst.state.envelopes[c.req.param('envelopeId')];
      if (!env) return c.json({ error: 'no such envelope' }, 404);
      if (env.status !== 'sent')
        return c.json({ error: `envelope is ${env.status}; only a sent envelope can be completed` }, 409);
      const body = (await c.req.json().catch(() => ({}))) as { completedDateTime?: string; wait?: boolean };
      const at = body.completedDateTime ?? new Date().toISOString();
      for (const s of env.signers) Object.assign(s, { status: 'completed', signedDateTime: at });
      Object.assign(env, { status: 'completed', completedDateTime: at, statusChangedDateTime: at });
      inst.effect('envelope.complete');
      const origin = new URL(c.req.url).origin;
      const delivery = deliverConnect(inst, env, 'envelope-completed', `${origin}/i/${inst.id}`);
      if (body.wait !== false) await delivery;
      return c.json({
        envelope: env,
        attempts: inst.state.attempts.filter((a) => a.envelopeId === env.envelopeId),
      });
    });
    app.get('/__emulator/instances/:id/connect/attempts', (c) => {
      const inst = instance(c.req.param('id'));
      if (!inst) return c.json({ error: 'no such instance' }, 404);
      return c.json({ attempts: inst.state.attempts });
    });
  },
});
