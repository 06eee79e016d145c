import { Request, Response as ExpressResponse, Router } from 'express';
import { z, ZodError } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { idParam } from '../../http/schemas';
import { formClaim } from '../../http/form-claim';
import { parseBomLine, treeQuery } from '../../http/bom-input';
import { Decimal } from '../../domain/decimal';
import { DomainError } from '../../errors';
import { uploadedCsv } from '../../http/csv-upload';
import { listAssemblies, getBom } from '../../services/boms/views';
import { addBomLine, removeBomLine } from '../../services/boms/save-bom';
import { bomTree } from '../../services/boms/tree';
import { whereUsed } from '../../services/boms/where-used';
import { importBoms, BOM_CSV_COLUMNS } from '../../services/boms/import-boms';
import { exportBoms } from '../../services/boms/export-boms';
import { BomTreeView } from '../../services/boms/types';
import { redirect } from './auth';

const COLUMNS = BOM_CSV_COLUMNS.join(',');
const openQuery = z.object({ sku: z.string().trim().max(64).optional().catch(undefined) });

/** BOM pages: the assemblies with CSV import and export, one BOM's tree with stock and its lines, where-used. */
export function bomPages(db: Db): Router {
  const r = Router();
  const writers = requireUser('admin', 'operations');

  r.get('/boms', requireUser(), async (req, res) => {
    // The "open a BOM" box: any part, so a BOM can be started for a part that has none yet.
    const { sku } = openQuery.parse(req.query);
    if (sku) return res.redirect(303, bomUrl(sku));
    render(req, res, 'pages/boms/index', await indexData(db, actorOf(req).tenantId));
  });
  r.get('/boms/export', requireUser(), async (req, res) => {
    res.type('text/csv').attachment('boms.csv').send(await exportBoms(db, actorOf(req).tenantId));
  });
  // A chosen file (multipart, read before the CSRF check like any form) or pasted text.
  r.post('/boms/import', writers, async (req, res) => {
    res.locals.form = { view: 'pages/boms/index', data: await indexData(db, actorOf(req).tenantId) };
    const result = await importBoms(db, actorOf(req), uploadedCsv(req));
    render(req, res, 'pages/boms/index', { ...(await indexData(db, actorOf(req).tenantId)), result });
  });

  // htmx asks for the tree alone when the build quantity changes; the same URL is the whole page.
  r.get('/boms/:sku', requireUser(), async (req, res) => {
    const sku = String(req.params.sku);
    const data = await showData(db, req, sku, req.query.quantity);
    render(req, res.status(data.treeError ? 422 : 200), 'pages/boms/show', data, { fragment: 'boms/tree' });
  });
  r.post('/boms/:sku/lines', writers, async (req, res) => {
    const sku = String(req.params.sku);
    const { claim, fields } = formClaim(req);
    await onFormError(db, req, res, sku, () => addBomLine(db, actorOf(req), sku, parseBomLine(lineFields(fields)), claim));
    redirect(req, res, bomUrl(sku));
  });
  r.post('/boms/:sku/lines/:id/remove', writers, async (req, res) => {
    const sku = String(req.params.sku);
    await onFormError(db, req, res, sku, () => removeBomLine(db, actorOf(req), sku, idParam(req.params.id, 'BOM line')));
    redirect(req, res, bomUrl(sku));
  });

  r.get('/parts/:sku/where-used', requireUser(), async (req, res) => {
    const used = await whereUsed(db, actorOf(req).tenantId, String(req.params.sku));
    render(req, res, 'pages/boms/where-used', { title: `Where ${used.sku} is used`, used });
  });
  return r;
}

const bomUrl = (sku: string) => `/boms/${encodeURIComponent(sku)}`;

async function indexData(db: Db, tenantId: string) {
  return { title: 'Bills of materials', assemblies: await listAssemblies(db, tenantId), columns: COLUMNS };
}

/** The BOM page: its lines, the tree for the build quantity asked (a bad quantity is shown at its box), and where-used. */
async function showData(db: Db, req: Request, sku: string, rawQuantity: unknown) {
  const { tenantId, role } = actorOf(req);
  const bom = await getBom(db, tenantId, sku);
  const { tree, treeError, quantity } = await treeFor(db, tenantId, bom.sku, rawQuantity);
  return {
    title: `BOM ${bom.sku}`, bom, tree, treeError, quantity,
    used: await whereUsed(db, tenantId, bom.sku),
    canEdit: role === 'admin' || role === 'operations',
  };
}

async function treeFor(db: Db, tenantId: string, sku: string, rawQuantity: unknown): Promise<{ tree: (BomTreeView & { nodes: { indent: string }[] }) | null; treeError?: string; quantity: string }> {
  const quantity = typeof rawQuantity === 'string' ? rawQuantity.slice(0, 40) : '1';
  try {
    const tree = await bomTree(db, tenantId, sku, treeQuery.parse({ quantity: rawQuantity }).quantity as Decimal);
    // Each level indented under its parent.
    return { tree: { ...tree, nodes: tree.nodes.map((n) => ({ ...n, indent: (0.75 + n.level * 1.5).toFixed(2) })) }, quantity };
  } catch (err) {
    if (err instanceof ZodError) return { tree: null, treeError: `Build quantity ${err.issues[0].message}`, quantity };
    if (err instanceof DomainError && err.status < 500 && err.status !== 404) return { tree: null, treeError: err.message, quantity };
    throw err;
  }
}

/**
 * A refused form shows the BOM page again with each problem beside its box: the page is read
 * after the refusal (so it shows the BOM as it stands), and only then.
 */
async function onFormError(db: Db, req: Request, res: ExpressResponse, sku: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ZodError || (err instanceof DomainError && err.status === 422)) {
      res.locals.form = { view: 'pages/boms/show', data: await showData(db, req, sku, undefined) };
    }
    throw err;
  }
}

/** The add-line form's boxes; an unticked checkbox sends nothing. */
function lineFields(fields: Record<string, string>): Record<string, unknown> {
  const { component, qty_per, attrition_pct, step, optional, note } = fields;
  return { component: component ?? '', qty_per: qty_per ?? '', attrition_pct, step, optional: optional ?? '', note };
}
