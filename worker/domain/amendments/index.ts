export {
  type AmendmentChanges,
  type AmendmentChangesInput,
  AmendmentChangesSchema,
  AmendmentNumberSchema,
  MAX_AMENDMENT_NUMBER,
  type MilestoneChange,
  MilestoneChangeSchema,
  type RateChange,
  RateChangeSchema,
} from '../../../shared/model/amendment';
export { applyAmendment } from './apply-amendment';
export {
  type Change,
  type ContractDiff,
  diffContracts,
  type MilestoneDiff,
  type RateDiff,
  type ScheduleLineDiff,
} from './diff-contracts';
export { AmendmentError } from './errors';
export {
  type ApprovalDecision,
  type ApprovalPolicy,
  ApprovalPolicySchema,
  needsApproval,
} from './needs-approval';
export { type ScopedContract, scopeOf } from './scope';
export { type PostedTimeEntry, type SupersededTime, supersededTimeAfter } from './superseded-time';
