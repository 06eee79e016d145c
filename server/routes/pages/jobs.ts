import { Router, Request, Response, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { Db } from '../../db';
import { Decimal, str } from '../../domain/decimal';
import { parseDecimalText } from '../../domain/numbers';
import { DomainError, Invalid, NotFound } from '../../errors';
import { render, isHtmx } from '../../http/render';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { formClaim, formFields } from '../../http/form-claim';
import {
  parseCreateJob, parseCompleteStep, parseCompleteJob, stepParam, FormBody as Body, text, splitSerials,
  stepDraft, completeDraft, stepBody, completeBody, StepDraft, CompleteDraft,
} from '../../http/job-input';
import { today } from '../../clock';
import { createJob } from '../../services/jobs/create-job';
import { releaseJob, reallocateJob, cancelJob } from '../../services/jobs/release';
import { completeStep } from '../../services/jobs/complete-step';
import { completeJob } from '../../services/jobs/complete-job';
import { makeChildJob } from '../../services/jobs/child-job';
import { jobView, listJobs, JobView } from '../../services/jobs/views';
import { redirect } from './auth';

// The shop-floor job pages: the board (by status) with the new-job form, and the job card, where
// an assembler releases, works steps (units stepper, labour, what was used differently, serials
// by scan) and completes the job. Each action is a plain form post that also works through htmx,
// which swaps the whole card (#job-card); unsaved work (units, serials scanned) lives in the form.

const makers = requireUser('admin', 'operations');

type CardOpts = { form?: string; step?: StepDraft; complete?: CompleteDraft; notice?: string; focus?: string; open?: boolean };
type JobLine = JobView['lines'][number];
const enc = encodeURIComponent;
const positive = (v: string | Decimal) => new Decimal(v).gt(0);

function stepModel(view: JobView, s: JobView['steps'][number], o: CardOpts) {
  const formId = `step-${s.step}`;
  const lines = view.lines.filter((l) => l.step === s.step);
  const left = Decimal.max(new Decimal(view.quantity).minus(s.completed_qty), 0);
  const mine = o.form === formId && o.step ? o.step : undefined;
  const draft = mine ?? stepDraft({}, lines);
  const used = lines.some((l) => { const u = draft.use[l.id]; return !!(u.quantity || u.scrapped || u.lot || u.serials.length); });
  return {
    ...s, formId, left: str(left), done: !left.gt(0), quantity: mine ? draft.quantity : str(left), labour_minutes: draft.labour_minutes,
    usesOpen: !!mine && (o.open || used),
    lines: lines.map((l) => {
      const u = draft.use[l.id];
      const keys = Object.fromEntries(['quantity', 'scrapped', 'lot', 'serials', 'entry'].map((k) => [k, `use.${l.id}.${k}`]));
      return { ...l, isSerial: l.tracking === 'serial', isLot: l.tracking === 'lot', use: { ...u, serialsText: u.serials.join(' '), count: u.serials.length }, keys, focus: o.focus === `entry-${l.id}` };
    }),
  };
}

/** Everything the job card shows, with the forms' unsaved state carried over. */
async function cardModel(db: Db, req: Request, view: JobView, o: CardOpts = {}) {
  const canWork = actorOf(req).role !== 'bookkeeper';
  const isOpen = view.status === 'released' || view.status === 'in_progress';
  const lines = view.lines.map((l: JobLine) => ({ ...l, isShort: positive(l.short), canChild: canWork && (isOpen || view.status === 'draft') && positive(l.short) && l.made && !l.child_job }));
  const left = Decimal.max(new Decimal(view.quantity).minus(view.completed_qty).minus(view.scrapped_qty), 0);
  const c = o.form === 'complete' && o.complete ? o.complete : completeDraft({ quantity: str(left) });
  const steps = view.steps.map((s) => stepModel(view, s, o));
  const canComplete = canWork && isOpen && left.gt(0);
  // A refusal shows in the form that was posted; when that form is gone from the card (its step
  // done, the job closed since the card was opened), at the top of the card instead.
  const onCard = o.form === 'complete' ? canComplete : !steps.some((s) => s.formId === o.form && (s.done || !canWork || !isOpen));
  return {
    title: `Job ${view.number}`, job: view, lines, isOpen, canWork, activeForm: o.form, notice: o.notice,
    problemAt: onCard ? o.form : 'header',
    statusLabel: view.status.replace('_', ' '),
    shortCount: lines.filter((l) => l.isShort).length,
    canRelease: canWork && view.status === 'draft',
    canAllocate: canWork && isOpen && lines.some((l) => l.isShort),
    canCancel: canWork && (view.status === 'draft' || view.status === 'released'),
    canComplete,
    canDispatch: canWork && view.outputs.length > 0,
    steps,
    complete: { ...c, left: str(left), serialsText: c.serials.join(' '), count: c.serials.length, isSerial: view.tracking === 'serial', isLot: view.tracking === 'lot', focus: o.focus === 'entry-output' },
    // A completion's consumption and receipt share one timestamp: show the consumption first.
    history: [...view.history].sort((x, y) => x.recorded_at.localeCompare(y.recorded_at) || (x.kind === 'completion' ? 1 : 0) - (y.kind === 'completion' ? 1 : 0)).map((h) => ({ ...h, label: h.kind === 'completion' ? 'Finished goods received' : h.step === null ? 'Consumed at completion' : `Step ${h.step}` })),
    outputs: view.outputs.map((out) => ({ ...out, trace: out.serial ? `/trace/serial/${enc(view.part)}/${enc(out.serial)}` : null })),
  };
}

const refuse = (field: string, message: string): never => { throw new Invalid([{ field, message }], message); };

function checkScans(what: string, list: string[], added: string[], field: string): void {
  if (!added.length) refuse(field, `Scan or type a serial of ${what}`);
  const long = added.find((s) => s.length > 64);
  if (long) refuse(field, `Serial ${long.slice(0, 20)}… is too long (64 characters at most)`);
  const dup = added.find((s, i) => list.includes(s) || added.indexOf(s) !== i);
  if (dup) refuse(field, `Serial ${dup} is already in the list for ${what}`);
}

/** A component serial scanned at a step: refused at once unless it is in stock and not another job's. */
async function checkComponentSerial(db: Db, tenantId: string, view: JobView, line: JobLine, list: string[], added: string[], field: string): Promise<void> {
  checkScans(line.part, list, added, field);
  const inStock = await db('serials as s').join('parts as p', function () { this.on('p.tenant_id', 's.tenant_id').andOn('p.id', 's.part_id'); })
    .where({ 's.tenant_id': tenantId, 'p.sku': line.part, 's.status': 'in_stock' }).whereIn('s.serial', added).pluck('s.serial');
  const missing = added.find((s) => !inStock.includes(s));
  if (missing) refuse(field, `Serial ${missing} of ${line.part} is not in stock`);
  const theirs = await db('job_allocations as a').join('job_cards as j', function () { this.on('j.tenant_id', 'a.tenant_id').andOn('j.id', 'a.job_id'); })
    .join('parts as p', function () { this.on('p.tenant_id', 'a.tenant_id').andOn('p.id', 'a.part_id'); })
    .where({ 'a.tenant_id': tenantId, 'p.sku': line.part }).whereIn('a.serial', added).whereNot('a.job_id', view.id).first('a.serial', 'j.number');
  if (theirs) refuse(field, `Serial ${theirs.serial} of ${line.part} is allocated to job ${theirs.number}; use one allocated to ${view.number} or a free one`);
}

/** A finished unit's new serial: one per unit left to make, and not one already in stock. */
async function checkOutputSerial(db: Db, tenantId: string, view: JobView, list: string[], added: string[], left: Decimal): Promise<void> {
  checkScans(view.part, list, added, 'serial_entry');
  if (left.lt(list.length + added.length)) refuse('serial_entry', `Only ${left.toFixed()} ${view.part} ${left.eq(1) ? 'is' : 'are'} left to complete on ${view.number}`);
  const taken = await db('serials as s').join('parts as p', function () { this.on('p.tenant_id', 's.tenant_id').andOn('p.id', 's.part_id'); })
    .where({ 's.tenant_id': tenantId, 'p.sku': view.part, 's.status': 'in_stock' }).whereIn('s.serial', added).first('s.serial');
  if (taken) refuse('serial_entry', `Serial ${taken.serial} of ${view.part} is already in stock`);
}

async function loadJob(db: Db, req: Request): Promise<JobView> {
  return jobView(db, actorOf(req).tenantId, String(req.params.number));
}

/** The card again: the fragment for htmx, the page otherwise. */
async function showCard(db: Db, req: Request, res: Response, view: JobView, opts: CardOpts = {}): Promise<void> {
  render(req, res, 'pages/jobs/show', await cardModel(db, req, view, opts), { fragment: 'jobs/card' });
}

/** After a change: htmx gets the new card with a notice; a plain post goes back to the card (303). */
async function changed(db: Db, req: Request, res: Response, number: string, notice: string): Promise<void> {
  if (!isHtmx(req)) return void res.redirect(303, `/jobs/${encodeURIComponent(number)}`);
  await showCard(db, req, res, await jobView(db, actorOf(req).tenantId, number), { notice });
}

/** Where a refused action shows: the card, with the problem in the form that was posted. */
async function errorsAt(db: Db, req: Request, res: Response, view: JobView, opts: CardOpts): Promise<void> {
  res.locals.form = { view: isHtmx(req) ? 'partials/jobs/card' : 'pages/jobs/show', data: await cardModel(db, req, view, opts) };
}

/** A refused scan saved nothing to begin with: its message says so without "Nothing was saved". */
function scanning(res: Response): void {
  (res.locals.form as { data: Record<string, unknown> }).data.scan = true;
}

/**
 * The services name a step's lines as lines.<n> in the order given; the form sends every line of
 * the step in the card's order, so lines.<n> is the n-th line and its inputs are use.<line id>.
 */
function atLines<T>(lineIds: string[], work: () => Promise<T>): Promise<T> {
  const rename = (field: string) => field.replace(/^lines\.(\d+)\.(\w+)/, (m, i: string, name: string) => (lineIds[Number(i)] ? `use.${lineIds[Number(i)]}.${name === 'lots' ? 'lot' : name}` : m));
  return work().catch((err) => {
    if (err instanceof ZodError) {
      const fields = err.issues.map((i) => ({ field: rename(i.path.join('.') || 'body'), message: i.message }));
      throw new Invalid(fields, fields.map((f) => `${f.field.startsWith('use.') ? f.field.split('.').pop() : f.field}: ${f.message}`).join('; '));
    }
    if (err instanceof DomainError && err.fields.length) throw new DomainError(err.code, err.status, err.message, err.fields.map((f) => ({ ...f, field: rename(f.field) })));
    throw err;
  });
}

/** The form's button: do=complete, more, less, add:<line>, remove:<line>:<serial>; Enter (the hidden first button) is "enter". */
function doOf(b: Body): { verb: string; target: string; value: string } {
  const [verb, target = '', ...rest] = (text(b.do) || 'enter').split(':');
  return { verb, target, value: rest.join(':') };
}

const orZero = (v: string): Decimal => {
  const p = parseDecimalText(v);
  return p.ok ? p.value : new Decimal(0);
};
/** The − / + of a units stepper: never below `min`, never above what is left. */
const stepped = (v: string, up: boolean, min: number, max: Decimal): string => str(Decimal.min(Decimal.max(orZero(v).plus(up ? 1 : -1), min), Decimal.max(max, min)));

function stepAction(db: Db): RequestHandler {
  return async (req, res) => {
    const view = await loadJob(db, req);
    const parsed = stepParam.safeParse(req.params.step);
    const s = parsed.success ? view.steps.find((x) => x.step === parsed.data) : undefined;
    if (!s) throw new NotFound(`Step ${String(req.params.step)} of job`, view.number);
    const lines = view.lines.filter((l) => l.step === s.step);
    const body = formFields(req) as Body;
    const draft: StepDraft = stepDraft(body, lines);
    const form = `step-${s.step}`;
    await errorsAt(db, req, res, view, { form, step: draft });
    let { verb, target, value } = doOf(body);
    if (verb === 'enter') {
      const scanned = lines.find((l) => draft.use[l.id].entry);
      [verb, target] = scanned ? ['add', scanned.id] : ['complete', ''];
    }
    const left = new Decimal(view.quantity).minus(s.completed_qty);
    if (verb === 'more' || verb === 'less') draft.quantity = stepped(draft.quantity, verb === 'more', 1, left);
    else if (verb === 'add' || verb === 'remove') {
      const line = lines.find((l) => l.id === target);
      if (!line) throw new NotFound('Line of step', target);
      const use = draft.use[line.id];
      if (verb === 'remove') use.serials = use.serials.filter((x) => x !== value);
      else {
        const added = splitSerials(use.entry);
        scanning(res);
        await checkComponentSerial(db, actorOf(req).tenantId, view, line, use.serials, added, `use.${line.id}.entry`);
        use.serials.push(...added);
        use.entry = '';
      }
      return showCard(db, req, res, view, { form, step: draft, focus: `entry-${line.id}`, open: true });
    } else {
      const ids = lines.map((l) => l.id);
      const result = await atLines(ids, async () => completeStep(db, actorOf(req), view.id, parseCompleteStep(s.step, stepBody(draft, lines), today()), formClaim(req).claim));
      const scrap = result.body.scrap ? '; scrap recorded' : '';
      return changed(db, req, res, view.number, `Step ${s.step} done for ${result.body.job.steps.find((x) => x.step === s.step)?.completed_qty ?? ''} of ${view.quantity}${scrap}`);
    }
    return showCard(db, req, res, view, { form, step: draft });
  };
}

function completeAction(db: Db): RequestHandler {
  return async (req, res) => {
    const view = await loadJob(db, req);
    const body = formFields(req) as Body;
    const draft: CompleteDraft = completeDraft(body);
    await errorsAt(db, req, res, view, { form: 'complete', complete: draft });
    let { verb, value } = doOf(body);
    if (verb === 'enter') verb = draft.entry ? 'add' : 'complete';
    const left = new Decimal(view.quantity).minus(view.completed_qty).minus(view.scrapped_qty);
    if (verb === 'more' || verb === 'less') draft.quantity = stepped(draft.quantity, verb === 'more', 0, left);
    else if (verb === 'remove') draft.serials = draft.serials.filter((x) => x !== value);
    else if (verb === 'add') {
      const added = splitSerials(draft.entry);
      scanning(res);
      await checkOutputSerial(db, actorOf(req).tenantId, view, draft.serials, added, left);
      draft.serials.push(...added);
      draft.entry = '';
      return showCard(db, req, res, view, { form: 'complete', complete: draft, focus: 'entry-output' });
    } else {
      const result = await completeJob(db, actorOf(req), view.id, parseCompleteJob(completeBody(draft), today()), formClaim(req).claim);
      const j = result.body.job;
      return changed(db, req, res, view.number, j.status === 'completed' ? `Job ${j.number} completed: ${j.completed_qty} ${j.part} received into finished goods` : `${j.completed_qty} of ${j.quantity} ${j.part} received so far`);
    }
    return showCard(db, req, res, view, { form: 'complete', complete: draft });
  };
}

/** Release, allocate again, cancel: one button each in the card's header. */
function headerAction(db: Db, act: (req: Request, view: JobView) => Promise<string>): RequestHandler {
  return async (req, res) => {
    const view = await loadJob(db, req);
    await errorsAt(db, req, res, view, { form: 'header' });
    const notice = await act(req, view);
    await changed(db, req, res, view.number, notice);
  };
}

async function boardModel(db: Db, req: Request, values: Body = {}) {
  const tenantId = actorOf(req).tenantId;
  const q = text(req.query.q);
  const jobs = await listJobs(db, tenantId, { status: ['draft', 'released', 'in_progress', 'completed'], q: q || undefined });
  const made = await db('parts as p').where('p.tenant_id', tenantId).whereExists((w) => w.select(db.raw('1')).from('bom_lines as b').whereRaw('b.tenant_id = p.tenant_id and b.parent_part_id = p.id'))
    .orderBy('p.sku').select('p.sku', 'p.name');
  const column = (status: string, title: string) => ({ status, title, jobs: jobs.filter((j) => j.status === status).map((j) => ({ ...j, late: j.due_on < today() && j.status !== 'completed' })) });
  const columns = [column('draft', 'Draft'), column('released', 'Released'), column('in_progress', 'In progress'), column('completed', 'Completed')];
  // The latest completions only: the board is for work still to do.
  columns[3].jobs = columns[3].jobs.slice(-30).reverse();
  return { title: 'Jobs', q, columns, made, canWork: actorOf(req).role !== 'bookkeeper', values: { due_on: defaultDue(), ...values } };
}

function defaultDue(): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 14);
  return d.toISOString().slice(0, 10);
}

