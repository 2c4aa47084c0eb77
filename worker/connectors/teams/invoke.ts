import { z } from 'zod';
import { type Activity, ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from './schemas';

/**
 * The HTTP answer to an `adaptiveCard/action` invoke (Universal Actions): HTTP 200 whose body is an
 * AdaptiveCardInvokeResponse. Returning the card makes Teams replace the card in place for the actor.
 */
export function invokeResponse(card: AdaptiveCard): {
  status: 200;
  body: { statusCode: 200; type: typeof ADAPTIVE_CARD_CONTENT_TYPE; value: AdaptiveCard };
} {
  return { status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card } };
}

/** A message-only answer ("statusCode 200, type application/vnd.microsoft.activity.message"). */
export function invokeMessageResponse(text: string) {
  return {
    status: 200 as const,
    body: {
      statusCode: 200 as const,
      type: 'application/vnd.microsoft.activity.message' as const,
      value: text,
    },
  };
}

const ExecuteValueSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute'),
    verb: z.string().min(1),
    id: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.string().optional(),
});

export interface ExecuteAction {
  verb: string;
  /** Untrusted: whatever the card carried. Check on the server that the actor may decide. */
  data: Record<string, unknown>;
  /** Entra object id of the person who clicked (falls back to the channel account id). */
  actor: string;
  actorName?: string;
  tenantId?: string;
  conversationId?: string;
  /** The message holding the card, for a later updateCard. */
  replyToId?: string;
  /** "manual" when clicked, "automatic" for a refresh. */
  trigger?: string;
}

export class NotAnExecuteActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAnExecuteActionError';
  }
}

/** Reads an `invoke` activity named `adaptiveCard/action` whose `value.action.type` is `Action.Execute`. */
export function parseExecuteAction(activity: Activity): ExecuteAction {
  if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') {
    throw new NotAnExecuteActionError(
      `Expected an adaptiveCard/action invoke, got ${activity.type}${activity.name ? ` ${activity.name}` : ''}`,
    );
  }
  const parsed = ExecuteValueSchema.safeParse(activity.value);
  if (!parsed.success) throw new NotAnExecuteActionError('The invoke value is not an Action.Execute');
  const actor = activity.from?.aadObjectId ?? activity.from?.id;
  if (!actor) throw new NotAnExecuteActionError('The invoke has no from account');
  return {
    verb: parsed.data.action.verb,
    data: parsed.data.action.data ?? {},
    actor,
    actorName: activity.from?.name,
    tenantId: activity.channelData?.tenant?.id ?? activity.conversation?.tenantId,
    conversationId: activity.conversation?.id,
    replyToId: activity.replyToId,
    trigger: parsed.data.trigger,
  };
}
