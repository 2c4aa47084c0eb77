import { z } from 'zod';

/** Bot Framework Activity schema: only the fields Handoff reads; everything else passes through. */
export const ChannelAccountSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.string().optional(),
});
export type ChannelAccount = z.infer<typeof ChannelAccountSchema>;

export const ConversationAccountSchema = z.looseObject({
  id: z.string(),
  conversationType: z.string().optional(),
  tenantId: z.string().optional(),
  isGroup: z.boolean().optional(),
});

export const ActivitySchema = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
  channelId: z.string().optional(),
  serviceUrl: z.string().optional(),
  timestamp: z.string().optional(),
  from: ChannelAccountSchema.optional(),
  recipient: ChannelAccountSchema.optional(),
  conversation: ConversationAccountSchema.optional(),
  replyToId: z.string().optional(),
  value: z.unknown().optional(),
  channelData: z
    .looseObject({
      tenant: z.looseObject({ id: z.string() }).optional(),
      channel: z.looseObject({ id: z.string() }).optional(),
      team: z.looseObject({ id: z.string() }).optional(),
    })
    .optional(),
  attachments: z
    .array(z.looseObject({ contentType: z.string(), content: z.unknown().optional() }))
    .optional(),
});
export type Activity = z.infer<typeof ActivitySchema>;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/**
 * An Adaptive Card: opaque to the connector except for its type. No index signature, so any interface
 * describing a card (e.g. plugins/teams/cards) is assignable.
 */
export type AdaptiveCard = { readonly type: 'AdaptiveCard'; readonly version?: string };

/** ResourceResponse / ConversationResourceResponse of the Bot Connector API. */
export const ResourceResponseSchema = z.looseObject({ id: z.string().min(1) });
export const ConversationResourceResponseSchema = z.looseObject({
  id: z.string().min(1),
  activityId: z.string().optional(),
  serviceUrl: z.string().optional(),
});

/** Bot Connector ErrorResponse: `{ error: { code, message } }` (401s come as `{ message }`). */
export const ErrorResponseSchema = z.looseObject({
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }).optional(),
  message: z.string().optional(),
});
