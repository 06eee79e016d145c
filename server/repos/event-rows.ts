import { markJournalQueued } from '../jobs/bell';
import { Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { Carry } from '../domain/accounting';
import { JournalDraft } from '../domain/accounting';
import { BalanceRow, LayerRow, MovementRow, SerialRow, balanceKey } from './ledger';

/**
 * Everything one stock event writes, in one round trip: the rows travel as JSON parameters
 * (decimals as strings) to post_stock_event_rows (see its migration), one CTE per table.
 * Round trips, not any single statement, were most of a posting's cost.
 */
export type EventRows = {
  event: { id: string; kind: string; occurredOn: string; userId: string | null; apiKeyId: string | null; reference: string; reason: string; contraRole: string; reversesEventId: string | null };
  movements: MovementRow[];
  newLayers: { id: string; partId: string; locationId: string; lot: string; sourceMovementId: string; originalQty: Decimal; unitCost: Decimal; remainingQty: Decimal; remainingValue: Decimal }[];
  changedLayers: { id: string; remainingQty: Decimal; remainingValue: Decimal }[];
  consumptions: { movementId: string; layerId: string; qty: Decimal; value: Decimal }[];
  balanceDeltas: { partId: string; locationId: string; lot: string; delta: Decimal }[];
  serials: (SerialRow & { movementId: string })[];
  carries: Map<string, Carry>;
  journal: { id: string; date: string; sourcePath: string; draft: JournalDraft } | null;
};



export async function writeEventRows(trx: Trx, tenantId: string, rows: EventRows): Promise<number | null> {
  const e = rows.event;
  const j = rows.journal;
  const values = [
    tenantId,
    JSON.stringify({ id: e.id, kind: e.kind, occurred_on: e.occurredOn, user_id: e.userId, api_key_id: e.apiKeyId, reference: e.reference, reason: e.reason, contra_role: e.contraRole, reverses_event_id: e.reversesEventId }),
    JSON.stringify(rows.movements.map((m) => ({ id: m.id, event_id: m.eventId, part_id: m.partId, location_id: m.locationId, lot: m.lot, serial: m.serial, quantity: str(m.quantity), unit_cost: str(m.unitCost), value: str(m.value), occurred_on: m.occurredOn, reverses_movement_id: m.reversesMovementId }))),
    JSON.stringify(rows.newLayers.map((l) => ({ id: l.id, part_id: l.partId, location_id: l.locationId, lot: l.lot, source_movement_id: l.sourceMovementId, original_qty: str(l.originalQty), unit_cost: str(l.unitCost), remaining_qty: str(l.remainingQty), remaining_value: str(l.remainingValue) }))),
    JSON.stringify(rows.changedLayers.map((l) => ({ id: l.id, remaining_qty: str(l.remainingQty), remaining_value: str(l.remainingValue) }))),
    JSON.stringify(rows.consumptions.map((c) => ({ movement_id: c.movementId, layer_id: c.layerId, quantity: str(c.qty), value: str(c.value) }))),
    JSON.stringify(rows.balanceDeltas.filter((d) => !d.delta.isZero()).map((d) => ({ part_id: d.partId, location_id: d.locationId, lot: d.lot, delta: str(d.delta) }))),
    JSON.stringify(rows.serials.map((s) => ({ part_id: s.partId, serial: s.serial, location_id: s.locationId, lot: s.lot, status: s.status, last_movement_id: s.movementId }))),
    JSON.stringify([...rows.carries].map(([partId, c]) => ({ part_id: partId, exact_value: str(c.exactValue), posted_value: str(c.postedValue) }))),
    JSON.stringify(j ? [{ id: j.id, event_id: e.id, journal_date: j.date, narration: j.draft.narration, source_path: j.sourcePath }] : []),
    JSON.stringify(j ? j.draft.lines.map((l, i) => ({ journal_id: j.id, line_no: i + 1, account_role: l.role, account_code: l.code, account_name: l.name, amount: str(l.amount), description: l.description })) : []),
  ];
  const result = await trx.raw(`select post_stock_event_rows(${values.map(() => '?').join(', ')}) as journal_number`, values);
  // The function queues the journal in the outbox: ring for it once the transaction commits.
  if (j) markJournalQueued(trx);
  const n = result.rows[0]?.journal_number;
  return n === null || n === undefined ? null : Number(n);
}

/** After the part locks: open layers, balances and serials of everything the event touches, in one statement. */
export async function loadStockState(
  trx: Trx,
  tenantId: string,
  pairs: { partId: string; locationId: string }[],
  keys: { partId: string; locationId: string; lot: string }[],
  serialKeys: { partId: string; serial: string }[],
): Promise<{ layers: LayerRow[]; balances: Map<string, BalanceRow>; serials: Map<string, SerialRow> }> {
  const row = (await trx.raw('select * from load_stock_state(?, ?, ?, ?)', [
    tenantId,
    JSON.stringify(pairs.map((p) => ({ p: p.partId, l: p.locationId }))),
    JSON.stringify(keys.map((k) => ({ p: k.partId, l: k.locationId, lot: k.lot }))),
    JSON.stringify(serialKeys.map((s) => ({ p: s.partId, serial: s.serial }))),
  ])).rows[0];
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, any>[];
  return {
    layers: json(row.layers).map((r) => ({ id: r.id, seq: Number(r.seq), partId: r.part_id, locationId: r.location_id, lot: r.lot, remainingQty: new Decimal(r.remaining_qty), remainingValue: new Decimal(r.remaining_value) })),
    balances: new Map(json(row.balances).map((r) => [balanceKey(r.part_id, r.location_id, r.lot), { partId: r.part_id, locationId: r.location_id, lot: r.lot, onHand: new Decimal(r.on_hand), allocated: new Decimal(r.allocated) }])),
    serials: new Map(json(row.serials).map((r) => [`${r.part_id}|${r.serial}`, { partId: r.part_id, serial: r.serial, locationId: r.location_id, lot: r.lot, status: r.status }])),
  };
}
