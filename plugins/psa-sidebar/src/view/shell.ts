import type { Readiness } from '../../../../shared/api/readiness';
import { h } from '../dom';
import { refreshAges } from './ages';
import { renderExceptions, renderInvoices, renderMilestones } from './lists';
import { renderHeader, renderTotals } from './summary';

/**
 * The page regions index.html ships (so the skeleton paints before any script runs) and what fills them.
 */
export function createShell(doc: Document = document) {
  const app = doc.getElementById('app')!;
  const banner = doc.getElementById('banner')!;
  const live = doc.getElementById('live')!;
  const locale = doc.defaultView?.navigator.language;

  const setText = (el: HTMLElement, text: string) => {
    // Unchanged text is not rewritten, so a live region does not repeat itself every poll.
    if (el.textContent !== text) el.textContent = text;
  };

  return {
    showReadiness(r: Readiness) {
      // A re-render replaces the DOM; put keyboard focus back on the same item if it still exists.
      const focusedKey = (doc.activeElement as HTMLElement | null)?.dataset?.key;
      const generatedAtMs = Date.parse(r.generatedAt) || Date.now();
      const ctx = { locale, generatedAtMs };
      app.replaceChildren(
        renderHeader(r, ctx),
        renderTotals(r, ctx),
        renderMilestones(r.milestones, ctx),
        renderExceptions(r.exceptions, ctx),
        renderInvoices(r.invoices, ctx),
      );
      app.removeAttribute('aria-busy');
      app.dataset.version = r.version;
      if (focusedKey)
        app
          .querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)
          ?.focus({ preventScroll: true });
    },
    /** Replaces everything, data included: what the message says is all the user may see. */
    showMessage(title: string, body: string, kind: 'alert' | 'status' = 'status') {
      app.removeAttribute('aria-busy');
      delete app.dataset.version;
      app.replaceChildren(
        h('div', { class: `message ${kind}`, role: kind }, h('h1', null, title), h('p', null, body)),
      );
      this.banner(null);
    },
    banner(text: string | null) {
      banner.hidden = text === null;
      setText(banner, text ?? '');
    },
    announce(text: string) {
      setText(live, text);
    },
    hasData: () => app.dataset.version !== undefined,
    refreshAges: () => refreshAges(app),
  };
}

export type Shell = ReturnType<typeof createShell>;
