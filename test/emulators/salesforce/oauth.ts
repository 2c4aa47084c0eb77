import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import { invalidSession } from './errors';
import { redeemAuthorizationCode, tokenHolder } from './openid';
import type { SalesforceInstance, SalesforceState } from './state';
import { salesforceOptions } from './state';
import { webServerToken } from './web-server-flow';

/**
 * OAuth 2.0 on the org's My Domain: the client credentials flow (`POST /services/oauth2/token`,
 * form-encoded, client id and secret in the body or as HTTP Basic; the web server flow's grants are in
 * web-server-flow.ts), the OpenID Connect userinfo
 * endpoint and the identity URL the token response points at. Bearer tokens are checked here for
 * every REST call.
 */

type Ctx = Context<EmulatorEnv<SalesforceState>>;

/** Base URL of the instance as the client sees it (the emulated https://MyDomain.my.salesforce.com). */
export function instanceBaseUrl(c: Ctx): string {
  const url = new URL(c.req.url);
  const m = /^\/i\/[^/]+/.exec(url.pathname);
  return `${url.origin}${m ? m[0] : ''}`;
}

const oauthError = (c: Ctx, status: 400 | 401, error: string, description: string) =>
  c.json({ error, error_description: description }, status);

/** The user a bearer token belongs to, or an INVALID_SESSION_ID error. Accepts `Bearer` and the legacy `OAuth` scheme. */
export function authenticate(
  inst: SalesforceInstance,
  authorization: string | undefined,
  queryToken?: string | null,
): string {
  const m = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(authorization ?? '');
  const token = m?.[1] ?? queryToken ?? undefined;
  if (!token) throw invalidSession();
  if (salesforceOptions(inst.config).staticTokens.includes(token)) return inst.state.integrationUserId;
  const issued = inst.state.tokens[token];
  if (!issued) throw invalidSession();
  if (issued.expiresAt !== undefined && Date.now() > issued.expiresAt) {
    delete inst.state.tokens[token];
    throw invalidSession();
  }
  return issued.userId;
}

function identityBody(c: Ctx, inst: SalesforceInstance, userId: string) {
  const base = instanceBaseUrl(c);
  const user = inst.state.records.User?.[userId] ?? {};
  const version = salesforceOptions(inst.config).latestVersion;
  const data = `${base}/services/data/v{version}/`;
  return {
    base,
    user,
    urls: {
      rest: data,
      sobjects: `${data}sobjects/`,
      query: `${data}query/`,
      profile: `${base}/${userId}`,
      custom_domain: base,
    },
    version,
  };
}

export function registerOAuthRoutes(
  app: EmulatorApp<SalesforceState>,
  orgs: () => Iterable<SalesforceInstance>,
): void {
  app.post('/services/oauth2/token', async (c) => {
    const inst = c.get('instance');
    const opts = salesforceOptions(inst.config);
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return oauthError(c, 400, 'invalid_request', 'the request must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await c.req.text());
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const grant = form.get('grant_type');
    // Two apps' codes: console sign-in (openid.ts, on the login host) and connecting an org (web-server-flow.ts).
    if (grant === 'authorization_code' && c.get('instance').state.authCodes?.[form.get('code') ?? ''])
      return redeemAuthorizationCode(c, form, { id: clientId, secret: clientSecret }, orgs);
    if (grant === 'authorization_code' || grant === 'refresh_token') {
      const answer = webServerToken(c, form, clientId, clientSecret);
      return c.json(answer.body, answer.status);
    }
    if (grant !== 'client_credentials')
      return oauthError(c, 400, 'unsupported_grant_type', 'grant type not supported');
    if (!clientId || clientId !== opts.clientId)
      return oauthError(c, 400, 'invalid_client_id', 'client identifier invalid');
    if (clientSecret !== opts.clientSecret)
      return oauthError(c, 400, 'invalid_client', 'invalid client credentials');

    const { state } = inst;
    const now = Date.now();
    const token = `${state.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    state.tokens[token] = {
      userId: state.integrationUserId,
      issuedAt: now,
      ...(opts.tokenTtlSeconds !== undefined ? { expiresAt: now + opts.tokenTtlSeconds * 1000 } : {}),
    };
    inst.effect('oauth.token');
    const base = instanceBaseUrl(c);
    const id = `${base}/id/${state.orgId}/${state.integrationUserId}`;
    const issuedAt = String(now);
    // Salesforce signs id + issued_at with the consumer secret so the client can check the response.
    const signature = createHmac('sha256', opts.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    return c.json({
      access_token: token,
      signature,
      scope: 'api',
      instance_url: base,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
  });

  app.get('/services/oauth2/userinfo', (c) => {
    let inst = c.get('instance');
    let userId: string;
    try {
      userId = authenticate(inst, c.req.header('authorization'));
    } catch {
      // On the login host, a token issued by the web server flow belongs to the user's own org.
      const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      const held = token ? tokenHolder(orgs, token) : undefined;
      if (!held) return c.text('Bad_OAuth_Token', 403);
      inst = held.org;
      userId = held.userId;
    }
    const { base, user, urls } = identityBody(c, inst, userId);
    return c.json({
      sub: `${base}/id/${inst.state.orgId}/${userId}`,
      user_id: userId,
      organization_id: inst.state.orgId,
      preferred_username: user.Username,
      nickname: String(user.Username ?? '').split('@')[0],
      name: user.Name,
      email: user.Email,
      email_verified: true,
      given_name: user.FirstName,
      family_name: user.LastName,
      zoneinfo: 'America/Los_Angeles',
      active: user.IsActive !== false,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28800000,
      updated_at: user.LastModifiedDate,
      urls,
    });
  });

  app.get('/id/:orgId/:userId', (c) => {
    const inst = c.get('instance');
    let userId: string;
    try {
      userId = authenticate(inst, c.req.header('authorization'), c.req.query('oauth_token'));
    } catch {
      return c.text('Bad_OAuth_Token', 403);
    }
    if (c.req.param('orgId') !== inst.state.orgId || c.req.param('userId') !== userId)
      return c.text('Bad_Id', 403);
    const { base, user, urls } = identityBody(c, inst, userId);
    return c.json({
      id: `${base}/id/${inst.state.orgId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: inst.state.orgId,
      username: user.Username,
      nick_name: String(user.Username ?? '').split('@')[0],
      display_name: user.Name,
      email: user.Email,
      first_name: user.FirstName,
      last_name: user.LastName,
      active: user.IsActive !== false,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28800000,
      last_modified_date: user.LastModifiedDate,
      urls,
    });
  });
}
