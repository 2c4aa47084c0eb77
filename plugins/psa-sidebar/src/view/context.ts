import type { Readiness } from '../../../../shared/api/readiness';

export type Milestone = Readiness['milestones'][number];
export type Invoice = Readiness['invoices'][number];
export type ProjectException = Readiness['exceptions'][number];

export interface ViewContext {
  locale: string | undefined;
  /** generatedAt as epoch ms: ages in the payload are as of this instant. */
  generatedAtMs: number;
}
