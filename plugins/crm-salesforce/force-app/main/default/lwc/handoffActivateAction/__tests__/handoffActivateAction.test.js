import activate from '@salesforce/apex/HandoffActivationController.activate';
import getActivation from '@salesforce/apex/HandoffActivationController.getActivation';
import HandoffActivateAction from 'c/handoffActivateAction';
import { createElement } from 'lwc';

jest.mock('@salesforce/apex/HandoffActivationController.getActivation', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/HandoffActivationController.activate', () => ({ default: jest.fn() }), {
  virtual: true,
});

const RUNNING = require('../../handoffActivationCard/__tests__/data/running.json');
const ACTIVE = require('../../handoffActivationCard/__tests__/data/active.json');
const RECORD_ID = '006000000000001AAA';

async function flush() {
  for (let i = 0; i < 20; i++) {
    await Promise.resolve();
  }
}

const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

describe('c-handoff-activate-action', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllTimers();
    jest.useRealTimers();
    getActivation.mockReset();
    activate.mockReset();
  });

  it('starts once when the record id arrives after connect, then follows the progress', async () => {
    activate.mockResolvedValue(RUNNING);
    getActivation.mockResolvedValue(ACTIVE);
    const element = createElement('c-handoff-activate-action', { is: HandoffActivateAction });
    const refreshes = [];
    element.addEventListener('lightning__refresh', () => refreshes.push(true));
    document.body.appendChild(element);
    await flush();
    expect(activate).not.toHaveBeenCalled();

    // Screen actions set recordId after connectedCallback.
    element.recordId = RECORD_ID;
    await flush();
    element.recordId = RECORD_ID;
    await flush();

    expect(activate).toHaveBeenCalledTimes(1);
    expect(activate.mock.calls[0][0].recordId).toBe(RECORD_ID);
    expect(refreshes).toHaveLength(1);
    const progress = element.shadowRoot.querySelector('c-handoff-activation-progress');
    expect(text(progress.shadowRoot.querySelector('[data-id="status"]'))).toBe('Activating');

    await jest.advanceTimersByTimeAsync(1500);
    await flush();
    expect(getActivation).toHaveBeenCalledWith({ recordId: RECORD_ID });
    expect(text(progress.shadowRoot.querySelector('[data-id="status"]'))).toBe('Active');
    await jest.advanceTimersByTimeAsync(30000);
    expect(getActivation).toHaveBeenCalledTimes(1);
  });

  it('offers to try again after a failed start, and closes on request', async () => {
    activate
      .mockRejectedValueOnce({
        status: 500,
        body: { message: 'Salesforce could not reach Handoff: Read timed out' },
      })
      .mockResolvedValueOnce(RUNNING);
    const element = createElement('c-handoff-activate-action', { is: HandoffActivateAction });
    element.recordId = RECORD_ID;
    document.body.appendChild(element);
    await flush();

    const panel = element.shadowRoot.querySelector('c-handoff-error-panel');
    expect(text(panel.shadowRoot.querySelector('[data-id="message"]'))).toBe(
      'Salesforce could not reach Handoff: Read timed out',
    );
    element.shadowRoot.querySelector('lightning-button[data-id="try-again"]').click();
    await flush();
    expect(activate).toHaveBeenCalledTimes(2);
    expect(element.shadowRoot.querySelector('c-handoff-error-panel')).toBeNull();

    const closed = jest.fn();
    element.addEventListener('close', closed);
    element.shadowRoot.querySelector('lightning-button[data-id="close"]').click();
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('closed before the start answers, waits for it so the record page still hears of the activation', async () => {
    let answer;
    activate.mockReturnValue(
      new Promise((resolve) => {
        answer = resolve;
      }),
    );
    const element = createElement('c-handoff-activate-action', { is: HandoffActivateAction });
    const events = [];
    element.addEventListener('lightning__refresh', () => events.push('refresh'));
    element.addEventListener('close', () => events.push('close'));
    element.recordId = RECORD_ID;
    document.body.appendChild(element);
    await flush();

    const close = element.shadowRoot.querySelector('lightning-button[data-id="close"]');
    close.click();
    await flush();
    expect(events).toEqual([]);
    expect(close.label).toBe('Closing…');
    expect(close.disabled).toBe(true);

    answer(RUNNING);
    await flush();
    expect(events).toEqual(['refresh', 'close']);
  });
});
