import { OpenApiKit } from './openapi-purchasing';

// The shortages and traceability part of the OpenAPI document (see openapi.ts, which lends its
// schema helpers and merges these in).

type Schema = { [key: string]: unknown };

const JOB_STATUSES = ['draft', 'released', 'in_progress', 'completed', 'closed', 'cancelled'] as const;

export function planningDoc(k: OpenApiKit): { schemas: Record<string, Schema>; paths: Record<string, Schema>; tags: { name: string; description: string }[] } {
  const { ref, nullable, text, int, oneOf, list, date, uuid, record, decimalOut, param, operation, bool } = k;
  const sku = text('Part SKU');
  const jobNumber = (what = 'Job card number') => text(what, { example: 'J-00012' });
  const timestamp = (what: string) => nullable(text(what, { format: 'date-time' }));
  const partParam = param('part', 'path', text(undefined, { minLength: 1, maxLength: 64 }), 'Part SKU (URL-encode a "/" in it as %2F)');

  const schemas: Record<string, Schema> = {
    ShortPart: record({
      part: sku, name: text(), unit: text(),
      short: decimalOut('What free stock cannot cover, over every job'),
      free: decimalOut('Free stock: on hand less allocated, all locations (not below 0)'),
      on_order: decimalOut('Still to arrive on open purchase orders'),
      blocks: list(record({ job: jobNumber('The job held up: the top-level job itself or one of its child jobs'), top_job: jobNumber('The top-level job it belongs to'), due: date('When the held-up job is due'), short: decimalOut('Short for this job') }), { description: 'Earliest due first: free stock went to the jobs due soonest' }),
      covered_by: nullable(record({ id: uuid('Purchase order id'), number: text(), expected_date: nullable(date()) })),
    }),
    PartToMake: record({
      part: sku, name: text(), unit: text(), quantity: decimalOut('Sub-assemblies free stock and open child jobs do not cover: they have to be made'),
      jobs: list(record({ job: jobNumber(), top_job: jobNumber(), due: date(), quantity: decimalOut('For this job') })),
    }),
    BlockedTopJob: record({
      job: jobNumber('The top-level job'), part: sku, name: text(), due: date(), customer: nullable(text()), status: oneOf(JOB_STATUSES),
      blocked_by: list(record({ part: sku, name: text(), short: decimalOut('Short for this top job and its child jobs'), jobs: list(jobNumber(), { description: 'The jobs of this top job it holds up' }) })),
    }),
    Shortages: record({
      open_jobs: int('Released and in-progress jobs looked at'),
      parts: list(ref('ShortPart'), { description: 'Bought parts that are short, by SKU' }),
      to_make: list(ref('PartToMake'), { description: 'Sub-assemblies with no stock and no open child job for them, by SKU' }),
      top_jobs: list(ref('BlockedTopJob'), { description: 'Top-level jobs held up by a shortage at any level, earliest due first' }),
    }),
    Build: record({
      job: record({
        number: jobNumber(), part: sku, name: text(), quantity: decimalOut('Units the job is for'), completed_qty: decimalOut('Units completed'), status: oneOf(JOB_STATUSES),
        customer: nullable(text()), due_on: date(), released_at: timestamp('When released'), completed_at: timestamp('When completed'),
        parent_job: nullable(jobNumber('The job this child job makes a sub-assembly for')), top_job: jobNumber(),
      }),
      units: list(record({ serial: nullable(text()), lot: nullable(text()), quantity: decimalOut('Quantity') }), { description: 'What the job made' }),
      events: list(record({
        kind: oneOf(['step', 'scrap', 'completion'], 'A step\'s consumption (step null: at completion), scrap, or a completion receiving finished goods'),
        step: nullable(int()), quantity: decimalOut('Units of the assembly'), user: nullable(text('Who recorded it (email)')),
        occurred_on: date(), recorded_at: text(undefined, { format: 'date-time' }), serials: list(text(), { description: 'Serials a completion received' }),
      }), { description: 'Oldest first' }),
      components: list(record({
        part: sku, name: text(), tracking: oneOf(['none', 'lot', 'serial']), quantity: decimalOut('Consumed into the job'), lot: nullable(text()), serial: nullable(text()),
        step: nullable(int('The step that consumed it; null: at completion')), consumed_on: date(),
        made_by: list(ref('Build'), { description: 'The job that made this serial or lot, with its own as-built (empty for bought or untracked parts)' }),
      }), { description: 'Everything consumed into the job, for all the units it made' }),
    }),
    AsBuilt: record({
      part: sku, name: text(), serial: text(), lot: nullable(text()),
      status: oneOf(['in_stock', 'out', 'unknown'], 'in_stock, or out (dispatched or consumed)'), location: nullable(text('Location code while in stock')),
      build: nullable(ref('Build')),
      dispatches: list(record({ number: text('Dispatch number'), customer: text(), occurred_on: date(), quantity: decimalOut('Quantity') })),
      used_in: list(record({ job: jobNumber('A higher-level job it was consumed into'), part: sku, serials: list(text(), { description: 'What that job made' }), quantity: decimalOut('Quantity') })),
    }),
    Recall: record({
      part: sku, name: text(), lot: nullable(text()), serial: nullable(text()),
      jobs: list(record({
        level: int('1: consumed the recalled item itself; 2: consumed a unit made from it; ...'), job: jobNumber(), part: sku, name: text(), status: oneOf(JOB_STATUSES), top_job: jobNumber(),
        consumed: list(record({ part: sku, lot: nullable(text()), serial: nullable(text()), quantity: decimalOut('Quantity') }), { description: 'The affected items it consumed' }),
      })),
      units: list(record({
        level: int(), job: jobNumber('The job that made it'), part: sku, name: text(), serial: nullable(text()), lot: nullable(text()), quantity: decimalOut('Quantity made'),
        tracked: bool('Has a serial or lot, so it can be followed further'), in_stock: decimalOut('Still in stock'),
        consumed_into: list(jobNumber()), dispatches: list(text('Dispatch number')),
      }), { description: 'Every unit made from the recalled item, at every level' }),
      dispatches: list(record({ level: int('0: the recalled item itself was dispatched'), number: text(), customer: text(), occurred_on: date(), part: sku, serial: nullable(text()), lot: nullable(text()), quantity: decimalOut('Quantity'), job: nullable(jobNumber('The job that made what was dispatched')) })),
      customers: list(text(), { description: 'Every customer it reached, by name' }),
    }),
  };

  const paths: Record<string, Schema> = {
    '/shortages': {
      get: operation({
        id: 'getShortages', tag: 'Shortages', summary: 'The shortage cascade over every open job',
        description: 'Every released and in-progress job\'s lines, less what is consumed, allocated and still to come from open child jobs; sub-assemblies netted against their own free stock, the rest exploded through the BOMs to bought parts; netted earliest due first against free stock (on hand - allocated, all locations), with the earliest open PO that covers each shortage. A shortage at any level names the top-level job it holds up.',
        ok: { status: 200, description: 'Short parts, sub-assemblies to make and blocked top-level jobs', schema: ref('Shortages') },
      }),
    },
    '/trace/serial/{part}/{serial}': {
      get: operation({
        id: 'getAsBuilt', tag: 'Traceability', summary: 'As-built record of a serial',
        description: 'The job that made it, every component serial and lot consumed into it (sub-assemblies made by other jobs with their own as-built, to every level), the steps and completion with who and when, and where it went.',
        params: [partParam, param('serial', 'path', text(undefined, { minLength: 1, maxLength: 64 }), 'Serial')], errors: [404],
        ok: { status: 200, description: 'The as-built record', schema: ref('AsBuilt') },
      }),
    },
    '/trace/recall/{part}': {
      get: operation({
        id: 'getRecall', tag: 'Traceability', summary: 'Recall report for a lot or serial',
        description: 'Every job that consumed it, every finished unit those jobs made, up through the higher-level jobs that consumed those, to every customer any of it reached. Give lot or serial, not both.',
        params: [partParam, param('lot', 'query', text(undefined, { maxLength: 64 }), 'Lot (batch code)'), param('serial', 'query', text(undefined, { maxLength: 64 }), 'Serial')], errors: [404, 422],
        ok: { status: 200, description: 'The recall report', schema: ref('Recall') },
      }),
    },
  };
  return {
    schemas,
    paths,
    tags: [
      { name: 'Shortages', description: 'What open jobs lack, at every level, and the POs that cover it' },
      { name: 'Traceability', description: 'As-built records and recalls (ISO 9001 8.5.2)' },
    ],
  };
}
