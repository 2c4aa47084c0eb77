import type { Contract } from '../../../shared/model/contract';

/**
 * The canonical Contract has no scope text yet; an amendment carries it, so the amended contract keeps
 * it as an extra property until the shared model grows the field. Note that ContractSchema.parse strips it.
 */
export type ScopedContract = Contract & { scope?: string };

export const scopeOf = (c: Contract): string | undefined => (c as ScopedContract).scope;
