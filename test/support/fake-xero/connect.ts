import crypto from 'node:crypto';
import { Db } from '../../../server/db';
import { Config } from '../../../server/config';
import { consentUrl, randomToken } from '../../../server/connectors/xero/oauth';
import { chosen, completeConsent, connectOrganisation, ConnectDeps, pendingTokens } from '../../../server/connectors/xero/connect';
import { Actor } from '../../../server/services/stock/types';
import { movesOffInventory } from '../../../server/domain/accounting';
import { getAccountMapping, saveAccountMapping } from '../../../server/repos/tenants';
import { FakeXero } from './server';
import { FakeOrganisation } from './state';

export const fakeEncryptionKey = crypto.randomBytes(32);

/** The app's configuration pointing at a fake Xero. */
export function fakeXeroConfig(fake: FakeXero): Pick<Config, 'xero' | 'encryptionKey'> {
  return {
    xero: { clientId: fake.clientId, clientSecret: fake.clientSecret, apiUrl: fake.apiUrl, identityUrl: fake.identityUrl, authorizeUrl: fake.authorizeUrl, redirectUri: 'http://perpetua.test/xero/callback' },
    encryptionKey: fakeEncryptionKey,
  };
}

/** The environment an app process needs to use the fake Xero. */
export function fakeXeroEnv(fake: FakeXero): Record<string, string> {
  return {
    XERO_CLIENT_ID: fake.clientId, XERO_CLIENT_SECRET: fake.clientSecret, XERO_API_URL: fake.apiUrl, XERO_IDENTITY_URL: fake.identityUrl,
    XERO_AUTHORIZE_URL: fake.authorizeUrl, PERPETUA_ENCRYPTION_KEY: fakeEncryptionKey.toString('hex'),
  };
}

/** Connect an organisation to a fake Xero organisation through the real connect services (no browser). */
export async function connectToFake(db: Db, fake: FakeXero, actor: Actor, org: FakeOrganisation): Promise<void> {
  const config = fakeXeroConfig(fake);
  const deps: ConnectDeps = { db, oauth: config.xero, encryptionKey: config.encryptionKey, signup: 'open' };
  const login = { state: randomToken(), nonce: randomToken(), purpose: 'connect' as const, startedAt: Date.now() };
  fake.willConsent([org], { email: 'owner@example.test' });
  const code = new URL(fake.approve(consentUrl(config.xero, login))).searchParams.get('code')!;
  const pending = await completeConsent(deps, login, code);
  await connectOrganisation(deps, actor.tenantId, pendingTokens(deps, pending), chosen(pending, org.tenantId));
}

/**
 * The Xero chart gets every account our mapping posts to (as if the first pull of the chart and
 * "Create suggested accounts" had run): a role on an INVENTORY-type account (Xero's own 630) is
 * first moved off it as the app moves it, since Xero refuses journals there.
 */
export async function giveMappedAccounts(db: Db, actor: Actor, org: FakeOrganisation): Promise<void> {
  const chart = [...org.accounts.values()].map((a) => ({ code: a.Code, name: a.Name, type: a.Type, status: a.Status }));
  for (const m of movesOffInventory(await getAccountMapping(db, actor.tenantId), chart)) await saveAccountMapping(db, actor.tenantId, m.role, m.to);
  const mapping = await db('account_mappings').where({ tenant_id: actor.tenantId }).select('account_code', 'account_name');
  for (const m of mapping) if (![...org.accounts.values()].some((a) => a.Code === m.account_code)) org.addAccount(m.account_code, m.account_name, 'CURRENT');
}
