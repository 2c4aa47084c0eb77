import { ConnectorError, networkError, retryAfterMs } from '../errors';
import { assertOutboundUrl, guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { FetchLike } from '../ports';
import { type BotConnectorConfig, type BotConnectorConfigInput, BotConnectorConfigSchema } from './config';
import { isAbort, SYSTEM, timeoutError } from './errors';
import { ConversationRateLimiter } from './rate-limiter';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  ConversationResourceResponseSchema,
  ErrorResponseSchema,
  ResourceResponseSchema,
} from './schemas';
import { botTokenSource } from './token-source';

export type ConversationTarget =
  | { tenantId: string; memberAadObjectId: string; channelId?: never }
  | { tenantId: string; memberId: string; channelId?: never }
  /** A new thread in a channel: Teams creates it with its first post, so the card is required. */
  | { tenantId: string; channelId: string; card: AdaptiveCard };

export interface CreatedConversation {
  conversationId: string;
  /** The first post's id (channel threads only). */
  activityId?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Teams' rate-limit guidance names 412, 502 and 504 as transient alongside 429. */
const TRANSIENT = new Set([412, 500, 502, 503, 504]);

interface CallOptions {
  method: 'POST' | 'PUT';
  url: string;
  body: unknown;
  /** The rate-limit bucket (a conversation, or a channel for a new thread). */
  bucket: string;
  /**
   * Whether repeating the request cannot create a second record: true for PUT and for a 1:1 create (Teams
   * answers the same conversation id for the same member). A POSTed message has no idempotency key in the
   * Bot Connector API, so after a timeout or a 5xx it is not resent here.
   */
  idempotent: boolean;
  what: string;
}

/**
 * The bot's client to the Bot Connector service. Its token only ever goes to a Bot Connector host Microsoft
 * documents (exact hosts, see outbound-guard), or to an origin the deployment adds (TEAMS_BOT_CONNECTOR_ORIGINS,
 * or loopback emulators with ALLOW_LOOPBACK_CONNECTIONS); the client secret only to Microsoft sign-in. Checked
 * on every request, whatever serviceUrl a caller passes; redirects are never followed.
 */
export function createBotConnector(
  configInput: BotConnectorConfigInput,
  deps: { fetch?: FetchLike; outbound?: OutboundPolicy } = {},
) {
  const config: BotConnectorConfig = BotConnectorConfigSchema.parse(configInput);
  const raw: FetchLike = deps.fetch ?? ((input, init) => fetch(input, init));
  const fetcher = guardedFetch(raw, { system: SYSTEM, targets: 'bot-connector', policy: deps.outbound });
  const tokens = botTokenSource(
    config,
    guardedFetch(raw, { system: SYSTEM, targets: 'microsoft-login', policy: deps.outbound }),
  );
  const limiter = new ConversationRateLimiter(config.conversationLimits);

  async function call(opts: CallOptions): Promise<unknown> {
    // Before even asking for a token: a serviceUrl that is not a Bot Connector host never gets one.
    assertOutboundUrl(SYSTEM, opts.url, 'bot-connector', deps.outbound, 'serviceUrl');
    let renewedToken = false;
    for (let attempt = 0; ; attempt++) {
      const release = await limiter.acquire(opts.bucket);
      let res: Response;
      let token: string;
      try {
        token = await tokens.get();
        res = await fetcher(opts.url, {
          method: opts.method,
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json; charset=utf-8',
            Accept: 'application/json',
          },
          body: JSON.stringify(opts.body),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (e) {
        release();
        if (e instanceof ConnectorError) throw e;
        if (opts.idempotent && attempt < config.maxRetries) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw outcomeUnknown(opts, isAbort(e) ? timeoutError(opts.what, e) : networkError(SYSTEM, e));
      }
      const text = await res.text().catch(() => '');
      release();
      if (res.ok) return text ? JSON.parse(text) : {};

      if (res.status === 401 && !renewedToken) {
        // A token revoked or rotated before its expiry: get a fresh one once.
        tokens.invalidate(token);
        renewedToken = true;
        continue;
      }
      const wait = retryAfterMs(res.headers.get('Retry-After'));
      if (res.status === 429 && attempt < config.maxRetries) {
        // Refused, not committed: safe to resend even a POST.
        await sleep(Math.min(wait ?? backoffMs(attempt), config.maxRetryAfterMs));
        continue;
      }
      if (TRANSIENT.has(res.status) && opts.idempotent && attempt < config.maxRetries) {
        await sleep(Math.min(wait ?? backoffMs(attempt), config.maxRetryAfterMs));
        continue;
      }
      const error = vendorError(res.status, text, wait, opts.what);
      throw TRANSIENT.has(res.status) && !opts.idempotent ? outcomeUnknown(opts, error) : error;
    }
  }

  function conversationsUrl(serviceUrl: string, ...parts: string[]): string {
    const base = `${serviceUrl.replace(/\/+$/, '')}/v3/conversations`;
    return [base, ...parts.map(encodeURIComponent)].join('/');
  }

  return {
    /** A token from Microsoft sign-in for the bot's own credentials: proves the app id and secret work. */
    async checkCredentials(): Promise<void> {
      await tokens.get();
    },

    /**
     * POST {serviceUrl}/v3/conversations. A 1:1 chat is the same conversation every time for a member, so
     * this is idempotent; a channel thread is a new post each call (store its id and update it instead).
     */
    async createConversation(serviceUrl: string, target: ConversationTarget): Promise<CreatedConversation> {
      const isChannel = 'channelId' in target && typeof target.channelId === 'string';
      const body = isChannel
        ? {
            isGroup: true,
            bot: { id: `28:${config.appId}` },
            tenantId: target.tenantId,
            channelData: { channel: { id: target.channelId }, tenant: { id: target.tenantId } },
            activity: cardActivity((target as { card: AdaptiveCard }).card),
          }
        : {
            isGroup: false,
            bot: { id: `28:${config.appId}` },
            members: [
              {
                id:
                  'memberId' in target
                    ? target.memberId
                    : (target as { memberAadObjectId: string }).memberAadObjectId,
              },
            ],
            tenantId: target.tenantId,
            channelData: { tenant: { id: target.tenantId } },
          };
      const json = await call({
        method: 'POST',
        url: conversationsUrl(serviceUrl),
        body,
        bucket: isChannel ? `channel:${target.channelId}` : `member:${JSON.stringify(body.members)}`,
        idempotent: !isChannel,
        what: 'Creating a Teams conversation',
      });
      const parsed = ConversationResourceResponseSchema.safeParse(json);
      if (!parsed.success) throw badResponse('createConversation');
      return { conversationId: parsed.data.id, activityId: parsed.data.activityId };
    },

    /** POST {serviceUrl}/v3/conversations/{id}/activities: returns the new message's id for updateCard. */
    async sendCard(
      serviceUrl: string,
      conversationId: string,
      card: AdaptiveCard,
    ): Promise<{ activityId: string }> {
      const json = await call({
        method: 'POST',
        url: conversationsUrl(serviceUrl, conversationId, 'activities'),
        body: cardActivity(card),
        bucket: conversationId,
        idempotent: false,
        what: 'Sending a Teams card',
      });
      const parsed = ResourceResponseSchema.safeParse(json);
      if (!parsed.success) throw badResponse('sendCard');
      return { activityId: parsed.data.id };
    },

    /** PUT {serviceUrl}/v3/conversations/{id}/activities/{activityId}: replaces the card; safe to repeat. */
    async updateCard(
      serviceUrl: string,
      conversationId: string,
      activityId: string,
      card: AdaptiveCard,
    ): Promise<{ activityId: string }> {
      const json = await call({
        method: 'PUT',
        url: conversationsUrl(serviceUrl, conversationId, 'activities', activityId),
        body: { ...cardActivity(card), id: activityId },
        bucket: conversationId,
        idempotent: true,
        what: 'Updating a Teams card',
      });
      const parsed = ResourceResponseSchema.safeParse(json);
      return { activityId: parsed.success ? parsed.data.id : activityId };
    },
  };
}
export type BotConnector = ReturnType<typeof createBotConnector>;

function cardActivity(card: AdaptiveCard) {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] };
}

function backoffMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 4_000) * (0.5 + Math.random() / 2);
}

