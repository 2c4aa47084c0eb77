export { simMessage } from './connect-delivery';
export { docusignEmulator } from './emulator';
export type { ConnectAttempt, DocuSignState, DsEnvelope } from './state';
