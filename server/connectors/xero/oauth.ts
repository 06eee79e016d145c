import crypto from 'node:crypto';
import { AccountingApi } from 'xero-node';
import { DomainError, Invalid } from '../../errors';
import { isoDate } from './sync/values';

/** What the sign-in and connect flows need to talk to Xero's identity service. */
export type OAuthConfig = {
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
  authorizeUrl: string;
  identityUrl: string;
  apiUrl: string;
};

/**
 * The least Xero lets us ask for (granular scopes, apps created after 2 March 2026):
 * invoices.read covers purchase orders, bills, sales invoices and items; manualjournals to post;
 * settings (not .read) because "Create suggested accounts" adds accounts to the chart;
 * contacts.read for suppliers. openid/profile/email identify the person for "Sign up with Xero".
 */
export const XERO_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.invoices.read', 'accounting.manualjournals', 'accounting.settings', 'accounting.contacts.read'];

export class XeroNotConfigured extends DomainError {
  constructor(missing: string) {
    super('xero_not_configured', 503, `Xero is not set up on this Perpetua: ${missing} is not set (see README, "Connecting Xero")`);
  }
}

export function requireClient(c: OAuthConfig): { clientId: string; clientSecret: string } {
  if (!c.clientId) throw new XeroNotConfigured('XERO_CLIENT_ID');
  if (!c.clientSecret) throw new XeroNotConfigured('XERO_CLIENT_SECRET');
  return { clientId: c.clientId, clientSecret: c.clientSecret };
}

/** A fresh, unguessable value per login: the state (CSRF) and the OpenID nonce (replay). */
export const randomToken = () => crypto.randomBytes(24).toString('base64url');

/**
 * Xero's authorize URL, built here rather than by xero-node's buildConsentUrl: that one needs
 * a network discovery call first and carries one static state per client.
 */
export function consentUrl(c: OAuthConfig, login: { state: string; nonce: string }): string {
  const { clientId } = requireClient(c);
  const url = new URL(c.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: c.redirectUri,
    scope: XERO_SCOPES.join(' '),
    state: login.state,
    nonce: login.nonce,
  }).toString();
  return url.toString();
}

export type XeroTokens = { accessToken: string; refreshToken: string; expiresIn: number; idToken?: string; scope: string };

/**
 * POST /connect/token as a confidential client (basic auth), for the code exchange and refreshes
 * alike. A thin fetch rather than xero-node's XeroClient: that one has Xero's identity URL built
 * in, and ours is configurable (XERO_IDENTITY_URL) for tests and sandboxes. Network failures are
 * thrown as they are: each caller says what they mean for it.
 */
