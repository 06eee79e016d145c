import crypto from 'node:crypto';
import { Db } from '../../db';
import { Conflict, Invalid, Unauthorised, NotFound } from '../../errors';
import { insertDefaultMapping } from '../../repos/tenants';
import { hashPassword, verifyPassword, sha256 } from './passwords';
import { inTransaction } from '../transaction';

export type Role = 'admin' | 'operations' | 'bookkeeper';
export type SessionUser = { tenantId: string; userId: string; role: Role; name: string; email: string };

export async function hasAnyOrganisation(db: Db): Promise<boolean> {
  return !!(await db('tenants').first('id'));
}

/** First run (and sign-up): an organisation, its admin, default accounts and a main warehouse. */
export async function createOrganisation(db: Db, input: { organisation: string; name: string; email: string; password: string; baseCurrency?: string }): Promise<SessionUser> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const taken = await trx('users').whereRaw('lower(email) = lower(?)', [input.email]).first('id');
    if (taken) throw new Conflict(`A user with email ${input.email} already exists`, 'email');
    const [tenant] = await trx('tenants').insert({ name: input.organisation, base_currency: input.baseCurrency ?? 'GBP' }).returning('id');
    await insertDefaultMapping(trx, tenant.id);
    const [user] = await trx('users')
      .insert({ tenant_id: tenant.id, email: input.email, name: input.name, role: 'admin', password_hash: passwordHash })
      .returning('id');
    await trx('locations').insert({ tenant_id: tenant.id, code: 'MAIN', name: 'Main store', warehouse: 'Main' });
    return { tenantId: tenant.id, userId: user.id, role: 'admin', name: input.name, email: input.email };
  });
}

export async function signIn(db: Db, email: string, password: string): Promise<SessionUser> {
  const user = await db('users').whereRaw('lower(email) = lower(?)', [email]).whereNull('disabled_at').first();
  // Same work whether or not the user exists, so timing does not reveal accounts.
  const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$32768$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!user || !ok) throw new Unauthorised('Email or password is not right');
  return { tenantId: user.tenant_id, userId: user.id, role: user.role, name: user.name, email: user.email };
}

export async function addUser(db: Db, tenantId: string, input: { email: string; name: string; role: Role; password: string }): Promise<{ id: string }> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const taken = await trx('users').whereRaw('lower(email) = lower(?)', [input.email]).first('id');
    if (taken) throw new Conflict(`A user with email ${input.email} already exists`, 'email');
    const [row] = await trx('users').insert({ tenant_id: tenantId, email: input.email, name: input.name, role: input.role, password_hash: passwordHash }).returning('id');
    return { id: row.id };
  });
}

export async function listUsers(db: Db, tenantId: string) {
  return db('users').where({ tenant_id: tenantId }).orderBy('email').select('id', 'email', 'name', 'role', 'disabled_at');
}

export type ApiPrincipal = { tenantId: string; apiKeyId: string; role: Role };

/** A key is shown once: "pk_<prefix>_<secret>"; only its hash is stored. */
export async function createApiKey(db: Db, tenantId: string, createdBy: string | null, name: string, role: Role = 'admin'): Promise<{ id: string; key: string }> {
  if (!name.trim()) throw Invalid.field('name', 'Give the key a name (what uses it)');
  const prefix = crypto.randomBytes(6).toString('hex');
  const secret = crypto.randomBytes(24).toString('base64url');
  const key = `pk_${prefix}_${secret}`;
  const [row] = await db('api_keys').insert({ tenant_id: tenantId, name: name.trim(), prefix, key_hash: sha256(key), role, created_by: createdBy }).returning('id');
  return { id: row.id, key };
}

/**
 * Verified keys are remembered for a few seconds (by their hash): a lookup per request was a
 * tenth of a posting's cost. A revoked key stops working at once in the process that revoked it
 * and within KEY_CACHE_MS everywhere else.
 */
const KEY_CACHE_MS = 10_000;
const keyCache = new Map<string, { principal: ApiPrincipal; until: number }>();

export async function authenticateApiKey(db: Db, key: string, now = Date.now()): Promise<ApiPrincipal> {
  const m = /^pk_([0-9a-f]{12})_[A-Za-z0-9_-]+$/.exec(key);
  if (!m) throw new Unauthorised('API key is malformed');
  const hash = sha256(key);
  const cached = keyCache.get(hash);
  if (cached && cached.until > now) return cached.principal;
  const row = await db('api_keys').where({ prefix: m[1] }).whereNull('revoked_at').first();
  if (!row || !crypto.timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) throw new Unauthorised('API key is not valid');
  const principal: ApiPrincipal = { tenantId: row.tenant_id, apiKeyId: row.id, role: row.role };
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(hash, { principal, until: now + KEY_CACHE_MS });
  return principal;
}

export async function listApiKeys(db: Db, tenantId: string) {
  return db('api_keys').where({ tenant_id: tenantId }).orderBy('created_at', 'desc').select('id', 'name', 'prefix', 'role', 'created_at', 'revoked_at');
}

export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<void> {
  const n = await db('api_keys').where({ tenant_id: tenantId, id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  if (!n) throw new NotFound('API key', id);
  for (const [hash, entry] of keyCache) if (entry.principal.apiKeyId === id) keyCache.delete(hash);
}