export function jobPages(db: Db): Router {
  const r = Router();
  r.get('/jobs', requireUser(), async (req, res) => {
    render(req, res, 'pages/jobs/index', await boardModel(db, req));
  });
  r.post('/jobs', makers, async (req, res) => {
    const { claim, fields } = formClaim(req);
    res.locals.form = { view: 'pages/jobs/index', data: { ...(await boardModel(db, req)), newOpen: true } };
    const result = await createJob(db, actorOf(req), parseCreateJob({ ...fields, release: fields.release === 'on' }), claim);
    redirect(req, res, `/jobs/${encodeURIComponent(result.body.number)}`);
  });
  r.get('/jobs/:number', requireUser(), async (req, res) => {
    await showCard(db, req, res, await loadJob(db, req));
  });
  r.post('/jobs/:number/release', makers, headerAction(db, async (req, view) => {
    const j = (await releaseJob(db, actorOf(req), view.id, formClaim(req).claim)).body;
    const short = j.lines.filter((l) => new Decimal(l.short).gt(0)).length;
    return `Released: components allocated${short ? `; ${short} line${short === 1 ? ' is' : 's are'} short` : ''}`;
  }));
  r.post('/jobs/:number/allocate', makers, headerAction(db, async (req, view) => {
    const j = await reallocateJob(db, actorOf(req), view.id);
    const short = j.lines.filter((l) => new Decimal(l.short).gt(0)).length;
    return short ? `Allocated what is available; ${short} line${short === 1 ? ' is' : 's are'} still short` : 'Allocated: nothing is short now';
  }));
  r.post('/jobs/:number/cancel', makers, headerAction(db, async (req, view) => {
    await cancelJob(db, actorOf(req), view.id);
    return `Job ${view.number} cancelled: its allocations are available again`;
  }));
  r.post('/jobs/:number/lines/:lineId/child-job', makers, headerAction(db, async (req, view) => {
    const child = (await makeChildJob(db, actorOf(req), view.id, String(req.params.lineId), formClaim(req).claim)).body;
    return `Child job ${child.number} made and released for ${child.quantity} ${child.part}`;
  }));
  r.post('/jobs/:number/steps/:step', makers, stepAction(db));
  r.post('/jobs/:number/complete', makers, completeAction(db));
  return r;
}
