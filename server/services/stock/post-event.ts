import crypto from 'node:crypto';
import { Db, Trx } from '../../db';
import { Decimal, str, sum } from '../../domain/decimal';
import { AccountRole, buildJournal, Carry, postEachWithCarry, StockPosting } from '../../domain/accounting';
import { assertOpenPeriod } from '../../domain/stock/rules';
import { isIsoDate, latestBusinessDate } from '../../domain/dates';
import { today } from '../../clock';
import { getTenantWithMapping } from '../../repos/tenants';
import * as ledger from '../../repos/ledger';
import { MovementRow } from '../../repos/ledger';
import { journalViewOf, deferPostings } from '../../repos/journals';
import { writeEventRows, loadStockState } from '../../repos/event-rows';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Invalid, Conflict } from '../../errors';
import { EventWriter } from './event-writer';
import { resolveLegs } from './resolve';
import { Actor, StockCommand, Leg, EventKind, EventView, JournalView } from './types';

const CONTRA: Record<Exclude<StockCommand['kind'], 'issue'>, AccountRole> = {
  opening_balance: 'opening_balance',
  receipt: 'grni',
  adjustment: 'stock_adjustments',
  transfer: 'stock_adjustments',
};

export type PostResult = { status: number; body: EventView; replayed: boolean };

/** Record one stock event (opening balance, receipt, issue, adjustment, transfer) with its journal. */
export async function postStockEvent(db: Db, actor: Actor, cmd: StockCommand, idem?: IdempotencyClaim): Promise<PostResult> {
  return inTransaction(db, (trx) =>
    withIdempotency(trx, actor.tenantId, idem, async () => {
      const legs = await resolveLegs(trx, actor.tenantId, cmd);
      const contra = cmd.kind === 'issue' ? cmd.expenseRole : CONTRA[cmd.kind];
      return writeEvent(trx, actor, { kind: cmd.kind, occurredOn: cmd.occurredOn, reference: cmd.reference ?? '', reason: cmd.reason ?? '', contra, reversesEventId: null }, legs);
    }),
  );
}

export type EventHeader = {
  kind: EventKind;
  occurredOn: string;
  reference: string;
  reason: string;
  contra: AccountRole;
  reversesEventId: string | null;
  /** Postings on other accounts than stock (a bill's purchase price variance), already rounded. */
  otherPostings?: StockPosting[];
  /** Hold the journal's lines for the delivery's one journal (a journal-per-delivery policy). */
  deferToDelivery?: string;
};

/**
 * The one path by which stock changes: lock the parts, apply the legs to layers and balances,
 * carry the rounding per part, build and store the journal and its outbox row.
 */
export async function writeEvent(trx: Trx, actor: Actor, head: EventHeader, legs: Leg[], prepare?: (w: EventWriter) => Promise<void>): Promise<EventView> {
  return (await writePostedEvent(trx, actor, head, legs, prepare)).view;
}

/** writeEvent, also answering the cents posted for each movement (by id), for documents that quote a line's cost. */
export async function writePostedEvent(
  trx: Trx, actor: Actor, head: EventHeader, legs: Leg[], prepare?: (w: EventWriter) => Promise<void>,
): Promise<{ view: EventView; posted: Map<string, Decimal> }> {
  assertBusinessDate(head.occurredOn);
  const { tenant, mapping } = await getTenantWithMapping(trx, actor.tenantId);
  assertOpenPeriod(head.occurredOn, tenant.lockDate);
  const partIds = legs.map((l) => l.part.id);
  const carries = await ledger.lockParts(trx, actor.tenantId, partIds);
  const eventId = crypto.randomUUID();
  // Looked up by key, not searched for: an event may have thousands of legs (a CSV import's opening stock).
  const legAt = uniqueBy(legs, (l) => `${l.part.id}|${l.location.id}`);
  const pairs = [...legAt.values()].map((l) => ({ partId: l.part.id, locationId: l.location.id }));
  const keys = [...uniqueBy(legs, (l) => `${l.part.id}|${l.location.id}|${l.lot}`).values()]
    .map((l) => ({ partId: l.part.id, locationId: l.location.id, lot: l.lot }));
  const serialKeys = legs.filter((l) => l.serial).map((l) => ({ partId: l.part.id, serial: l.serial! }));
  const { layers, balances, serials } = await loadStockState(trx, actor.tenantId, pairs, keys, serialKeys);
  await assertSerialsFree(trx, actor.tenantId, legs);
  const writer = new EventWriter(tenant.valuationMethod, eventId, head.occurredOn, balances, serials, layers);
  if (prepare) await prepare(writer);
  for (const leg of legs) writer.apply(leg);

  const { postings, posted } = postMovements(writer.movements, carries, legs, tenant.minorUnits);
  const draft = buildJournal([...postings, ...(head.otherPostings ?? [])], head.contra, mapping, narrate(head, legs));
  const journalId = crypto.randomUUID();
  const deferred = head.deferToDelivery !== undefined && draft !== null;
  const number = await writeEventRows(trx, actor.tenantId, {
    event: { id: eventId, kind: head.kind, occurredOn: head.occurredOn, userId: actor.userId ?? null, apiKeyId: actor.apiKeyId ?? null, reference: head.reference, reason: head.reason, contraRole: head.contra, reversesEventId: head.reversesEventId },
    ...writer.rows(),
    carries,
    journal: draft && !deferred ? { id: journalId, date: head.occurredOn, sourcePath: `/events/${eventId}`, draft } : null,
  });
  if (writer.parents.size) await ledger.recordLayerParents(trx, actor.tenantId, writer.parents);
  if (deferred) await deferPostings(trx, actor.tenantId, head.deferToDelivery!, eventId, draft!);
  const journal: JournalView | null = draft && !deferred ? journalViewOf(journalId, number!, head.occurredOn, draft, tenant.minorUnits) : null;
  const view: EventView = {
    id: eventId,
    kind: head.kind,
    occurred_on: head.occurredOn,
    reference: head.reference,
    reason: head.reason,
    reverses_event_id: head.reversesEventId,
    movements: writer.movements.map((m) => {
      const leg = legAt.get(`${m.partId}|${m.locationId}`)!;
      return { id: m.id, part: leg.part.sku, location: leg.location.code, lot: m.lot || null, serial: m.serial, quantity: str(m.quantity), unit_cost: str(m.unitCost), value: str(m.value) };
    }),
    journal,
  };
  return { view, posted };
}

