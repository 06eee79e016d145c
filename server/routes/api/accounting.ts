import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { idParam, asAtQuery } from '../../http/schemas';
import { journalsCsv } from '../../http/journals-csv';
import { listJournals, journalDetail } from '../../services/queries';
import { valuation, reconciliation } from '../../services/valuation';
import { getSettings, updateSettings } from '../../services/settings';
import { settingsSchema, toSettingsInput } from '../../http/settings-input';
import { journalExceptions, JournalException, sendJournalAgain } from '../../services/journal-exceptions';

const page = z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional() });
const journalsQuery = page.extend({ include: z.enum(['lines'], { message: 'may only be "lines"' }).optional() });

export function accountingApi(db: Db): Router {
  const r = Router();
  r.get('/journals', async (req, res) => {
    const q = journalsQuery.parse(req.query);
    res.json({ journals: await listJournals(db, actorOf(req).tenantId, { limit: q.limit, offset: q.offset, lines: q.include === 'lines' }) });
  });
  r.get('/journals.csv', async (req, res) => {
    res.type('text/csv').attachment('journals.csv').send(await journalsCsv(db, actorOf(req).tenantId));
  });
  r.get('/journals/:id', async (req, res) => {
    res.json(await journalDetail(db, actorOf(req).tenantId, idParam(req.params.id, 'Journal')));
  });
  r.post('/journals/:id/send-again', requireRole('admin', 'bookkeeper'), async (req, res) => {
    const id = idParam(req.params.id, 'Journal');
    await sendJournalAgain(db, actorOf(req).tenantId, id);
    res.json(await journalDetail(db, actorOf(req).tenantId, id));
  });
  r.get('/exceptions/journals', requireRole('admin', 'bookkeeper'), async (req, res) => {
    res.json({ journals: (await journalExceptions(db, actorOf(req).tenantId)).map(journalExceptionJson) });
  });
  r.get('/valuation', async (req, res) => {
    const { as_at: asAt } = asAtQuery.parse(req.query);
    res.json(await valuation(db, actorOf(req).tenantId, asAt));
  });
  r.get('/reconciliation', async (req, res) => {
    res.json(await reconciliation(db, actorOf(req).tenantId));
  });
  r.get('/settings', async (req, res) => {
    res.json(settingsJson(await getSettings(db, actorOf(req).tenantId)));
  });
  r.patch('/settings', requireRole('admin'), async (req, res) => {
    await updateSettings(db, actorOf(req).tenantId, toSettingsInput(settingsSchema.parse(req.body)));
    res.json(settingsJson(await getSettings(db, actorOf(req).tenantId)));
  });
  return r;
}

export function settingsJson(s: Awaited<ReturnType<typeof getSettings>>) {
  return {
    name: s.tenant.name,
    base_currency: s.tenant.baseCurrency,
    reporting_framework: s.tenant.reportingFramework,
    valuation_method: s.tenant.valuationMethod,
    valuation_method_locked: s.methodLocked,
    lock_date: s.tenant.lockDate,
    over_receipt_tolerance_pct: s.goodsIn.overReceiptTolerancePct,
    receipt_journal_per: s.goodsIn.receiptJournalPer,
    accounts: s.accounts,
  };
}

function journalExceptionJson(e: JournalException) {
  return {
    id: e.id, number: e.number, date: e.date, narration: e.narration, source_path: e.sourcePath, xero_message: e.xeroMessage,
    reason: e.advice.reason, fix: e.advice.fix, fix_path: e.advice.fixPath, roles: e.advice.roles,
    last_sent: e.lastSent?.map((l) => ({ role: l.role, code: l.code, name: l.name, amount: l.amount })) ?? null,
  };
}
