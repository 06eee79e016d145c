import { callXero, describe, SdkCall, XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { PushError } from '../../accounting-connector';
import { reserveReached } from './connection';
import { instant, later } from './values';

export const PAGE_SIZE = 100;
/**
 * Paged lists are read oldest change first, so a pull that stops early (the day's reserve for
 * journals reached, or Xero failing on a later page) has seen everything up to the newest
 * UpdatedDateUTC so far, and resumes from there instead of starting over.
 */
export const OLDEST_FIRST = 'UpdatedDateUTC ASC';

/** After each page: records done, of total when Xero says, and the newest UpdatedDateUTC seen so far. */
export type OnPage = (done: number, total?: number, seen?: Date) => Promise<void>;

export type PagedList<T> = {
  /** What the list is, for the error when Xero does not give it ("its contacts"). */
  what: string;
  /** One page of the list, sent with If-Modified-Since `since`, oldest change first. */
  page(since: Date | undefined, page: number): SdkCall<any>;
  /** The records in the page's body. */
  records(body: any): T[];
  /** Take one record in; false when it is not one to count (no id, no name). */
  take(record: T): Promise<boolean>;
};

export type Paged = { cursor?: Date; count: number; paused?: true };

/**
 * Every page of a list changed since `since`, each record taken in as it comes. Returns the
 * newest UpdatedDateUTC seen (`since` when none is newer); stops between pages, `paused`, when Xero
 * has fewer calls left today than the reserve kept for posting journals. `onPage` hears how far it
 * has got after each page, so a failure on a later page loses only that page.
 */
export async function pullPages<T extends { updatedDateUTC?: unknown }>(deps: XeroDeps, connection: XeroConnection, since: Date | undefined, list: PagedList<T>, onPage?: OnPage): Promise<Paged> {
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  let cursor = since;
  let count = 0;
  for (let page = 1; ; page++) {
    if (page > 1 && reserveReached(connection.id, now()) !== null) return { cursor, count, paused: true };
    const answer = await callXero(deps, connection, list.page(since, page));
    if (answer.status === 304) break;
    if (answer.status !== 200) throw new PushError(`Xero did not give ${list.what} (${answer.status}: ${describe(answer.body)})`, true);
    const records = list.records(answer.body) ?? [];
    for (const r of records) {
      if (!(await list.take(r))) continue;
      cursor = later(cursor, instant(r.updatedDateUTC));
      count++;
    }
    await onPage?.(count, answer.body?.pagination?.itemCount, cursor);
    if (records.length < PAGE_SIZE) break;
  }
  return { cursor, count };
}
