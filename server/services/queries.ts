import { Db, Trx } from '../db';
import { Decimal, ZERO, str, money } from '../domain/decimal';
import { unitCostOf } from '../domain/costing';
import { NotFound } from '../errors';
import { toPart } from '../repos/catalogue';
import { journalView, journalForEvent, linesOfJournals } from '../repos/journals';
import { sendAttempts } from '../repos/journal-sends';
import { moneyPlaces } from '../repos/tenants';
import { containsPattern } from '../repos/text-search';

// Read models for pages and the API. Reads need no locks: each is one consistent snapshot query.

export type StockFilter = { q?: string; location?: string; tracking?: string; below?: boolean; limit?: number; offset?: number };

/** One page of the stock list and how many parts match in all (for the pager). */
export type StockList = { parts: ReturnType<typeof figures>[]; total: number; limit: number; offset: number };

export async function stockList(db: Db, tenantId: string, f: StockFilter): Promise<StockList> {
  const limit = f.limit ?? 100;
  const offset = f.offset ?? 0;
  const dp = await moneyPlaces(db, tenantId);
  const rows = await db('parts as p')
    .leftJoin(
      db('stock_balances').where({ tenant_id: tenantId }).modify((q) => {
        if (f.location) q.whereIn('location_id', db('locations').where({ tenant_id: tenantId, code: f.location }).select('id'));
      }).groupBy('part_id').select('part_id', db.raw('sum(on_hand) as on_hand'), db.raw('sum(allocated) as allocated')).as('b'),
      'b.part_id', 'p.id',
    )
    .leftJoin(
      db('cost_layers').where({ tenant_id: tenantId }).where('remaining_qty', '>', 0).modify((q) => {
        if (f.location) q.whereIn('location_id', db('locations').where({ tenant_id: tenantId, code: f.location }).select('id'));
      }).groupBy('part_id').select('part_id', db.raw('sum(remaining_value) as value')).as('v'),
      'v.part_id', 'p.id',
    )
    .where('p.tenant_id', tenantId)
    .modify((q) => {
      if (f.q) q.andWhere((w) => w.whereILike('p.sku', containsPattern(f.q!)).orWhereILike('p.name', containsPattern(f.q!)).orWhere('p.barcode', f.q!));
      if (f.tracking) q.andWhere('p.tracking', f.tracking);
      if (f.below) q.andWhereRaw('p.reorder_point is not null and coalesce(b.on_hand, 0) - coalesce(b.allocated, 0) <= p.reorder_point');
    })
    .orderBy('p.sku')
    .limit(limit)
    .offset(offset)
    .select('p.*', db.raw('coalesce(b.on_hand, 0) as on_hand'), db.raw('coalesce(b.allocated, 0) as allocated'), db.raw('coalesce(v.value, 0) as value'), db.raw('count(*) over () as total'));
  // Past the last page there is no row to carry the window count: ask again from the start.
  const total: number = rows.length ? Number(rows[0].total) : offset === 0 ? 0 : (await stockList(db, tenantId, { ...f, offset: 0, limit: 1 })).total;
  return { parts: rows.map((r: Record<string, any>) => figures(r, dp)), total, limit, offset };
}

function figures(r: Record<string, any>, dp: number) {
  const onHand = new Decimal(r.on_hand);
  const allocated = new Decimal(r.allocated);
  return {
    sku: r.sku as string,
    name: r.name as string,
    unit: r.unit as string,
    tracking: r.tracking as string,
    reorder_point: r.reorder_point === null ? null : str(new Decimal(r.reorder_point)),
    on_hand: str(onHand),
    allocated: str(allocated),
    available: str(onHand.minus(allocated)),
    value: money(new Decimal(r.value), dp),
  };
}

