import { NavigationMixin } from 'lightning/navigation';
import { api, LightningElement } from 'lwc';

const STATUS = {
  queued: { label: 'Queued', badgeClass: 'slds-badge' },
  running: { label: 'Activating', badgeClass: 'slds-badge slds-badge_inverse' },
  retrying: { label: 'Retrying', badgeClass: 'slds-badge slds-theme_warning' },
  active: { label: 'Active', badgeClass: 'slds-badge slds-theme_success' },
  needs_fixes: { label: 'Needs fixes', badgeClass: 'slds-badge slds-theme_warning' },
  failed: { label: 'Failed', badgeClass: 'slds-badge slds-theme_error' },
};

// SLDS vertical progress indicator states; an icon replaces the plain marker where one helps.
const STEP = {
  pending: { label: 'Pending', itemClass: 'slds-progress__item' },
  running: { label: 'Running', itemClass: 'slds-progress__item slds-is-active' },
  retrying: {
    label: 'Retrying',
    itemClass: 'slds-progress__item slds-is-active',
    icon: 'utility:refresh',
    variant: 'warning',
  },
  done: {
    label: 'Done',
    itemClass: 'slds-progress__item slds-is-completed',
    icon: 'utility:success',
    variant: 'success',
  },
  failed: {
    label: 'Failed',
    itemClass: 'slds-progress__item slds-has-error',
    icon: 'utility:error',
    variant: 'error',
  },
  skipped: { label: 'Skipped', itemClass: 'slds-progress__item slds-is-completed', icon: 'utility:dash' },
};

const ROLE = { crm: 'CRM', clm: 'Contract', psa: 'PSA', erp: 'ERP' };
const KIND = {
  opportunity: 'opportunity',
  account: 'account',
  contract: 'contract',
  customer: 'customer',
  project: 'project',
  billing_schedule: 'billing schedule',
  milestone: 'milestone',
  rate_card: 'rate card',
};
// Most useful first: where the work happens, then who is billed, then the rest.
const LINK_ORDER = ['psa:project', 'erp:customer', 'erp:project', 'erp:billing_schedule'];

// Key prefixes of the standard objects a problem can point at; custom objects read as "record".
const OBJECT_BY_PREFIX = { '001': 'Account', '003': 'Contact', '006': 'Opportunity', 800: 'Contract' };

function objectLabel(recordId) {
  return OBJECT_BY_PREFIX[String(recordId).slice(0, 3)] || 'record';
}

