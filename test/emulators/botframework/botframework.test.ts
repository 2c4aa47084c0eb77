import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../worker/connectors/errors';
import {
  type Activity,
  type AdaptiveCard,
  BotAuthError,
  createBotConnector,
  invokeResponse,
  parseExecuteAction,
  verifyBotRequest,
} from '../../../worker/connectors/teams';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import { type BotFrameworkState, type ChannelTokenVariant, createBotFrameworkEmulator } from './index';

const APP_ID = '5c8d4a6e-1f0b-4a57-9d55-3a8e6b2f9c11';
const APP_PASSWORD = 'emulated~secret';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const USER = '6b8f0d1e-2c3a-4b5d-8e9f-0a1b2c3d4e5f';
/** Teams' limits scaled down 10x in time so a test can hit the 60-message window in seconds. */
const LIMITS = [
  { max: 7, windowMs: 100 },
  { max: 60, windowMs: 3_000 },
];

const emulator = createBotFrameworkEmulator();
let emu: { url: string; close(): Promise<void> };
let bot: { url: string; close(): Promise<void> };
/** The bot's messaging endpoint needs the instance's metadata URL; tests set it before delivering. */
let metadataUrl = '';

function card(text: string): AdaptiveCard {
  return <AdaptiveCard>{
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text }],
    actions: [{ type: 'Action.Execute', verb: 'acceptMilestone', data: { approvalId: 'ap_1' } }],
  };
}

/** A minimal bot endpoint built the way the worker route will be: verify, parse, answer with a card. */
function startBot(): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Hono();
  app.post('/api/messages', async (c) => {
    const activity = (await c.req.json()) as Activity;
    try {
      await verifyBotRequest(c.req.header('Authorization'), activity, {
        appId: APP_ID,
        openIdMetadataUrl: metadataUrl,
        outbound: EMULATOR_OUTBOUND,
      });
    } catch (e) {
      if (e instanceof BotAuthError) return c.json({ error: e.code }, e.status);
      throw e;
    }
    const action = parseExecuteAction(activity);
    const answer = invokeResponse(card(`${action.verb} by ${action.actor} in ${action.tenantId}`));
    return c.json(answer.body, answer.status);
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}/api/messages`,
        close: () => new Promise<void>((done) => (server as Server).close(() => done())),
      }),
    );
  });
}

beforeAll(async () => {
  [emu, bot] = await Promise.all([emulator.listen(0), startBot()]);
});
afterAll(async () => {
  await Promise.all([emu.close(), bot.close()]);
});

let counter = 0;
async function newInstance() {
  const id = `teams${++counter}`;
  const res = await fetch(`${emu.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id,
      config: {
        options: {
          bots: [{ appId: APP_ID, appPassword: APP_PASSWORD }],
          tenantId: TENANT,
          conversationLimits: LIMITS,
        },
      },
    }),
  });
  expect(res.status).toBe(201);
  const { baseUrl } = (await res.json()) as { baseUrl: string };
  return {
    id,
    baseUrl,
    serviceUrl: `${baseUrl}/teams/`,
    tokenUrl: `${baseUrl}/botframework.com/oauth2/v2.0/token`,
    metadataUrl: `${baseUrl}/v1/.well-known/openidconfiguration`,
  };
}
type Inst = Awaited<ReturnType<typeof newInstance>>;

const control = (id: string) => `${emu.url}/__emulator/instances/${id}`;
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const effects = async (id: string) =>
  ((await (await fetch(`${control(id)}/effects`)).json()) as { effects: Record<string, number> }).effects;
const state = async (id: string) => (await (await fetch(`${control(id)}/state`)).json()) as BotFrameworkState;

const executeInvoke = {
  type: 'invoke',
  name: 'adaptiveCard/action',
  from: { id: '29:1abc', aadObjectId: USER, name: 'Dana Approver' },
  value: {
    action: { type: 'Action.Execute', verb: 'acceptMilestone', data: { approvalId: 'ap_1' } },
    trigger: 'manual',
  },
};

