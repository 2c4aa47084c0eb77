export { DEFAULT_ACCESS_TOKENS } from './auth';
export { createKantataEmulator, type KantataEmulator } from './emulator';
export { DEMO_ROLES } from './seeds';
export type { KantataState } from './state';
