import express, { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { toPartInput, toLocationInput } from '../../http/catalogue-input';
import { isoDate } from '../../http/schemas';
import { today } from '../../http/commands';
import { createPart, createLocation, listLocations } from '../../services/catalogue';
import { importParts } from '../../services/import-parts';
import { readPartsCsv } from '../../http/parts-csv-input';
import { stockList, partDetail } from '../../services/queries';
import { idempotencyClaim } from './stock';

export const stockQuery = z.object({
  q: z.string().max(100).optional(),
  location: z.string().max(64).optional(),
  tracking: z.enum(['none', 'lot', 'serial']).optional().or(z.literal('').transform(() => undefined)),
  below_reorder: z.enum(['true', 'false', 'on', '']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

export function toStockFilter(query: unknown) {
  const q = stockQuery.parse(query);
  return { q: q.q || undefined, location: q.location || undefined, tracking: q.tracking, below: q.below_reorder === 'true' || q.below_reorder === 'on', limit: q.limit, offset: q.offset };
}

export function catalogueApi(db: Db): Router {
  const r = Router();
  r.get('/parts', async (req, res) => {
    res.json(await stockList(db, actorOf(req).tenantId, toStockFilter(req.query)));
  });
  r.post('/parts', requireRole('admin', 'operations'), async (req, res) => {
    const part = await createPart(db, actorOf(req).tenantId, toPartInput(req.body));
    res.status(201).json(await partDetail(db, actorOf(req).tenantId, part.sku));
  });
  r.get('/parts/:sku', async (req, res) => {
    res.json(await partDetail(db, actorOf(req).tenantId, String(req.params.sku)));
  });
  // CSV in the body (text/csv); the business date of the opening stock in ?occurred_on=.
  r.post('/parts/import', requireRole('admin'), express.text({ type: ['text/csv', 'text/plain'], limit: '5mb' }), async (req, res) => {
    const occurredOn = z.object({ occurred_on: isoDate.optional() }).parse(req.query).occurred_on ?? today();
    const csv = typeof req.body === 'string' ? req.body : '';
    res.status(201).json(await importParts(db, actorOf(req), readPartsCsv(csv), occurredOn, idempotencyClaim(req)));
  });
  r.get('/locations', async (req, res) => {
    res.json({ locations: await listLocations(db, actorOf(req).tenantId) });
  });
  r.post('/locations', requireRole('admin'), async (req, res) => {
    res.status(201).json(await createLocation(db, actorOf(req).tenantId, toLocationInput(req.body)));
  });
  return r;
}