function formatTime(iso) {
  if (!iso) {
    return null;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? null
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** One activation: summary, steps, links into the PSA and ERP, and what to fix when it stopped. */
export default class HandoffActivationProgress extends NavigationMixin(LightningElement) {
  _activation;
  recordUrls = {};

  /** The ActivationView from the Handoff API (shared/api/activation.ts). */
  @api
  get activation() {
    return this._activation;
  }
  set activation(value) {
    this._activation = value;
    this.generateRecordUrls();
  }

  get hasActivation() {
    return !!this._activation;
  }

  get status() {
    return (
      (this._activation && STATUS[this._activation.status]) || { label: 'Unknown', badgeClass: 'slds-badge' }
    );
  }

  get steps() {
    const steps = this._activation?.steps || [];
    return steps.map((step, index) => {
      const look = STEP[step.status] || STEP.pending;
      let note = null;
      if (step.status === 'retrying') {
        note = `Attempt ${step.attempts}${step.message ? `: ${step.message}` : ''}`;
      } else if (step.status === 'failed' || step.status === 'running' || step.status === 'skipped') {
        note = step.message;
      } else if (step.status === 'done' && step.attempts > 1) {
        note = `Done after ${step.attempts} attempts`;
      }
      return {
        key: step.name || `step-${index}`,
        label: step.label,
        statusLabel: look.label,
        itemClass: look.itemClass,
        icon: look.icon,
        iconVariant: look.variant,
        assistiveStatus: `${look.label}:`,
        ariaCurrent: step.status === 'running' || step.status === 'retrying' ? 'step' : null,
        note,
        noteClass:
          step.status === 'retrying'
            ? 'slds-text-body_small slds-text-color_default step-note step-note_warning'
            : step.status === 'failed'
              ? 'slds-text-body_small slds-text-color_error'
              : 'slds-text-body_small slds-text-color_weak',
      };
    });
  }

  get hasSteps() {
    return this.steps.length > 0;
  }

  /** The one sentence screen readers hear when the activation moves (aria-live region). */
  get summary() {
    const a = this._activation;
    if (!a) {
      return '';
    }
    const steps = a.steps || [];
    const current = steps.find((s) => s.status === 'retrying') || steps.find((s) => s.status === 'running');
    const position = current ? steps.indexOf(current) + 1 : 0;
    switch (a.status) {
      case 'queued':
        return 'Queued: Handoff starts in a moment.';
      case 'running':
        return current ? `Step ${position} of ${steps.length}: ${current.label}.` : 'Activating.';
      case 'retrying':
        return current
          ? `Retrying step ${position} of ${steps.length}, ${current.label} (attempt ${current.attempts})${current.message ? `: ${current.message}` : '.'}`
          : `Retrying${a.message ? `: ${a.message}` : '.'}`;
      case 'active':
        return `Active: all ${steps.length} steps done.`;
      case 'needs_fixes': {
        const n = (a.problems || []).length;
        return n === 1
          ? 'Needs fixes: 1 field to fix before the activation can go on.'
          : `Needs fixes: ${n} fields to fix before the activation can go on.`;
      }
      case 'failed':
        return `Failed: ${a.exception?.reason || a.message || 'the activation stopped.'}`;
      default:
        return '';
    }
  }

  get message() {
    const a = this._activation;
    // The summary already says it for these.
    if (!a?.message || a.status === 'retrying' || (a.status === 'failed' && !a.exception)) {
      return null;
    }
    return a.message;
  }

  get metaText() {
    const a = this._activation;
    if (!a) {
      return null;
    }
    const parts = [];
    if (a.contractNumber) {
      parts.push(a.contractNumber);
    }
    if (a.attempt > 1) {
      parts.push(`Attempt ${a.attempt}`);
    }
    const updated = formatTime(a.updatedAt);
    if (updated) {
      parts.push(`Updated ${updated}`);
    }
    return parts.join(' • ');
  }

  get links() {
    const links = this._activation?.links || [];
    return links
      .filter((l) => l.role !== 'crm')
      .map((l) => {
        const order = LINK_ORDER.indexOf(`${l.role}:${l.kind}`);
        return {
          key: `${l.role}:${l.kind}:${l.externalId}`,
          label: `${ROLE[l.role] || l.role} ${KIND[l.kind] || l.kind}`,
          system: l.system,
          externalId: l.externalId,
          url: l.url || null,
          order: order === -1 ? LINK_ORDER.length : order,
        };
      })
      .sort((a, b) => a.order - b.order);
  }

  get hasLinks() {
    return this.links.length > 0;
  }

  get problems() {
    const problems = this._activation?.problems || [];
    return problems.map((p, index) => {
      const recordId = p.source?.recordId ? p.source.recordId : null;
      const fieldLabel = p.source?.label || p.field;
      return {
        key: `${p.field}-${index}`,
        fieldLabel,
        fieldApiName: p.source?.field ? p.source.field : p.field,
        message: p.message,
        fix: p.fix,
        recordId,
        hasRecord: !!recordId,
        url: recordId ? this.recordUrls[recordId] || `/lightning/r/${recordId}/view` : null,
        linkText: recordId ? `Open ${objectLabel(recordId)}` : null,
        linkAssistiveText: ` to fix ${fieldLabel}`,
      };
    });
  }

  get hasProblems() {
    return this.problems.length > 0;
  }

  get problemsHeading() {
    const n = this.problems.length;
    return n === 1 ? 'What to fix (1 field)' : `What to fix (${n} fields)`;
  }

  get exception() {
    return this._activation ? this._activation.exception : null;
  }

  async generateRecordUrls() {
    const problems = this._activation?.problems || [];
    const ids = [...new Set(problems.map((p) => p.source?.recordId).filter(Boolean))];
    const missing = ids.filter((id) => !this.recordUrls[id]);
    if (missing.length === 0) {
      return;
    }
    const urls = { ...this.recordUrls };
    await Promise.all(
      missing.map(async (recordId) => {
        try {
          urls[recordId] = await this[NavigationMixin.GenerateUrl](this.recordPage(recordId));
        } catch (_e) {
          // The /lightning/r/ fallback still works.
        }
      }),
    );
    this.recordUrls = urls;
  }

  recordPage(recordId) {
    return { type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } };
  }

  handleOpenRecord(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate](this.recordPage(event.currentTarget.dataset.recordId));
  }
}
