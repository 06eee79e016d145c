import { QTY_DP, COST_DP } from '../domain/decimal';
import { OpenApiKit } from './openapi-purchasing';
import { JOB_STATUSES } from './job-input';

// The job cards and dispatch part of the OpenAPI document (see openapi.ts, which lends its schema
// helpers and merges these in).

type Schema = { [key: string]: unknown };
type Role = 'admin' | 'operations' | 'bookkeeper';

const TRACKING = ['none', 'lot', 'serial'] as const;

export function jobsDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, bool, oneOf, list, date, uuid, code, record, input, decimalIn, decimalOut, money, param, operation } = k;
  const quantityIn = (what: string) => decimalIn(`${what}, greater than zero`, QTY_DP);
  const usedIn = (what: string) => decimalIn(`${what}, zero or more`, QTY_DP);
  const priceIn = (what: string) => decimalIn(`${what}, in the base currency, zero or more`, COST_DP);
  const occurredOn = date('Business date of the stock events; today (UTC) when left out. Must be after the lock date.');
  const serialsIn = (what: string) => list(text(undefined, { minLength: 1, maxLength: 64 }), { maxItems: 10000, description: `${what} (a string split on spaces, commas or semicolons is also accepted)` });
  const jobRef = record({ id: uuid(), number: text('J-00001...') });
  const marginOut = nullable(record({ revenue: money('Revenue'), cost: money('Cost'), amount: money('Revenue less cost'), pct: nullable(decimalOut('Margin as a percentage of revenue, one place')) }));
  const lineUse = input({
    line: code('The job line: its id, or the component\'s SKU'),
    quantity: usedIn('Consumed into the job (default: what the units completed call for)'),
    scrapped: usedIn('Broken or lost beyond attrition: abnormal loss, not job cost (default 0)'),
    lots: list(input({ lot: code('Batch code'), quantity: quantityIn('Quantity from this batch') }, ['lot', 'quantity']), { maxItems: 100, description: 'Lot-tracked components: the batches used, adding up to quantity + scrapped (default: the batches allocated)' }),
    serials: serialsIn('Serial-tracked components: one per unit consumed and scrapped (default: the serials allocated to the job)'),
  }, ['line']);
  const lineUses = list(lineUse, { maxItems: 2000, description: 'Only the lines used differently from the BOM; the others are consumed as planned' });

  const schemas: Record<string, Schema> = {
    JobInput: input({
      part: code('SKU of the assembly to make: it must have a bill of materials'),
      quantity: quantityIn('Units to make (whole units for parts made whole or serial-tracked)'),
      location: code('Location code where it is made and its components are allocated (default: the part\'s default location, else where most components are available)'),
      customer: text('Customer it is made for (left out: for stock)', { maxLength: 200 }),
      due_on: date('Due date'),
      priority: int('1 (most urgent) to 5 (default 3)', { minimum: 1, maximum: 5 }),
      sale_price: priceIn('Sale price per unit, for the planned margin'),
      labour_rate: priceIn('Labour rate per hour: labour minutes recorded on steps add to job cost at this rate'),
      notes: text(undefined, { maxLength: 2000 }),
      include_optional: bool('Include the BOM\'s optional lines (default false)'),
      release: bool('Release at once: components are allocated (default false: a draft)'),
    }, ['part', 'quantity', 'due_on']),
    JobLineUse: lineUse,
    CompleteStepInput: input({
      quantity: quantityIn('Units of the assembly the step was done for'),
      lines: lineUses,
      labour_minutes: usedIn('Labour minutes, at the job\'s labour rate'),
      occurred_on: occurredOn,
    }, ['quantity']),
    CompleteJobInput: input({
      quantity: usedIn('Good units made (default: the job quantity less units already done and scrapped)'),
      scrapped_units: usedIn('Units failed at completion: their share of cost goes to abnormal loss (default 0)'),
      serials: serialsIn('Serial-tracked assemblies: one new serial per good unit'),
      lot: text('Lot-tracked assemblies: the batch code (default the job number)', { maxLength: 64 }),
      lines: lineUses,
      labour_minutes: usedIn('Labour minutes, at the job\'s labour rate'),
      finish: bool('Finished short of the job quantity: no more units will be made, so work in progress empties and allocation is freed'),
      occurred_on: occurredOn,
    }),
    JobSummary: record({
      id: uuid(), number: text(), status: oneOf(JOB_STATUSES), part: text('SKU of the assembly'), part_name: text(),
      quantity: decimalOut('Units to make'), completed_qty: decimalOut('Good units made so far'), customer: nullable(text()), due_on: date(),
      priority: int('1 (most urgent) to 5'), child: bool('A child job, making a sub-assembly for another job'),
      short_lines: int('Component lines not covered by consumption and allocation (open jobs only)'),
    }),
    Job: record({
      id: uuid(), number: text(), status: oneOf(JOB_STATUSES), part: text('SKU of the assembly'), part_name: text(), tracking: oneOf(TRACKING),
      quantity: decimalOut('Units to make'), location: text('Location code'), customer: nullable(text()), due_on: date(), priority: int(),
      parent_job: nullable(jobRef), top_job: jobRef, completed_qty: decimalOut('Good units made'), scrapped_qty: decimalOut('Units scrapped at completion'),
      lines: list(record({
        id: uuid(), position: int(), part: text('Component SKU'), part_name: text(), tracking: oneOf(TRACKING), unit: text(), step: nullable(int('The step that consumes it')),
        qty_per: decimalOut('Per unit of the assembly'), attrition_pct: decimalOut('Attrition %'), required: decimalOut('For the whole job, with attrition'),
        allocated: decimalOut('Committed to the job, not yet consumed'), consumed: decimalOut('Into work in progress'), scrapped: decimalOut('Scrapped (abnormal loss)'),
        short: decimalOut('Required less consumed and allocated: what stock could not cover'), optional: bool(), note: text('Reference designators...'),
        made: bool('The component has a BOM of its own: a shortage can become a child job'),
        child_job: nullable(record({ id: uuid(), number: text(), status: oneOf(JOB_STATUSES) })),
        allocations: list(record({ lot: nullable(text()), serial: nullable(text()), quantity: decimalOut('Allocated') })),
      })),
      steps: list(record({ step: int(), name: text(), completed_qty: decimalOut('Units the step is done for'), labour_minutes: decimalOut('Minutes recorded') })),
      children: list(record({ id: uuid(), number: text(), part: text(), quantity: decimalOut('Units'), status: oneOf(JOB_STATUSES) })),
      outputs: list(record({ serial: nullable(text()), lot: nullable(text()), quantity: decimalOut('Units') }), { description: 'Finished goods received: one row per serial, or per lot' }),
      costs: record({
        material: money('Material consumed'), labour: money('Labour recorded'), scrap: money('Abnormal loss'), wip: money('Work in progress now'),
        finished_value: money('Received into finished goods'), unit_cost: nullable(decimalOut('Finished value per good unit')),
        sale_price: nullable(decimalOut('Per unit')), labour_rate: nullable(decimalOut('Per hour')),
        planned_margin: marginOut, actual_margin: marginOut,
      }),
      dispatches: list(record({ number: text(), customer: text(), occurred_on: date(), quantity: decimalOut('Units'), unit_price: nullable(decimalOut('Per unit')), cost: money('Cost of goods sold') })),
      history: list(record({
        event_id: uuid('The stock event'), kind: oneOf(['step', 'completion']), step: nullable(int()), quantity: decimalOut('Units of the assembly'),
        labour_minutes: decimalOut('Minutes'), recorded_at: text(undefined, { format: 'date-time' }), user: nullable(text('Who (email); null for an API key')),
      }), { description: 'Oldest first' }),
    }),
    StepResult: record({ job: ref('Job'), consumption: nullable(ref('Event')), scrap: nullable(ref('Event')) }),
    CompletionResult: record({ job: ref('Job'), consumption: nullable(ref('Event')), scrap: nullable(ref('Event')), completion: ref('Event') }),
    DispatchInput: input({
      customer: code('Customer the goods go to', 200),
      reference: text('Their order number...', { maxLength: 100 }),
      occurred_on: occurredOn,
      location: code('Location code to ship from (default: the serials\' location, else where most is available)'),
      lines: list(input({
        part: code('Part SKU'),
        quantity: quantityIn('Units shipped'),
        serials: serialsIn('Serial-tracked goods: one per unit'),
        lot: text('Lot-tracked goods: the batch', { maxLength: 64 }),
        job: text('The job that made them (default: found from the serials)', { maxLength: 40 }),
        unit_price: priceIn('Selling price per unit: makes the job\'s margin actual'),
      }, ['part', 'quantity']), { minItems: 1, maxItems: 1000 }),
    }, ['customer', 'lines']),
    Dispatch: record({
      id: uuid(), number: text('D-00001...'), customer: text(), reference: text(), occurred_on: date(), event_id: uuid('The dispatch stock event (Dr COGS, Cr finished goods)'),
      journal: nullable(record({ id: uuid(), number: int() })), cost: money('Cost of goods sold'),
      lines: list(record({ part: text(), job: nullable(text('Job number')), quantity: decimalOut('Units'), unit_price: nullable(decimalOut('Per unit')), cost: money('Cost of goods sold'), serials: list(text()) })),
    }),
    DispatchSummary: record({
      id: uuid(), number: text(), customer: text(), reference: text(), occurred_on: date(), event_id: uuid(),
      units: decimalOut('Units shipped'), cost: money('Cost of goods sold'), parts: list(text('SKU')), jobs: list(text('Job number')),
    }),
  };

  const WRITERS: Role[] = ['admin', 'operations'];
  const id = param('id', 'path', text(undefined, { minLength: 1 }), 'Job card id or number (J-00001)');
  const job = (opId: string, summary: string, description: string, extra: { body?: Schema; optionalBody?: boolean; errors?: number[]; ok?: { description: string; schema: Schema }; params?: Schema[] } = {}) => ({
    post: operation({
      id: opId, tag: 'Jobs', summary, description, roles: WRITERS, params: [id, ...(extra.params ?? [])], body: extra.body, optionalBody: extra.optionalBody, idempotent: true,
      errors: [404, 409, 422, ...(extra.errors ?? [])], ok: { status: 201, ...(extra.ok ?? { description: 'The job card after it', schema: ref('Job') }) },
    }),
  });
  const paths: Record<string, Schema> = {
    '/jobs': {
      get: operation({
        id: 'listJobs', tag: 'Jobs', summary: 'The job board', errors: [422],
        params: [
          param('status', 'query', oneOf(['open', 'all', ...JOB_STATUSES]), 'open (draft, released and in progress: the default), all, or one status'),
          param('q', 'query', text(undefined, { maxLength: 100 }), 'Job number, assembly SKU or customer contains'),
        ],
        ok: { status: 200, description: 'Earliest due first (500 at most)', schema: record({ jobs: list(ref('JobSummary')) }) },
      }),
      post: operation({
        id: 'createJob', tag: 'Jobs', summary: 'Create a job card', roles: WRITERS, body: ref('JobInput'), idempotent: true, errors: [409],
        description: 'The job copies the assembly\'s BOM (direct lines; sub-assemblies come from stock or child jobs) and takes its steps from the BOM\'s step numbers. 422 at part when the part has no BOM. With release: true its components are allocated at once.',
        ok: { status: 201, description: 'The new job card', schema: ref('Job') },
      }),
    },
    '/jobs/{id}': { get: operation({ id: 'getJob', tag: 'Jobs', summary: 'A job card: components, steps, cost and margin, history', params: [id], errors: [404], ok: { status: 200, description: 'The job card', schema: ref('Job') } }) },
    '/jobs/{id}/release': job('releaseJob', 'Release a draft job', 'Every component line is allocated from available stock at the job\'s location (available drops, on hand does not); what cannot be allocated is the line\'s shortage. 409 unless the job is a draft.'),
    '/jobs/{id}/allocate': job('allocateJob', 'Allocate again what an open job lacks', 'After stock has arrived: each short line takes what is now available. 409 unless the job is released or in progress.'),
    '/jobs/{id}/cancel': job('cancelJob', 'Cancel a job', 'Its allocations go back to available. 409 once anything has been consumed into it (complete it instead, recording the scrap).'),
    '/jobs/{id}/steps/{step}/complete': job('completeJobStep', 'Complete a step for some units',
      'The step\'s lines are consumed for the units (as the BOM says, or as given in lines): Dr WIP, Cr raw materials; anything scrapped goes to scrap in its own event. Labour minutes add to job cost. 409 for a draft job (release it first); 422 at quantity for more units than the job is for, at lines.N.serials for a serial allocated to another job.',
      { params: [param('step', 'path', int('The BOM\'s step number'), 'Step number')], body: ref('CompleteStepInput'), ok: { description: 'The job card and the events recorded', schema: ref('StepResult') } }),
    '/jobs/{id}/complete': job('completeJob', 'Complete the job',
      'Whatever the units made still call for is consumed, the finished goods are received at the job\'s accumulated cost (Dr finished goods, Cr WIP; one serial per unit for serial-tracked assemblies) and allocation left over is freed. Units scrapped at completion take their share of cost to abnormal loss. The body may be left out: the remaining units, made good.',
      { body: ref('CompleteJobInput'), optionalBody: true, ok: { description: 'The job card and the events recorded', schema: ref('CompletionResult') } }),
    '/jobs/{id}/lines/{lineId}/child-job': job('makeChildJob', 'Make a short sub-assembly as a child job',
      'A child job card for what the line still lacks (less what open child jobs already make), due with its parent and released at once; its output is allocated to this line when it completes. 409 when the line is not short; 422 when the component has no BOM.',
      { params: [param('lineId', 'path', uuid(), 'The job line')], ok: { description: 'The child job card', schema: ref('Job') } }),
    '/dispatches': {
      get: operation({
        id: 'listDispatches', tag: 'Dispatch', summary: 'Dispatches to customers', errors: [422],
        params: [param('q', 'query', text(undefined, { maxLength: 100 }), 'Dispatch number, customer or reference contains')],
        ok: { status: 200, description: 'Newest first (200 at most)', schema: record({ dispatches: list(ref('DispatchSummary')) }) },
      }),
      post: operation({
        id: 'dispatchGoods', tag: 'Dispatch', summary: 'Ship goods to a customer', roles: WRITERS, body: ref('DispatchInput'), idempotent: true, errors: [404, 409],
        description: 'The goods leave stock at cost (Dr cost of goods sold, Cr finished goods), by serial for serial-tracked goods. Each line is tied to the job that made it (named, or found from the serials), so the job\'s margin becomes actual.',
        ok: { status: 201, description: 'The dispatch', schema: ref('Dispatch') },
      }),
    },
    '/dispatches/{number}': {
      get: operation({ id: 'getDispatch', tag: 'Dispatch', summary: 'A dispatch', params: [param('number', 'path', text(), 'Dispatch number (D-00001)')], errors: [404], ok: { status: 200, description: 'The dispatch', schema: ref('Dispatch') } }),
    },
  };
  return {
    schemas,
    paths,
    tags: [
      { name: 'Jobs', description: 'Job cards: allocation on release, steps and completion into work in progress and finished goods, child jobs' },
      { name: 'Dispatch', description: 'Finished goods shipped to customers' },
    ],
  };
}
