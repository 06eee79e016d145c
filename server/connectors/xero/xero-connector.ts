import { AccountingApi, ManualJournals } from 'xero-node';
import { Db } from '../../db';
import { AccountingConnector, ConnectionWaitError, PushError } from '../accounting-connector';
import { XeroConnection, markNeedsReconnect } from './connections';
import { effectiveLockDate, toManualJournals } from './mapper';
import { getAccessToken, NEEDS_RECONNECT, TokenDeps } from './tokens';

export type XeroDeps = TokenDeps & { db: Db; apiUrl: string; callTimeoutMs?: number };

type Answer = { status: number; body: any; headers: Record<string, string | undefined> };

/**
 * Per connection, when this process may call Xero again: set by a 429's Retry-After and by
 * X-MinLimit-Remaining reaching 0, so the next journals wait instead of spending calls on 429s.
 */
const pausedUntil = new Map<string, number>();
const MINUTE_MS = 60_000;

export function xeroConnector(deps: XeroDeps, connection: XeroConnection): AccountingConnector {
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const call = (token: string, body: ManualJournals, key: string) => createManualJournal(deps, connection, token, body, key);
  return {
    name: 'xero',
    async pushJournal(tenantId, journal) {
      const pause = (pausedUntil.get(connection.id) ?? 0) - now();
      if (pause > 0) throw new PushError('Waiting for Xero\'s rate limit', true, pause);
      const body = toManualJournals(journal, effectiveLockDate(connection.periodLockDate, connection.endOfYearLockDate));
      let token = await getAccessToken(deps, tenantId);
      let answer = await call(token, body, journal.id);
      if (answer.status === 401) {
        // Revoked or expired early: one refresh and one more try; a second 401 needs a person.
        token = await getAccessToken(deps, tenantId, { rejected: token });
        answer = await call(token, body, journal.id);
      }
      noteLimits(connection.id, answer, now());
      return outcome(deps, connection, answer);
    },
  };
}

/** PUT /ManualJournals through xero-node, with the journal's id as the Idempotency-Key. */
async function createManualJournal(deps: XeroDeps, c: XeroConnection, token: string, body: ManualJournals, key: string): Promise<Answer> {
  // One AccountingApi per call: the SDK keeps the access token on the instance.
  const api = new AccountingApi(deps.apiUrl);
  api.accessToken = token;
  let timer: NodeJS.Timeout | undefined;
  // The SDK sets no timeout on API calls; a late answer is harmless since retries reuse the key.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PushError('Xero did not answer in time', true)), deps.callTimeoutMs ?? 30_000);
  });
  try {
    const { response, body: result } = await Promise.race([api.createManualJournals(c.externalTenantId, body, true, key), timeout]);
    return { status: response.status, body: result, headers: plainHeaders(response.headers) };
  } catch (err) {
    if (err instanceof PushError) throw err;
    return sdkFailure(err);
  } finally {
    clearTimeout(timer);
  }
}

/** xero-node rejects with a JSON string of {response: {statusCode, body, headers}} (xero-node#741). */
function sdkFailure(err: unknown): Answer {
  let parsed: any = err;
  if (typeof err === 'string') {
    try { parsed = JSON.parse(err); } catch { return { status: 0, body: err, headers: {} }; }
  }
  const r = parsed?.response;
  if (!r) throw new PushError(`Xero call failed: ${(err as Error)?.message ?? String(err)}`, true);
  return { status: Number(r.statusCode ?? r.status ?? 0), body: parsed.body ?? r.body ?? r.data, headers: plainHeaders(r.headers) };
}

function plainHeaders(h: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((h ?? {}) as Record<string, unknown>)) out[k.toLowerCase()] = v == null ? undefined : String(v);
  return out;
}

function noteLimits(connectionId: string, a: Answer, now: number) {
  if (a.status === 429) {
    pausedUntil.set(connectionId, now + retryAfterMs(a));
  } else if (a.headers['x-minlimit-remaining'] === '0') {
    pausedUntil.set(connectionId, now + MINUTE_MS);
  }
}

function retryAfterMs(a: Answer): number {
  const seconds = Number(a.headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : MINUTE_MS;
}

async function outcome(deps: XeroDeps, c: XeroConnection, a: Answer): Promise<{ externalId: string }> {
  if (a.status >= 200 && a.status < 300) {
    const mj = a.body?.manualJournals?.[0];
    const problems = (mj?.validationErrors ?? []).map((e: { message?: string }) => e.message).filter(Boolean);
    if (problems.length) throw new PushError(`Xero refused the journal: ${problems.join('; ')}`, false);
    if (!mj?.manualJournalID) throw new PushError('Xero answered without a ManualJournalID', true);
    return { externalId: mj.manualJournalID };
  }
  if (a.status === 429) {
    const problem = a.headers['x-rate-limit-problem'];
    throw new PushError(`Xero rate limit reached${problem ? ` (${problem})` : ''}`, true, retryAfterMs(a));
  }
  if (a.status === 401 || a.status === 403) {
    // 401 after a fresh token, or 403: the app was disconnected in Xero or lost its scopes.
    const reason = `Xero refused access (${a.status}${a.body?.Detail ? ` ${a.body.Detail}` : ''})`;
    await markNeedsReconnect(deps.db, c, reason);
    throw new ConnectionWaitError(`${NEEDS_RECONNECT}: ${reason}`);
  }
  if (a.status === 400) throw new PushError(`Xero refused the journal: ${validationMessages(a.body)}`, false);
  if (a.status === 0 || a.status >= 500) throw new PushError(`Xero is unavailable (${a.status || describe(a.body)})`, true);
  throw new PushError(`Xero answered ${a.status}: ${describe(a.body)}`, false);
}

/** The messages of a 400 ValidationException (Elements[].ValidationErrors[].Message), once each. */
export function validationMessages(body: any): string {
  const messages = new Set<string>();
  for (const el of body?.Elements ?? []) for (const v of el?.ValidationErrors ?? []) if (v?.Message) messages.add(String(v.Message));
  if (messages.size) return [...messages].join('; ');
  return describe(body);
}

function describe(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    return String(b.Message ?? b.Detail ?? b.Title ?? JSON.stringify(body)).slice(0, 500);
  }
  return String(body ?? 'no answer').slice(0, 500);
}