export async function partDetail(db: Db, tenantId: string, sku: string) {
  const row = await db('parts as p').leftJoin('locations as l', (j) => j.on('l.id', 'p.default_location_id').andOn('l.tenant_id', 'p.tenant_id'))
    .where({ 'p.tenant_id': tenantId, 'p.sku': sku }).first('p.*', 'l.code as default_location');
  if (!row) throw new NotFound('Part', sku);
  const part = toPart(row);
  const dp = await moneyPlaces(db, tenantId);
  const [balances, layers, movements, serials] = await Promise.all([
    db('stock_balances as b').join('locations as l', (j) => j.on('l.id', 'b.location_id').andOn('l.tenant_id', 'b.tenant_id'))
      .where({ 'b.tenant_id': tenantId, 'b.part_id': part.id }).where('b.on_hand', '>', 0).orderBy(['l.code', 'b.lot'])
      .select('l.code as location', 'b.lot', 'b.on_hand', 'b.allocated',
        db.raw('(select coalesce(sum(c.remaining_value), 0) from cost_layers c where c.tenant_id = b.tenant_id and c.part_id = b.part_id and c.location_id = b.location_id and c.lot = b.lot and c.remaining_qty > 0) as value')),
    db('cost_layers as c').join('locations as l', (j) => j.on('l.id', 'c.location_id').andOn('l.tenant_id', 'c.tenant_id'))
      .where({ 'c.tenant_id': tenantId, 'c.part_id': part.id }).where('c.remaining_qty', '>', 0).orderBy('c.seq')
      .select('c.id', 'l.code as location', 'c.lot', 'c.original_qty', 'c.remaining_qty', 'c.remaining_value', 'c.unit_cost'),
    db('stock_movements as m').join('locations as l', (j) => j.on('l.id', 'm.location_id').andOn('l.tenant_id', 'm.tenant_id'))
      .join('stock_events as e', (j) => j.on('e.id', 'm.event_id').andOn('e.tenant_id', 'm.tenant_id'))
      .where({ 'm.tenant_id': tenantId, 'm.part_id': part.id }).orderBy('m.seq', 'desc').limit(200)
      .select('m.id', 'm.event_id', 'e.kind', 'e.reference', 'm.occurred_on', 'm.recorded_at', 'l.code as location', 'm.lot', 'm.serial', 'm.quantity', 'm.unit_cost', 'm.value'),
    part.tracking === 'serial'
      ? db('serials as s').leftJoin('locations as l', (j) => j.on('l.id', 's.location_id').andOn('l.tenant_id', 's.tenant_id'))
          .where({ 's.tenant_id': tenantId, 's.part_id': part.id, 's.status': 'in_stock' }).orderBy('s.serial').select('s.serial', 'l.code as location', 's.lot')
      : Promise.resolve([]),
  ]);
  const onHand = balances.reduce((a, b) => a.plus(b.on_hand), ZERO);
  const allocated = balances.reduce((a, b) => a.plus(b.allocated), ZERO);
  const value = layers.reduce((a, l) => a.plus(l.remaining_value), ZERO);
  return {
    part: {
      id: part.id, sku: part.sku, name: part.name, description: part.description, unit: part.unit, fractional: part.fractional,
      barcode: part.barcode, source: part.source, tracking: part.tracking, reorder_point: part.reorderPoint ? str(part.reorderPoint) : null,
      default_location: (row.default_location ?? null) as string | null, stock_account: part.stockRole,
    },
    figures: { on_hand: str(onHand), allocated: str(allocated), available: str(onHand.minus(allocated)), value: money(value, dp) },
    balances: balances.map((b) => ({ location: b.location, lot: b.lot || null, on_hand: str(new Decimal(b.on_hand)), allocated: str(new Decimal(b.allocated)), available: str(new Decimal(b.on_hand).minus(b.allocated)), value: money(new Decimal(b.value), dp) })),
    layers: layers.map((l) => layerView(l, dp)),
    movements: movements.map((m) => ({ id: m.id, event_id: m.event_id, kind: m.kind, reference: m.reference, occurred_on: m.occurred_on, recorded_at: new Date(m.recorded_at).toISOString(), location: m.location, lot: m.lot || null, serial: m.serial, quantity: str(new Decimal(m.quantity)), unit_cost: str(new Decimal(m.unit_cost)), value: money(new Decimal(m.value), dp) })),
    serials: serials.map((s: any) => ({ serial: s.serial, location: s.location, lot: s.lot || null })),
  };
}

/**
 * An open layer as it stands: a weighted-average receipt merges into it and a bill revalues it
 * in place, so its cost now is its value over its quantity; the figures it opened with are kept
 * beside them, named as such.
 */
function layerView(l: Record<string, any>, dp: number) {
  const qty = new Decimal(l.remaining_qty);
  const value = new Decimal(l.remaining_value);
  return {
    id: l.id as string, location: l.location as string, lot: (l.lot as string) || null,
    remaining_qty: str(qty), unit_cost: str(unitCostOf(qty, value)), remaining_value: money(value, dp),
    original_qty: str(new Decimal(l.original_qty)), original_unit_cost: str(new Decimal(l.unit_cost)),
  };
}

export async function eventDetail(db: Db, tenantId: string, id: string) {
  const e = await db('stock_events').where({ tenant_id: tenantId, id }).first();
  if (!e) throw new NotFound('Stock event', id);
  const [moves, journal, reversedBy] = await Promise.all([
    db('stock_movements as m').join('parts as p', (j) => j.on('p.id', 'm.part_id').andOn('p.tenant_id', 'm.tenant_id'))
      .join('locations as l', (j) => j.on('l.id', 'm.location_id').andOn('l.tenant_id', 'm.tenant_id'))
      .where({ 'm.tenant_id': tenantId, 'm.event_id': id }).orderBy('m.seq')
      .select('m.id', 'p.sku as part', 'l.code as location', 'm.lot', 'm.serial', 'm.quantity', 'm.unit_cost', 'm.value'),
    journalForEvent(db, tenantId, id),
    db('stock_events').where({ tenant_id: tenantId, reverses_event_id: id }).first('id'),
  ]);
  const source = await eventSource(db, tenantId, id);
  return {
    id: e.id as string,
    kind: e.kind as string,
    occurred_on: e.occurred_on as string,
    recorded_at: new Date(e.recorded_at).toISOString(),
    reference: e.reference as string,
    reason: e.reason as string,
    reverses_event_id: e.reverses_event_id as string | null,
    reversed_by_event_id: (reversedBy?.id ?? null) as string | null,
    source,
    movements: moves.map((m) => ({ id: m.id, part: m.part, location: m.location, lot: m.lot || null, serial: m.serial, quantity: str(new Decimal(m.quantity)), unit_cost: str(new Decimal(m.unit_cost)), value: str(new Decimal(m.value)) })),
    journal,
  };
}

