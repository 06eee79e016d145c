import { Router } from 'express';
import { Db } from '../../db';
import { actorOf } from '../../http/middleware/auth';
import { parseRecallQuery } from '../../http/planning-input';
import { shortageCascade } from '../../services/planning/shortages';
import { asBuilt } from '../../services/trace/as-built';
import { recall } from '../../services/trace/recall';

/** Shortages and traceability: read-only, so any role may ask. */
export function planningApi(db: Db): Router {
  const r = Router();
  r.get('/shortages', async (req, res) => {
    res.json(await shortageCascade(db, actorOf(req).tenantId));
  });
  r.get('/trace/serial/:part/:serial', async (req, res) => {
    res.json(await asBuilt(db, actorOf(req).tenantId, String(req.params.part), String(req.params.serial)));
  });
  r.get('/trace/recall/:part', async (req, res) => {
    res.json(await recall(db, actorOf(req).tenantId, String(req.params.part), parseRecallQuery(req.query)));
  });
  return r;
}
