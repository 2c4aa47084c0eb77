export { billingServiceName, invoiceServiceName } from './billing-status';
export { type KantataConnection, type KantataConnectionInput, KantataConnectionSchema } from './config';
export { createKantataConnector, type KantataConnector } from './connector';
export { SERVICE_MODEL } from './context';
export { NO_ROLE } from './delivery';
export { linkServiceName } from './links';
export {
  KantataWebhookError,
  type KantataWebhookErrorCode,
  type KantataWebhookEvent,
  parseKantataWebhook,
} from './webhook';
