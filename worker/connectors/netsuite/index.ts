export {
  type NetSuiteAuth,
  type NetSuiteConnection,
  type NetSuiteConnectionInput,
  NetSuiteConnectionSchema,
  type NetSuiteCustomFields,
  NetSuiteCustomFieldsSchema,
} from './config';
export { createNetSuiteConnector, type NetSuiteConnector, type NetSuiteConnectorDeps } from './connector';
export { externalIdFor } from './external-id';
export type { NetSuiteChoices } from './setup';
