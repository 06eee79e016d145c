import type { Held, OutboxBatch } from './outbox-claim';

type Claim = (skipTenants: string[]) => Promise<OutboxBatch | Held | 'busy' | undefined>;
export type DispatchOptions = {
  /** Calls in flight in this process, all organisations together. */
  concurrency?: number;
  /** A call has been answered (or failed): there may be more to claim now. */
  onSettled?: () => void;
  /** An organisation's journals wait for its gate until then: look again at that moment. */
  onHeld?: (until: Date) => void;
  /** A delivery itself failed (its database writes): its rows' leases run out and they go again. */
  onError?: (err: unknown) => void;
};

/**
 * Starts calls without waiting for their answers: a round claims batches and hands each to
 * `deliver`, at most one call in flight per organisation in this process (its next batch is
 * claimed once that call is answered), so one organisation's slow or hanging call never holds up
 * another's postings. The leases and the claim's SKIP LOCKED keep other processes apart as before.
 */
export function outboxDispatcher(claim: Claim, deliver: (batch: OutboxBatch) => Promise<void>, opts: DispatchOptions = {}) {
  const inFlight = new Map<string, Promise<void>>();
  const limit = opts.concurrency ?? 16;
  return {
    /** Claim and start calls until nothing more is due (or `rows` journals have been started); returns how many. */
    async round(rows = Infinity): Promise<number> {
      let started = 0;
      while (started < rows && inFlight.size < limit) {
        const batch = await claim([...inFlight.keys()]);
        if (!batch || batch === 'busy') break;
        if ('held' in batch) {
          opts.onHeld?.(batch.until);
          continue;
        }
        const call = deliver(batch).catch((err) => opts.onError?.(err)).finally(() => {
          inFlight.delete(batch.tenantId);
          opts.onSettled?.();
        });
        inFlight.set(batch.tenantId, call);
        started += batch.rows.length;
      }
      return started;
    },
    /** Every call started so far has been answered and recorded. */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
