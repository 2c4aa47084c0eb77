/** One DocuSign account's envelopes, its Connect configuration and every delivery attempt. */
export interface DsSigner {
  recipientId: string;
  name: string;
  email: string;
  status: 'sent' | 'completed';
  signedDateTime?: string;
}

export interface DsEnvelope {
  envelopeId: string;
  status: 'created' | 'sent' | 'completed' | 'voided';
  emailSubject: string;
  createdDateTime: string;
  sentDateTime?: string;
  completedDateTime?: string;
  statusChangedDateTime: string;
  signers: DsSigner[];
  textCustomFields: { fieldId: string; name: string; value: string; show: string; required: string }[];
}

export interface ConnectConfig {
  configurationId: string;
  /** Where Connect POSTs (urlToPublishTo). */
  urlToPublishTo?: string;
  /** HMAC keys; one X-DocuSign-Signature-N header per key (several during rotation). */
  hmacSecrets: string[];
  /** Delays before each retry; Connect retries a non-2xx or unreachable listener. Compressed for tests. */
  retryDelaysMs: number[];
}

export interface ConnectAttempt {
  envelopeId: string;
  event: string;
  attempt: number;
  status?: number;
  error?: string;
  at: string;
}

export interface DocuSignState {
  accountId: string;
  envelopes: Record<string, DsEnvelope>;
  connect: ConnectConfig;
  attempts: ConnectAttempt[];
}

export function initialDocuSignState(options: Record<string, unknown>): DocuSignState {
  return {
    accountId:
      typeof options.accountId === 'string' ? options.accountId : 'f1e2d3c4-0000-4000-8000-00000000a001',
    envelopes: {},
    connect: {
      configurationId: '10501',
      urlToPublishTo: typeof options.urlToPublishTo === 'string' ? options.urlToPublishTo : undefined,
      hmacSecrets: Array.isArray(options.hmacSecrets) ? (options.hmacSecrets as string[]) : [],
      retryDelaysMs: Array.isArray(options.retryDelaysMs)
        ? (options.retryDelaysMs as number[])
        : [20, 40, 80],
    },
    attempts: [],
  };
}
