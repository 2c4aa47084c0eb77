export {
  type NetSuiteAuth,
  type NetSuiteConnection,
  type NetSuiteConnectionInput,
  NetSuiteConnectionSchema,
  type NetSuiteCustomFields,
  NetSuiteCustomFieldsSchema,
} from './config';
export { createNetSuiteConnector, type NetSuiteConnectorDeps } from './connector';
export { externalIdFor } from './external-id';
