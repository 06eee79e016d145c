import { Router } from 'express';
import { Db } from '../../db';
import { Config } from '../../config';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { NotFound } from '../../errors';
import { XeroConnectionView, xeroConnectionView } from '../../connectors/xero/connection-view';
import { disconnectXero } from '../../connectors/xero/connect';
import { xeroDeps } from '../../connectors/xero/wiring';

export function xeroConnectionJson(c: XeroConnectionView) {
  return {
    organisation_name: c.organisationName,
    status: c.status,
    problem: c.problem,
    base_currency: c.baseCurrency,
    period_lock_date: c.periodLockDate,
    end_of_year_lock_date: c.endOfYearLockDate,
    scopes: c.scopes,
    connected_since: c.connectedSince.toISOString(),
    last_sync_at: c.lastSyncAt?.toISOString() ?? null,
    sync_status: c.syncStatus,
    sync_progress: c.syncProgress,
    last_sync_error: c.lastSyncError,
    warnings: c.warnings.map((w) => ({ code: w.code, message: w.message, item: w.item ?? null })),
    journals: c.journals,
  };
}

/** The Xero connection's state, and disconnecting it. Connecting is a browser round trip (Settings → Xero). */
export function xeroApi(db: Db, config: Config): Router {
  const r = Router();
  r.get('/xero/connection', requireRole('admin'), async (req, res) => {
    const c = await xeroConnectionView(db, actorOf(req).tenantId);
    if (!c) throw new NotFound('Xero connection', 'this organisation');
    res.json(xeroConnectionJson(c));
  });
  r.delete('/xero/connection', requireRole('admin'), async (req, res) => {
    const tenantId = actorOf(req).tenantId;
    const { toldXero } = await disconnectXero({ db, oauth: config.xero, encryptionKey: config.encryptionKey, signup: config.signup, tokens: xeroDeps(db, config) }, tenantId);
    const c = await xeroConnectionView(db, tenantId);
    if (!c) throw new NotFound('Xero connection', 'this organisation');
    res.json({ ...xeroConnectionJson(c), told_xero: toldXero });
  });
  return r;
}
