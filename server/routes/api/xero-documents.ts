import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { DocumentRow, OUTCOMES, requestDispatch, requestRetry, setSalesInvoiceDispatch, xeroDocuments } from '../../connectors/xero/invoices';

const query = z.object({ kind: z.enum(['bill', 'sales_invoice']).optional(), outcome: z.enum(OUTCOMES).optional() }).strict();
const dispatchSetting = z.object({ mode: z.enum(['off', 'auto']) }).strict();

export function xeroDocumentJson(d: DocumentRow) {
  return {
    id: d.id, kind: d.kind, external_id: d.externalId, number: d.number, contact_name: d.contactName, external_status: d.externalStatus,
    external_updated_at: d.externalUpdatedAt?.toISOString() ?? null, outcome: d.outcome, message: d.message,
    local_id: d.localId, local_number: d.localNumber, link: d.link, pending: d.pending, updated_at: d.updatedAt.toISOString(),
  };
}

/**
 * Bills and sales invoices that came from Xero and what became of each. Dispatch and retry are
 * queued for the webhook worker, which fetches the invoice as Xero has it now.
 */
export function xeroDocumentsApi(db: Db): Router {
  const r = Router();
  const bookkeepers = requireRole('admin', 'bookkeeper');
  r.get('/xero/documents', bookkeepers, async (req, res) => {
    const page = await xeroDocuments(db, actorOf(req).tenantId, query.parse(req.query));
    res.json({ sales_invoice_dispatch: page.salesInvoiceDispatch, documents: page.documents.map(xeroDocumentJson) });
  });
  r.post('/xero/documents/:id/dispatch', bookkeepers, async (req, res) => {
    res.json({ document: xeroDocumentJson(await requestDispatch(db, actorOf(req), idParam(req.params.id, 'Xero document'))) });
  });
  r.post('/xero/documents/:id/retry', bookkeepers, async (req, res) => {
    res.json({ document: xeroDocumentJson(await requestRetry(db, actorOf(req), idParam(req.params.id, 'Xero document'))) });
  });
  r.put('/xero/settings/sales-invoice-dispatch', requireRole('admin'), async (req, res) => {
    const { mode } = dispatchSetting.parse(req.body);
    res.json({ sales_invoice_dispatch: await setSalesInvoiceDispatch(db, actorOf(req).tenantId, mode) });
  });
  return r;
}
