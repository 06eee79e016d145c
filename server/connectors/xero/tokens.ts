import { Db } from '../../db';
import { ConnectionWaitError, PushError } from '../accounting-connector';
import { decryptSecret, DecryptError, encryptSecret } from './crypto';
import { XeroConnection, xeroConnection, saveTokens, markNeedsReconnect } from './connections';
import { postTokenEndpoint } from './oauth';

export type TokenDeps = {
  db: Db;
  identityUrl: string;
  clientId?: string;
  clientSecret?: string;
  encryptionKey?: Buffer;
  now?: () => Date;
  /** The token endpoint holds a row lock while it answers: never wait on it for long. */
  timeoutMs?: number;
};

/** Refresh this long before expiry, so a token never expires between reading and using it. */
const EARLY_MS = 60_000;

export const NEEDS_RECONNECT = 'Xero needs reconnecting';

/**
 * A valid access token for the organisation's Xero connection. A token about to expire is
 * refreshed under `select … for update` on the connection row: a second process waits for the
 * lock, then finds the fresh token and does not refresh again (Xero rotates the refresh token on
 * every use, so a second refresh with the old one would fail). The rotated refresh token is saved
 * in the same transaction. `rejected` is a token Xero just answered 401 to: it is replaced even if
 * it looks fresh, unless another process already did.
 */
export async function getAccessToken(deps: TokenDeps, tenantId: string, opts: { rejected?: string } = {}): Promise<string> {
  try {
    return await accessToken(deps, tenantId, opts);
  } catch (err) {
    // A missing or changed key, or missing client credentials, is for an operator to fix:
    // postings wait for it like for a reconnect rather than use up their attempts.
    if (err instanceof PushError) throw err;
    if (err instanceof DecryptError || !deps.encryptionKey) throw new ConnectionWaitError(`Cannot use the Xero connection: ${(err as Error).message}`);
    throw err;
  }
}

async function accessToken(deps: TokenDeps, tenantId: string, opts: { rejected?: string }): Promise<string> {
  const now = deps.now ?? (() => new Date());
  const usable = (c: XeroConnection) => {
    if (c.status !== 'connected') throw new ConnectionWaitError(NEEDS_RECONNECT);
    if (!c.accessTokenEnc || !c.accessExpiresAt || c.accessExpiresAt.getTime() - now().getTime() <= EARLY_MS) return null;
    const token = decryptSecret(c.accessTokenEnc, deps.encryptionKey);
    return token === opts.rejected ? null : token;
  };
  const seen = await xeroConnection(deps.db, tenantId);
  if (!seen) throw new ConnectionWaitError(`${NEEDS_RECONNECT}: no connection`);
  const fresh = usable(seen);
  if (fresh) return fresh;

  const outcome = await deps.db.transaction(async (trx) => {
    const c = (await xeroConnection(trx, tenantId, { forUpdate: true }))!;
    const current = usable(c);
    if (current) return { token: current };
    if (!c.refreshTokenEnc) {
      await markNeedsReconnect(trx, c, 'No refresh token stored');
      return { reconnect: 'No refresh token stored' };
    }
    const answer = await callTokenEndpoint(deps, decryptSecret(c.refreshTokenEnc, deps.encryptionKey));
    if ('rejected' in answer) {
      // Committed, not rolled back: every process must see the connection is unusable.
      await markNeedsReconnect(trx, c, answer.rejected);
      return { reconnect: answer.rejected };
    }
    await saveTokens(trx, c, {
      accessTokenEnc: encryptSecret(answer.access_token, deps.encryptionKey),
      refreshTokenEnc: encryptSecret(answer.refresh_token, deps.encryptionKey),
      expiresAt: new Date(now().getTime() + answer.expires_in * 1000),
      scopes: answer.scope,
    });
    return { token: answer.access_token };
  });
  if ('reconnect' in outcome) throw new ConnectionWaitError(`${NEEDS_RECONNECT}: ${outcome.reconnect}`);
  return outcome.token;
}

type TokenSet = { access_token: string; refresh_token: string; expires_in: number; scope?: string };

/** POST /connect/token with grant_type=refresh_token. */
async function callTokenEndpoint(deps: TokenDeps, refreshToken: string): Promise<TokenSet | { rejected: string }> {
  if (!deps.clientId || !deps.clientSecret) throw new ConnectionWaitError('Cannot refresh the Xero token: XERO_CLIENT_ID and XERO_CLIENT_SECRET are not set');
  let res: Awaited<ReturnType<typeof postTokenEndpoint>>;
  try {
    res = await postTokenEndpoint(deps.identityUrl, { clientId: deps.clientId, clientSecret: deps.clientSecret }, { grant_type: 'refresh_token', refresh_token: refreshToken }, deps.timeoutMs ?? 10_000);
  } catch (err) {
    throw new PushError(`Xero token refresh failed: ${(err as Error).message}`, true);
  }
  const body = res.body;
  if (res.ok && typeof body.access_token === 'string' && typeof body.refresh_token === 'string') {
    return { access_token: body.access_token, refresh_token: body.refresh_token, expires_in: Number(body.expires_in ?? 1800), scope: body.scope };
  }
  // invalid_grant: the refresh token expired (60 days unused), was revoked, or the app was
  // disconnected in Xero. Only a person can fix that by reconnecting.
  if (res.status === 401 || body.error === 'invalid_grant' || body.error === 'unauthorized_client') {
    return { rejected: `the token endpoint answered ${res.status} ${body.error ?? ''}`.trim() };
  }
  throw new PushError(`Xero token refresh failed (${res.status} ${body.error ?? ''})`.trim(), true);
}