/**
 * The job card or dispatch an event belongs to: it is corrected there, not reversed on its own
 * (a bare reversal would leave the job's or dispatch's figures behind).
 */
export async function eventSource(db: Db | Trx, tenantId: string, eventId: string): Promise<{ kind: 'job' | 'dispatch'; number: string; path: string } | null> {
  const job = await db('job_events as e').join('job_cards as j', (x) => x.on('j.id', 'e.job_id').andOn('j.tenant_id', 'e.tenant_id'))
    .where({ 'e.tenant_id': tenantId, 'e.event_id': eventId }).first('j.number');
  if (job) return { kind: 'job', number: job.number, path: `/jobs/${encodeURIComponent(job.number)}` };
  const dispatch = await db('dispatches').where({ tenant_id: tenantId, event_id: eventId }).first('number');
  if (dispatch) return { kind: 'dispatch', number: dispatch.number, path: `/dispatches/${encodeURIComponent(dispatch.number)}` };
  return null;
}

/** Journals newest first; with `lines`, each carries its lines (codes, roles, debits, credits). */
export async function listJournals(db: Db, tenantId: string, opts: { limit?: number; offset?: number; lines?: boolean } = {}) {
  const dp = await moneyPlaces(db, tenantId);
  const rows = await db('journals as j')
    .leftJoin('outbox as o', (x) => x.on('o.journal_id', 'j.id').andOn('o.tenant_id', 'j.tenant_id'))
    .where('j.tenant_id', tenantId)
    .orderBy('j.number', 'desc')
    .limit(opts.limit ?? 50)
    .offset(opts.offset ?? 0)
    .select('j.*', 'o.status as posting_status', 'o.connector', 'o.last_error',
      db.raw('(select sum(amount) from journal_lines l where l.tenant_id = j.tenant_id and l.journal_id = j.id and l.amount > 0) as total'));
  const summaries = rows.map((r) => ({ id: r.id, number: Number(r.number), date: r.journal_date, narration: r.narration, source_path: r.source_path, total: money(new Decimal(r.total ?? 0), dp), posting: postingStatus(r) }));
  if (!opts.lines) return summaries;
  const lines = await linesOfJournals(db, tenantId, summaries.map((j) => j.id));
  return summaries.map((j) => ({ ...j, lines: lines.get(j.id)! }));
}

function postingStatus(r: Record<string, any>) {
  const label = r.posting_status === 'done' ? (r.connector === 'offline' ? 'kept locally' : 'posted') : r.posting_status ?? 'pending';
  return { status: r.posting_status ?? 'pending', label, error: r.last_error ?? null };
}

export async function journalDetail(db: Db, tenantId: string, id: string) {
  const j = await db('journals').where({ tenant_id: tenantId, id }).first();
  if (!j) throw new NotFound('Journal', id);
  const o = await db('outbox').where({ tenant_id: tenantId, journal_id: id }).first();
  return {
    ...(await journalView(db, tenantId, j)), event_id: j.event_id as string, source_path: j.source_path as string,
    posting: postingStatus({ posting_status: o?.status, connector: o?.connector, last_error: o?.last_error }),
    // Once posted: which accounting system holds it, and its id there (a Xero ManualJournalID...).
    accounting_system: (o?.status === 'done' ? o.connector : null) as string | null,
    accounting_system_id: (o?.external_id ?? null) as string | null,
    // Each send: the codes it went on (the mapping when sent, or as first sent under its key) and the answer.
    sends: (await sendAttempts(db, tenantId, id)).map((a) => ({
      sent_at: a.sentAt.toISOString(), connector: a.connector, idempotency_key: a.sendKey, outcome: a.outcome, message: a.message, external_id: a.externalId,
      lines: a.lines.map((l) => ({ role: l.role, account_code: l.code, account_name: l.name, amount: l.amount })),
    })),
  };
}

export async function listEvents(db: Db, tenantId: string, limit = 50) {
  return db('stock_events').where({ tenant_id: tenantId }).orderBy('seq', 'desc').limit(limit).select('id', 'kind', 'occurred_on', 'reference', 'reason', 'recorded_at');
}

