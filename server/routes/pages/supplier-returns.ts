import { Router, Request } from 'express';
import { ZodError } from 'zod';
import { Db } from '../../db';
import { Decimal } from '../../domain/decimal';
import { Invalid, NotFound } from '../../errors';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { formClaim, formFields } from '../../http/form-claim';
import { parseSupplierReturn } from '../../http/purchasing-input';
import { receiptLineViews } from '../../services/purchasing/views';
import { returnToSupplier } from '../../services/goods-in/supplier-return';
import { undoSupplierReturn } from '../../services/goods-in/supplier-return-undo';
import { listSupplierReturns } from '../../services/goods-in/supplier-return-views';
import { listReturns } from '../../services/goods-in/returns';
import { today } from '../../clock';
import { redirect } from './auth';

// Returning received stock to its supplier, from a delivery's accepted line: a form on its own
// page (big touch targets, works without JavaScript), then the returns list shows it.

const receivers = requireUser('admin', 'operations');
const LABELS: Record<string, string> = { quantity: 'Quantity', serials: 'Serials', reason: 'Reason', occurred_on: 'Returned on', receipt_line: 'Receipt line' };

async function formPage(db: Db, req: Request, values: Record<string, unknown> = {}) {
  const tenantId = actorOf(req).tenantId;
  const id = idParam(req.params.id, 'Receipt line');
  const [line] = await receiptLineViews(db, tenantId, { id });
  if (!line) throw new NotFound('Receipt line', id);
  const row = await db('receipt_lines').where({ tenant_id: tenantId, id }).first('returned_qty');
  const left = new Decimal(line.quantity).minus(row.returned_qty);
  const chosen = new Set(Array.isArray(values.serials) ? (values.serials as string[]) : typeof values.serials === 'string' ? [values.serials] : []);
  return {
    title: `Return ${line.part} to the supplier`,
    line,
    left: left.toFixed(),
    serials: line.serials.map((s) => ({ serial: s, checked: chosen.has(s) })),
    earlier: await listSupplierReturns(db, tenantId, { receiptLine: id }),
    values: { quantity: values.quantity ?? '', reason: values.reason ?? '', occurred_on: values.occurred_on || today() },
    today: today(),
  };
}

/** The shared parser names bare fields; here they are the form's labels. */
function parsed(body: Record<string, unknown>) {
  try {
    return parseSupplierReturn(body);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const fields = err.issues.map((i) => ({ field: String(i.path[0] ?? 'body'), message: i.message }));
    throw new Invalid(fields, fields.map((f) => `${LABELS[f.field] ?? f.field}: ${f.message.replace(new RegExp(`^${f.field} `), '')}`).join('; '));
  }
}

/** The returns list: rejected-on-arrival lines waiting to go back, and received stock sent back. */
export async function returnsPage(db: Db, req: Request) {
  const tenantId = actorOf(req).tenantId;
  const [returns, sent] = await Promise.all([listReturns(db, tenantId), listSupplierReturns(db, tenantId)]);
  return { title: 'Returns to suppliers', returns, supplierReturns: sent, canUndo: actorOf(req).role !== 'bookkeeper' };
}

export function supplierReturnPages(db: Db): Router {
  const r = Router();
  r.get('/goods-in/receipt-lines/:id/return', receivers, async (req, res) => {
    render(req, res, 'pages/goods-in/supplier-return', await formPage(db, req));
  });
  r.post('/goods-in/receipt-lines/:id/return', receivers, async (req, res) => {
    const { claim, fields } = formClaim(req);
    const body = formFields(req) as Record<string, unknown>;
    res.locals.form = { view: 'pages/goods-in/supplier-return', data: await formPage(db, req, body) };
    const serials = Array.isArray(body.serials) ? body.serials : body.serials ? [body.serials] : undefined;
    const input = parsed({ receipt_line: String(req.params.id), quantity: fields.quantity, serials, reason: fields.reason, occurred_on: fields.occurred_on });
    await returnToSupplier(db, actorOf(req), input, claim);
    redirect(req, res, '/goods-in/returns');
  });
  r.post('/goods-in/supplier-returns/:id/undo', receivers, async (req, res) => {
    res.locals.form = { view: 'pages/goods-in/returns', data: await returnsPage(db, req) };
    await undoSupplierReturn(db, actorOf(req), idParam(req.params.id, 'Supplier return'), formClaim(req).claim);
    redirect(req, res, '/goods-in/returns');
  });
  return r;
}
