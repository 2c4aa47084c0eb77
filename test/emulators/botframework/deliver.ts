import type { Hono } from 'hono';
import { z } from 'zod';
import type { EmulatorEnv, Instance } from '../kit/emulator';
import { type BotFrameworkState, serviceUrlOf } from './state';
import { type ChannelTokenVariant, mintChannelToken } from './tokens';

const VARIANTS = [
  'valid',
  'expired',
  'not_yet_valid',
  'wrong_audience',
  'wrong_issuer',
  'wrong_service_url',
  'unknown_key',
  'no_service_url',
] as const satisfies readonly ChannelTokenVariant[];

const DeliverSchema = z.object({
  botUrl: z.string().url(),
  activity: z.looseObject({ type: z.string() }),
  /** Which registered bot the activity is for (default: the first). */
  appId: z.string().optional(),
  /** Send a deliberately bad token instead, to see the bot refuse it. */
  tokenVariant: z.enum(VARIANTS).default('valid'),
  timeoutMs: z.number().int().positive().default(15_000),
});
export type DeliverRequest = z.input<typeof DeliverSchema>;

const TokenRequestSchema = z.object({
  appId: z.string().optional(),
  variant: z.enum(VARIANTS).default('valid'),
});

function botAppId(inst: Instance<BotFrameworkState>, requested?: string): string | undefined {
  return requested ?? inst.state.options.bots[0]?.appId;
}

/** Fills what Teams always sets on an activity it delivers. */
function asTeamsWouldSend(
  inst: Instance<BotFrameworkState>,
  activity: { conversation?: object; channelData?: object; [k: string]: unknown },
  appId: string,
  serviceUrl: string,
) {
  const tenantId = inst.state.options.tenantId;
  return {
    id: `f:${inst.nextId()}`,
    channelId: 'msteams',
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    recipient: { id: `28:${appId}`, name: 'Handoff' },
    locale: 'en-US',
    ...activity,
    conversation: { conversationType: 'personal', tenantId, id: `a:1${inst.id}`, ...activity.conversation },
    channelData: { tenant: { id: tenantId }, ...activity.channelData },
  };
}

/**
 * Control endpoints: `POST .../deliver` plays the Teams channel calling the bot's messaging endpoint
 * (signed channel JWT, activity filled as Teams sends it) and returns the bot's HTTP answer;
 * `POST .../tokens` mints a channel token, good or bad in one chosen way, for tests that call the bot.
 */
export function registerDeliverRoutes(
  app: Hono<EmulatorEnv<BotFrameworkState>>,
  instance: (id: string) => Instance<BotFrameworkState> | undefined,
) {
  app.post('/__emulator/instances/:id/deliver', async (c) => {
    const inst = instance(c.req.param('id'));
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    const parsed = DeliverSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: 'invalid deliver request', issues: parsed.error.issues }, 400);
    const req = parsed.data;
    const appId = botAppId(inst, req.appId);
    if (!appId) return c.json({ error: 'the instance has no registered bot' }, 400);
    const serviceUrl = serviceUrlOf(new URL(c.req.url).origin, inst.id, inst.state);
    const activity = asTeamsWouldSend(inst, req.activity, appId, serviceUrl);
    const token = await mintChannelToken(inst.state.channelKeys, {
      appId,
      serviceUrl,
      variant: req.tokenVariant,
    });
    let res: Response;
    try {
      res = await fetch(req.botUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(req.timeoutMs),
      });
    } catch (e) {
      return c.json({ error: `bot unreachable: ${e instanceof Error ? e.message : String(e)}` }, 502);
    }
    inst.effect('activity.deliver');
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: return the text as is
    }
    return c.json({ status: res.status, body, activity });
  });

  app.post('/__emulator/instances/:id/tokens', async (c) => {
    const inst = instance(c.req.param('id'));
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    const parsed = TokenRequestSchema.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) return c.json({ error: 'invalid token request' }, 400);
    const appId = botAppId(inst, parsed.data.appId);
    if (!appId) return c.json({ error: 'the instance has no registered bot' }, 400);
    const serviceUrl = serviceUrlOf(new URL(c.req.url).origin, inst.id, inst.state);
    const token = await mintChannelToken(inst.state.channelKeys, {
      appId,
      serviceUrl,
      variant: parsed.data.variant,
    });
    return c.json({ token, serviceUrl });
  });
}
