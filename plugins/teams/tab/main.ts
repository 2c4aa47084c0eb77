import { app, authentication } from '@microsoft/teams-js';
import { ApiClient, type TabApproval, type TabException } from './api';
import { formatMoney } from './format';

/**
 * The personal tab (My approvals / Exceptions). In Teams: app.initialize(), an SSO token from
 * authentication.getAuthToken(), then the lists from the Handoff API with that token as the bearer.
 * Outside Teams app.initialize() rejects (or never answers): the page says to open it in Teams.
 */

const INIT_TIMEOUT_MS = 5000;
const root = document.getElementById('app')!;
// The API base is baked in at build time (a meta tag), never read from the URL: the SSO token must not
// be sendable to an origin a link chooses.
const apiBase = (
  document.querySelector<HTMLMetaElement>('meta[name="handoff-api-base"]')?.content || location.origin
).replace(/\/$/, '');
const view = new URLSearchParams(location.search).get('view') === 'exceptions' ? 'exceptions' : 'approvals';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

function notice(title: string, detail: string): void {
  root.replaceChildren(
    el('section', { className: 'notice', role: 'status' }, el('h1', {}, title), el('p', {}, detail)),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

function approvalRow(api: ApiClient, a: TabApproval): HTMLElement {
  const status = el('p', { className: 'row-status', role: 'status' });
  const accept = el('button', {
    type: 'button',
    className: 'primary',
    textContent: a.kind === 'changeOrder' ? 'Approve' : 'Accept',
  });
  const reject = el('button', { type: 'button', textContent: 'Reject…' });
  const comment = el('textarea', {
    placeholder: 'Why are you rejecting this?',
    maxLength: 1000,
    hidden: true,
  });
  comment.setAttribute('aria-label', 'Reason for rejecting');
  const confirmReject = el('button', {
    type: 'button',
    className: 'danger',
    textContent: 'Reject',
    hidden: true,
  });
  const actions = el('div', { className: 'actions' }, accept, reject);

  async function decide(decision: 'accept' | 'reject', text?: string) {
    for (const b of [accept, reject, confirmReject]) b.disabled = true;
    status.textContent = 'Saving…';
    try {
      await api.decide(a.id, { decision, ...(text ? { comment: text } : {}) });
      actions.remove();
      comment.remove();
      confirmReject.remove();
      status.textContent =
        decision === 'accept' ? (a.kind === 'changeOrder' ? 'Approved' : 'Accepted') : 'Rejected';
      row.dataset.decided = decision;
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      for (const b of [accept, reject, confirmReject]) b.disabled = false;
    }
  }
  accept.addEventListener('click', () => void decide('accept'));
  reject.addEventListener('click', () => {
    comment.hidden = false;
    confirmReject.hidden = false;
    comment.focus();
  });
  confirmReject.addEventListener('click', () => {
    const text = comment.value.trim();
    if (!text) {
      status.textContent = 'Say why, so the team can fix it';
      return;
    }
    void decide('reject', text);
  });

  const row = el(
    'li',
    { className: 'row' },
    el('div', { className: 'title' }, a.title),
    el(
      'div',
      { className: 'sub' },
      [a.project, a.amount ? formatMoney(a.amount) : ''].filter(Boolean).join(' · '),
    ),
    actions,
    comment,
    confirmReject,
    status,
  );
  row.dataset.id = a.id;
  return row;
}

function exceptionRow(api: ApiClient, x: TabException): HTMLElement {
  const status = el('p', { className: 'row-status', role: 'status' });
  const retry = el('button', { type: 'button', className: 'primary', textContent: 'Retry' });
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      await api.resolve(x.id, { action: 'retry' });
      status.textContent = 'Retry queued';
      retry.remove();
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      retry.disabled = false;
    }
  });
  const row = el(
    'li',
    { className: 'row' },
    el('div', { className: 'title' }, x.rule),
    el('div', { className: 'sub' }, x.reason),
    ...(x.suggestedFix ? [el('div', { className: 'fix' }, `Fix: ${x.suggestedFix}`)] : []),
    el('div', { className: 'actions' }, retry),
    status,
  );
  row.dataset.id = x.id;
  return row;
}

function section(id: string, title: string, rows: HTMLElement[], empty: string): HTMLElement {
  return el(
    'section',
    { id, className: 'list' },
    el('h2', {}, title),
    rows.length > 0 ? el('ul', {}, ...rows) : el('p', { className: 'empty' }, empty),
  );
}

async function start(): Promise<void> {
  try {
    await withTimeout(app.initialize(), INIT_TIMEOUT_MS);
  } catch {
    notice(
      'Open this tab in Teams',
      'Handoff approvals sign you in with your Teams account, so this page only works inside Microsoft Teams.',
    );
    return;
  }
  let token: string;
  try {
    token = await authentication.getAuthToken();
  } catch (e) {
    notice(
      'Sign-in needed',
      `Teams could not sign you in to Handoff (${e instanceof Error ? e.message : String(e)}). Ask your admin to grant consent.`,
    );
    return;
  }
  const api = new ApiClient(apiBase, token);
  try {
    const [approvals, exceptions] = await Promise.all([api.approvals(), api.exceptions()]);
    const a = section(
      'approvals',
      'My approvals',
      approvals.map((x) => approvalRow(api, x)),
      'Nothing waiting for you',
    );
    const x = section(
      'exceptions',
      'Exceptions',
      exceptions.map((e) => exceptionRow(api, e)),
      'No open exceptions',
    );
    root.replaceChildren(...(view === 'exceptions' ? [x, a] : [a, x]));
  } catch (e) {
    notice('Could not load', e instanceof Error ? e.message : String(e));
  }
}

void start();
