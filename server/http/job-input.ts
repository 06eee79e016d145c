import { z } from 'zod';
import { Decimal, QTY_DP } from '../domain/decimal';
import { Invalid } from '../errors';
import { parseDecimalText, MAX_QUANTITY, Parsed } from '../domain/numbers';
import { quantity, optionalUnitCost, isoDate, code, lot, serials, optionalText, text as textField } from './schemas';
import { CreateJobInput, CompleteStepInput, CompleteJobInput, DispatchInput, LineUse } from '../services/jobs/types';
import { JobStatus } from '../services/jobs/job-rows';

// Input schemas for job cards and dispatches, shared by the JSON API and the job pages' forms.
// Quantities arrive as decimal strings (or JSON numbers up to 15 significant digits), as in
// purchasing-input.ts; business dates default to today, which the caller passes in.

/** Zero or more, at most QTY_DP places: what an assembler used of a line may be nothing at all. */
function parseUsed(raw: unknown): Parsed {
  const p = parseDecimalText(raw);
  if (!p.ok) return p;
  if (p.value.isNeg()) return { ok: false, reason: 'must not be negative' };
  if (p.value.gt(MAX_QUANTITY)) return { ok: false, reason: `is too large (at most ${MAX_QUANTITY.toFixed()})` };
  if (p.value.decimalPlaces() > QTY_DP) return { ok: false, reason: `has too many decimal places (at most ${QTY_DP})` };
  return p;
}

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalUsed = z.preprocess(blankToUndefined, z.unknown().optional()).transform((v, ctx): Decimal | undefined => {
  if (v === undefined) return undefined;
  const p = parseUsed(v);
  if (!p.ok) {
    ctx.addIssue({ code: 'custom', message: p.reason });
    return z.NEVER;
  }
  return p.value;
});
const flag = z.preprocess((v) => (v === 'on' || v === 'true' || v === true ? true : v === 'false' || v === '' || v === false || v === undefined ? false : v), z.boolean()).optional();
const optionalDate = z.preprocess(blankToUndefined, isoDate.optional());
const priority = z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
  z.number().int('must be a whole number from 1 to 5').min(1, 'must be 1 (most urgent) to 5').max(5, 'must be 1 (most urgent) to 5').optional());

export const JOB_STATUSES = ['draft', 'released', 'in_progress', 'completed', 'closed', 'cancelled'] as const;
export const jobQuery = z.object({
  status: z.preprocess(blankToUndefined, z.enum(['open', 'all', ...JOB_STATUSES]).optional()),
  q: optionalText(100),
});

/** ?status=open (the default): draft, released and in progress; all: every job. */
export function parseJobQuery(query: unknown): { status?: JobStatus[]; q?: string } {
  const { status = 'open', q } = jobQuery.parse(query);
  const statuses: JobStatus[] | undefined = status === 'all' ? undefined : status === 'open' ? ['draft', 'released', 'in_progress'] : [status];
  return { status: statuses, q };
}

export const createJobBody = z.object({
  part: code('part'),
  quantity,
  location: optionalText(64),
  customer: optionalText(200),
  due_on: isoDate,
  priority,
  sale_price: optionalUnitCost,
  labour_rate: optionalUnitCost,
  notes: optionalText(2000),
  include_optional: flag,
  release: flag,
}).strict();

export function parseCreateJob(body: unknown): CreateJobInput {
  const b = createJobBody.parse(body);
  return {
    part: b.part, quantity: b.quantity, location: b.location, customer: b.customer ?? null, dueOn: b.due_on, priority: b.priority,
    salePrice: b.sale_price ?? null, labourRate: b.labour_rate ?? null, notes: b.notes, includeOptional: b.include_optional, release: b.release,
  };
}

const lineUse = z.object({
  line: code('line'),
  quantity: optionalUsed,
  scrapped: optionalUsed,
  lots: z.array(z.object({ lot: code('lot'), quantity }).strict()).max(100).optional(),
  serials,
}).strict();
const lineUses = z.array(lineUse).max(2000).optional();

const toUses = (lines: z.infer<typeof lineUse>[] | undefined): LineUse[] | undefined =>
  lines?.map((l) => ({ line: l.line, quantity: l.quantity, scrapped: l.scrapped, lots: l.lots, serials: l.serials }));

export const completeStepBody = z.object({
  quantity,
  lines: lineUses,
  labour_minutes: optionalUsed,
  occurred_on: optionalDate,
}).strict();

export function parseCompleteStep(step: number, body: unknown, today: string): CompleteStepInput {
  const b = completeStepBody.parse(body);
  return { step, quantity: b.quantity, lines: toUses(b.lines), labourMinutes: b.labour_minutes, occurredOn: b.occurred_on ?? today };
}

