import type { Env } from '../../env';
import * as entra from '../identity/entra-oidc';
import { entraOidcConfig } from '../identity/microsoft-claims';
import type { AuthorizationRequest } from '../identity/oidc';
import * as salesforce from '../identity/salesforce-oidc';

/** The identity providers a firm's people sign in to the console with. */
export const CONSOLE_PROVIDERS = ['entra', 'salesforce'] as const;
export type ConsoleProvider = (typeof CONSOLE_PROVIDERS)[number];

export const PROVIDER_NAMES: Record<ConsoleProvider, string> = {
  entra: 'Microsoft Entra ID',
  salesforce: 'Salesforce',
};

/** A person as their provider vouched for them in a verified id token. */
export interface VerifiedIdentity {
  provider: ConsoleProvider;
  /** Entra: the directory (tid). Salesforce: the org id, 18 characters. */
  organizationId: string;
  /** Entra: the object id (oid). Salesforce: the user id, 18 characters. */
  subject: string;
  name: string;
  email?: string;
  /** Group ids from the id token (Entra security groups); Salesforce id tokens carry none. */
  groups: string[];
}

/** Whether the deployment has the provider's app credentials (the operator's secrets). */
export function providerConfigured(env: Env, provider: ConsoleProvider): boolean {
  return provider === 'entra' ? Boolean(entraOidcConfig(env)) : Boolean(salesforce.salesforceOidcConfig(env));
}

/** A new authorization request (state, nonce, PKCE verifier) at the provider. */
export function authorizationRequest(
  env: Env,
  provider: ConsoleProvider,
  redirectUri: string,
): Promise<AuthorizationRequest> {
  if (provider === 'entra')
    // email: the `email` claim; the console shows it and compares it with an invitation's.
    return entra.newAuthorizationRequest(entraOidcConfig(env)!, redirectUri, {
      scope: 'openid profile email',
    });
  return salesforce.newAuthorizationRequest(salesforce.salesforceOidcConfig(env)!, redirectUri);
}

/** Redeems the code (with the verifier) and verifies the id token (with the nonce) of one sign-in. */
export async function verifiedIdentity(
  env: Env,
  provider: ConsoleProvider,
  input: { code: string; redirectUri: string; codeVerifier: string; nonce: string },
): Promise<VerifiedIdentity> {
  if (provider === 'entra') {
    const cfg = entraOidcConfig(env)!;
    const idToken = await entra.redeemAuthorizationCode(cfg, { ...input, scope: 'openid profile email' });
    const p = await entra.verifyIdToken(cfg, idToken, { nonce: input.nonce });
    const email = p.email ?? p.preferredUsername;
    return {
      provider,
      organizationId: p.tid,
      subject: p.oid,
      name: p.name,
      ...(email ? { email } : {}),
      groups: p.groups ?? [],
    };
  }
  const cfg = salesforce.salesforceOidcConfig(env)!;
  const idToken = await salesforce.redeemAuthorizationCode(cfg, input);
  const p = await salesforce.verifyIdToken(cfg, idToken, { nonce: input.nonce });
  return {
    provider,
    organizationId: p.orgId,
    subject: p.userId,
    name: p.name,
    ...(p.email ? { email: p.email } : {}),
    groups: [],
  };
}
