import { Trx } from '../../db';
import { Decimal, ZERO, str, sum } from '../../domain/decimal';
import { labourCost } from '../../domain/jobs';
import { AccountRole } from '../../domain/accounting';
import { Part, Location } from '../../repos/catalogue';
import { moneyPlaces } from '../../repos/tenants';
import { FieldProblem, Invalid } from '../../errors';
import { writeEvent } from '../stock/post-event';
import { Actor, EventView, JournalView } from '../stock/types';
import { JobRow, JobLineRow } from './job-rows';
import { planLegs, PlannedUse } from './consume';
import { ALLOCATED_SQL } from './allocation';
import { LineUse } from './types';

export type UseResult = { consumption: EventView | null; scrap: EventView | null };

/**
 * Record what a step (or the completion) used: one consumption event (Dr WIP, Cr stock, plus
 * labour Dr WIP, Cr labour absorbed) and, for anything scrapped, one scrap event (Dr Scrap,
 * Cr stock). The job's lines and money follow the journals' amounts.
 */
export async function recordUse(trx: Trx, actor: Actor, job: JobRow, location: Location, parts: Map<string, Part>, uses: PlannedUse[], at: { occurredOn: string; step: number | null; units: Decimal; labourMinutes: Decimal }): Promise<UseResult> {
  const { consume, scrap } = await planLegs(trx, actor.tenantId, job, location, parts, uses);
  const dp = await moneyPlaces(trx, actor.tenantId);
  const labour = labourCost(at.labourMinutes, job.labourRate, dp);
  const why = at.step === null ? 'completion' : `step ${at.step}`;
  const head = { occurredOn: at.occurredOn, reference: job.number, reversesEventId: null };
  const consumption = consume.length || labour.gt(0)
    ? await writeEvent(trx, actor, { ...head, kind: 'job_consumption', reason: why, contra: 'wip', otherPostings: labour.gt(0) ? [{ role: 'labour_applied', amount: labour.neg() }] : [] }, consume)
    : null;
  const scrapped = scrap.length ? await writeEvent(trx, actor, { ...head, kind: 'issue', reason: `scrapped at ${why}`, contra: 'scrap' }, scrap) : null;

  const wip = amountOn(consumption?.journal ?? null, 'wip');
  const scrapCost = amountOn(scrapped?.journal ?? null, 'scrap');
  for (const e of [consumption, scrapped]) {
    if (e) await trx('job_events').insert({ tenant_id: actor.tenantId, job_id: job.id, event_id: e.id, kind: 'step', step: at.step, quantity: str(at.units), labour_minutes: e === consumption ? str(at.labourMinutes) : '0', user_id: actor.userId ?? null });
  }
  await trx.raw(
    `update job_lines l set consumed_qty = l.consumed_qty + v.qty, scrapped_qty = l.scrapped_qty + v.scrapped, allocated_qty = ${ALLOCATED_SQL}
       from json_to_recordset(?::json) as v(id uuid, qty numeric, scrapped numeric) where l.tenant_id = ? and l.id = v.id`,
    [JSON.stringify(uses.map((u) => ({ id: u.line.id, qty: str(u.qty), scrapped: str(u.scrapped) }))), actor.tenantId],
  );
  await trx('job_cards').where({ tenant_id: actor.tenantId, id: job.id }).update({
    material_cost: trx.raw('material_cost + ?', [str(wip.minus(labour))]),
    labour_cost: trx.raw('labour_cost + ?', [str(labour)]),
    scrap_cost: trx.raw('scrap_cost + ?', [str(scrapCost)]),
    wip_value: trx.raw('wip_value + ?', [str(wip)]),
    status: 'in_progress',
  });
  return { consumption, scrap: scrapped };
}

/** Debit less credit on one account in a journal (zero without a journal). */
export function amountOn(journal: JournalView | null, role: AccountRole): Decimal {
  if (!journal) return ZERO;
  return sum(journal.lines.filter((l) => l.role === role).map((l) => new Decimal(l.debit).minus(l.credit)));
}

/**
 * The uses of the given lines: what the units done call for (`due`), replaced line by line by
 * what the assembler reported. A reported line must belong to the lines in play.
 */
export function usesFor(lines: JobLineRow[], parts: Map<string, Part>, due: (l: JobLineRow) => Decimal, reported: LineUse[] | undefined, fieldBase: string): PlannedUse[] {
  const problems: FieldProblem[] = [];
  const byLine = new Map<string, { use: LineUse; index: number }>();
  (reported ?? []).forEach((use, index) => {
    const line = lines.find((l) => l.id === use.line) ?? lines.find((l) => parts.get(l.partId)!.sku === use.line);
    const field = `${fieldBase}.${index}`;
    if (!line) problems.push({ field: `${field}.line`, message: `${use.line} is not a component of this step` });
    else if (byLine.has(line.id)) problems.push({ field: `${field}.line`, message: `${parts.get(line.partId)!.sku} is given twice` });
    else {
      for (const [name, q] of [['quantity', use.quantity], ['scrapped', use.scrapped]] as const) {
        if (q && (!q.isFinite() || q.isNeg())) problems.push({ field: `${field}.${name}`, message: `${name} of ${parts.get(line.partId)!.sku} must be zero or more (got ${q.toFixed()})` });
        else if (q && !parts.get(line.partId)!.fractional && !q.isInteger()) problems.push({ field: `${field}.${name}`, message: `${parts.get(line.partId)!.sku} is counted in whole ${parts.get(line.partId)!.unit} (got ${q.toFixed()})` });
      }
      byLine.set(line.id, { use, index });
    }
  });
  if (problems.length) throw new Invalid(problems);
  return lines.map((line) => {
    const r = byLine.get(line.id);
    // A line the assembler did not report is named by its part: its index would clash with theirs.
    if (!r) return { line, qty: due(line), scrapped: ZERO, field: `components.${parts.get(line.partId)!.sku}` };
    return { line, qty: r.use.quantity ?? due(line), scrapped: r.use.scrapped ?? ZERO, lots: r.use.lots, serials: r.use.serials, field: `${fieldBase}.${r.index}` };
  }).filter((u) => u.qty.plus(u.scrapped).gt(0));
}
