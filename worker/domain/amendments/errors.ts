/** Why an amendment cannot be applied to a contract: a person has to correct the amendment or the contract. */
export class AmendmentError extends Error {
  readonly code: string;
  /** Path in the change set, e.g. "milestones.changed.M2.amount". */
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'AmendmentError';
    this.code = code;
    this.field = field;
  }
}
