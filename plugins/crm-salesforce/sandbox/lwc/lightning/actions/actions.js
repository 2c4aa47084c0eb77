// Sandbox stand-in: the stand-in record page closes its quick action modal on this event.
export const CLOSE_ACTION_SCREEN_EVENT = 'lightning__actionsclosescreen';

export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super(CLOSE_ACTION_SCREEN_EVENT, { bubbles: true, composed: true });
  }
}
