import { Db, Trx } from '../../db';
import { Decimal, ZERO, str } from '../../domain/decimal';
import { byParent } from '../../domain/bom';
import { cascade, LineDemand } from './cascade';
import { openLines, countOpenJobs, bomsBelow, partFigures, incomingFor, topJobs, PartFigures } from './shortage-data';

type Q = Db | Trx;

export type ShortageBlock = { job: string; top_job: string; due: string; short: string };
export type ShortPart = {
  part: string; name: string; unit: string;
  short: string; free: string; on_order: string;
  blocks: ShortageBlock[];
  covered_by: { id: string; number: string; expected_date: string | null } | null;
};
export type PartToMake = { part: string; name: string; unit: string; quantity: string; jobs: { job: string; top_job: string; due: string; quantity: string }[] };
export type TopJobSummary = {
  job: string; part: string; name: string; due: string; customer: string | null; status: string;
  blocked_by: { part: string; name: string; short: string; jobs: string[] }[];
};
export type ShortageReport = { open_jobs: number; parts: ShortPart[]; to_make: PartToMake[]; top_jobs: TopJobSummary[] };

/**
 * The shortage cascade: every open (released or in-progress) job's lines, less what is consumed,
 * allocated and coming from open child jobs, exploded through sub-assemblies (each netted against
 * its own free stock first, see cascade.ts) to bought parts, netted earliest due first against
 * free stock, with the earliest open PO that covers each shortage. Child jobs carry their top job,
 * so a shortage three levels down is named on the job that is sold. Five queries, however many jobs.
 */
export async function shortageCascade(db: Q, tenantId: string): Promise<ShortageReport> {
  const [lines, openJobs] = await Promise.all([openLines(db, tenantId), countOpenJobs(db, tenantId)]);
  const bomLines = await bomsBelow(db, tenantId, lines.map((l) => l.partId));
  const partIds = [...new Set([...lines.map((l) => l.partId), ...bomLines.flatMap((b) => [b.parent, b.component])])];
  const assemblies = new Set(bomLines.map((b) => b.parent));
  const [parts, { incoming, pos }] = await Promise.all([
    partFigures(db, tenantId, partIds),
    incomingFor(db, tenantId, partIds.filter((id) => !assemblies.has(id))),
  ]);

  const numberToId = new Map(lines.map((l) => [l.topJob, l.topJobId]));
  const dueOf = new Map(lines.map((l) => [l.job, l.due]));
  const demand: LineDemand[] = lines.map((l) => ({ job: l.job, topJob: l.topJob, due: l.due, priority: l.priority, part: l.partId, quantity: Decimal.max(l.lacks.minus(l.coming), ZERO) }));
  const result = cascade({
    demand,
    boms: byParent(bomLines),
    free: new Map([...parts.values()].map((p) => [p.id, p.free])),
    incoming,
    wholeUnits: new Set([...parts.values()].filter((p) => p.whole).map((p) => p.id)),
  });

  const part = (id: string): PartFigures => parts.get(id)!;
  const shortParts: ShortPart[] = result.shortages.map((s) => ({
    part: part(s.part).sku, name: part(s.part).name, unit: part(s.part).unit,
    short: str(s.short), free: str(Decimal.max(part(s.part).free, ZERO)), on_order: str(part(s.part).onOrder),
    blocks: s.blocks.map((b) => ({ job: b.job, top_job: b.topJob, due: dueOf.get(b.job)!, short: str(b.short) })),
    covered_by: s.coveredBy ? { id: pos.get(s.coveredBy)!.id, number: s.coveredBy, expected_date: pos.get(s.coveredBy)!.expected } : null,
  })).sort((a, b) => a.part.localeCompare(b.part));
  const toMake: PartToMake[] = result.toMake.map((m) => ({
    part: part(m.part).sku, name: part(m.part).name, unit: part(m.part).unit, quantity: str(m.quantity),
    jobs: m.jobs.map((j) => ({ job: j.job, top_job: j.topJob, due: j.due, quantity: str(j.quantity) })),
  })).sort((a, b) => a.part.localeCompare(b.part));

  const tops = await topJobs(db, tenantId, shortParts.flatMap((s) => s.blocks.map((b) => numberToId.get(b.top_job)!)));
  return { open_jobs: openJobs, parts: shortParts, to_make: toMake, top_jobs: summarise(shortParts, [...tops.values()]) };
}

/** Which top-level jobs are blocked, by what: each short part with its quantity short for that job and the jobs (the top job or its children) it holds up. */
function summarise(parts: ShortPart[], tops: { number: string; part: string; partName: string; due: string; customer: string | null; status: string }[]): TopJobSummary[] {
  const byTop = new Map<string, TopJobSummary['blocked_by']>();
  for (const p of parts) {
    const mine = new Map<string, { short: Decimal; jobs: Set<string> }>();
    for (const b of p.blocks) {
      const m = mine.get(b.top_job) ?? { short: ZERO, jobs: new Set<string>() };
      m.short = m.short.plus(b.short);
      m.jobs.add(b.job);
      mine.set(b.top_job, m);
    }
    for (const [top, m] of mine) byTop.set(top, [...(byTop.get(top) ?? []), { part: p.part, name: p.name, short: str(m.short), jobs: [...m.jobs] }]);
  }
  return tops.map((t) => ({ job: t.number, part: t.part, name: t.partName, due: t.due, customer: t.customer, status: t.status, blocked_by: byTop.get(t.number) ?? [] }))
    .sort((a, b) => a.due.localeCompare(b.due) || a.job.localeCompare(b.job));
}
