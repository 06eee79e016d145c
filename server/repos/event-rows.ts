import { Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { Carry } from '../domain/accounting';
import { JournalDraft } from '../domain/accounting';
import { BalanceRow, LayerRow, MovementRow, SerialRow, balanceKey } from './ledger';

/**
 * Everything one stock event writes, sent as ONE data-modifying statement: the rows travel as
 * JSON parameters (decimals as strings) and each table gets its own CTE. Fewer round trips is
 * most of a posting's cost; foreign keys are checked at the end of the statement and the
 * journal's balance at commit, exactly as with separate statements.
 */
export type EventRows = {
  event: { id: string; kind: string; occurredOn: string; userId: string | null; apiKeyId: string | null; reference: string; reason: string; contraRole: string; reversesEventId: string | null };
  movements: MovementRow[];
  newLayers: { id: string; partId: string; locationId: string; sourceMovementId: string; originalQty: Decimal; unitCost: Decimal; remainingQty: Decimal; remainingValue: Decimal }[];
  changedLayers: { id: string; remainingQty: Decimal; remainingValue: Decimal }[];
  consumptions: { movementId: string; layerId: string; qty: Decimal; value: Decimal }[];
  balanceDeltas: { partId: string; locationId: string; lot: string; delta: Decimal }[];
  serials: (SerialRow & { movementId: string })[];
  carries: Map<string, Carry>;
  journal: { id: string; date: string; sourcePath: string; draft: JournalDraft } | null;
};

const SQL = `
with
 ev as (insert into stock_events (tenant_id, id, kind, occurred_on, user_id, api_key_id, reference, reason, contra_role, reverses_event_id)
        select $1::uuid, id, kind, occurred_on, user_id, api_key_id, reference, reason, contra_role, reverses_event_id
          from json_populate_record(null::stock_events, $2::json)),
 mv as (insert into stock_movements (tenant_id, id, event_id, part_id, location_id, lot, serial, quantity, unit_cost, value, occurred_on, reverses_movement_id)
        select $1::uuid, id, event_id, part_id, location_id, lot, serial, quantity, unit_cost, value, occurred_on, reverses_movement_id
          from json_populate_recordset(null::stock_movements, $3::json)),
 nl as (insert into cost_layers (tenant_id, id, part_id, location_id, source_movement_id, original_qty, unit_cost, remaining_qty, remaining_value)
        select $1::uuid, id, part_id, location_id, source_movement_id, original_qty, unit_cost, remaining_qty, remaining_value
          from json_populate_recordset(null::cost_layers, $4::json)),
 ul as (update cost_layers c set remaining_qty = v.remaining_qty, remaining_value = v.remaining_value
          from json_populate_recordset(null::cost_layers, $5::json) v where c.tenant_id = $1::uuid and c.id = v.id),
 lc as (insert into layer_consumptions (tenant_id, movement_id, layer_id, quantity, value)
        select $1::uuid, movement_id, layer_id, quantity, value from json_populate_recordset(null::layer_consumptions, $6::json)),
 bd as (select * from json_to_recordset($7::json) as x(part_id uuid, location_id uuid, lot text, delta numeric)),
 bu as (update stock_balances b set on_hand = b.on_hand + bd.delta from bd
         where b.tenant_id = $1::uuid and b.part_id = bd.part_id and b.location_id = bd.location_id and b.lot = bd.lot
        returning b.part_id, b.location_id, b.lot),
 bi as (insert into stock_balances (tenant_id, part_id, location_id, lot, on_hand)
        select $1::uuid, bd.part_id, bd.location_id, bd.lot, bd.delta from bd
         where not exists (select 1 from bu where bu.part_id = bd.part_id and bu.location_id = bd.location_id and bu.lot = bd.lot)),
 se as (insert into serials (tenant_id, part_id, serial, location_id, lot, status, last_movement_id)
        select $1::uuid, part_id, serial, location_id, lot, status, last_movement_id from json_populate_recordset(null::serials, $8::json)
        on conflict (tenant_id, part_id, serial) do update
          set location_id = excluded.location_id, lot = excluded.lot, status = excluded.status, last_movement_id = excluded.last_movement_id),
 pv as (update part_valuations p set exact_value = v.exact_value, posted_value = v.posted_value
          from json_populate_recordset(null::part_valuations, $9::json) v where p.tenant_id = $1::uuid and p.part_id = v.part_id),
 jr as (insert into journals (tenant_id, id, event_id, journal_date, narration, source_path)
        select $1::uuid, id, event_id, journal_date, narration, source_path from json_populate_recordset(null::journals, $10::json)
        returning number),
 jl as (insert into journal_lines (tenant_id, journal_id, line_no, account_role, account_code, account_name, amount, description)
        select $1::uuid, journal_id, line_no, account_role, account_code, account_name, amount, description
          from json_populate_recordset(null::journal_lines, $11::json)),
 ob as (insert into outbox (tenant_id, topic, journal_id)
        select $1::uuid, 'journal.post', id from json_populate_recordset(null::journals, $10::json))
select (select number from jr) as journal_number`;

/** Knex numbers its own placeholders: $n becomes ? with the bindings repeated in order. */
function positional(sql: string, values: string[]): { sql: string; bindings: string[] } {
  const bindings: string[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n) => {
    bindings.push(values[Number(n) - 1]);
    return '?';
  });
  return { sql: text, bindings };
}

