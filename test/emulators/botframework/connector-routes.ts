import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv, Instance } from '../kit/emulator';
import { admitWrite } from './rate-limit';
import type { BotFrameworkState, Conversation, StoredActivity } from './state';
import { verifyConnectorToken } from './tokens';

type Ctx = Context<EmulatorEnv<BotFrameworkState>>;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ConversationParameters as Teams reads them. */
interface ConversationParameters {
  isGroup?: boolean;
  bot?: { id?: string };
  members?: { id?: unknown }[];
  tenantId?: string;
  channelData?: { tenant?: { id?: string }; channel?: { id?: string } };
  activity?: Record<string, unknown>;
}

/** Bot Connector ErrorResponse. */
export const connectorError = (
  c: Ctx,
  status: 400 | 403 | 404 | 413 | 429,
  code: string,
  message: string,
  headers?: Record<string, string>,
) => c.json({ error: { code, message } }, status, headers);

/** What the Bot Connector (an ASP.NET service) answers a missing or invalid bearer token with. */
const unauthorized = (c: Ctx) => c.json({ message: 'Authorization has been denied for this request.' }, 401);

/** Every connector call carries a token Entra ID issued a registered bot; returns its app id. */
async function authorize(c: Ctx): Promise<string | Response> {
  const inst = c.get('instance');
  if (c.req.param('svc') !== inst.state.options.serviceUrlPath) {
    return c.json({ error: { code: 'NotFound', message: 'Unknown service path' } }, 404);
  }
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
  const appId = token ? await verifyConnectorToken(inst.state.aadKey, token) : undefined;
  if (!appId || !inst.state.options.bots.some((b) => b.appId === appId)) return unauthorized(c);
  return appId;
}

function activityId(inst: Instance<BotFrameworkState>): string {
  // Teams message ids are epoch-millisecond strings; keep them unique within the instance.
  return `${Date.now()}${inst.nextId().padStart(4, '0')}`;
}

/** Checks the activity the way Teams does for what Handoff sends; returns an error message or undefined. */
function invalidActivity(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return 'The request body must be an Activity object';
  const a = body as { type?: unknown; attachments?: unknown; text?: unknown };
  if (typeof a.type !== 'string' || a.type.length === 0) return 'Activity type is required';
  if (a.type !== 'message') return `Activity type ${a.type} cannot be sent to a conversation`;
  if (a.attachments !== undefined && !Array.isArray(a.attachments)) return 'attachments must be an array';
  for (const att of (a.attachments as { contentType?: unknown; content?: unknown }[] | undefined) ?? []) {
    if (typeof att?.contentType !== 'string') return 'Attachment contentType is required';
    if (att.contentType === ADAPTIVE) {
      const card = att.content as { type?: unknown } | undefined;
      if (card?.type !== 'AdaptiveCard') return 'Adaptive card content must have type AdaptiveCard';
    }
  }
  if (!a.text && !(a.attachments as unknown[] | undefined)?.length)
    return 'The message has no text and no attachments';
  return undefined;
}

function store(body: Record<string, unknown>, id: string): StoredActivity {
  const now = new Date().toISOString();
  return { ...body, id, type: String(body.type), version: 1, createdAt: now };
}

