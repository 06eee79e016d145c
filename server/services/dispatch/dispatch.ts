import { Db, Trx } from '../../db';
import { Decimal, ZERO, str, money, sum } from '../../domain/decimal';
import { isIsoDate } from '../../domain/dates';
import { moneyPlaces } from '../../repos/tenants';
import { nextDocumentNumber } from '../../repos/numbering';
import { FieldProblem, Invalid } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { resolveLegs } from '../stock/resolve';
import { writePostedEvent } from '../stock/post-event';
import { Actor, Leg } from '../stock/types';
import { DispatchInput } from '../jobs/types';

/**
 * Ship goods to a customer: they leave stock at cost (Dr Cost of goods sold, Cr Finished goods),
 * and each line is tied to the job that made the units (named, or found from the serials), so
 * the job's margin becomes actual.
 */
export async function dispatchGoods(db: Db, actor: Actor, input: DispatchInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, async () => {
    check(input);
    const locations = await defaultLocations(trx, actor.tenantId, input);
    const legs = await resolveLegs(trx, actor.tenantId, {
      kind: 'issue', expenseRole: 'cogs', occurredOn: input.occurredOn,
      lines: input.lines.map((l, i) => ({ part: l.part, location: locations[i], quantity: l.quantity, lot: l.lot || undefined, serials: l.serials })),
    });
    const jobs = await jobsFor(trx, actor.tenantId, input, legs);
    const number = await nextDocumentNumber(trx, 'dispatches', actor.tenantId, 'D');
    const head = { kind: 'dispatch' as const, occurredOn: input.occurredOn, reference: number, reason: `to ${input.customer.trim()}`, contra: 'cogs' as const, reversesEventId: null };
    const { view: event, posted } = await writePostedEvent(trx, actor, head, legs);
    const [dispatch] = await trx('dispatches').insert({ tenant_id: actor.tenantId, number, customer: input.customer.trim(), reference: input.reference ?? '', occurred_on: input.occurredOn, event_id: event.id, user_id: actor.userId ?? null }).returning('id');
    // One row per line and making job; a line's cost is what the COGS journal posted for its
    // movements (one movement per leg, in order), so the dispatch and the job's margin match the ledger.
    const rows = new Map<string, { line: number; partId: string; jobId: string | null; qty: Decimal; cost: Decimal }>();
    legs.forEach((leg, i) => {
      const line = Number(leg.field.split('.')[1]);
      const jobId = jobs[i];
      const key = `${line}|${jobId}`;
      const r = rows.get(key) ?? { line, partId: leg.part.id, jobId, qty: ZERO, cost: ZERO };
      r.qty = r.qty.plus(leg.qty);
      r.cost = r.cost.plus(posted.get(event.movements[i].id)!.neg());
      rows.set(key, r);
    });
    await trx('dispatch_lines').insert([...rows.values()].map((r, n) => ({
      tenant_id: actor.tenantId, dispatch_id: dispatch.id, line_no: n + 1, part_id: r.partId, job_id: r.jobId, quantity: str(r.qty),
      unit_price: input.lines[r.line].unitPrice ? str(input.lines[r.line].unitPrice!) : null, cost: str(r.cost),
    })));
    return dispatchView(trx, actor.tenantId, number);
  }));
}

function check(input: DispatchInput): void {
  const problems: FieldProblem[] = [];
  if (!input.customer?.trim()) problems.push({ field: 'customer', message: 'Name the customer the goods go to' });
  if (!isIsoDate(input.occurredOn)) problems.push({ field: 'occurred_on', message: `${String(input.occurredOn).slice(0, 40)} is not a date like 2026-11-25` });
  input.lines.forEach((l, i) => {
    if (l.unitPrice && (!l.unitPrice.isFinite() || l.unitPrice.isNeg())) problems.push({ field: `lines.${i}.unit_price`, message: `Unit price of ${l.part} must be zero or more` });
  });
  if (problems.length) throw new Invalid(problems);
}

/** Where each line ships from: the location named, the serials' location, else where the most of the part is available. */
async function defaultLocations(trx: Trx, tenantId: string, input: DispatchInput): Promise<string[]> {
  if (input.location) return input.lines.map(() => input.location!);
  const out: string[] = [];
  // One after another: a transaction is one connection.
  for (const l of input.lines) out.push(await lineLocation(trx, tenantId, l));
  return out;
}

