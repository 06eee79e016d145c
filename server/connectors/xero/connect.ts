import crypto from 'node:crypto';
import { Db, Trx } from '../../db';
import { Conflict, DomainError, Forbidden } from '../../errors';
import { createOrganisation, hasAnyOrganisation, SessionUser } from '../../services/auth/accounts';
import { getTenant } from '../../repos/tenants';
import { encryptSecret, decryptSecret } from './crypto';
import { resumeWaitingPostings, xeroConnection } from './connections';
import { getAccessToken, TokenDeps } from './tokens';
import { deleteXeroConnection, exchangeCode, fetchOrganisation, listTenants, OAuthConfig, readIdToken, XeroIdentity, XeroNotConfigured, XeroOrganisation, XeroTenantChoice, XeroTokens } from './oauth';

export type ConnectDeps = { db: Db; oauth: OAuthConfig; encryptionKey?: Buffer; signup: 'first-run' | 'open' };

/** Why the person went to Xero: to connect their organisation, or to sign up / sign in with Xero. */
export type LoginPurpose = 'connect' | 'signup';
/** Kept in the session between leaving for Xero and coming back (state is single-use). */
export type PendingLogin = { state: string; nonce: string; purpose: LoginPurpose; startedAt: number };
/** Kept in the session while the person chooses among several organisations: tokens encrypted. */
export type PendingChoice = { purpose: LoginPurpose; tokensEnc: string; identity?: XeroIdentity; choices: XeroTenantChoice[] };

const LOGIN_TTL_MS = 15 * 60_000;

function key(deps: ConnectDeps): Buffer {
  if (!deps.encryptionKey) throw new XeroNotConfigured('PERPETUA_ENCRYPTION_KEY');
  return deps.encryptionKey;
}

/** The callback's state must be the one this session sent, unused and recent: anything else is refused. */
export function checkState(login: PendingLogin | undefined, state: unknown, now = Date.now()): PendingLogin {
  const ok = login && typeof state === 'string' && state.length === login.state.length
    && crypto.timingSafeEqual(Buffer.from(state), Buffer.from(login.state)) && now - login.startedAt < LOGIN_TTL_MS;
  if (!ok) throw new DomainError('xero_state', 400, 'This Xero sign-in did not start here or has expired; start again');
  return login!;
}

/** The code from Xero exchanged for tokens, the person (for sign-up) and the organisations the consent covers. */
export async function completeConsent(deps: ConnectDeps, login: PendingLogin, code: string): Promise<PendingChoice> {
  const tokens = await exchangeCode(deps.oauth, code);
  const identity = login.purpose === 'signup'
    ? readIdToken(tokens.idToken, { issuer: deps.oauth.identityUrl, clientId: deps.oauth.clientId!, nonce: login.nonce })
    : undefined;
  const choices = await listTenants(deps.oauth, tokens.accessToken);
  if (!choices.length) throw new DomainError('xero_no_organisation', 400, 'No Xero organisation was chosen in Xero; start again and tick one');
  return { purpose: login.purpose, tokensEnc: encryptSecret(JSON.stringify(tokens), key(deps)), identity, choices };
}

export function pendingTokens(deps: ConnectDeps, pending: PendingChoice): XeroTokens {
  return JSON.parse(decryptSecret(pending.tokensEnc, key(deps)));
}

export function chosen(pending: PendingChoice, xeroTenantId: string | undefined): XeroTenantChoice {
  const choice = pending.choices.find((c) => c.tenantId === xeroTenantId) ?? (pending.choices.length === 1 ? pending.choices[0] : undefined);
  if (!choice) throw new DomainError('invalid', 422, 'Choose one of the Xero organisations listed', [{ field: 'xero_tenant_id', message: 'Choose one of the organisations listed' }]);
  return choice;
}

/** Connect (or reconnect) Xero for a signed-in admin's organisation. */
export async function connectOrganisation(deps: ConnectDeps, tenantId: string, tokens: XeroTokens, choice: XeroTenantChoice): Promise<void> {
  const org = await fetchOrganisation(deps.oauth.apiUrl, tokens.accessToken, choice.tenantId);
  await deps.db.transaction(async (trx) => {
    const tenant = await getTenant(trx, tenantId);
    if (tenant.baseCurrency !== org.baseCurrency) {
      // Our journals are in the organisation's base currency; Xero would read them as its own.
      throw new Conflict(`Xero organisation ${org.name} keeps its books in ${org.baseCurrency}, but this Perpetua organisation's base currency is ${tenant.baseCurrency}`, 'xero_tenant_id');
    }
    await saveConnection(trx, deps, tenantId, tokens, choice, org);
  });
}

/**
 * "Sign up with Xero": a person known by their email is signed in (their organisation is
 * connected if it was not); anyone else gets a new organisation named after the Xero one, in its
 * base currency, with them as admin, connected. Their password is random and never shown: they
 * sign in with Xero (Xero verifies the email address).
 */