export function registerConnectorRoutes(app: EmulatorApp<BotFrameworkState>) {
  app.post('/:svc/v3/conversations', async (c) => {
    const inst = c.get('instance');
    const appId = await authorize(c);
    if (appId instanceof Response) return appId;
    const body = (await c.req.json().catch(() => undefined)) as ConversationParameters | undefined;
    if (!body || typeof body !== 'object')
      return connectorError(c, 400, 'BadSyntax', 'Invalid conversation parameters');
    const tenantId: unknown = body.tenantId ?? body.channelData?.tenant?.id;
    if (typeof tenantId !== 'string') return connectorError(c, 400, 'BadSyntax', 'tenantId is required');
    const installed = inst.state.options.installedIn;
    if (tenantId !== inst.state.options.tenantId && installed !== 'any' && !installed.includes(tenantId)) {
      return connectorError(c, 403, 'Forbidden', 'The bot is not installed in this tenant');
    }
    if (body.bot?.id !== undefined && body.bot.id !== `28:${appId}` && body.bot.id !== appId) {
      return connectorError(c, 400, 'BadArgument', 'bot.id does not match the calling bot');
    }
    const channelId: unknown = body.channelData?.channel?.id;
    if (body.isGroup === true) {
      // Teams creates a channel thread (never a group chat) and only with its first message.
      if (typeof channelId !== 'string')
        return connectorError(c, 400, 'BadSyntax', 'Group chat creation is not supported');
      const problem = invalidActivity(body.activity);
      if (problem)
        return connectorError(
          c,
          400,
          'BadSyntax',
          `A new channel thread needs its first message: ${problem}`,
        );
      const firstId = activityId(inst);
      const conv: Conversation = {
        id: `${channelId};messageid=${firstId}`,
        kind: 'channel',
        tenantId,
        botAppId: appId,
        channelId,
        activities: [store(body.activity as Record<string, unknown>, firstId)],
      };
      inst.state.conversations[conv.id] = conv;
      inst.effect('conversation.create');
      inst.effect('activity.send');
      return c.json({ id: conv.id, activityId: firstId }, 201);
    }
    const members = body.members;
    if (!Array.isArray(members) || members.length !== 1 || typeof members[0]?.id !== 'string') {
      return connectorError(c, 400, 'BadSyntax', 'A 1:1 conversation needs exactly one member');
    }
    const memberId = members[0].id as string;
    if (!/^(29|8:orgid):/.test(memberId) && !GUID.test(memberId)) {
      return connectorError(c, 400, 'BadSyntax', `Invalid member id ${memberId}`);
    }
    // The same bot and member always get the same 1:1 conversation.
    const digest = createHash('sha256').update(`${appId}|${tenantId}|${memberId}`).digest('base64url');
    const id = `a:1${digest}`;
    if (!inst.state.conversations[id]) {
      inst.state.conversations[id] = {
        id,
        kind: 'personal',
        tenantId,
        botAppId: appId,
        memberId,
        activities: [],
      };
      inst.effect('conversation.create');
    }
    return c.json({ id }, 201);
  });

  app.get('/:svc/v3/conversations', async (c) => {
    const appId = await authorize(c);
    if (appId instanceof Response) return appId;
    const conversations = Object.values(c.get('instance').state.conversations)
      .filter((conv) => conv.botAppId === appId)
      .map((conv) => ({ id: conv.id, members: conv.memberId ? [{ id: conv.memberId }] : [] }));
    return c.json({ continuationToken: null, conversations });
  });

  const conversationFor = async (c: Ctx): Promise<Conversation | Response> => {
    const appId = await authorize(c);
    if (appId instanceof Response) return appId;
    const conv = c.get('instance').state.conversations[c.req.param('cid') ?? ''];
    if (!conv) return connectorError(c, 404, 'ConversationNotFound', 'Conversation not found.');
    if (conv.botAppId !== appId) {
      return connectorError(
        c,
        403,
        'BotNotInConversationRoster',
        'The bot is not part of the conversation roster.',
      );
    }
    return conv;
  };

  const checkWrite = (c: Ctx, conv: Conversation, body: unknown): Response | undefined => {
    const state = c.get('instance').state;
    const problem = invalidActivity(body);
    if (problem) return connectorError(c, 400, 'BadArgument', problem);
    if (JSON.stringify(body).length > state.options.maxActivityBytes) {
      return connectorError(c, 413, 'MessageSizeTooBig', 'Message size too big.');
    }
    const retryAfter = admitWrite(state, conv.id);
    if (retryAfter !== undefined) {
      return connectorError(c, 429, 'Throttled', 'Too many requests to this conversation.', {
        'Retry-After': String(retryAfter),
      });
    }
    return undefined;
  };

  app.post('/:svc/v3/conversations/:cid/activities', async (c) => {
    const conv = await conversationFor(c);
    if (conv instanceof Response) return conv;
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const refused = checkWrite(c, conv, body);
    if (refused) return refused;
    const inst = c.get('instance');
    const id = activityId(inst);
    conv.activities.push(store(body as Record<string, unknown>, id));
    inst.effect('activity.send');
    return c.json({ id }, 201);
  });

  app.put('/:svc/v3/conversations/:cid/activities/:aid', async (c) => {
    const conv = await conversationFor(c);
    if (conv instanceof Response) return conv;
    const existing = conv.activities.find((a) => a.id === c.req.param('aid'));
    if (!existing) return connectorError(c, 404, 'ActivityNotFound', 'Activity not found.');
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const refused = checkWrite(c, conv, body);
    if (refused) return refused;
    const { id: _ignored, ...rest } = body as Record<string, unknown>;
    Object.assign(existing, rest, {
      id: existing.id,
      version: existing.version + 1,
      updatedAt: new Date().toISOString(),
    });
    c.get('instance').effect('activity.update');
    return c.json({ id: existing.id }, 200);
  });
}
