import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { OUTCOMES, requestDispatch, requestRetry, setSalesInvoiceDispatch, xeroDocuments } from '../../connectors/xero/invoices';
import { redirect } from './auth';

// Filters come from links and selects: one the page does not know shows everything.
const filter = z.object({
  kind: z.enum(['bill', 'sales_invoice']).optional().catch(undefined),
  outcome: z.enum(OUTCOMES).optional().catch(undefined),
});
const dispatchSetting = z.object({ mode: z.enum(['off', 'auto']) });
const KINDS = [{ value: 'bill', label: 'Bills' }, { value: 'sales_invoice', label: 'Sales invoices' }];

/** Xero bills and invoices: what became of each, automatic dispatch on or off, Dispatch and Try again. */
export function xeroDocumentPages(db: Db): Router {
  const r = Router();
  const bookkeepers = requireUser('admin', 'bookkeeper');
  r.get('/xero/documents', bookkeepers, async (req, res) => {
    const f = filter.parse(req.query);
    const page = await xeroDocuments(db, actorOf(req).tenantId, f);
    const documents = page.documents.map((d) => ({
      ...d,
      dispatchable: d.kind === 'sales_invoice' && (d.outcome === 'listed' || d.outcome === 'failed') && d.pending !== 'DISPATCH',
      retryable: d.outcome === 'failed' && !d.pending,
    }));
    const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
    render(req, res, 'pages/xero/documents', {
      title: 'Xero bills and invoices', documents, ...f, kinds: KINDS, outcomes: OUTCOMES, query: query ? `?${query}` : '',
      dispatchMode: page.salesInvoiceDispatch, connected: page.salesInvoiceDispatch !== null, polling: documents.some((d) => d.pending),
    });
  });
  r.post('/xero/documents/settings', requireUser('admin'), async (req, res) => {
    await setSalesInvoiceDispatch(db, actorOf(req).tenantId, dispatchSetting.parse(req.body).mode);
    redirect(req, res, '/xero/documents');
  });
  r.post('/xero/documents/:id/dispatch', bookkeepers, async (req, res) => {
    await requestDispatch(db, actorOf(req), idParam(req.params.id, 'Xero document'));
    redirect(req, res, '/xero/documents');
  });
  r.post('/xero/documents/:id/retry', bookkeepers, async (req, res) => {
    await requestRetry(db, actorOf(req), idParam(req.params.id, 'Xero document'));
    redirect(req, res, '/xero/documents');
  });
  return r;
}