export async function signUpWithXero(deps: ConnectDeps, identity: XeroIdentity, tokens: XeroTokens, choice: XeroTenantChoice): Promise<SessionUser> {
  const existing = await deps.db('users').whereRaw('lower(email) = lower(?)', [identity.email]).whereNull('disabled_at').first();
  if (existing) {
    // The first Xero sign-in links the person to their Xero user; afterwards only that user may.
    if (existing.xero_user_id && existing.xero_user_id !== identity.xeroUserId) throw new Forbidden(`${identity.email} signs in with another Xero user; sign in with your password or that Xero user`);
    if (!existing.xero_user_id && identity.xeroUserId) await deps.db('users').where({ id: existing.id }).update({ xero_user_id: identity.xeroUserId });
    const user: SessionUser = { tenantId: existing.tenant_id, userId: existing.id, role: existing.role, name: existing.name, email: existing.email };
    const connected = await xeroConnection(deps.db, user.tenantId);
    if (user.role === 'admin' && (!connected || connected.status !== 'connected')) await connectOrganisation(deps, user.tenantId, tokens, choice);
    return user;
  }
  if (deps.signup !== 'open' && (await hasAnyOrganisation(deps.db))) {
    throw new Forbidden(`No Perpetua user has the email ${identity.email}; ask your admin to invite you (Settings, Users)`);
  }
  const org = await fetchOrganisation(deps.oauth.apiUrl, tokens.accessToken, choice.tenantId);
  await assertUnlinked(deps.db, choice.tenantId, null);
  const user = await createOrganisation(deps.db, {
    organisation: org.name || choice.name,
    name: identity.name,
    email: identity.email,
    password: crypto.randomBytes(32).toString('base64url'),
    baseCurrency: org.baseCurrency,
  });
  await deps.db.transaction(async (trx) => {
    await trx('users').where({ id: user.userId }).update({ xero_user_id: identity.xeroUserId || null });
    await saveConnection(trx, deps, user.tenantId, tokens, choice, org);
  });
  return user;
}

/** One live link per Xero organisation: two Perpetua organisations posting into one would double its journals. */
async function assertUnlinked(q: Db | Trx, xeroTenantId: string, tenantId: string | null): Promise<void> {
  let query = q('accounting_connections').where({ provider: 'xero', external_tenant_id: xeroTenantId }).whereNot('status', 'disconnected');
  if (tenantId) query = query.whereNot('tenant_id', tenantId);
  if (await query.first('tenant_id')) throw new Conflict('This Xero organisation is already connected to another Perpetua organisation', 'xero_tenant_id');
}

async function saveConnection(trx: Trx, deps: ConnectDeps, tenantId: string, tokens: XeroTokens, choice: XeroTenantChoice, org: XeroOrganisation): Promise<void> {
  await assertUnlinked(trx, choice.tenantId, tenantId);
  const fields = {
    external_tenant_id: choice.tenantId,
    external_connection_id: choice.connectionId,
    organisation_name: org.name || choice.name,
    status: 'connected',
    access_token_enc: encryptSecret(tokens.accessToken, key(deps)),
    refresh_token_enc: encryptSecret(tokens.refreshToken, key(deps)),
    access_expires_at: new Date(Date.now() + tokens.expiresIn * 1000),
    scopes: tokens.scope,
    base_currency: org.baseCurrency,
    period_lock_date: org.periodLockDate,
    end_of_year_lock_date: org.endOfYearLockDate,
    last_error: null,
    next_sync_at: trx.fn.now(),
    updated_at: trx.fn.now(),
  };
  const previous = await xeroConnection(trx, tenantId, { forUpdate: true });
  if (previous && previous.externalTenantId !== choice.tenantId) {
    // Another Xero organisation than before: its lists are pulled afresh, and it counts as
    // connected from now (older bills, invoices and POs of it are history, not work).
    Object.assign(fields, { sync_cursors: '{}', warnings: '[]', sync_progress: null, created_at: trx.fn.now() });
  }
  await trx('accounting_connections').insert({ tenant_id: tenantId, provider: 'xero', ...fields }).onConflict(['tenant_id', 'provider']).merge(fields);
  // Journals that waited while Xero was disconnected go now, in order.
  await resumeWaitingPostings(trx, tenantId);
}

/**
 * Disconnect: the app leaves the organisation in Xero (DELETE /connections/{id}), then the
 * tokens are forgotten. Journals made afterwards wait for a reconnect rather than being lost.
 * If Xero cannot be told (already disconnected there, or unreachable) we still disconnect here.
 */
export async function disconnectXero(deps: ConnectDeps & { tokens: TokenDeps }, tenantId: string): Promise<{ toldXero: boolean }> {
  const c = await xeroConnection(deps.db, tenantId);
  if (!c || c.status === 'disconnected') return { toldXero: false };
  let toldXero = false;
  const row = await deps.db('accounting_connections').where({ tenant_id: tenantId, id: c.id }).first('external_connection_id');
  try {
    if (row?.external_connection_id && c.status === 'connected') {
      const token = await getAccessToken(deps.tokens, tenantId);
      const status = await deleteXeroConnection(deps.oauth, token, row.external_connection_id);
      toldXero = status === 204 || status === 200 || status === 404;
    }
  } catch {
    toldXero = false;
  }
  await deps.db('accounting_connections').where({ tenant_id: tenantId, id: c.id }).update({
    status: 'disconnected', access_token_enc: null, refresh_token_enc: null, access_expires_at: null,
    last_error: toldXero ? null : 'Disconnected here; Xero could not be told: remove Perpetua under Xero → Settings → Connected apps',
    updated_at: deps.db.fn.now(),
  });
  return { toldXero };
}
