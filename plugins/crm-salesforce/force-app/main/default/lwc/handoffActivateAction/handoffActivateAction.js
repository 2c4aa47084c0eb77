import activate from '@salesforce/apex/HandoffActivationController.activate';
import getActivation from '@salesforce/apex/HandoffActivationController.getActivation';
import { ActivationPoller, isInFlight, newIdempotencyKey } from 'c/handoffActivationService';
import { CloseActionScreenEvent } from 'lightning/actions';
import { RefreshEvent } from 'lightning/refresh';
import { api, LightningElement } from 'lwc';

/**
 * The "Activate project" quick action: starts the activation as soon as it opens (one key per opening,
 * so a re-render never starts twice) and follows its progress until the user closes it.
 */
export default class HandoffActivateAction extends LightningElement {
  @api objectApiName;

  activation = null;
  starting = false;
  closeRequested = false;
  error = null;
  errorTitle = null;

  _recordId;
  connected = false;
  started = false;
  poller;

  // A screen action gets its recordId after connectedCallback, so starting waits for whichever comes last.
  @api
  get recordId() {
    return this._recordId;
  }
  set recordId(value) {
    this._recordId = value;
    this.startOnce();
  }

  connectedCallback() {
    this.connected = true;
    this.poller = new ActivationPoller({
      load: () => getActivation({ recordId: this._recordId }),
      onResult: (activation) => {
        this.activation = activation;
      },
      onError: (error, _failures, gaveUp) => {
        if (gaveUp) {
          this.showError('Lost contact with Handoff', error);
        }
      },
    });
    this.startOnce();
  }

  disconnectedCallback() {
    this.connected = false;
    if (this.poller) {
      this.poller.stop();
    }
  }

  startOnce() {
    if (!this.connected || !this._recordId || this.started) {
      return;
    }
    this.started = true;
    this.start();
  }

  async start() {
    this.starting = true;
    this.error = null;
    try {
      const activation = await activate({ recordId: this._recordId, idempotencyKey: newIdempotencyKey() });
      this.activation = activation;
      if (isInFlight(activation)) {
        this.poller.start(activation);
      }
      // Lets the Handoff activation card on the record page pick the new activation up.
      this.dispatchEvent(new RefreshEvent());
    } catch (error) {
      this.showError('Could not start the activation', error);
    } finally {
      this.starting = false;
      if (this.closeRequested) {
        this.closeRequested = false;
        this.dispatchEvent(new CloseActionScreenEvent());
      }
    }
  }

  handleTryAgain() {
    if (!this.starting) {
      this.start();
    }
  }

  // Closing while the start is on its way waits for its answer: once the action is gone, its refresh
  // would reach nobody and the record page's card would not know the activation began.
  handleClose() {
    if (this.starting) {
      this.closeRequested = true;
      return;
    }
    this.dispatchEvent(new CloseActionScreenEvent());
  }

  get closeLabel() {
    return this.closeRequested ? 'Closing…' : 'Close';
  }

  showError(title, error) {
    this.errorTitle = title;
    this.error = error;
  }

  get canTryAgain() {
    return !!this.error && !this.starting && !isInFlight(this.activation);
  }
}