function badResponse(op: string): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `The Bot Connector answered ${op} with an unexpected body`,
    retryable: false,
    code: 'TEAMS_BAD_RESPONSE',
  });
}

/** A POST that may or may not have been posted: retrying may show the card twice, never losing it. */
function outcomeUnknown(opts: CallOptions, cause: ConnectorError): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `${opts.what}: no answer (${cause.message}); the message may already be posted`,
    retryable: true,
    status: cause.status,
    retryAfterMs: cause.retryAfterMs,
    code: 'TEAMS_OUTCOME_UNKNOWN',
    cause,
  });
}

function vendorError(status: number, text: string, wait: number | undefined, what: string): ConnectorError {
  let detail: { code?: string; message?: string } = {};
  try {
    const parsed = ErrorResponseSchema.safeParse(JSON.parse(text));
    if (parsed.success)
      detail = { code: parsed.data.error?.code, message: parsed.data.error?.message ?? parsed.data.message };
  } catch {
    // not JSON: keep the status only
  }
  const fixes: Record<number, string> = {
    401: 'The Bot Connector refused the bot token: check the Microsoft App ID, secret and tenant of the bot.',
    403: 'The bot is not installed for this user, chat or team: install the Handoff app in Teams for them.',
    404: 'The conversation no longer exists: create the conversation again.',
    413: 'The card is too large for Teams (about 28 KB): shorten it.',
  };
  return new ConnectorError({
    system: SYSTEM,
    message: `${what} failed: ${status}${detail.code ? ` ${detail.code}` : ''}${detail.message ? `: ${detail.message}` : ''}`,
    retryable: status === 429 || status === 408 || status >= 500 || status === 412,
    status,
    code: detail.code ? `TEAMS_${detail.code}` : `TEAMS_HTTP_${status}`,
    retryAfterMs: wait,
    fix:
      fixes[status] ??
      (status === 400 ? 'Teams rejected the message shape; see the message for the field.' : undefined),
  });
}
