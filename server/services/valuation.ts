import { Db, Trx } from '../db';
import { Decimal, ZERO, money, str, sum } from '../domain/decimal';
import { ROLE_LABELS, AccountRole, roundLinesByPart } from '../domain/accounting';
import { getAccountMapping, moneyPlaces } from '../repos/tenants';

export type ValuationRow = { sku: string; name: string; location: string; role: string; quantity: string; value: string };

/**
 * Stock value per part and location, now (from open cost layers) or as at the end of a business
 * date (the sum of movement quantities and values dated up to it, grouped per part and location;
 * about a third of a second over a million movements: see npm run bench).
 */
export async function valuation(db: Db, tenantId: string, asAt?: string) {
  const dp = await moneyPlaces(db, tenantId);
  const grouped = asAt
    ? db('stock_movements').where({ tenant_id: tenantId }).where('occurred_on', '<=', asAt)
        .groupBy('part_id', 'location_id').select('part_id', 'location_id', db.raw('sum(quantity) as quantity'), db.raw('sum(value) as value'))
    : db.from(db('stock_balances').where({ tenant_id: tenantId }).groupBy('part_id', 'location_id').select('part_id', 'location_id', db.raw('sum(on_hand) as quantity')).as('b'))
        .leftJoin(db('cost_layers').where({ tenant_id: tenantId }).where('remaining_qty', '>', 0).groupBy('part_id', 'location_id')
          .select('part_id', 'location_id', db.raw('sum(remaining_value) as value')).as('c'), (j) => j.on('c.part_id', 'b.part_id').andOn('c.location_id', 'b.location_id'))
        .select('b.part_id', 'b.location_id', 'b.quantity', db.raw('coalesce(c.value, 0) as value'));
  // Materialized: grouped once, then joined (never re-run per row by a planner short of statistics).
  const rows = await db.withMaterialized('g', grouped)
    .from('g')
    .join('parts as p', (j) => j.on('p.id', 'g.part_id').andOnVal('p.tenant_id', tenantId))
    .join('locations as l', (j) => j.on('l.id', 'g.location_id').andOnVal('l.tenant_id', tenantId))
    .whereRaw('(g.quantity <> 0 or g.value <> 0)')
    .orderBy(['p.sku', 'l.code'])
    .select('p.sku', 'p.name', 'p.stock_role as role', 'l.code as location', 'g.quantity', 'g.value');
  // Each part's lines add up to its value as the ledger posted it; each account's figure is its lines' sum.
  const shown = roundLinesByPart(rows.map((r) => ({ part: r.sku, value: new Decimal(r.value) })), dp);
  const byRole = new Map<string, Decimal>();
  const lines: ValuationRow[] = rows.map((r, i) => {
    byRole.set(r.role, (byRole.get(r.role) ?? ZERO).plus(shown[i]));
    return { sku: r.sku, name: r.name, location: r.location, role: r.role, quantity: str(new Decimal(r.quantity)), value: money(shown[i], dp) };
  });
  return {
    as_at: asAt ?? null,
    total: money(sum(shown), dp),
    by_account: [...byRole].map(([role, v]) => ({ role, label: ROLE_LABELS[role as AccountRole], value: money(v, dp) })),
    lines,
  };
}

const STOCK_ACCOUNTS: AccountRole[] = ['raw_materials', 'wip', 'finished_goods'];

/**
 * For each mapped stock account: the value held in cost layers (each part's value rounded to
 * cents, as its journals were) against the sum of journal lines posted to that account.
 */
export async function reconciliation(db: Db, tenantId: string) {
  // One snapshot for both sides, so a posting committing in between cannot show a false difference.
  return db.transaction((trx) => reconcile(trx, tenantId), { isolationLevel: 'repeatable read', readOnly: true });
}

async function reconcile(db: Trx, tenantId: string) {
  const dp = await moneyPlaces(db, tenantId);
  const layerRows = await db.raw(
      `select p.stock_role as role, sum(round(v.value, ?)) as value, sum(v.value) as exact
         from (select part_id, sum(remaining_value) as value from cost_layers where tenant_id = ? group by part_id) v
         join parts p on p.tenant_id = ? and p.id = v.part_id
        group by p.stock_role`,
      [dp, tenantId, tenantId],
  );
  const journalRows = await db('journal_lines').where({ tenant_id: tenantId }).whereIn('account_role', STOCK_ACCOUNTS).groupBy('account_role').select('account_role as role', db.raw('sum(amount) as total'));
  // Lines held for an open delivery's one journal (journal-per-delivery policy) are posted, just not yet sent.
  const heldRows = await db('deferred_postings').where({ tenant_id: tenantId }).whereNull('journal_id').whereIn('account_role', STOCK_ACCOUNTS).groupBy('account_role').select('account_role as role', db.raw('sum(amount) as total'));
  // Work in progress is held in open jobs, not in cost layers: each job keeps its WIP as posted.
  const wip = await db('job_cards').where({ tenant_id: tenantId }).sum({ value: 'wip_value' }).first();
  const mapping = await getAccountMapping(db, tenantId);
  const layers = new Map<string, Record<string, string>>(layerRows.rows.map((r: Record<string, string>) => [r.role, r]));
  layers.set('wip', { value: String(wip?.value ?? 0), exact: String(wip?.value ?? 0) });
  const journals = new Map<string, string>(journalRows.map((r: Record<string, string>) => [r.role, r.total]));
  const held = new Map<string, string>(heldRows.map((r: Record<string, string>) => [r.role, r.total]));
  const accounts = STOCK_ACCOUNTS.map((role) => {
    const layerValue = new Decimal(layers.get(role)?.value ?? 0);
    const journalTotal = new Decimal(journals.get(role) ?? 0);
    const heldTotal = new Decimal(held.get(role) ?? 0);
    const difference = layerValue.minus(journalTotal).minus(heldTotal);
    return {
      role,
      label: ROLE_LABELS[role],
      account_code: mapping[role].code,
      account_name: mapping[role].name,
      layer_value: money(layerValue, dp),
      exact_layer_value: str(new Decimal(layers.get(role)?.exact ?? 0)),
      journal_total: money(journalTotal, dp),
      held_for_delivery_journals: money(heldTotal, dp),
      difference: money(difference, dp),
      reconciled: difference.isZero(),
    };
  });
  return { reconciled: accounts.every((a) => a.reconciled), accounts };
}