function connector(inst: Inst, statuses: number[] = [], overrides: Record<string, unknown> = {}) {
  return createBotConnector(
    {
      appId: APP_ID,
      appPassword: APP_PASSWORD,
      tokenUrl: inst.tokenUrl,
      conversationLimits: LIMITS,
      timeoutMs: 3000,
      ...overrides,
    },
    {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
      outbound: EMULATOR_OUTBOUND,
    },
  );
}

describe('channel to bot: the bot verifies what Teams delivers', () => {
  it('accepts a delivered Action.Execute invoke and returns the card for Teams to show', async () => {
    const inst = await newInstance();
    metadataUrl = inst.metadataUrl;
    const res = await post(`${control(inst.id)}/deliver`, { botUrl: bot.url, activity: executeInvoke });
    const answer = (await res.json()) as {
      status: number;
      body: { statusCode: number; type: string; value: { body: { text: string }[] } };
      activity: Activity;
    };
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(answer.body.value.body[0]?.text).toBe(`acceptMilestone by ${USER} in ${TENANT}`);
    expect(answer.activity.serviceUrl).toBe(inst.serviceUrl);
  });

  it.each<ChannelTokenVariant>([
    'unknown_key',
    'expired',
    'wrong_audience',
    'wrong_issuer',
    'wrong_service_url',
  ])('refuses a %s token with 403', async (variant) => {
    const inst = await newInstance();
    metadataUrl = inst.metadataUrl;
    const res = await post(`${control(inst.id)}/deliver`, {
      botUrl: bot.url,
      activity: executeInvoke,
      tokenVariant: variant,
    });
    const answer = (await res.json()) as { status: number; body: { error: string } };
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe(
      {
        unknown_key: 'UNKNOWN_KEY',
        expired: 'EXPIRED',
        wrong_audience: 'WRONG_AUDIENCE',
        wrong_issuer: 'WRONG_ISSUER',
        wrong_service_url: 'SERVICE_URL_MISMATCH',
      }[variant as string],
    );
  });

  it('refuses a genuine token replayed with a different serviceUrl in the activity', async () => {
    const inst = await newInstance();
    metadataUrl = inst.metadataUrl;
    const res = await post(`${control(inst.id)}/deliver`, {
      botUrl: bot.url,
      activity: { ...executeInvoke, serviceUrl: 'https://attacker.example/teams/' },
    });
    expect(((await res.json()) as { status: number }).status).toBe(403);
  });

  it('honours the 5 minute clock skew and no more', async () => {
    const inst = await newInstance();
    const { token, serviceUrl } = (await (await post(`${control(inst.id)}/tokens`, {})).json()) as {
      token: string;
      serviceUrl: string;
    };
    const cfg = { appId: APP_ID, openIdMetadataUrl: inst.metadataUrl, outbound: EMULATOR_OUTBOUND };
    const activity = { serviceUrl, channelId: 'msteams' };
    const expiresAt = Date.now() + 3600_000;
    await expect(
      verifyBotRequest(`Bearer ${token}`, activity, { ...cfg, now: expiresAt + 4 * 60_000 }),
    ).resolves.toMatchObject({ serviceUrl });
    await expect(
      verifyBotRequest(`Bearer ${token}`, activity, { ...cfg, now: expiresAt + 6 * 60_000 }),
    ).rejects.toMatchObject({ code: 'EXPIRED' });
    // The key is endorsed for msteams only.
    await expect(
      verifyBotRequest(`Bearer ${token}`, { serviceUrl, channelId: 'slack' }, cfg),
    ).rejects.toMatchObject({
      code: 'ENDORSEMENT_MISSING',
    });
    await expect(verifyBotRequest(undefined, activity, cfg)).rejects.toMatchObject({
      code: 'MISSING_TOKEN',
      status: 403,
    });
  });
});