export async function postTokenEndpoint(identityUrl: string, client: { clientId: string; clientSecret: string }, form: Record<string, string>, timeoutMs = 15_000): Promise<{ ok: boolean; status: number; body: Record<string, any> }> {
  const res = await fetch(`${identityUrl}/connect/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { ok: res.ok, status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

/** The authorization code exchanged for tokens. */
export async function exchangeCode(c: OAuthConfig, code: string): Promise<XeroTokens> {
  let res: Awaited<ReturnType<typeof postTokenEndpoint>>;
  try {
    res = await postTokenEndpoint(c.identityUrl, requireClient(c), { grant_type: 'authorization_code', code, redirect_uri: c.redirectUri });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('xero_unavailable', 502, `Xero could not be reached (${(err as Error).message}); try again`);
  }
  const body = res.body;
  if (!res.ok || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new DomainError('xero_refused', 502, `Xero did not accept the sign-in (${res.status} ${body.error ?? ''}); try again`.replace(' )', ')'));
  }
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresIn: Number(body.expires_in ?? 1800), idToken: body.id_token, scope: String(body.scope ?? '') };
}

export type XeroIdentity = { xeroUserId: string; email: string; name: string };

/**
 * The person from the id_token. Its signature is not checked: the token came straight from
 * Xero's token endpoint over TLS, in exchange for our client secret, which OpenID Connect Core
 * §3.1.3.7 accepts in place of it. Issuer, audience, expiry and our nonce are checked.
 */
export function readIdToken(idToken: string | undefined, expect: { issuer: string; clientId: string; nonce: string; now?: Date }): XeroIdentity {
  const claims = idToken ? jwtClaims(idToken) : null;
  const nowS = Math.floor((expect.now ?? new Date()).getTime() / 1000);
  const problem = !claims ? 'no id_token'
    : claims.iss !== expect.issuer ? 'wrong issuer'
    : ![claims.aud].flat().includes(expect.clientId) ? 'wrong audience'
    : typeof claims.exp !== 'number' || claims.exp + 300 < nowS ? 'expired'
    : claims.nonce !== expect.nonce ? 'wrong nonce'
    : typeof claims.email !== 'string' || !claims.email ? 'no email'
    : null;
  if (problem) throw new DomainError('xero_identity', 400, `Xero's sign-in could not be used (${problem}); start again`);
  const name = [claims!.given_name, claims!.family_name].filter(Boolean).join(' ') || String(claims!.name ?? claims!.email);
  return { xeroUserId: String(claims!.xero_userid ?? claims!.sub ?? ''), email: String(claims!.email), name };
}

/** The payload of a JWT (Xero's access and id tokens), or null when it is not one. */
function jwtClaims(token: string): Record<string, any> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try { return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')); } catch { return null; }
}

export type XeroTenantChoice = { connectionId: string; tenantId: string; name: string };

/**
 * The organisations this consent covers: GET /connections filtered by the access token's
 * authentication_event_id, so organisations connected earlier by the same person are not offered.
 * `allConsents`: every organisation the token still reaches (is a connection still there?).
 */
export async function listTenants(c: Pick<OAuthConfig, 'apiUrl'>, accessToken: string, opts: { allConsents?: boolean } = {}): Promise<XeroTenantChoice[]> {
  const event = opts.allConsents ? undefined : jwtClaims(accessToken)?.authentication_event_id;
  const url = new URL('/connections', new URL(c.apiUrl).origin);
  if (event) url.searchParams.set('authEventId', String(event));
  const res = await xeroFetch(url.toString(), { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  if (!res.ok) throw new DomainError('xero_refused', 502, `Xero did not list the organisations (${res.status}); try again`);
  const rows = (await res.json()) as Array<Record<string, any>>;
  return rows.filter((r) => r.tenantType === 'ORGANISATION').map((r) => ({ connectionId: String(r.id), tenantId: String(r.tenantId), name: String(r.tenantName ?? '') }));
}

export type XeroOrganisation = { name: string; baseCurrency: string; periodLockDate: string | null; endOfYearLockDate: string | null };

/** GET /Organisation with a bare token, before the connection exists (sign-up, connect). */
export async function fetchOrganisation(apiUrl: string, accessToken: string, xeroTenantId: string): Promise<XeroOrganisation> {
  const api = new AccountingApi(apiUrl);
  api.accessToken = accessToken;
  try {
    const { body } = await api.getOrganisations(xeroTenantId);
    return toOrganisation(body.organisations?.[0]);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('xero_refused', 502, 'Xero did not return the organisation\'s details; try again');
  }
}

export function toOrganisation(o: any): XeroOrganisation {
  if (!o) throw new Invalid([{ field: 'organisation', message: 'Xero returned no organisation' }]);
  return {
    name: String(o.name ?? o.legalName ?? ''),
    baseCurrency: String(o.baseCurrency ?? 'GBP'),
    periodLockDate: isoDate(o.periodLockDate),
    endOfYearLockDate: isoDate(o.endOfYearLockDate),
  };
}

/** DELETE /connections/{id}: the app leaves that organisation in Xero. */
export async function deleteXeroConnection(c: OAuthConfig, accessToken: string, connectionId: string): Promise<number> {
  const url = new URL(`/connections/${encodeURIComponent(connectionId)}`, new URL(c.apiUrl).origin);
  const res = await xeroFetch(url.toString(), { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` } });
  return res.status;
}

async function xeroFetch(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new DomainError('xero_unavailable', 502, `Xero could not be reached (${(err as Error).message}); try again`);
  }
}