/**
 * The cents each movement posts, carried per part in movement order (rounding.ts); a part's
 * journal line is the sum of its movements' cents.
 */
function postMovements(
  movements: MovementRow[], carries: Map<string, Carry>, legs: Leg[], minorUnits: number,
): { postings: StockPosting[]; posted: Map<string, Decimal> } {
  const byPart = new Map<string, MovementRow[]>();
  for (const m of movements) {
    const list = byPart.get(m.partId);
    if (list) list.push(m);
    else byPart.set(m.partId, [m]);
  }
  const roleOf = new Map(legs.map((l) => [l.part.id, l.part.stockRole]));
  const posted = new Map<string, Decimal>();
  const postings: StockPosting[] = [];
  for (const [partId, moves] of byPart) {
    const r = postEachWithCarry(carries.get(partId)!, moves.map((m) => m.value), minorUnits);
    carries.set(partId, r.carry);
    moves.forEach((m, i) => posted.set(m.id, r.posted[i]));
    postings.push({ role: roleOf.get(partId)!, amount: sum(r.posted) });
  }
  return { postings, posted };
}

const KIND_LABEL: Record<EventKind, string> = {
  opening_balance: 'Opening stock',
  receipt: 'Stock receipt',
  issue: 'Stock issue',
  adjustment: 'Stock adjustment',
  transfer: 'Stock transfer',
  reversal: 'Reversal',
  revaluation: 'Bill price difference',
  job_consumption: 'Job consumption',
  job_completion: 'Job completion',
  dispatch: 'Dispatch',
  supplier_return: 'Return to supplier',
};

function narrate(head: EventHeader, legs: Leg[]): string {
  const skus = [...new Set(legs.map((l) => l.part.sku))];
  const parts = skus.length <= 3 ? skus.join(', ') : `${skus.slice(0, 3).join(', ')} and ${skus.length - 3} more`;
  const ref = head.reference ? ` ${head.reference}` : '';
  const why = head.reason ? ` (${head.reason})` : '';
  return `${KIND_LABEL[head.kind]}${ref}${parts ? `: ${parts}` : ''}${why} [Perpetua]`;
}

/**
 * Only a real 'YYYY-MM-DD' reaches the lock-date check and the database (PostgreSQL would read
 * 'epoch' as a date), and stock cannot move on a day that has not come yet: a future date would
 * show in every as-at valuation until then.
 */
export function assertBusinessDate(date: string): void {
  if (!isIsoDate(date)) throw Invalid.field('occurred_on', `${String(date).slice(0, 40)} is not a date like 2026-11-25`);
  const latest = latestBusinessDate(today());
  if (date > latest) throw Invalid.field('occurred_on', `${date} is in the future; stock can be recorded up to ${latest}`);
}

/**
 * A serial committed to a job stays for that job: quantity checks alone would let another unit's
 * availability cover it. A job consuming its own serials gives their allocation back first.
 */
async function assertSerialsFree(trx: Trx, tenantId: string, legs: Leg[]): Promise<void> {
  const out = legs.filter((l) => l.dir === 'out' && l.serial);
  if (!out.length) return;
  const taken = await trx('job_allocations as a').join('job_cards as j', function () { this.on('j.tenant_id', 'a.tenant_id').andOn('j.id', 'a.job_id'); })
    .where('a.tenant_id', tenantId).whereIn('a.serial', out.map((l) => l.serial!)).select('a.part_id', 'a.serial', 'j.number');
  for (const t of taken) {
    const leg = out.find((l) => l.part.id === t.part_id && l.serial === t.serial);
    if (leg) throw new Conflict(`Serial ${t.serial} of ${leg.part.sku} is allocated to job ${t.number}; use another serial, or take it off the job first`, leg.field);
  }
}

/** The first item of each key, by key. */
function uniqueBy<T>(items: T[], key: (t: T) => string): Map<string, T> {
  const seen = new Map<string, T>();
  for (const i of items) {
    const k = key(i);
    if (!seen.has(k)) seen.set(k, i);
  }
  return seen;
}