export async function writeEventRows(trx: Trx, tenantId: string, rows: EventRows): Promise<number | null> {
  const e = rows.event;
  const j = rows.journal;
  const values = [
    tenantId,
    JSON.stringify({ id: e.id, kind: e.kind, occurred_on: e.occurredOn, user_id: e.userId, api_key_id: e.apiKeyId, reference: e.reference, reason: e.reason, contra_role: e.contraRole, reverses_event_id: e.reversesEventId }),
    JSON.stringify(rows.movements.map((m) => ({ id: m.id, event_id: m.eventId, part_id: m.partId, location_id: m.locationId, lot: m.lot, serial: m.serial, quantity: str(m.quantity), unit_cost: str(m.unitCost), value: str(m.value), occurred_on: m.occurredOn, reverses_movement_id: m.reversesMovementId }))),
    JSON.stringify(rows.newLayers.map((l) => ({ id: l.id, part_id: l.partId, location_id: l.locationId, source_movement_id: l.sourceMovementId, original_qty: str(l.originalQty), unit_cost: str(l.unitCost), remaining_qty: str(l.remainingQty), remaining_value: str(l.remainingValue) }))),
    JSON.stringify(rows.changedLayers.map((l) => ({ id: l.id, remaining_qty: str(l.remainingQty), remaining_value: str(l.remainingValue) }))),
    JSON.stringify(rows.consumptions.map((c) => ({ movement_id: c.movementId, layer_id: c.layerId, quantity: str(c.qty), value: str(c.value) }))),
    JSON.stringify(rows.balanceDeltas.filter((d) => !d.delta.isZero()).map((d) => ({ part_id: d.partId, location_id: d.locationId, lot: d.lot, delta: str(d.delta) }))),
    JSON.stringify(rows.serials.map((s) => ({ part_id: s.partId, serial: s.serial, location_id: s.locationId, lot: s.lot, status: s.status, last_movement_id: s.movementId }))),
    JSON.stringify([...rows.carries].map(([partId, c]) => ({ part_id: partId, exact_value: str(c.exactValue), posted_value: str(c.postedValue) }))),
    JSON.stringify(j ? [{ id: j.id, event_id: e.id, journal_date: j.date, narration: j.draft.narration, source_path: j.sourcePath }] : []),
    JSON.stringify(j ? j.draft.lines.map((l, i) => ({ journal_id: j.id, line_no: i + 1, account_role: l.role, account_code: l.code, account_name: l.name, amount: l.amount.toFixed(2), description: l.description })) : []),
  ];
  const q = positional(SQL, values);
  const result = await trx.raw(q.sql, q.bindings);
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
  const sql = `select
    (select coalesce(json_agg(json_build_object('id', c.id, 'seq', c.seq, 'part_id', c.part_id, 'location_id', c.location_id,
            'remaining_qty', c.remaining_qty::text, 'remaining_value', c.remaining_value::text) order by c.seq), '[]'::json)
       from cost_layers c join json_to_recordset($2::json) as k(p uuid, l uuid) on c.part_id = k.p and c.location_id = k.l
      where c.tenant_id = $1::uuid and c.remaining_qty > 0) as layers,
    (select coalesce(json_agg(json_build_object('part_id', b.part_id, 'location_id', b.location_id, 'lot', b.lot,
            'on_hand', b.on_hand::text, 'allocated', b.allocated::text)), '[]'::json)
       from stock_balances b join json_to_recordset($3::json) as k(p uuid, l uuid, lot text) on b.part_id = k.p and b.location_id = k.l and b.lot = k.lot
      where b.tenant_id = $1::uuid) as balances,
    (select coalesce(json_agg(json_build_object('part_id', s.part_id, 'serial', s.serial, 'location_id', s.location_id, 'lot', s.lot, 'status', s.status)), '[]'::json)
       from serials s join json_to_recordset($4::json) as k(p uuid, serial text) on s.part_id = k.p and s.serial = k.serial
      where s.tenant_id = $1::uuid) as serials`;
  const q = positional(sql, [
    tenantId,
    JSON.stringify(pairs.map((p) => ({ p: p.partId, l: p.locationId }))),
    JSON.stringify(keys.map((k) => ({ p: k.partId, l: k.locationId, lot: k.lot }))),
    JSON.stringify(serialKeys.map((s) => ({ p: s.partId, serial: s.serial }))),
  ]);
  const row = (await trx.raw(q.sql, q.bindings)).rows[0];
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, any>[];
  return {
    layers: json(row.layers).map((r) => ({ id: r.id, seq: Number(r.seq), partId: r.part_id, locationId: r.location_id, remainingQty: new Decimal(r.remaining_qty), remainingValue: new Decimal(r.remaining_value) })),
    balances: new Map(json(row.balances).map((r) => [balanceKey(r.part_id, r.location_id, r.lot), { partId: r.part_id, locationId: r.location_id, lot: r.lot, onHand: new Decimal(r.on_hand), allocated: new Decimal(r.allocated) }])),
    serials: new Map(json(row.serials).map((r) => [`${r.part_id}|${r.serial}`, { partId: r.part_id, serial: r.serial, locationId: r.location_id, lot: r.lot, status: r.status }])),
  };
}
