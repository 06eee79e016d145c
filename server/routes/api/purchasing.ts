import express, { Router, Response } from 'express';
import { approvalAttempts } from '../../http/middleware/approval-limit';
import { z } from 'zod';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { idParam, optionalText } from '../../http/schemas';
import { parsePurchaseOrder, parseReceive, parseReject, parseBill, parseSupplierReturn, poStatusBody } from '../../http/purchasing-input';
import { createPurchaseOrder, setPurchaseOrderStatus } from '../../services/purchasing/create-po';
import { listPurchaseOrders, purchaseOrderView, deliveryView } from '../../services/purchasing/views';
import { listSuppliers } from '../../services/purchasing/suppliers';
import { importPurchaseOrdersCsv } from '../../services/purchasing/import-pos';
import { receiveLine, rejectLine } from '../../services/goods-in/receive';
import { undoReceiptLine } from '../../services/goods-in/undo';
import { finishDelivery } from '../../services/goods-in/deliveries';
import { listReturns, markReturned } from '../../services/goods-in/returns';
import { returnToSupplier } from '../../services/goods-in/supplier-return';
import { undoSupplierReturn } from '../../services/goods-in/supplier-return-undo';
import { listSupplierReturns, supplierReturnView } from '../../services/goods-in/supplier-return-views';
import { recordBill } from '../../services/bills/record-bill';
import { billView, listBills } from '../../services/bills/views';
import { grniReport } from '../../services/reports/grni';
import { buyingLessSummary } from '../../services/purchasing/buying-less';
import { idempotencyClaim } from './stock';

const poQuery = z.object({ status: z.enum(['receivable', 'all', 'draft', 'open', 'received', 'closed', 'cancelled']).optional(), q: optionalText(100) });

function sendResult(res: Response, result: { status: number; body: unknown; replayed: boolean }) {
  res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
}



/** Purchase orders and goods-in: POs in, deliveries verified line by line, rejects out for return. */
export function purchasingApi(db: Db): Router {
  const r = Router();
  const approvalLimit = approvalAttempts((req) => !!(req.body && typeof req.body === 'object' && 'approval' in req.body));
  const buyers = requireRole('admin');
  const receivers = requireRole('admin', 'operations');

  r.get('/suppliers', async (req, res) => {
    res.json({ suppliers: await listSuppliers(db, actorOf(req).tenantId) });
  });
  r.get('/purchase-orders', async (req, res) => {
    res.json({ purchase_orders: await listPurchaseOrders(db, actorOf(req).tenantId, poQuery.parse(req.query)) });
  });
  r.post('/purchase-orders', buyers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await createPurchaseOrder(db, actorOf(req), parsePurchaseOrder(req.body), claim));
  });
  r.post('/purchase-orders/import', buyers, express.text({ type: ['text/csv', 'text/plain'], limit: '5mb' }), async (req, res) => {
    const csv = typeof req.body === 'string' ? req.body : '';
    res.status(201).json(await importPurchaseOrdersCsv(db, actorOf(req), csv, idempotencyClaim(req)));
  });
  r.get('/purchase-orders/:id', async (req, res) => {
    res.json(await purchaseOrderView(db, actorOf(req).tenantId, idParam(req.params.id, 'Purchase order')));
  });
  r.post('/purchase-orders/:id/status', buyers, async (req, res) => {
    const { status } = poStatusBody.parse(req.body ?? {});
    res.json(await setPurchaseOrderStatus(db, actorOf(req), idParam(req.params.id, 'Purchase order'), status));
  });
  r.post('/purchase-orders/:id/receipts', receivers, approvalLimit, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await receiveLine(db, actorOf(req), idParam(req.params.id, 'Purchase order'), parseReceive(req.body), claim));
  });
  r.post('/purchase-orders/:id/rejections', receivers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await rejectLine(db, actorOf(req), idParam(req.params.id, 'Purchase order'), parseReject(req.body), claim));
  });
  r.post('/receipt-lines/:id/undo', receivers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await undoReceiptLine(db, actorOf(req), idParam(req.params.id, 'Receipt line'), claim));
  });
  r.get('/deliveries/:id', async (req, res) => {
    res.json(await deliveryView(db, actorOf(req).tenantId, idParam(req.params.id, 'Delivery')));
  });
  r.post('/deliveries/:id/finish', receivers, async (req, res) => {
    res.json(await finishDelivery(db, actorOf(req), idParam(req.params.id, 'Delivery')));
  });
  r.get('/returns', async (req, res) => {
    res.json({ returns: await listReturns(db, actorOf(req).tenantId) });
  });
  r.post('/returns/:id/returned', receivers, async (req, res) => {
    await markReturned(db, actorOf(req), idParam(req.params.id, 'Rejected line'));
    res.json({ returns: await listReturns(db, actorOf(req).tenantId) });
  });
  r.get('/supplier-returns', async (req, res) => {
    res.json({ supplier_returns: await listSupplierReturns(db, actorOf(req).tenantId) });
  });
  r.post('/supplier-returns', receivers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await returnToSupplier(db, actorOf(req), parseSupplierReturn(req.body), claim));
  });
  r.get('/supplier-returns/:id', async (req, res) => {
    res.json(await supplierReturnView(db, actorOf(req).tenantId, idParam(req.params.id, 'Supplier return')));
  });
  r.post('/supplier-returns/:id/undo', receivers, async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await undoSupplierReturn(db, actorOf(req), idParam(req.params.id, 'Supplier return'), claim));
  });
  r.get('/bills', async (req, res) => {
    res.json({ bills: await listBills(db, actorOf(req).tenantId) });
  });
  r.post('/bills', requireRole('admin', 'bookkeeper'), async (req, res) => {
    const claim = idempotencyClaim(req);
    sendResult(res, await recordBill(db, actorOf(req), parseBill(req.body), claim));
  });
  r.get('/bills/:id', async (req, res) => {
    res.json(await billView(db, actorOf(req).tenantId, idParam(req.params.id, 'Bill')));
  });
  r.get('/reports/buying-less', async (req, res) => {
    res.json(await buyingLessSummary(db, actorOf(req).tenantId));
  });
  r.get('/reports/grni', async (req, res) => {
    res.json(await grniReport(db, actorOf(req).tenantId));
  });
  return r;
}
