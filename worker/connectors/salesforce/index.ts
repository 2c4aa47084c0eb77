export { createSalesforceConnector, type SalesforceConnector } from './connector';
export { SalesforceConnectionSchema, type SalesforceConnection, type SalesforceConnectionInput } from './config';
