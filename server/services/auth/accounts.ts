import crypto from 'node:crypto';
import { Db } from '../../db';
import { Conflict, Invalid, Unauthorised, NotFound } from '../../errors';
import { insertDefaultMapping } from '../../repos/tenants';
import { hashPassword, sha256 } from './passwords';
import { inTransaction } from '../transaction';

export const ROLES = ['admin', 'operations', 'bookkeeper'] as const;
export type Role = (typeof ROLES)[number];
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
 * Every request reads its key's row (one unique-index read): a key revoked in any process is
 * refused by every process on the very next request. Only the key's hash is compared, never kept.
 */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiPrincipal> {
  const m = /^pk_([0-9a-f]{12})_[A-Za-z0-9_-]+$/.exec(key);
  if (!m) throw new Unauthorised('API key is malformed');
  const row = await db('api_keys').where({ prefix: m[1] }).whereNull('revoked_at').first('tenant_id', 'id', 'role', 'key_hash');
  if (!row || !crypto.timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(sha256(key)))) throw new Unauthorised('API key is not valid');
  return { tenantId: row.tenant_id, apiKeyId: row.id, role: row.role };
}

export async function listApiKeys(db: Db, tenantId: string) {
  return db('api_keys').where({ tenant_id: tenantId }).orderBy('created_at', 'desc').select('id', 'name', 'prefix', 'role', 'created_at', 'revoked_at');
}

export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<void> {
  const n = await db('api_keys').where({ tenant_id: tenantId, id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  if (!n) throw new NotFound('API key', id);
}
