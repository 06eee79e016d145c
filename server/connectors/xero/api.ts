import { AccountingApi } from 'xero-node';
import { Db } from '../../db';
import { ConnectionWaitError, PushError, RateLimitWait, UnavailableWait } from '../accounting-connector';
import { XeroConnection, markNeedsReconnect } from './connections';
import { getAccessToken, NEEDS_RECONNECT, TokenDeps } from './tokens';
import { noteLimits, pausedFor, retryAfterMs } from './limits';
import { listTenants } from './oauth';

export type XeroDeps = TokenDeps & { db: Db; apiUrl: string; callTimeoutMs?: number };

/** An answer from Xero, whatever its status: the caller decides what a 404 or a 400 means. */
export type XeroAnswer<T = any> = { status: number; body: T; headers: Record<string, string | undefined> };

/** One SDK call, given a fresh AccountingApi holding the access token and the Xero tenant id. */
export type SdkCall<T> = (api: AccountingApi, xeroTenantId: string) => Promise<{ response: { status?: number; headers?: unknown }; body: T }>;

/**
 * Every call to Xero's Accounting API goes through here, for postings and pulls alike: it waits
 * out a rate-limit pause, gets a valid access token (refreshing under the connection's row lock),
 * retries once with a new token after a 401, notes the rate-limit headers, and turns the SDK's
 * rejections (JSON strings, xero-node#741) back into status and body. A 401 after a fresh token
 * or a 403 means the app was disconnected in Xero: the connection is marked "needs reconnect".
 */
export async function callXero<T>(deps: XeroDeps, c: XeroConnection, call: SdkCall<T>): Promise<XeroAnswer<T>> {
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const pause = pausedFor(c.id, now());
  if (pause > 0) throw new RateLimitWait('Waiting for Xero\'s rate limit', pause);
  let token = await getAccessToken(deps, c.tenantId);
  let answer = await once(deps, c, token, call);
  if (answer.status === 401) {
    // Revoked or expired early: one refresh and one more try; a second 401 needs a person.
    token = await getAccessToken(deps, c.tenantId, { rejected: token });
    answer = await once(deps, c, token, call);
  }
  noteLimits(c.id, answer, now());
  if (answer.status === 401 || answer.status === 403) {
    const reason = `Xero refused access (${answer.status}${(answer.body as any)?.Detail ? ` ${(answer.body as any).Detail}` : ''})`;
    // A 403 is also Xero's answer to a missing scope or a restricted endpoint: that is this call's
    // problem, not the connection's, while Xero still lists the organisation for our token.
    if (answer.status === 403 && (await stillConnected(deps, c, token))) throw new PushError(`${reason}: Perpetua may not do this in Xero (check the app's scopes)`, false);
    await markNeedsReconnect(deps.db, c, reason);
    throw new ConnectionWaitError(`${NEEDS_RECONNECT}: ${reason}`);
  }
  if (answer.status === 429) {
    const problem = answer.headers['x-rate-limit-problem'];
    throw new RateLimitWait(`Xero rate limit reached${problem ? ` (${problem})` : ''}`, retryAfterMs(answer));
  }
  if (answer.status === 0 || answer.status >= 500) throw new UnavailableWait(`Xero is unavailable (${answer.status || describe(answer.body)})`);
  return answer;
}

async function stillConnected(deps: XeroDeps, c: XeroConnection, token: string): Promise<boolean> {
  try {
    return (await listTenants(deps, token, { allConsents: true })).some((t) => t.tenantId === c.externalTenantId);
  } catch {
    return false;
  }
}

async function once<T>(deps: XeroDeps, c: XeroConnection, token: string, call: SdkCall<T>): Promise<XeroAnswer<T>> {
  // One AccountingApi per call: the SDK keeps the access token on the instance.
  const api = new AccountingApi(deps.apiUrl);
  api.accessToken = token;
  // The SDK sets no timeout on API calls. Its 'default' authentication is applied to every
  // request's axios options: it carries our AbortSignal, so a call Xero does not answer in time
  // is really ended (its socket closed), not left running behind a lost race.
  const ms = deps.callTimeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(ms);
  api.setDefaultAuthentication({ applyToRequest: (options: any) => { options.signal = signal; } });
  try {
    const { response, body } = await call(api, c.externalTenantId);
    return { status: Number(response.status ?? 200), body, headers: plainHeaders(response.headers) };
  } catch (err) {
    // A late answer is harmless: postings go again under the same key, and Xero replays it.
    if (signal.aborted) throw new UnavailableWait(`Xero did not answer within ${ms / 1000} s`);
    if (err instanceof PushError) throw err;
    return sdkFailure(err);
  }
}

/** xero-node rejects with a JSON string of {response: {statusCode, body, headers}} (xero-node#741). */
function sdkFailure(err: unknown): XeroAnswer {
  let parsed: any = err;
  if (typeof err === 'string') {
    try { parsed = JSON.parse(err); } catch { return { status: 0, body: err, headers: {} }; }
  }
  const r = parsed?.response;
  // No response at all (refused, reset, DNS): Xero cannot be reached, an outage like a 5xx.
  if (!r) throw new UnavailableWait(`Xero could not be reached: ${(err as Error)?.message ?? parsed?.message ?? String(err)}`);
  return { status: Number(r.statusCode ?? r.status ?? 0), body: parsed.body ?? r.body ?? r.data, headers: plainHeaders(r.headers) };
}

function plainHeaders(h: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((h ?? {}) as Record<string, unknown>)) out[k.toLowerCase()] = v == null ? undefined : String(v);
  return out;
}

/** The messages of a 400 ValidationException (Elements[].ValidationErrors[].Message), once each. */
export function validationMessages(body: any): string {
  const messages = new Set<string>();
  for (const el of body?.Elements ?? []) for (const v of el?.ValidationErrors ?? []) if (v?.Message) messages.add(String(v.Message));
  if (messages.size) return [...messages].join('; ');
  return describe(body);
}

export function describe(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    return String(b.Message ?? b.Detail ?? b.Title ?? JSON.stringify(body)).slice(0, 500);
  }
  return String(body ?? 'no answer').slice(0, 500);
}

