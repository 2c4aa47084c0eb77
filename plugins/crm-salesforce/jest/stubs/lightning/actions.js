// lightning/actions is not among sfdx-lwc-jest's stubs.
export const CloseActionScreenEventName = 'close';

export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super(CloseActionScreenEventName, { bubbles: true, composed: true });
  }
}