describe('bot to connector: proactive cards', () => {
  it('creates the 1:1 conversation once however often it is asked, sends and updates a card', async () => {
    const inst = await newInstance();
    const bf = connector(inst);
    const a = await bf.createConversation(inst.serviceUrl, { tenantId: TENANT, memberAadObjectId: USER });
    const b = await bf.createConversation(inst.serviceUrl, { tenantId: TENANT, memberAadObjectId: USER });
    expect(b.conversationId).toBe(a.conversationId);
    const { activityId } = await bf.sendCard(inst.serviceUrl, a.conversationId, card('Milestone 2 ready'));
    await bf.updateCard(inst.serviceUrl, a.conversationId, activityId, card('Accepted by Dana'));
    await bf.updateCard(inst.serviceUrl, a.conversationId, activityId, card('Accepted by Dana'));
    expect(await effects(inst.id)).toMatchObject({
      'conversation.create': 1,
      'activity.send': 1,
      'activity.update': 2,
      'token.issue': 1,
    });
    const stored = (await state(inst.id)).conversations[a.conversationId]?.activities;
    expect(stored).toHaveLength(1);
    const attachments = stored?.[0]?.attachments as { content: { body: { text: string }[] } }[] | undefined;
    expect(attachments?.[0]?.content.body[0]?.text).toBe('Accepted by Dana');
  });

  it('starts a channel thread with its first card', async () => {
    const inst = await newInstance();
    const created = await connector(inst).createConversation(inst.serviceUrl, {
      tenantId: TENANT,
      channelId: '19:abc@thread.tacv2',
      card: card('Change order CO-7'),
    });
    expect(created.conversationId).toBe(`19:abc@thread.tacv2;messageid=${created.activityId}`);
  });

  it('paces 100 cards to one conversation so Teams never answers 429, in about the time the limits allow', async () => {
    const inst = await newInstance();
    const statuses: number[] = [];
    const bf = connector(inst, statuses);
    const { conversationId } = await bf.createConversation(inst.serviceUrl, {
      tenantId: TENANT,
      memberAadObjectId: USER,
    });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => bf.sendCard(inst.serviceUrl, conversationId, card(`#${i}`))),
    );
    const elapsed = Date.now() - started;
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect((await effects(inst.id))['activity.send']).toBe(100);
    // Messages 61-100 must wait for the first 40 to leave the 3 s window.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(5_500);
  }, 10_000);

  it('retries a 429 after its Retry-After and posts the card once', async () => {
    const inst = await newInstance();
    const statuses: number[] = [];
    const bf = connector(inst, statuses);
    const { conversationId } = await bf.createConversation(inst.serviceUrl, {
      tenantId: TENANT,
      memberAadObjectId: USER,
    });
    await post(`${control(inst.id)}/faults`, {
      rules: [{ kind: 'rate_limit', method: 'POST', path: '/activities$', times: 1, retryAfterSeconds: 1 }],
    });
    const started = Date.now();
    await bf.sendCard(inst.serviceUrl, conversationId, card('after the wait'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(statuses.slice(-2)).toEqual([429, 201]);
    expect((await effects(inst.id))['activity.send']).toBe(1);
  });

  it('does not resend a card whose answer was lost, and says the outcome is unknown', async () => {
    const inst = await newInstance();
    const bf = connector(inst);
    const { conversationId } = await bf.createConversation(inst.serviceUrl, {
      tenantId: TENANT,
      memberAadObjectId: USER,
    });
    await post(`${control(inst.id)}/faults`, {
      rules: [{ kind: 'drop_after_commit', method: 'POST', path: '/activities$', times: 1 }],
    });
    const error = await bf.sendCard(inst.serviceUrl, conversationId, card('x')).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'TEAMS_OUTCOME_UNKNOWN', retryable: true });
    expect((await effects(inst.id))['activity.send']).toBe(1);
  });

  it('maps a wrong client secret to a permanent error with a fix', async () => {
    const inst = await newInstance();
    const error = await connector(inst, [], { appPassword: 'wrong' })
      .createConversation(inst.serviceUrl, { tenantId: TENANT, memberAadObjectId: USER })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'AAD_INVALID_CLIENT', retryable: false, status: 401 });
    expect(error.fix).toMatch(/secret/);
  });

  it('refuses connector calls without a valid bot token, and unknown conversations', async () => {
    const inst = await newInstance();
    const res = await post(`${inst.serviceUrl}v3/conversations/a%3Anope/activities`, {
      type: 'message',
      text: 'hi',
    });
    expect(res.status).toBe(401);
    const error = await connector(inst)
      .sendCard(inst.serviceUrl, 'a:nope', card('x'))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'TEAMS_ConversationNotFound', retryable: false, status: 404 });
  });
});
