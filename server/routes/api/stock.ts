import { Router, Request } from 'express';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { parseStockCommand, reversalCommand, today, CommandKind } from '../../http/commands';
import { idParam } from '../../http/schemas';
import { postStockEvent } from '../../services/stock/post-event';
import { reverseStockEvent } from '../../services/stock/reverse-event';
import { hashRequest, IdempotencyClaim } from '../../services/idempotency';
import { eventDetail } from '../../services/queries';
import { Invalid } from '../../errors';

const COMMANDS: [string, CommandKind][] = [
  ['/stock/opening-balances', 'opening_balance'],
  ['/stock/receipts', 'receipt'],
  ['/stock/issues', 'issue'],
  ['/stock/adjustments', 'adjustment'],
  ['/stock/transfers', 'transfer'],
];

/** Idempotency-Key header (optional, up to 128 characters): the key and a hash of the request. */
export function idempotencyClaim(req: Request): IdempotencyClaim | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,128}$/.test(key)) throw Invalid.field('Idempotency-Key', 'must be 1 to 128 visible ASCII characters');
  return { key, requestHash: hashRequest([req.method, req.baseUrl + req.path, req.body]) };
}

export function stockApi(db: Db): Router {
  const r = Router();
  for (const [path, kind] of COMMANDS) {
    const roles = kind === 'opening_balance' ? (['admin'] as const) : (['admin', 'operations'] as const);
    r.post(path, requireRole(...roles), async (req, res) => {
      const claim = idempotencyClaim(req);
      const cmd = parseStockCommand(kind, req.body, today());
      const result = await postStockEvent(db, actorOf(req), cmd, claim);
      res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
    });
  }
  r.get('/events/:id', async (req, res) => {
    res.json(await eventDetail(db, actorOf(req).tenantId, idParam(req.params.id, 'Stock event')));
  });
  r.post('/events/:id/reversal', requireRole('admin', 'operations'), async (req, res) => {
    const claim = idempotencyClaim(req);
    const body = reversalCommand.parse(req.body ?? {});
    const result = await reverseStockEvent(db, actorOf(req), idParam(req.params.id, 'Stock event'), body.occurred_on ?? today(), body.reason ?? '', claim);
    res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
  });
  return r;
}