async function lineLocation(trx: Trx, tenantId: string, l: DispatchInput['lines'][number]): Promise<string> {
  {
    const serialAt = l.serials?.length
      ? await trx('serials as s').join('parts as p', function () { this.on('p.tenant_id', 's.tenant_id').andOn('p.id', 's.part_id'); })
        .join('locations as l', function () { this.on('l.tenant_id', 's.tenant_id').andOn('l.id', 's.location_id'); })
        .where({ 's.tenant_id': tenantId, 'p.sku': l.part, 's.serial': l.serials[0], 's.status': 'in_stock' }).first('l.code')
      : null;
    if (serialAt) return serialAt.code as string;
    const best = await trx('locations as l').where('l.tenant_id', tenantId)
      .orderByRaw(`(select coalesce(sum(b.on_hand - b.allocated), 0) from stock_balances b join parts p on p.tenant_id = b.tenant_id and p.id = b.part_id
                     where b.tenant_id = l.tenant_id and b.location_id = l.id and p.sku = ? and b.lot = ?) desc, l.code`, [l.part, l.lot ?? '']).first('l.code');
    return (best?.code as string | undefined) ?? '';
  }
}

/** The job behind each leg: the line's named job, else the job whose output the serial is. */
async function jobsFor(trx: Trx, tenantId: string, input: DispatchInput, legs: Leg[]): Promise<(string | null)[]> {
  const named = [...new Set(input.lines.map((l) => l.job).filter((j): j is string => !!j))];
  const jobRows = named.length ? await trx('job_cards').where({ tenant_id: tenantId }).whereIn('number', named).select('id', 'number', 'part_id') : [];
  const problems: FieldProblem[] = [];
  input.lines.forEach((l, i) => {
    if (!l.job) return;
    const job = jobRows.find((j) => j.number === l.job);
    const leg = legs.find((g) => g.field.startsWith(`lines.${i}.`));
    if (!job) problems.push({ field: `lines.${i}.job`, message: `Unknown job card ${l.job}` });
    else if (leg && job.part_id !== leg.part.id) problems.push({ field: `lines.${i}.job`, message: `Job ${l.job} does not make ${l.part}` });
  });
  if (problems.length) throw new Invalid(problems);
  const serialLegs = legs.filter((g) => g.serial);
  const made = serialLegs.length
    ? await trx('job_outputs').where({ tenant_id: tenantId }).whereIn('serial', serialLegs.map((g) => g.serial!)).select('job_id', 'part_id', 'serial')
    : [];
  return legs.map((g) => {
    const line = input.lines[Number(g.field.split('.')[1])];
    if (line.job) return jobRows.find((j) => j.number === line.job)!.id as string;
    return g.serial ? (made.find((m) => m.part_id === g.part.id && m.serial === g.serial)?.job_id ?? null) : null;
  });
}

export async function dispatchView(q: Trx | Db, tenantId: string, idOrNumber: string) {
  const d = await q('dispatches').where({ tenant_id: tenantId }).andWhere((w) => w.where('number', idOrNumber)).first('id', 'number', 'customer', 'reference', q.raw('occurred_on::text as occurred_on'), 'event_id');
  if (!d) return null;
  const dp = await moneyPlaces(q, tenantId);
  const lines = await q('dispatch_lines as l').join('parts as p', function () { this.on('p.tenant_id', 'l.tenant_id').andOn('p.id', 'l.part_id'); })
    .leftJoin('job_cards as j', function () { this.on('j.tenant_id', 'l.tenant_id').andOn('j.id', 'l.job_id'); })
    .where({ 'l.tenant_id': tenantId, 'l.dispatch_id': d.id }).orderBy('l.line_no').select('l.*', 'p.sku', 'j.number as job');
  const serials = await q('stock_movements').where({ tenant_id: tenantId, event_id: d.event_id }).whereNotNull('serial').select('part_id', 'serial');
  const journal = await q('journals').where({ tenant_id: tenantId, event_id: d.event_id }).first('id', 'number');
  const cost = sum(lines.map((l) => new Decimal(l.cost)));
  return {
    id: d.id as string,
    number: d.number as string,
    customer: d.customer as string,
    reference: d.reference as string,
    occurred_on: d.occurred_on as string,
    event_id: d.event_id as string,
    journal: journal ? { id: journal.id as string, number: Number(journal.number) } : null,
    cost: money(cost, dp),
    lines: lines.map((l) => ({
      part: l.sku as string,
      job: (l.job as string | null) ?? null,
      quantity: str(new Decimal(l.quantity)),
      unit_price: l.unit_price === null ? null : str(new Decimal(l.unit_price)),
      cost: money(new Decimal(l.cost), dp),
      serials: serials.filter((s) => s.part_id === l.part_id).map((s) => s.serial as string),
    })),
  };
}
