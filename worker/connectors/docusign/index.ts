export { AMENDMENT_FIELDS, type ConnectEvent, ConnectEventSchema } from './connect-event';
export {
  DocuSignConnectError,
  type DocuSignConnectErrorCode,
  type EnvelopeCompleted,
  parseEnvelopeCompleted,
} from './parse-envelope-completed';
export { connectSignatures, signConnectBody, verifyConnectSignature } from './verify-signature';
