export { DEFAULT_ACCESS_TOKENS } from './auth';
export * as kantataDemoActions from './demo-actions';
export { createKantataEmulator, type KantataEmulator } from './emulator';
export { DEMO_CONSULTANTS, DEMO_ROLES } from './seeds';
export type { KantataState } from './state';
