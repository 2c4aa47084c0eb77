/** The Action.Execute verbs the bot's adaptiveCard/action handler dispatches on. */
export const VERBS = {
  refresh: 'refresh',
  milestoneAccept: 'milestone.accept',
  milestoneReject: 'milestone.reject',
  changeOrderApprove: 'changeOrder.approve',
  changeOrderReject: 'changeOrder.reject',
  exceptionRetry: 'exception.retry',
  exceptionSkip: 'exception.skip',
  exceptionReassign: 'exception.reassign',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** Ids of the inputs the forms carry; the bot reads them from `action.data` (Teams merges inputs in). */
export const INPUT_IDS = {
  rejectComment: 'comment',
  skipReason: 'reason',
  assignee: 'assignee',
} as const;
