import type { Instance } from '../kit/emulator';
import { now } from './envelope';
import type { KantataProjectTemplate, KantataState, TemplateTask } from './state';

/**
 * The `demo` seed: a consulting firm's Kantata account with its delivery roles, a few users, the project
 * templates Handoff's contracts name (`standard-delivery`, `fixed-fee-delivery`, `time-and-materials`,
 * titled the way a person would title them) and the account default rate card set.
 */

export const DEMO_ROLES = [
  'Engagement Lead',
  'Senior Consultant',
  'Consultant',
  'Analyst',
  'Project Manager',
] as const;

const DEMO_TEMPLATES: { title: string; description: string; tasks: TemplateTask[] }[] = [
  {
    title: 'Standard Delivery',
    description: 'Kickoff, delivery and closeout for a typical engagement.',
    tasks: [
      { title: 'Project kickoff', story_type: 'task', offset_days: 2 },
      { title: 'Project management', story_type: 'task', offset_days: 30 },
    ],
  },
  {
    title: 'Fixed Fee Delivery',
    description: 'Milestone-billed delivery; milestones come from the signed contract.',
    tasks: [{ title: 'Project kickoff', story_type: 'task', offset_days: 2 }],
  },
  {
    title: 'Time and Materials',
    description: 'Hourly-billed delivery against a rate card.',
    tasks: [{ title: 'Weekly status reporting', story_type: 'task', offset_days: 7 }],
  },
];

export function seedDemo(inst: Instance<KantataState>) {
  const s = inst.state;
  const t = now();
  s.accountName = 'Northwind Advisory';
  s.accountCurrency = 'USD';
  const users = [
    { full_name: 'Handoff Integration', email_address: 'integration@northwind.example' },
    { full_name: 'Priya Raman', email_address: 'priya.raman@northwind.example', headline: 'Engagement Lead' },
    { full_name: 'Marcus Bell', email_address: 'marcus.bell@northwind.example', headline: 'Project Manager' },
    { full_name: 'Lena Ortiz', email_address: 'lena.ortiz@northwind.example', headline: 'Senior Consultant' },
  ];
  for (const [i, u] of users.entries()) {
    const id = inst.nextId();
    s.users[id] = { id, ...u };
    if (i === 0) s.apiUserId = id;
  }
  for (const name of DEMO_ROLES) {
    const id = inst.nextId();
    s.roles[id] = { id, name, created_at: t, updated_at: t };
  }
  for (const tpl of DEMO_TEMPLATES) {
    const id = inst.nextId();
    const template: KantataProjectTemplate = {
      id,
      currency: 'USD',
      is_budgeted: true,
      created_at: t,
      updated_at: t,
      ...tpl,
    };
    s.projectTemplates[id] = template;
  }
  // The account default rate card set Kantata generates on first use, with a published USD card.
  const setId = inst.nextId();
  s.rateCardSets[setId] = {
    id: setId,
    title: 'Account Default',
    account_default: true,
    created_at: t,
    updated_at: t,
  };
  const setVersionId = inst.nextId();
  s.rateCardSetVersions[setVersionId] = {
    id: setVersionId,
    rate_card_set_id: setId,
    effective_date: '2024-01-01',
    active: true,
    created_at: t,
    updated_at: t,
  };
  const cardId = inst.nextId();
  s.rateCards[cardId] = {
    id: cardId,
    rate_card_set_id: setId,
    currency: 'USD',
    created_at: t,
    updated_at: t,
  };
  const versionId = inst.nextId();
  s.rateCardVersions[versionId] = {
    id: versionId,
    rate_card_id: cardId,
    rate_card_set_version_id: setVersionId,
    default_rate: 15000,
    created_at: t,
    updated_at: t,
  };
  // Lumen Partners' consultants who log time and expenses in the sandbox (added last so the ids above stay
  // what earlier sandboxes and tests saw).
  for (const c of DEMO_CONSULTANTS) {
    const id = inst.nextId();
    s.users[id] = { id, full_name: c.name, email_address: c.email, headline: c.role };
  }
}

/** The demo consultants and the role each works in (a workspace role is given when they are staffed). */
export const DEMO_CONSULTANTS = [
  { name: 'Ava Chen', role: 'Engagement Lead' },
  { name: 'Ben Ortiz', role: 'Senior Consultant' },
  { name: 'Chloe Martin', role: 'Consultant' },
  { name: 'Dev Patel', role: 'Analyst' },
  { name: 'Emma Schulz', role: 'Project Manager' },
].map((c) => ({ ...c, email: `${c.name.toLowerCase().replace(' ', '.')}@lumenpartners.example` }));
