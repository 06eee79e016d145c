import { Router } from 'express';
import { Db } from '../../db';
import { authPages } from './auth';
import { stockPages } from './stock';
import { partPages } from './parts';
import { eventPages } from './events';
import { accountingPages } from './accounting';
import { settingsPages } from './settings';
import { webhookEventPages } from './webhook-events';
import { purchasingPages } from './purchasing';
import { goodsInPages } from './goods-in';
import { billPages } from './bills';
import { jobPages } from './jobs';
import { dispatchPages } from './dispatches';
import { bomPages } from './boms';
import { planningPages } from './planning';
import { xeroPages } from './xero';
import { Config } from '../../config';

export function pageRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.use(authPages(db, config.signup));
  r.get('/', (req, res) => res.redirect(req.session.user ? (req.session.user.role === 'bookkeeper' ? '/journals' : '/stock') : '/login'));
  r.use(partPages(db));
  r.use(stockPages(db));
  r.use(eventPages(db));
  r.use(accountingPages(db));
  r.use(settingsPages(db));
  r.use(webhookEventPages(db));
  r.use(purchasingPages(db));
  r.use(goodsInPages(db));
  r.use(billPages(db));
  r.use(jobPages(db));
  r.use(dispatchPages(db));
  r.use(bomPages(db));
  r.use(planningPages(db));
  r.use(xeroPages(db, config));
  return r;
}
