import express, { Router } from 'express';
import { Db } from '../../db';
import { actorOf, requireRole } from '../../http/middleware/auth';
import { importJsonBody, parseBom, treeQuery } from '../../http/bom-input';
import { listAssemblies, getBom } from '../../services/boms/views';
import { saveBom } from '../../services/boms/save-bom';
import { bomTree } from '../../services/boms/tree';
import { whereUsed } from '../../services/boms/where-used';
import { importBoms } from '../../services/boms/import-boms';
import { exportBoms } from '../../services/boms/export-boms';

/** Bills of materials: assemblies, their lines, the tree with stock figures, where-used, CSV in and out. */
export function bomsApi(db: Db): Router {
  const r = Router();
  const writers = requireRole('admin', 'operations');

  r.get('/boms', async (req, res) => {
    res.json({ assemblies: await listAssemblies(db, actorOf(req).tenantId) });
  });
  // Before /boms/:sku, which would take "export" for a SKU.
  r.get('/boms/export', async (req, res) => {
    res.type('text/csv').attachment('boms.csv').send(await exportBoms(db, actorOf(req).tenantId));
  });
  r.post('/boms/import', writers, express.text({ type: ['text/csv', 'text/plain'], limit: '5mb' }), async (req, res) => {
    const csv = typeof req.body === 'string' ? req.body : importJsonBody.parse(req.body ?? {}).csv;
    res.json(await importBoms(db, actorOf(req), csv));
  });
  r.get('/boms/:sku', async (req, res) => {
    res.json(await getBom(db, actorOf(req).tenantId, String(req.params.sku)));
  });
  r.put('/boms/:sku', writers, async (req, res) => {
    res.json(await saveBom(db, actorOf(req), String(req.params.sku), parseBom(req.body ?? {})));
  });
  r.get('/boms/:sku/tree', async (req, res) => {
    const { quantity } = treeQuery.parse(req.query);
    res.json(await bomTree(db, actorOf(req).tenantId, String(req.params.sku), quantity));
  });
  r.get('/parts/:sku/where-used', async (req, res) => {
    res.json(await whereUsed(db, actorOf(req).tenantId, String(req.params.sku)));
  });
  return r;
}
