import { Db, Trx } from '../../../db';

type Q = Db | Trx;

export type DocumentKind = 'bill' | 'sales_invoice';
export const OUTCOMES = ['recorded', 'dispatched', 'listed', 'skipped', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What became of one Xero bill or sales invoice here (table external_documents). */
export type ExternalDocument = {
  id: string;
  kind: DocumentKind;
  externalId: string;
  number: string;
  contactName: string;
  externalStatus: string;
  externalUpdatedAt: Date | null;
  outcome: Outcome;
  localId: string | null;
  message: string;
  updatedAt: Date;
};

export type DocumentWrite = Omit<ExternalDocument, 'id' | 'updatedAt' | 'localId'> & { localId?: string | null };

function toDocument(r: Record<string, any>): ExternalDocument {
  return {
    id: r.id, kind: r.kind, externalId: r.external_id, number: r.number, contactName: r.contact_name, externalStatus: r.external_status,
    externalUpdatedAt: r.external_updated_at ? new Date(r.external_updated_at) : null, outcome: r.outcome, localId: r.local_id, message: r.message,
    updatedAt: new Date(r.updated_at),
  };
}

export async function findDocument(q: Q, tenantId: string, externalId: string): Promise<ExternalDocument | null> {
  const row = await q('external_documents').where({ tenant_id: tenantId, provider: 'xero', external_id: externalId }).first();
  return row ? toDocument(row) : null;
}

export async function documentById(q: Q, tenantId: string, id: string): Promise<ExternalDocument | null> {
  const row = await q('external_documents').where({ tenant_id: tenantId, provider: 'xero', id }).first();
  return row ? toDocument(row) : null;
}

// A row that stands for something done here: a bill recorded or goods dispatched, with its link.
const ACTED = (t: string) => `(${t}.outcome in ('recorded','dispatched') and ${t}.local_id is not null)`;
const STORED_ACTED = ACTED('external_documents');
const WRITTEN_ACTED = ACTED('excluded');
const NEWER = '(external_documents.external_updated_at is null or excluded.external_updated_at is null or excluded.external_updated_at >= external_documents.external_updated_at)';

/**
 * One row per Xero document, written whatever happened. Two events for one invoice may be
 * processed at once, or a stale fetch may finish last. What Xero says of the document (number,
 * contact, status, when it changed) is taken from the latest answer only. What was done here wins
 * over the answers that did nothing: a recorded or dispatched row keeps its outcome, link and
 * message against any listed, skipped or failed answer, and it is written even when it was worked
 * out from an older answer than the one stored (the bill or dispatch exists, so the row must say
 * so); the caller then looks again (see syncInvoice).
 */
export async function saveDocument(q: Q, tenantId: string, d: DocumentWrite): Promise<ExternalDocument> {
  const latest = (col: string) => q.raw(`case when ${NEWER} then excluded.${col} else external_documents.${col} end`);
  const [row] = await q('external_documents')
    .insert({
      tenant_id: tenantId, provider: 'xero', kind: d.kind, external_id: d.externalId, number: d.number, contact_name: d.contactName,
      external_status: d.externalStatus, external_updated_at: d.externalUpdatedAt, outcome: d.outcome, local_id: d.localId ?? null, message: d.message.slice(0, 2000),
    })
    .onConflict(['tenant_id', 'provider', 'external_id'])
    .merge({
      number: latest('number'), contact_name: latest('contact_name'), external_status: latest('external_status'), external_updated_at: latest('external_updated_at'),
      outcome: q.raw(`case when ${STORED_ACTED} then external_documents.outcome else excluded.outcome end`),
      local_id: q.raw(`case when ${STORED_ACTED} then external_documents.local_id else excluded.local_id end`),
      message: q.raw(`case when ${STORED_ACTED} and not ${WRITTEN_ACTED} then external_documents.message else excluded.message end`),
      updated_at: q.fn.now(),
    })
    // An older answer changes nothing, unless it is the one that did something.
    .where(q.raw(`${NEWER} or (${WRITTEN_ACTED} and not ${STORED_ACTED})`))
    .returning('*');
  return row ? toDocument(row) : (await findDocument(q, tenantId, d.externalId))!;
}

export type DocumentRow = ExternalDocument & { link: string | null; localNumber: string | null; pending: string | null };

/**
 * The organisation's Xero documents, most recently changed first, with the page of what they
 * became here and any request still waiting in the queue (a dispatch or a fetch asked for).
 */
export async function listDocuments(db: Db, tenantId: string, opts: { kind?: DocumentKind; outcome?: Outcome; id?: string; limit?: number } = {}): Promise<DocumentRow[]> {
  const q = db('external_documents as d')
    .leftJoin('bills as b', (j) => j.on('b.tenant_id', 'd.tenant_id').andOn('b.id', 'd.local_id').andOnVal('d.kind', 'bill'))
    .leftJoin('dispatches as x', (j) => j.on('x.tenant_id', 'd.tenant_id').andOn('x.id', 'd.local_id').andOnVal('d.kind', 'sales_invoice'))
    .where({ 'd.tenant_id': tenantId, 'd.provider': 'xero' })
    .orderBy('d.updated_at', 'desc').orderBy('d.id').limit(opts.limit ?? 200)
    .select('d.*', 'b.number as bill_number', 'x.number as dispatch_number', db.raw(`(select w.type from webhook_events w
      where w.tenant_id = d.tenant_id and w.provider = 'xero' and w.resource_id = d.external_id and w.status in ('pending','failed')
      order by w.received_at desc limit 1) as pending`));
  if (opts.kind) q.where('d.kind', opts.kind);
  if (opts.outcome) q.where('d.outcome', opts.outcome);
  if (opts.id) q.where('d.id', opts.id);
  return (await q).map((r) => ({
    ...toDocument(r),
    localNumber: r.bill_number ?? r.dispatch_number ?? null,
    link: r.bill_number ? `/bills/${r.local_id}` : r.dispatch_number ? `/dispatches/${encodeURIComponent(r.dispatch_number)}` : null,
    pending: r.pending ?? null,
  }));
}
