import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import type { NetSuiteEmulatorOptionsInput } from './options';

export interface NetSuiteTestCredentials {
  clientId: string;
  certificateId: string;
  algorithm: 'PS256' | 'ES256';
  privateKeyPem: string;
  publicKeyPem: string;
  /** `auth` for the connector's NetSuiteConnection. */
  auth: { clientId: string; certificateId: string; privateKeyPem: string; algorithm: 'PS256' | 'ES256' };
  /** `config.options` for POST /__emulator/instances: registers the client and its certificate. */
  options: NetSuiteEmulatorOptionsInput;
  /** The whole `config` for POST /__emulator/instances. */
  instanceConfig: { options: NetSuiteEmulatorOptionsInput };
}

const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A fresh key pair with a client id and certificate id shaped like NetSuite's (64 hex characters; a
 * base64url certificate id), plus the instance config that registers them, so a test or the sandbox
 * gets an instance whose client-credentials flow works for real. PS256 with a 3072-bit RSA key by
 * default (the usual NetSuite certificate); ES256 is also accepted by NetSuite.
 */
export async function netsuiteTestCredentials(
  opts: { algorithm?: 'PS256' | 'ES256'; clientId?: string; certificateId?: string } = {},
): Promise<NetSuiteTestCredentials> {
  const algorithm = opts.algorithm ?? 'PS256';
  const { publicKey, privateKey } = await generateKeyPair(
    algorithm,
    algorithm === 'PS256' ? { extractable: true, modulusLength: 3072 } : { extractable: true },
  );
  const privateKeyPem = await exportPKCS8(privateKey);
  const publicKeyPem = await exportSPKI(publicKey);
  const clientId = opts.clientId ?? hex(32);
  const certificateId = opts.certificateId ?? Buffer.from(hex(16), 'hex').toString('base64url');
  const options: NetSuiteEmulatorOptionsInput = {
    clients: [{ clientId, certificates: [{ certificateId, publicKey: publicKeyPem }] }],
  };
  return {
    clientId,
    certificateId,
    algorithm,
    privateKeyPem,
    publicKeyPem,
    auth: { clientId, certificateId, privateKeyPem, algorithm },
    options,
    instanceConfig: { options },
  };
}
