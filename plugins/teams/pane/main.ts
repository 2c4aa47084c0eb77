import * as AC from 'adaptivecards';
import { TEAMS_HOST_CONFIG } from './host-config';

/**
 * A stand-in Teams chat pane: lists the bot's card messages from GET ./cards, renders them with the
 * Adaptive Cards SDK, and plays the part of Teams for Universal Actions: an Action.Execute becomes
 * POST ./execute {activityId, verb, data, inputs}, and the card in the answer replaces the message's card
 * (as Teams does with the card in an adaptiveCard/action invoke response).
 */

interface CardMessage {
  activityId: string;
  card: Record<string, unknown>;
  from?: string;
  sentAt?: string;
}

const hostConfig = new AC.HostConfig(TEAMS_HOST_CONFIG);
const messages = document.getElementById('messages')!;
const status = document.getElementById('status')!;

function renderCard(bubble: HTMLElement, activityId: string, cardJson: Record<string, unknown>): void {
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => {
    if (action instanceof AC.ExecuteAction) void execute(bubble, activityId, action);
  };
  card.parse(cardJson);
  const el = card.render();
  const body = bubble.querySelector('.card')!;
  body.replaceChildren(...(el ? [el] : []));
}

function inputsOf(action: AC.Action): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, input] of Object.entries(action.getReferencedInputs() ?? {})) {
    if (input?.value !== undefined) out[id] = String(input.value);
  }
  return out;
}

async function execute(bubble: HTMLElement, activityId: string, action: AC.ExecuteAction): Promise<void> {
  const error = bubble.querySelector('.error')!;
  error.textContent = '';
  bubble.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch('./execute', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        activityId,
        verb: action.verb,
        data: action.data ?? {},
        inputs: inputsOf(action),
      }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      card?: Record<string, unknown>;
      message?: string;
      type?: string;
    };
    if (!res.ok) throw new Error(body.message ?? `The action failed (${res.status})`);
    // The sandbox answers {card}; a bare card (the invoke response's value) is accepted too.
    const next = body.card ?? (body.type === 'AdaptiveCard' ? (body as Record<string, unknown>) : undefined);
    if (next) renderCard(bubble, activityId, next);
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
  } finally {
    bubble.removeAttribute('aria-busy');
  }
}

function bubbleFor(msg: CardMessage): HTMLElement {
  const bubble = document.createElement('article');
  bubble.className = 'message';
  bubble.dataset.activityId = msg.activityId;
  const meta = document.createElement('header');
  meta.className = 'meta';
  meta.textContent = `${msg.from ?? 'Handoff'}${msg.sentAt ? ` · ${new Date(msg.sentAt).toLocaleString()}` : ''}`;
  const card = document.createElement('div');
  card.className = 'card';
  const error = document.createElement('p');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  bubble.append(meta, card, error);
  renderCard(bubble, msg.activityId, msg.card);
  return bubble;
}

async function load(): Promise<void> {
  try {
    const res = await fetch('./cards', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`Could not load messages (${res.status})`);
    const list = (await res.json()) as CardMessage[];
    messages.replaceChildren(...list.map(bubbleFor));
    status.textContent = list.length === 0 ? 'No messages yet' : '';
  } catch (e) {
    status.textContent = e instanceof Error ? e.message : String(e);
  }
}

void load();
