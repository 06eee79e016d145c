import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { settingsSchema, toSettingsInput } from '../../http/settings-input';
import { getSettings, updateSettings } from '../../services/settings';
import { addUser, listUsers, createApiKey, listApiKeys, revokeApiKey } from '../../services/auth/accounts';
import { ACCOUNT_ROLES, mappingProblems, ROLE_LABELS } from '../../domain/accounting';
import { LIFO_REFUSED_REASON } from '../../domain/costing';
import { redirect } from './auth';
import { formFields } from '../../http/form-claim';
import { createLocation, listLocations } from '../../services/catalogue';
import { toLocationInput } from '../../http/catalogue-input';
import { Config } from '../../config';
import { Conflict } from '../../errors';
import { xeroConnection } from '../../connectors/xero/connections';
import { listExternalAccounts } from '../../connectors/xero/sync/accounts';
import { createSuggestedAccountsFor } from '../../connectors/xero/sync/service';
import { xeroDeps } from '../../connectors/xero/wiring';

declare module 'express-session' {
  interface SessionData {
    /** What "Create suggested accounts in Xero" did, shown once on the next settings page. */
    xeroAccountsNotice?: string;
  }
}

const newUser = z.object({ email: z.string().trim().email('is not an email address'), name: z.string().trim().min(1, 'name is required'), role: z.enum(['admin', 'operations', 'bookkeeper']), password: z.string().min(10, 'must be at least 10 characters') });
const newKey = z.object({ name: z.string().trim().min(1, 'name is required').max(100), role: z.enum(['admin', 'operations', 'bookkeeper']).default('admin') });

async function settingsData(db: Db, tenantId: string) {
  const [settings, users, keys, locations] = await Promise.all([getSettings(db, tenantId), listUsers(db, tenantId), listApiKeys(db, tenantId), listLocations(db, tenantId)]);
  const xero = await xeroChart(db, tenantId);
  // What Xero would refuse on each row as things stand (an Inventory-type, archived or deleted account).
  const problems = new Map(mappingProblems(settings.accounts, xero?.chart ?? []).map((p) => [p.role, p.message]));
  const accounts = ACCOUNT_ROLES.map((role) => ({ role, label: ROLE_LABELS[role], ...settings.accounts[role], problem: problems.get(role), errorKey: `accounts.${role}.code` }));
  return { settings, accounts, users, keys, locations, lifoReason: LIFO_REFUSED_REASON, xero };
}

/** The Xero chart for the mapping's code boxes (a datalist of the accounts journals can use), once Xero is connected. */
async function xeroChart(db: Db, tenantId: string) {
  const c = await xeroConnection(db, tenantId);
  if (!c || c.status === 'disconnected') return null;
  const chart = await listExternalAccounts(db, tenantId);
  const accounts = chart.filter((a) => a.status === 'ACTIVE' && a.code && a.type !== 'INVENTORY');
  return { connected: c.status === 'connected', accounts, chart };
}

function suggestedNotice(r: Awaited<ReturnType<typeof createSuggestedAccountsFor>>): string {
  const made = r.created.length ? `Created in Xero: ${r.created.map((a) => `${a.code} ${a.name}`).join(', ')}.` : 'Xero already has every mapped account.';
  return [made, ...r.notes, ...r.problems.map((p) => p.message)].join(' ');
}

/** `config` gives the Xero connection settings the "Create suggested accounts" button needs. */
export function settingsPages(db: Db, config?: Pick<Config, 'xero' | 'encryptionKey'>): Router {
  const r = Router();
  r.get('/settings', requireUser('admin'), async (req, res) => {
    const { newApiKey: newKey, xeroAccountsNotice } = req.session;
    delete req.session.newApiKey;
    delete req.session.xeroAccountsNotice;
    render(req, res, 'pages/settings', { ...(await settingsData(db, actorOf(req).tenantId)), newKey, xeroAccountsNotice });
  });
  r.post('/settings', requireUser('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    res.locals.form = { view: 'pages/settings', data: await settingsData(db, tenantId) };
    const { accounts, ...rest } = formFields(req) as Record<string, unknown>;
    const body = { ...rest, ...(accounts ? { accounts } : {}) };
    await updateSettings(db, tenantId, toSettingsInput(settingsSchema.parse(body)));
    redirect(req, res, '/settings?saved=1');
  });
  r.post('/settings/xero-accounts', requireUser('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    res.locals.form = { view: 'pages/settings', data: await settingsData(db, tenantId) };
    if (!config) throw new Conflict('Xero is not configured on this server');
    req.session.xeroAccountsNotice = suggestedNotice(await createSuggestedAccountsFor(xeroDeps(db, config), tenantId));
    redirect(req, res, '/settings#account-mapping');
  });
  r.post('/settings/users', requireUser('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    res.locals.form = { view: 'pages/settings', data: await settingsData(db, tenantId) };
    const b = newUser.parse(req.body);
    await addUser(db, tenantId, b);
    redirect(req, res, '/settings#users');
  });
  r.post('/settings/locations', requireUser('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    res.locals.form = { view: 'pages/settings', data: await settingsData(db, tenantId) };
    await createLocation(db, tenantId, toLocationInput(formFields(req)));
    redirect(req, res, '/settings#locations');
  });
  r.post('/settings/api-keys', requireUser('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    res.locals.form = { view: 'pages/settings', data: await settingsData(db, tenantId) };
    const b = newKey.parse(req.body);
    const key = await createApiKey(db, tenantId, actorOf(req).userId ?? null, b.name, b.role);
    // Shown once, on the next page view; a refresh of that page neither shows it again nor makes another.
    req.session.newApiKey = key.key;
    redirect(req, res, '/settings#api-keys');
  });
  r.post('/settings/api-keys/:id/revoke', requireUser('admin'), async (req, res) => {
    await revokeApiKey(db, actorOf(req).tenantId, idParam(req.params.id, 'API key'));
    redirect(req, res, '/settings#api-keys');
  });
  return r;
}
