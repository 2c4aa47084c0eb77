/**
 * The few Adaptive Card element shapes the builders use, typed loosely (cards are JSON) but with the
 * property names of the 1.5 schema so a typo shows up in review, not in Teams.
 */

export type Element = Record<string, unknown> & { type: string };
export type Action = Record<string, unknown> & { type: string; title: string };

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  version: '1.5';
  refresh?: {
    action: { type: 'Action.Execute'; verb: 'refresh'; data: Record<string, unknown> };
    userIds: string[];
  };
  body: Element[];
  actions?: Action[];
  fallbackText?: string;
  msteams?: { width: 'Full' };
}

export function card(parts: {
  body: Element[];
  actions?: Action[];
  refreshData: Record<string, unknown>;
  /** Teams MRIs; Teams refreshes automatically for at most 60 of them. */
  refreshUserIds: string[];
  fallbackText: string;
}): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    refresh: {
      action: { type: 'Action.Execute', verb: 'refresh', data: parts.refreshData },
      userIds: parts.refreshUserIds.slice(0, 60),
    },
    body: parts.body,
    ...(parts.actions && parts.actions.length > 0 ? { actions: parts.actions } : {}),
    fallbackText:
      parts.fallbackText.length > 300 ? `${parts.fallbackText.slice(0, 299)}…` : parts.fallbackText,
    msteams: { width: 'Full' },
  };
}

export function text(value: string, opts: Record<string, unknown> = {}): Element {
  return { type: 'TextBlock', text: value, wrap: true, ...opts };
}

export function heading(value: string, subtitle?: string): Element[] {
  return [
    text(value, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    ...(subtitle ? [text(subtitle, { isSubtle: true, spacing: 'None' })] : []),
  ];
}

export function section(title: string, items: Element[]): Element {
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [text(title, { weight: 'Bolder', size: 'Medium' }), ...items],
  };
}

export function facts(pairs: [string, string][]): Element {
  return { type: 'FactSet', facts: pairs.map(([title, value]) => ({ title, value })) };
}

/** A two-column Before | After block, the heart of the change-order card. */
export function beforeAfter(before: Element[], after: Element[]): Element {
  return {
    type: 'ColumnSet',
    columns: [
      {
        type: 'Column',
        width: 'stretch',
        items: [text('Before', { isSubtle: true, weight: 'Bolder' }), ...before],
      },
      {
        type: 'Column',
        width: 'stretch',
        style: 'emphasis',
        items: [text('After', { isSubtle: true, weight: 'Bolder' }), ...after],
      },
    ],
  };
}

export function badge(value: string, color: 'Good' | 'Attention' | 'Warning' | 'Accent'): Element {
  return text(value, { weight: 'Bolder', color, spacing: 'Small' });
}

export function execute(
  title: string,
  verb: string,
  data: Record<string, unknown>,
  opts: { style?: 'positive' | 'destructive'; inputs?: 'auto' | 'none' } = {},
): Action {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    associatedInputs: opts.inputs ?? 'none',
    ...(opts.style ? { style: opts.style } : {}),
  };
}

/** An action that opens an inline form (a comment, a reason, a person) before it executes. */
export function showCard(title: string, body: Element[], confirm: Action, style?: 'destructive'): Action {
  return {
    type: 'Action.ShowCard',
    title,
    ...(style ? { style } : {}),
    card: { type: 'AdaptiveCard', body, actions: [confirm] },
  };
}

export function listWithOverflow(items: string[], max: number, clipAt: number): Element[] {
  const shown = items
    .slice(0, max)
    .map((i) => text(`• ${i.length > clipAt ? `${i.slice(0, clipAt - 1)}…` : i}`, { spacing: 'None' }));
  if (items.length > max)
    shown.push(text(`…and ${items.length - max} more`, { isSubtle: true, spacing: 'None' }));
  return shown;
}
