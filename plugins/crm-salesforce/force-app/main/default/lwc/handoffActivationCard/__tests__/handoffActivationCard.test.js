import activate from '@salesforce/apex/HandoffActivationController.activate';
import getActivation from '@salesforce/apex/HandoffActivationController.getActivation';
import HandoffActivationCard from 'c/handoffActivationCard';
import { getNavigations, resetNavigations } from 'lightning/navigation';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { createElement } from 'lwc';

jest.mock('@salesforce/apex/HandoffActivationController.getActivation', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock('@salesforce/apex/HandoffActivationController.activate', () => ({ default: jest.fn() }), {
  virtual: true,
});

const RUNNING = require('./data/running.json');
const RETRYING = require('./data/retrying.json');
const ACTIVE = require('./data/active.json');
const NEEDS_FIXES = require('./data/needsFixes.json');
const FAILED = require('./data/failed.json');

const RECORD_ID = '006000000000001AAA';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Fake timers also fake the macrotask queue, so settle promise chains with microtasks only.
async function flush() {
  for (let i = 0; i < 20; i++) {
    await Promise.resolve();
  }
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function apexError(message, status = 500) {
  return { status, body: { message }, headers: {} };
}

function handoffError(payload) {
  return apexError(JSON.stringify({ handoffError: true, details: [], ...payload }), payload.status || 500);
}

async function mount() {
  const element = createElement('c-handoff-activation-card', { is: HandoffActivationCard });
  element.recordId = RECORD_ID;
  element.objectApiName = 'Opportunity';
  document.body.appendChild(element);
  await flush();
  return element;
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);
const progress = (element) => q(element, 'c-handoff-activation-progress');
const inProgress = (element, selector) => progress(element).shadowRoot.querySelector(selector);
const allInProgress = (element, selector) =>
  Array.from(progress(element).shadowRoot.querySelectorAll(selector));
const button = (element) => q(element, 'lightning-button[data-id="activate"]');
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

describe('c-handoff-activation-card', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    resetNavigations();
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

  it('renders every step with its state from getActivation', async () => {
    getActivation.mockResolvedValue(RUNNING);
    const element = await mount();

    expect(getActivation).toHaveBeenCalledWith({ recordId: RECORD_ID });
    const steps = allInProgress(element, '[data-id="step"]');
    expect(steps.map((s) => text(s.querySelector('[data-id="step-label"]')))).toEqual([
      'Validate contract',
      'ERP customer',
      'PSA project',
      'WBS & milestones',
      'Rate card',
      'Team',
      'ERP project',
      'Billing schedule',
      'Link records',
      'Write back',
    ]);
    expect(steps.map((s) => text(s.querySelector('[data-id="step-status"]')))).toEqual([
      'Done',
      'Done',
      'Running',
      ...Array(7).fill('Pending'),
    ]);
    expect(steps[2].getAttribute('aria-current')).toBe('step');
    expect(steps[2].className).toContain('slds-is-active');
    const summary = inProgress(element, '[data-id="summary"]');
    expect(summary.getAttribute('aria-live')).toBe('polite');
    expect(text(summary)).toBe('Step 3 of 10: PSA project.');
    expect(text(inProgress(element, '[data-id="status"]'))).toBe('Activating');
    // An activation in flight cannot be started again.
    expect(button(element).disabled).toBe(true);
  });

  it('invites to activate when the record was never activated', async () => {
    getActivation.mockResolvedValue(null);
    const element = await mount();

    expect(progress(element)).toBeNull();
    expect(text(q(element, '[data-id="empty"]'))).toMatch(/^Not activated yet/);
    expect(button(element).label).toBe('Activate project');
    expect(button(element).disabled).toBe(false);
  });

  it('starts the activation with a fresh idempotency key and disables the button while it starts', async () => {
    getActivation.mockResolvedValue(null);
    const pending = deferred();
    activate.mockReturnValue(pending.promise);
    const element = await mount();
    const toasts = [];
    element.addEventListener('lightning__showtoast', (e) => toasts.push(e.detail));

    button(element).click();
    await flush();
    expect(activate).toHaveBeenCalledTimes(1);
    const [{ recordId, idempotencyKey }] = activate.mock.calls[0];
    expect(recordId).toBe(RECORD_ID);
    expect(idempotencyKey).toMatch(UUID_V4);
    expect(button(element).disabled).toBe(true);
    expect(button(element).label).toBe('Starting…');

    // A second click while the first is in flight starts nothing.
    button(element).click();
    await flush();
    expect(activate).toHaveBeenCalledTimes(1);

    pending.resolve({
      ...RUNNING,
      status: 'queued',
      steps: RUNNING.steps.map((s) => ({ ...s, status: 'pending' })),
    });
    await flush();
    expect(text(inProgress(element, '[data-id="status"]'))).toBe('Queued');
    expect(button(element).disabled).toBe(true);
    expect(toasts).toEqual([expect.objectContaining({ title: 'Activation started', variant: 'success' })]);
  });

  it('uses a new key for each click after a failed start', async () => {
    getActivation.mockResolvedValue(null);
    activate.mockRejectedValueOnce(
      handoffError({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'Handoff is busy.',
        retryable: true,
      }),
    );
    activate.mockResolvedValueOnce(RUNNING);
    const element = await mount();

    button(element).click();
    await flush();
    expect(button(element).disabled).toBe(false);
    button(element).click();
    await flush();

    expect(activate).toHaveBeenCalledTimes(2);
    expect(activate.mock.calls[0][0].idempotencyKey).not.toBe(activate.mock.calls[1][0].idempotencyKey);
    expect(q(element, 'c-handoff-error-panel')).toBeNull();
    expect(progress(element)).not.toBeNull();
  });

  it('shows what to fix: field, message, fix and a link to the record that holds it', async () => {
    getActivation.mockResolvedValue(NEEDS_FIXES);
    const element = await mount();

    const problems = allInProgress(element, '[data-id="problem"]');
    expect(problems).toHaveLength(2);
    const first = problems[0];
    expect(text(first.querySelector('[data-id="problem-field"]'))).toBe('Tax Number');
    expect(text(first.querySelector('[data-id="problem-message"]'))).toBe(
      'A VAT customer needs a tax number.',
    );
    expect(text(first.querySelector('[data-id="problem-fix"]'))).toBe(
      'Fix: Enter the VAT number on the Account (Tax Number).',
    );
    const link = first.querySelector('[data-id="problem-link"]');
    expect(text(link)).toBe('Open Account to fix Tax Number');
    expect(link.getAttribute('href')).toBe('https://org.example.com/lightning/r/001000000000001AAA/view');

    link.click();
    expect(getNavigations()).toEqual([
      {
        pageReference: {
          type: 'standard__recordPage',
          attributes: { recordId: '001000000000001AAA', actionName: 'view' },
        },
        replace: undefined,
      },
    ]);
    expect(text(problems[1].querySelector('[data-id="problem-link"]'))).toBe(
      'Open Opportunity to fix Engagement End Date',
    );
    expect(text(inProgress(element, '[data-id="summary"]'))).toBe(
      'Needs fixes: 2 fields to fix before the activation can go on.',
    );
    // After fixing the fields the seller can go again.
    expect(button(element).label).toBe('Retry activation');
    expect(button(element).disabled).toBe(false);
  });

  it('shows a retrying step with its reason and attempt count', async () => {
    getActivation.mockResolvedValue(RETRYING);
    const element = await mount();

    const step = allInProgress(element, '[data-id="step"]')[2];
    expect(text(step.querySelector('[data-id="step-status"]'))).toBe('Retrying');
    expect(text(step.querySelector('[data-id="step-note"]'))).toBe(
      'Attempt 3: Kantata is rate limiting us (HTTP 429); next try in 8 s.',
    );
    expect(text(inProgress(element, '[data-id="summary"]'))).toBe(
      'Retrying step 3 of 10, PSA project (attempt 3): Kantata is rate limiting us (HTTP 429); next try in 8 s.',
    );
  });

  it('shows the exception with reason, owner and suggested fix when the activation failed', async () => {
    getActivation.mockResolvedValue(FAILED);
    const element = await mount();

    expect(text(inProgress(element, '[data-id="exception-reason"]'))).toBe(
      'Subsidiary "UK Ltd" does not exist in NetSuite.',
    );
    expect(text(inProgress(element, '[data-id="exception-owner"]'))).toBe('Finance operations');
    expect(text(inProgress(element, '[data-id="exception-fix"]'))).toMatch(
      /^Create the subsidiary in NetSuite/,
    );
    expect(text(inProgress(element, '[data-id="status"]'))).toBe('Failed');
  });

  it('polls with backoff while in flight and stops once active', async () => {
    getActivation
      .mockResolvedValueOnce(RUNNING)
      .mockResolvedValueOnce(RUNNING)
      .mockResolvedValueOnce(RUNNING)
      .mockResolvedValueOnce(ACTIVE);
    const element = await mount();
    expect(getActivation).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(1499);
    expect(getActivation).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(getActivation).toHaveBeenCalledTimes(2);
    // Nothing changed, so the next read waits longer (1.5 s x 1.5).
    await jest.advanceTimersByTimeAsync(2249);
    expect(getActivation).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(getActivation).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(3375);
    expect(getActivation).toHaveBeenCalledTimes(4);
    await flush();

    expect(text(inProgress(element, '[data-id="status"]'))).toBe('Active');
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: RECORD_ID }]);
    const links = allInProgress(element, '[data-id="link"]');
    expect(links.map((l) => text(l.querySelector('a')))).toEqual([
      'PSA project (opens in a new tab)',
      'ERP customer (opens in a new tab)',
      'ERP project (opens in a new tab)',
    ]);
    expect(links[0].querySelector('a').getAttribute('href')).toBe(
      'https://acme.mavenlink.com/workspaces/88123',
    );
    expect(button(element).label).toBe('Activated');
    expect(button(element).disabled).toBe(true);

    await jest.advanceTimersByTimeAsync(60000);
    expect(getActivation).toHaveBeenCalledTimes(4);
  });

  it('stops polling when removed from the page', async () => {
    getActivation.mockResolvedValue(RUNNING);
    const element = await mount();
    document.body.removeChild(element);

    await jest.advanceTimersByTimeAsync(30000);
    expect(getActivation).toHaveBeenCalledTimes(1);
  });

  it('renders an Apex error from Handoff as readable text with field details and fixes', async () => {
    getActivation.mockRejectedValue(
      handoffError({
        status: 422,
        code: 'VALIDATION_FAILED',
        message: 'The request is not valid.',
        requestId: 'req_7Hk2',
        retryable: false,
        details: [
          {
            field: 'crmRecordId',
            message: 'Must be a 15 or 18 character Salesforce record id',
            fix: 'Open the Opportunity and try again.',
          },
        ],
      }),
    );
    const element = await mount();

    const panel = q(element, 'c-handoff-error-panel');
    const panelText = text(panel.shadowRoot.querySelector('[role="alert"]'));
    expect(panelText).toContain('Could not load the activation');
    expect(panelText).toContain('The request is not valid.');
    expect(panelText).toContain(
      'crmRecordId: Must be a 15 or 18 character Salesforce record id Fix: Open the Opportunity and try again.',
    );
    expect(panelText).toContain('Request ID for support: req_7Hk2');
    expect(panelText).not.toContain('{');
  });

  it('offers to try again when Handoff cannot be read, and recovers', async () => {
    getActivation
      .mockRejectedValueOnce(
        handoffError({
          status: 503,
          code: 'UPSTREAM_UNAVAILABLE',
          message: 'Handoff is unavailable right now (HTTP 503).',
          retryable: true,
        }),
      )
      .mockResolvedValueOnce(ACTIVE);
    const element = await mount();

    const reload = q(element, 'lightning-button[data-id="reload"]');
    expect(reload.label).toBe('Try again');
    reload.click();
    await flush();

    expect(getActivation).toHaveBeenCalledTimes(2);
    expect(q(element, 'c-handoff-error-panel')).toBeNull();
    expect(q(element, 'lightning-button[data-id="reload"]')).toBeNull();
    expect(text(inProgress(element, '[data-id="status"]'))).toBe('Active');
  });

  it('renders a plain Apex error message when starting fails', async () => {
    getActivation.mockResolvedValue(null);
    activate.mockRejectedValue(
      apexError('You do not have access to the Apex class named HandoffActivationController.', 403),
    );
    const element = await mount();

    button(element).click();
    await flush();

    const panel = q(element, 'c-handoff-error-panel');
    expect(text(panel.shadowRoot.querySelector('[data-id="friendly-message"]'))).toBe(
      'Could not start the activation',
    );
    expect(text(panel.shadowRoot.querySelector('[data-id="message"]'))).toBe(
      'You do not have access to the Apex class named HandoffActivationController.',
    );
    expect(button(element).disabled).toBe(false);
  });
});
