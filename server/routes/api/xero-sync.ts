import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { Config } from '../../config';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { listExternalAccounts, ExternalAccount } from '../../connectors/xero/sync/accounts';
import { createSuggestedAccountsFor, markSyncDue } from '../../connectors/xero/sync/service';
import { xeroDeps } from '../../connectors/xero/wiring';

const nothing = z.object({}).strict();

export const externalAccountJson = (a: ExternalAccount) => ({ id: a.id, code: a.code, name: a.name, type: a.type, class: a.class, status: a.status });

/** The Xero chart of accounts for the account mapping, creating the suggested accounts, and "sync now". */
export function xeroSyncApi(db: Db, config: Pick<Config, 'xero' | 'encryptionKey'>): Router {
  const deps = xeroDeps(db, config);
  const r = Router();
  r.get('/xero/accounts', requireRole('admin', 'bookkeeper'), async (req, res) => {
    nothing.parse(req.query);
    res.json({ accounts: (await listExternalAccounts(db, actorOf(req).tenantId)).map(externalAccountJson) });
  });
  r.post('/xero/accounts/suggested', requireRole('admin'), async (req, res) => {
    nothing.parse(req.body ?? {});
    const result = await createSuggestedAccountsFor(deps, actorOf(req).tenantId);
    res.json({ created: result.created, problems: result.problems, notes: result.notes, accounts: result.accounts.map(externalAccountJson) });
  });
  r.post('/xero/sync', requireRole('admin'), async (req, res) => {
    nothing.parse(req.body ?? {});
    const { nextSyncAt } = await markSyncDue(db, actorOf(req).tenantId);
    res.json({ next_sync_at: nextSyncAt });
  });
  return r;
}
