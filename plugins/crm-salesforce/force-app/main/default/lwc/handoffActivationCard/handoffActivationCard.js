import activate from '@salesforce/apex/HandoffActivationController.activate';
import getActivation from '@salesforce/apex/HandoffActivationController.getActivation';
import { ActivationPoller, isInFlight, newIdempotencyKey } from 'c/handoffActivationService';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { api, LightningElement } from 'lwc';

/**
 * "Handoff activation" record card (Opportunity, Contract): the Activate project button, then the
 * activation's progress, polled while it is in flight, its links, and what to fix when it stops.
 */
export default class HandoffActivationCard extends LightningElement {
  @api objectApiName;

  activation = null;
  loading = false;
  starting = false;
  error = null;
  errorTitle = null;
  /** Offer a "Try again" link: the first read failed, or polling gave up after repeated failures. */
  canReload = false;

  _recordId;
  connected = false;
  poller;
  refreshHandlerId;

  @api
  get recordId() {
    return this._recordId;
  }
  set recordId(value) {
    const changed = value !== this._recordId;
    this._recordId = value;
    if (changed && this.connected) {
      this.activation = null;
      this.load();
    }
  }

  connectedCallback() {
    this.connected = true;
    this.poller = new ActivationPoller({
      load: () => getActivation({ recordId: this._recordId }),
      onResult: (activation) => this.show(activation),
      onError: (error, _failures, gaveUp) => {
        // One failed read while polling is noise; keep the last known progress on screen.
        if (gaveUp) {
          this.canReload = true;
          this.showError('Lost contact with Handoff', error);
        }
      },
    });
    // The quick action (or any RefreshEvent on the page) makes the card look again.
    this.refreshHandlerId = registerRefreshHandler(this, this.refresh.bind(this));
    this.load();
  }

  disconnectedCallback() {
    this.connected = false;
    if (this.poller) {
      this.poller.stop();
    }
    if (this.refreshHandlerId !== undefined) {
      unregisterRefreshHandler(this.refreshHandlerId);
    }
  }

  refresh() {
    return this.load().then(() => true);
  }

  async load() {
    if (!this._recordId) {
      return;
    }
    this.loading = true;
    try {
      const activation = await getActivation({ recordId: this._recordId });
      this.clearError();
      this.show(activation);
      this.followIfInFlight(activation);
    } catch (error) {
      this.showError('Could not load the activation', error);
      this.canReload = true;
    } finally {
      this.loading = false;
    }
  }

  async handleActivate() {
    // The button is disabled meanwhile; this guards a double click that lands before the re-render.
    if (this.starting || isInFlight(this.activation)) {
      return;
    }
    this.starting = true;
    this.clearError();
    try {
      const activation = await activate({ recordId: this._recordId, idempotencyKey: newIdempotencyKey() });
      this.show(activation);
      this.followIfInFlight(activation);
      this.dispatchEvent(
        new ShowToastEvent({
          title: 'Activation started',
          message: 'Handoff is creating the customer, project and billing schedule.',
          variant: 'success',
        }),
      );
    } catch (error) {
      this.showError('Could not start the activation', error);
    } finally {
      this.starting = false;
    }
  }

  handleRetryLoad() {
    this.load();
  }

  show(activation) {
    const wasInFlight = isInFlight(this.activation);
    this.activation = activation || null;
    if (wasInFlight && !isInFlight(this.activation) && this._recordId) {
      // Handoff wrote status and links back to the record: let the rest of the page see them.
      notifyRecordUpdateAvailable([{ recordId: this._recordId }]).catch(() => {});
    }
  }

  followIfInFlight(activation) {
    if (isInFlight(activation)) {
      this.poller.start(activation);
    } else {
      this.poller.stop();
    }
  }

  showError(title, error) {
    this.errorTitle = title;
    this.error = error;
  }

  clearError() {
    this.error = null;
    this.errorTitle = null;
    this.canReload = false;
  }

  get inFlight() {
    return isInFlight(this.activation);
  }

  get buttonDisabled() {
    return (
      this.loading ||
      this.starting ||
      this.inFlight ||
      (!!this.activation && this.activation.status === 'active')
    );
  }

  get buttonLabel() {
    if (this.starting) {
      return 'Starting…';
    }
    const status = this.activation?.status;
    if (status === 'active') {
      return 'Activated';
    }
    if (status === 'needs_fixes' || status === 'failed') {
      return 'Retry activation';
    }
    return 'Activate project';
  }

  get showSpinner() {
    return (this.loading && !this.activation) || this.starting;
  }

  get showEmpty() {
    return !this.loading && !this.activation && !this.error;
  }
}
