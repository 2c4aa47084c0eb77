export { type KantataConnection, type KantataConnectionInput, KantataConnectionSchema } from './config';
export { createKantataConnector, type KantataConnector } from './connector';
export { SERVICE_MODEL } from './context';
export { linkServiceName } from './links';
