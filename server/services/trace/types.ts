// What the traceability reports answer (ISO 9001 8.5.2): decimals as strings, dates as YYYY-MM-DD.

export type PartRef = { part: string; name: string };

/** A stock item that can be followed: one serial, or one lot of a part. */
export type TraceKey = { partId: string; serial: string | null; lot: string };

export type JobSummary = {
  number: string;
  part: string;
  name: string;
  quantity: string;
  completed_qty: string;
  status: string;
  customer: string | null;
  due_on: string;
  released_at: string | null;
  completed_at: string | null;
  parent_job: string | null;
  top_job: string;
};

export type BuildEvent = {
  kind: 'step' | 'scrap' | 'completion';
  step: number | null; // null: at completion
  quantity: string; // units of the assembly
  user: string | null; // email
  occurred_on: string;
  recorded_at: string;
  serials: string[]; // completion: the serials it received
};

export type Component = PartRef & {
  tracking: string;
  quantity: string;
  lot: string | null;
  serial: string | null;
  step: number | null; // null: consumed at completion
  consumed_on: string;
  made_by: Build[]; // the job(s) that made this serial or lot, with their own as-built
};

/** A job's as-built record: what it made, what went into it, and who did each step when. */
export type Build = {
  job: JobSummary;
  units: { serial: string | null; lot: string | null; quantity: string }[];
  events: BuildEvent[];
  components: Component[];
};

export type DispatchRef = { number: string; customer: string; occurred_on: string; quantity: string };

export type AsBuilt = PartRef & {
  serial: string;
  lot: string | null;
  status: 'in_stock' | 'out' | 'unknown';
  location: string | null;
  build: Build | null; // null for a serial that was bought, not made
  dispatches: DispatchRef[];
  used_in: { job: string; part: string; serials: string[]; quantity: string }[]; // consumed into a higher-level job
};

export type RecallJob = { level: number; job: string; part: string; name: string; status: string; top_job: string; consumed: { part: string; lot: string | null; serial: string | null; quantity: string }[] };
export type RecallUnit = {
  level: number; job: string; part: string; name: string; serial: string | null; lot: string | null; quantity: string;
  tracked: boolean; in_stock: string; consumed_into: string[]; dispatches: string[];
};
export type RecallDispatch = { level: number; number: string; customer: string; occurred_on: string; part: string; serial: string | null; lot: string | null; quantity: string; job: string | null };

export type Recall = PartRef & {
  lot: string | null;
  serial: string | null;
  jobs: RecallJob[];
  units: RecallUnit[];
  dispatches: RecallDispatch[];
  customers: string[];
};
