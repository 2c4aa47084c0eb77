export { type NetSuiteTestCredentials, netsuiteTestCredentials } from './credentials';
export { createNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator';
export {
  HANDOFF_JOB_CUSTOM_FIELDS,
  type NetSuiteEmulatorOptions,
  type NetSuiteEmulatorOptionsInput,
  NetSuiteEmulatorOptionsSchema,
} from './options';
export type { NetSuiteState, StoredRecord } from './state';
