import crypto from 'node:crypto';
import nock from 'nock';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation } from '../../support/builders';
import { getAccessToken, TokenDeps } from '../../../server/connectors/xero/tokens';
import { decryptSecret } from '../../../server/connectors/xero/crypto';
import { ConnectionWaitError, PushError } from '../../../server/connectors/accounting-connector';
import { Actor } from '../../../server/services/stock/types';
import { encryptionKey, givenXeroConnection, IDENTITY_HOST, tokenSet, xeroConfig } from './xero-double';

let t: TestDb;
let deps: TokenDeps;
beforeAll(async () => {
  t = await openTestDb();
  deps = { db: t.db, ...xeroConfig.xero, encryptionKey };
});
afterAll(async () => { await t.close(); });
afterEach(() => { nock.cleanAll(); });

const connection = (actor: Actor) => t.db('accounting_connections').where({ tenant_id: actor.tenantId, provider: 'xero' }).first();

describe('Xero access tokens', () => {
  it('uses a stored token that is still fresh without calling the token endpoint', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { accessToken: 'still-good' });
    expect(await getAccessToken(deps, actor.tenantId)).toBe('still-good');
  });

  it('refreshes a token about to expire exactly once when two callers ask at the same time, and stores the rotated refresh token encrypted', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { accessToken: 'old-access', refreshToken: 'old-refresh', expiresInMs: 30_000 });
    const sent: string[] = [];
    const endpoint = nock(IDENTITY_HOST)
      .post('/connect/token', (body) => { sent.push(new URLSearchParams(body).toString()); return true; })
      .basicAuth({ user: 'perpetua-client', pass: 'perpetua-secret' })
      .delay(200)
      .reply(200, tokenSet('new-access', 'new-refresh'));

    const tokens = await Promise.all([getAccessToken(deps, actor.tenantId), getAccessToken(deps, actor.tenantId)]);

    expect(tokens).toEqual(['new-access', 'new-access']);
    expect(endpoint.isDone()).toBe(true);
    expect(sent).toEqual(['grant_type=refresh_token&refresh_token=old-refresh']);
    const row = await connection(actor);
    expect(row.refresh_token_enc).not.toContain('new-refresh');
    expect(decryptSecret(row.refresh_token_enc, encryptionKey)).toBe('new-refresh');
    expect(decryptSecret(row.access_token_enc, encryptionKey)).toBe('new-access');
    const lifetime = new Date(row.access_expires_at).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(29 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000);
  });

  it('replaces a token Xero rejected even though it looks fresh, unless another caller already has', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { accessToken: 'revoked', refreshToken: 'r1' });
    const endpoint = nock(IDENTITY_HOST).post('/connect/token').once().reply(200, tokenSet('a2', 'r2'));
    expect(await getAccessToken(deps, actor.tenantId, { rejected: 'revoked' })).toBe('a2');
    // Another process held the rejected token too: it gets the new one, with no second refresh.
    expect(await getAccessToken(deps, actor.tenantId, { rejected: 'revoked' })).toBe('a2');
    expect(endpoint.isDone()).toBe(true);
  });

  it('marks the connection needs_reconnect on invalid_grant, and postings wait instead of failing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { expiresInMs: 0 });
    const endpoint = nock(IDENTITY_HOST).post('/connect/token').once().reply(400, { error: 'invalid_grant' });

    const err = await getAccessToken(deps, actor.tenantId).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionWaitError);
    expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('Xero needs reconnecting') });
    expect(await connection(actor)).toMatchObject({ status: 'needs_reconnect', last_error: expect.stringContaining('invalid_grant') });

    // Nobody tries the dead refresh token again.
    await expect(getAccessToken(deps, actor.tenantId)).rejects.toBeInstanceOf(ConnectionWaitError);
    expect(endpoint.isDone()).toBe(true);
  });

  it('marks the connection needs_reconnect on a 401 from the token endpoint', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { expiresInMs: 0 });
    nock(IDENTITY_HOST).post('/connect/token').reply(401, { error: 'invalid_client' });
    await expect(getAccessToken(deps, actor.tenantId)).rejects.toBeInstanceOf(ConnectionWaitError);
    expect((await connection(actor)).status).toBe('needs_reconnect');
  });

  it('keeps the connection and the old refresh token when the token endpoint is down (retryable)', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor, { expiresInMs: 0, refreshToken: 'keep-me' });
    nock(IDENTITY_HOST).post('/connect/token').reply(503, 'Service Unavailable');
    const err = await getAccessToken(deps, actor.tenantId).catch((e) => e);
    expect(err).toBeInstanceOf(PushError);
    expect(err).not.toBeInstanceOf(ConnectionWaitError);
    expect(err.retryable).toBe(true);
    const row = await connection(actor);
    expect(row.status).toBe('connected');
    expect(decryptSecret(row.refresh_token_enc, encryptionKey)).toBe('keep-me');
  });

  it('makes postings wait, with a clear message, when the encryption key is missing or is not the one the tokens were stored under', async () => {
    const actor = await givenOrganisation(t.db);
    await givenXeroConnection(t.db, actor);
    await expect(getAccessToken({ ...deps, encryptionKey: crypto.randomBytes(32) }, actor.tenantId)).rejects.toThrow(new ConnectionWaitError('Cannot use the Xero connection: Cannot decrypt a stored secret: it was altered or encrypted under another key'));
    await expect(getAccessToken({ ...deps, encryptionKey: undefined }, actor.tenantId)).rejects.toThrow(/^Cannot use the Xero connection: PERPETUA_ENCRYPTION_KEY is not set/);
    expect((await connection(actor)).status).toBe('connected');
  });
});
