export {
  type SalesforceConnection,
  type SalesforceConnectionInput,
  SalesforceConnectionSchema,
} from './config';
export { createSalesforceConnector, type SalesforceConnector } from './connector';
