import { describeError } from 'c/handoffErrors';
import { api, LightningElement } from 'lwc';

/** Shows one or more errors: the message, every field detail with its fix, and the request id for support. */
export default class HandoffErrorPanel extends LightningElement {
  /** What the user was doing, e.g. "Could not start the activation". */
  @api friendlyMessage = 'Something went wrong';
  /** An error or a list of errors as Apex, LDS or JS reject with. */
  @api errors;

  get items() {
    const list = Array.isArray(this.errors) ? this.errors : [this.errors];
    return list.filter(Boolean).map((error, index) => {
      const described = describeError(error);
      return {
        key: `error-${index}`,
        ...described,
        hasDetails: described.details.length > 0,
        details: described.details.map((d, i) => ({ ...d, key: `detail-${index}-${i}` })),
        requestText: described.requestId ? `Request ID for support: ${described.requestId}` : null,
      };
    });
  }

  get hasErrors() {
    return this.items.length > 0;
  }
}