export const completeJobBody = z.object({
  quantity: optionalUsed,
  scrapped_units: optionalUsed,
  serials,
  lot,
  lines: lineUses,
  labour_minutes: optionalUsed,
  finish: flag,
  occurred_on: optionalDate,
}).strict();

export function parseCompleteJob(body: unknown, today: string): CompleteJobInput {
  const b = completeJobBody.parse(body ?? {});
  return {
    quantity: b.quantity, scrappedUnits: b.scrapped_units, serials: b.serials, lot: b.lot, lines: toUses(b.lines),
    labourMinutes: b.labour_minutes, finish: b.finish, occurredOn: b.occurred_on ?? today,
  };
}

/** A step number in a URL: anything but a whole number names no step (422 at "step"). */
export const stepParam = z.preprocess((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v), z.number({ message: 'must be a step number like 10' }).int());

const dispatchLine = z.object({
  part: code('part'),
  quantity,
  serials,
  lot,
  job: optionalText(40),
  unit_price: optionalUnitCost,
}).strict();

export const dispatchBody = z.object({
  customer: textField().trim().min(1, 'customer is required').max(200, 'customer is too long (200 characters at most)'),
  reference: optionalText(100),
  occurred_on: optionalDate,
  location: optionalText(64),
  lines: z.array(dispatchLine).min(1, 'give at least one line').max(1000),
}).strict();

export function parseDispatch(body: unknown, today: string): DispatchInput {
  const b = dispatchBody.parse(body);
  return {
    customer: b.customer, reference: b.reference, occurredOn: b.occurred_on ?? today, location: b.location,
    lines: b.lines.map((l) => ({ part: l.part, quantity: l.quantity, serials: l.serials, lot: l.lot, job: l.job, unitPrice: l.unit_price ?? null })),
  };
}

// ---- the job card's forms: what the assembler has typed and scanned so far, and the API body it makes ----

export type FormBody = Record<string, unknown>;
export const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
export const splitSerials = (s: string): string[] => s.split(/[\s,;]+/).filter(Boolean);

/** One line's "used differently" inputs, posted as use[<line id>][quantity|scrapped|lot|serials|entry]. */
export type UseDraft = { quantity: string; scrapped: string; lot: string; serials: string[]; entry: string };
export type StepDraft = { quantity: string; labour_minutes: string; use: Record<string, UseDraft> };
export type CompleteDraft = { quantity: string; scrapped_units: string; labour_minutes: string; lot: string; finish: boolean; serials: string[]; entry: string };

export function stepDraft(b: FormBody, lines: { id: string }[]): StepDraft {
  const use = b.use && typeof b.use === 'object' ? (b.use as Record<string, FormBody>) : {};
  return {
    quantity: text(b.quantity),
    labour_minutes: text(b.labour_minutes),
    use: Object.fromEntries(lines.map((l) => {
      const u = use[l.id] && typeof use[l.id] === 'object' ? use[l.id] : {};
      return [l.id, { quantity: text(u.quantity), scrapped: text(u.scrapped), lot: text(u.lot), serials: splitSerials(text(u.serials)), entry: text(u.entry) }];
    })),
  };
}

export function completeDraft(b: FormBody): CompleteDraft {
  return {
    quantity: text(b.quantity), scrapped_units: text(b.scrapped_units), labour_minutes: text(b.labour_minutes), lot: text(b.lot),
    finish: b.finish === 'on' || b.finish === 'true', serials: splitSerials(text(b.serials)), entry: text(b.serial_entry),
  };
}

/**
 * A step form as the API's body. Every line of the step is sent, in order (the services name
 * lines.<n>), each with only what the assembler changed; a named batch covers what was used.
 */
export function stepBody(d: StepDraft, lines: { id: string; part: string }[]): FormBody {
  const out = lines.map((l) => {
    const u = d.use[l.id];
    const line: FormBody = { line: l.id };
    if (u.quantity) line.quantity = u.quantity;
    if (u.scrapped) line.scrapped = u.scrapped;
    if (u.serials.length) line.serials = u.serials;
    if (u.lot) {
      const used = parseUsed(u.quantity || '');
      if (!used.ok) throw Invalid.field(`use.${l.id}.quantity`, `Enter how much ${l.part} was used from batch ${u.lot}`);
      const scrapped = parseUsed(u.scrapped || '0');
      line.lots = [{ lot: u.lot, quantity: (scrapped.ok ? used.value.plus(scrapped.value) : used.value).toFixed() }];
    }
    return line;
  });
  return { quantity: d.quantity, labour_minutes: d.labour_minutes, lines: out };
}

export function completeBody(d: CompleteDraft): FormBody {
  return { quantity: d.quantity, scrapped_units: d.scrapped_units, labour_minutes: d.labour_minutes, lot: d.lot, finish: d.finish, serials: d.serials };
}
