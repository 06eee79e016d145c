import { Router } from 'express';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { parseStockCommand, CommandKind } from '../../http/commands';
import { formClaim } from '../../http/form-claim';
import { today } from '../../clock';
import { postStockEvent } from '../../services/stock/post-event';
import { listLocations } from '../../services/catalogue';
import { redirect } from './auth';

/** The stock forms: one line each, posted as the same commands the API takes. */
const FORMS: Record<string, { kind: CommandKind; title: string; roles: ('admin' | 'operations')[] }> = {
  opening: { kind: 'opening_balance', title: 'Opening stock', roles: ['admin'] },
  receive: { kind: 'receipt', title: 'Receive stock', roles: ['admin', 'operations'] },
  issue: { kind: 'issue', title: 'Issue stock', roles: ['admin', 'operations'] },
  adjust: { kind: 'adjustment', title: 'Adjust stock', roles: ['admin', 'operations'] },
  transfer: { kind: 'transfer', title: 'Transfer stock', roles: ['admin', 'operations'] },
};

/** A form's flat fields become the command's single line. */
function formToCommand(kind: CommandKind, b: Record<string, string>) {
  const { occurred_on, reference, reason, expense_account, ...line } = b;
  const header = { occurred_on: occurred_on || undefined, reference, reason };
  const lineFields = Object.fromEntries(Object.entries(line).filter(([, v]) => v !== ''));
  return kind === 'issue' ? { ...header, expense_account: expense_account || undefined, lines: [lineFields] } : { ...header, lines: [lineFields] };
}

export function stockPages(db: Db): Router {
  const r = Router();
  for (const [slug, form] of Object.entries(FORMS)) {
    r.get(`/stock/${slug}`, requireUser(...form.roles), async (req, res) => {
      const locations = await listLocations(db, actorOf(req).tenantId);
      render(req, res, 'pages/stock/form', { slug, form, locations, values: { occurred_on: today(), ...req.query } });
    });
    r.post(`/stock/${slug}`, requireUser(...form.roles), async (req, res) => {
      res.locals.form = { view: 'pages/stock/form', data: { slug, form, locations: await listLocations(db, actorOf(req).tenantId) } };
      const { claim, fields } = formClaim(req);
      const cmd = parseStockCommand(form.kind, formToCommand(form.kind, fields), today());
      const result = await postStockEvent(db, actorOf(req), cmd, claim);
      redirect(req, res, `/events/${result.body.id}`);
    });
  }
  return r;
}
