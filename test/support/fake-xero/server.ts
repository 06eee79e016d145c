import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import express, { Request, Response, NextFunction } from 'express';
import { FakeOrganisation, msDate } from './state';

/**
 * A stateful fake of Xero on a loopback port, for tests that run the app whole (several
 * processes, a browser, the bench) where nock cannot reach: the identity service (authorize page,
 * token endpoint with rotating refresh tokens, /connections) and the Accounting API endpoints
 * Perpetua uses, with Xero's rate-limit headers, 429s over 60 calls a minute, Idempotency-Key
 * replay on PUT /ManualJournals, lock dates, and scripted failures (one call, an outage, a hang).
 * Journal lines are refused as Xero refuses them: an unknown (or deleted) code, an archived
 * account, and an INVENTORY-type one (every organisation starts with Xero's own 630 Inventory).
 */
export type FakeXeroOptions = { clientId?: string; clientSecret?: string; minuteLimit?: number; dayLimit?: number; delayMs?: number };
type Failure = { status: number; headers?: Record<string, string>; body?: unknown; path?: RegExp };
type Grant = { tenants: string[]; person: { email: string; givenName: string; familyName: string } };

export class FakeXero {
  readonly orgs = new Map<string, FakeOrganisation>();
  readonly calls: { method: string; path: string; tenant?: string; status: number; idempotencyKey?: string; at: number }[] = [];
  private readonly access = new Map<string, { grant: Grant; expiresAt: number }>();
  private readonly refresh = new Map<string, { grant: Grant; used: boolean }>();
  private readonly codes = new Map<string, Grant & { nonce: string; redirectUri: string; event: string }>();
  private readonly events = new Map<string, string[]>();
  private readonly failures: Failure[] = [];
  private readonly usage = new Map<string, { minute: number[]; day: number }>();
  private nextConsent: Grant | undefined;
  private outage: number | undefined;
  private readonly hangs: { path?: RegExp; tenant?: string }[] = [];
  /** Requests left unanswered (hangNext): closed when the fake stops. */
  private readonly hung: Response[] = [];
  /** Unanswered requests whose caller closed the connection. */
  hungClosed = 0;
  private server?: http.Server;
  url = '';
  /** Successful refresh-token grants: two processes racing must still make one. */
  tokenRefreshes = 0;

  constructor(readonly opts: FakeXeroOptions = {}) {}

  get apiUrl() { return `${this.url}/api.xro/2.0`; }
  get identityUrl() { return this.url; }
  get authorizeUrl() { return `${this.url}/identity/connect/authorize`; }
  get clientId() { return this.opts.clientId ?? 'fake-client'; }
  get clientSecret() { return this.opts.clientSecret ?? 'fake-secret'; }

  organisation(name: string, opts: { baseCurrency?: string; periodLockDate?: string } = {}): FakeOrganisation {
    const o = new FakeOrganisation(name, opts.baseCurrency, opts.periodLockDate);
    this.orgs.set(o.tenantId, o);
    return o;
  }

  /** What the person will tick and who they are, the next time the authorize page is answered. */
  willConsent(orgs: FakeOrganisation[], person: { email: string; givenName?: string; familyName?: string }) {
    this.nextConsent = { tenants: orgs.map((o) => o.tenantId), person: { givenName: 'Ada', familyName: 'Lovelace', ...person } };
  }

  /** The browser's trip through Xero's consent screen, without a browser: the callback URL Xero would send it to. */
  approve(authorizeUrl: string): string {
    const q = new URL(authorizeUrl).searchParams;
    return this.issueCode(q.get('redirect_uri')!, q.get('state')!, q.get('nonce') ?? '');
  }

  /** The next `count` API calls (matching `path`, if given) answer this instead. */
  failNext(count: number, failure: Failure) {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** Xero is down: every Accounting API call answers `status` (503) until comeBack(). */
  goDown(status = 503) { this.outage = status; }
  comeBack() { this.outage = undefined; }

  /** The next `count` API calls (matching `path` and `tenant`, if given) are never answered: the caller must give up. */
  hangNext(count: number, match: { path?: RegExp; tenant?: string } = {}) {
    for (let i = 0; i < count; i++) this.hangs.push(match);
  }

  /** End every unanswered (hung) request, as a dropped connection would. */
  dropHung() {
    for (const res of this.hung.splice(0)) res.socket?.destroy();
  }

  /** Revoke every token, as a disconnect made inside Xero does. */
  disconnectInXero(org: FakeOrganisation) {
    for (const m of [this.access, this.refresh] as Map<string, { grant: Grant }>[]) {
      for (const [k, v] of m) if (v.grant.tenants.includes(org.tenantId)) m.delete(k);
    }
  }

  journalsIn(org: FakeOrganisation) { return org.manualJournals; }

  async start(): Promise<this> {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(express.json({ limit: '5mb' }));
    app.use((_req, _res, next) => (this.opts.delayMs ? setTimeout(next, this.opts.delayMs) : next()));
    app.get('/identity/connect/authorize', (req, res) => this.authorizePage(req, res));
    app.post('/identity/connect/authorize', (req, res) => res.redirect(302, `${req.body.redirect_uri}?code=${this.issueCode(req.body.redirect_uri, req.body.state, req.body.nonce).split('code=')[1]}`));
    app.post('/connect/token', (req, res) => this.token(req, res));
    app.get('/connections', (req, res) => this.connections(req, res));
    app.delete('/connections/:id', (req, res) => this.deleteConnection(req, res));
    app.use('/api.xro/2.0', (req, res, next) => this.guard(req, res, next));
    app.get('/api.xro/2.0/Organisation', (req, res) => this.ok(req, res, { Organisations: [this.org(req).organisationJson()] }));
    app.get('/api.xro/2.0/Accounts', (req, res) => this.ok(req, res, { Accounts: [...this.org(req).accounts.values()] }));
    app.put('/api.xro/2.0/Accounts', (req, res) => this.putAccount(req, res));
    app.get('/api.xro/2.0/Contacts/:id', (req, res) => this.one(req, res, 'Contacts', this.org(req).contacts.get(req.params.id)));
    app.get('/api.xro/2.0/Contacts', (req, res) => this.page(req, res, 'Contacts', [...this.org(req).contacts.values()]));
    app.get('/api.xro/2.0/Items', (req, res) => this.ok(req, res, { Items: since(req, [...this.org(req).items.values()]) }));
    app.get('/api.xro/2.0/PurchaseOrders/:id', (req, res) => this.one(req, res, 'PurchaseOrders', strip(this.org(req).purchaseOrders.get(req.params.id))));
    app.get('/api.xro/2.0/PurchaseOrders', (req, res) => this.page(req, res, 'PurchaseOrders', [...this.org(req).purchaseOrders.values()].filter((p) => !req.query.status || p.Status === req.query.status)));
    app.get('/api.xro/2.0/Invoices/:id', (req, res) => this.one(req, res, 'Invoices', strip(this.org(req).invoices.get(req.params.id))));
    app.get('/api.xro/2.0/Invoices', (req, res) => this.page(req, res, 'Invoices', [...this.org(req).invoices.values()]));
    app.put('/api.xro/2.0/ManualJournals', (req, res) => this.manualJournals(req, res));
    this.server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    this.dropHung();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private authorizePage(req: Request, res: Response) {
    const q = req.query as Record<string, string>;
    if (q.client_id !== this.clientId) return res.status(400).send('unauthorized_client');
    const esc = (s: string) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const names = (this.nextConsent?.tenants ?? []).map((t) => esc(this.orgs.get(t)?.name ?? t)).join(', ');
    res.type('html').send(`<!doctype html><title>Xero</title><h1>Perpetua wants access to ${names}</h1><form method="post">
      ${['redirect_uri', 'state', 'nonce'].map((k) => `<input type="hidden" name="${k}" value="${esc(q[k])}">`).join('')}
      <button type="submit" id="allow">Allow access</button></form>`);
  }

  private issueCode(redirectUri: string, state: string, nonce: string): string {
    if (!this.nextConsent) throw new Error('fake Xero: call willConsent() before the consent');
    const code = `code-${crypto.randomBytes(8).toString('hex')}`;
    const event = crypto.randomUUID();
    for (const t of this.nextConsent.tenants) {
      const o = this.orgs.get(t)!;
      if (!o.connectionId) o.connectionId = crypto.randomUUID();
    }
    this.events.set(event, this.nextConsent.tenants);
    this.codes.set(code, { ...this.nextConsent, nonce, redirectUri, event });
    return `${redirectUri}?code=${code}&state=${encodeURIComponent(state)}`;
  }

  private token(req: Request, res: Response) {
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    if (req.get('authorization') !== `Basic ${basic}`) return res.status(401).json({ error: 'invalid_client' });
    const b = req.body as Record<string, string>;
    if (b.grant_type === 'authorization_code') {
      const c = this.codes.get(b.code);
      this.codes.delete(b.code);
      if (!c || c.redirectUri !== b.redirect_uri) return res.status(400).json({ error: 'invalid_grant' });
      return res.json(this.tokens(c, { event: c.event, nonce: c.nonce }));
    }
    if (b.grant_type === 'refresh_token') {
      const r = this.refresh.get(b.refresh_token);
      if (!r || r.used) return res.status(400).json({ error: 'invalid_grant' });
      r.used = true; // rotated: the old refresh token is spent
      this.tokenRefreshes += 1;
      return res.json(this.tokens(r.grant, {}));
    }
    res.status(400).json({ error: 'unsupported_grant_type' });
  }

  private tokens(grant: Grant, extra: { event?: string; nonce?: string }) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = (claims: object) => `${b64({ alg: 'RS256' })}.${b64(claims)}.${crypto.randomBytes(8).toString('base64url')}`;
    const access = jwt({ authentication_event_id: extra.event, exp: now + 1800, jti: crypto.randomUUID() });
    const refresh = crypto.randomBytes(16).toString('hex');
    this.access.set(access, { grant, expiresAt: Date.now() + 1800_000 });
    this.refresh.set(refresh, { grant, used: false });
    const id = jwt({ iss: this.identityUrl, aud: this.clientId, exp: now + 300, nonce: extra.nonce, email: grant.person.email, given_name: grant.person.givenName, family_name: grant.person.familyName, xero_userid: crypto.randomUUID() });
    return { id_token: id, access_token: access, expires_in: 1800, token_type: 'Bearer', refresh_token: refresh, scope: 'openid profile email offline_access accounting.invoices.read accounting.manualjournals accounting.settings accounting.contacts.read' };
  }

  private bearer(req: Request) {
    const token = (req.get('authorization') ?? '').replace(/^Bearer /, '');
    const a = this.access.get(token);
    return a && a.expiresAt > Date.now() ? a.grant : undefined;
  }

  private connections(req: Request, res: Response) {
    const grant = this.bearer(req);
    if (!grant) return res.status(401).json({ Title: 'Unauthorized', Status: 401 });
    const event = req.query.authEventId as string | undefined;
    const tenants = event ? this.events.get(event) ?? [] : grant.tenants;
    res.json(tenants.map((t) => this.orgs.get(t)!).filter((o) => o.connectionId).map((o) => ({ id: o.connectionId, authEventId: event, tenantId: o.tenantId, tenantType: 'ORGANISATION', tenantName: o.name, createdDateUtc: new Date().toISOString(), updatedDateUtc: new Date().toISOString() })));
  }

  private deleteConnection(req: Request, res: Response) {
    if (!this.bearer(req)) return res.status(401).end();
    const org = [...this.orgs.values()].find((o) => o.connectionId === req.params.id);
    if (!org) return res.status(404).end();
    org.connectionId = '';
    this.disconnectInXero(org);
    res.status(204).end();
  }

  private guard(req: Request, res: Response, next: NextFunction) {
    const tenant = req.get('xero-tenant-id') ?? '';
    const path = req.path; // relative to /api.xro/2.0, read now: express restores the full path later
    const record = (status: number) => this.calls.push({ method: req.method, path, tenant, status, idempotencyKey: req.get('idempotency-key'), at: Date.now() });
    const grant = this.bearer(req);
    if (!grant) { record(401); return res.status(401).json({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired' }); }
    if (!grant.tenants.includes(tenant) || !this.orgs.get(tenant)?.connectionId) { record(403); return res.status(403).json({ Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' }); }
    if (this.outage) { record(this.outage); return res.status(this.outage).send('Service Unavailable'); }
    const h = this.hangs.findIndex((m) => (!m.path || m.path.test(req.path)) && (!m.tenant || m.tenant === tenant));
    if (h >= 0) {
      this.hangs.splice(h, 1);
      record(0);
      this.hung.push(res);
      // The caller gave up and closed the connection (an aborted request), rather than leaving it open.
      res.on('close', () => { this.hungClosed += 1; });
      return;
    }
    const i = this.failures.findIndex((f) => !f.path || f.path.test(req.path));
    if (i >= 0) {
      const f = this.failures.splice(i, 1)[0];
      record(f.status);
      return res.status(f.status).set(f.headers ?? {}).send(f.body ?? '');
    }
    // The minute is rolling: a call counts against it for 60 s from when it was made.
    const u = this.usage.get(tenant) ?? { minute: [], day: 0 };
    u.minute = u.minute.filter((at) => at > Date.now() - 60_000);
    this.usage.set(tenant, u);
    const minuteLimit = this.opts.minuteLimit ?? 60;
    const dayLimit = this.opts.dayLimit ?? 5000;
    if (u.minute.length >= minuteLimit || u.day >= dayLimit) {
      record(429);
      const retry = u.day >= dayLimit ? 3600 : Math.max(1, Math.ceil((u.minute[0] + 60_000 - Date.now()) / 1000));
      return res.status(429).set({ 'Retry-After': String(retry), 'X-Rate-Limit-Problem': u.day >= dayLimit ? 'day' : 'minute' }).send('');
    }
    u.minute.push(Date.now());
    u.day += 1;
    res.set({ 'X-MinLimit-Remaining': String(minuteLimit - u.minute.length), 'X-DayLimit-Remaining': String(dayLimit - u.day), 'X-AppMinLimit-Remaining': '9999' });
    res.on('finish', () => record(res.statusCode));
    next();
  }

  private org(req: Request) { return this.orgs.get(req.get('xero-tenant-id')!)!; }

  private ok(_req: Request, res: Response, body: object) {
    res.json({ Id: crypto.randomUUID(), Status: 'OK', ProviderName: 'Perpetua', DateTimeUTC: msDate(new Date()), ...body });
  }

  private one(req: Request, res: Response, list: string, record: unknown) {
    if (!record) return res.status(404).json({ Title: 'Not Found', Status: 404, Detail: 'Resource not found' });
    this.ok(req, res, { [list]: [record] });
  }

  /** Modified since the If-Modified-Since header, oldest change first, 100 a page (Xero's page size). */
  private page(req: Request, res: Response, list: string, rows: any[]) {
    const page = Number(req.query.page ?? 1);
    const size = Number(req.query.pageSize ?? 100);
    const all = since(req, rows).sort((a, b) => (a.updatedAt ?? 0) - (b.updatedAt ?? 0));
    this.ok(req, res, { pagination: { page, pageSize: size, pageCount: Math.ceil(all.length / size), itemCount: all.length }, [list]: all.slice((page - 1) * size, page * size).map(strip) });
  }

  /** Xero refuses a code its chart already has (archived ones too). */
  private putAccount(req: Request, res: Response) {
    const org = this.org(req);
    if ([...org.accounts.values()].some((a) => a.Code === req.body.Code)) {
      return res.status(400).json({ ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: [{ ...req.body, ValidationErrors: [{ Message: 'Please enter a unique Code.' }] }] });
    }
    this.ok(req, res, { Accounts: [org.addAccount(req.body.Code, req.body.Name, req.body.Type)] });
  }

  private manualJournals(req: Request, res: Response) {
    const org = this.org(req);
    const key = req.get('idempotency-key') ?? crypto.randomUUID();
    if (org.answers.has(key)) return res.json(org.answers.get(key));
    const sent = (req.body.ManualJournals ?? []) as any[];
    const problems = sent.map((mj) => journalProblems(mj, org));
    if (req.query.summarizeErrors !== 'false' && problems.some((p) => p.length)) {
      return res.status(400).json({ ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: sent.map((mj, i) => ({ ...echo(mj), ValidationErrors: problems[i].map((Message) => ({ Message })) })) });
    }
    // summarizeErrors=false: each journal is made or refused on its own.
    const answered = sent.map((mj, i) => {
      if (problems[i].length) return { ...echo(mj), ManualJournalID: '00000000-0000-0000-0000-000000000000', StatusAttributeString: 'ERROR', ValidationErrors: problems[i].map((Message) => ({ Message })) };
      const made = { ...echo(mj), ManualJournalID: crypto.randomUUID(), UpdatedDateUTC: msDate(new Date()), StatusAttributeString: 'OK' };
      org.manualJournals.push({ ManualJournalID: made.ManualJournalID, idempotencyKey: key, journal: mj, createdAt: Date.now() });
      return made;
    });
    const body = { Id: crypto.randomUUID(), Status: 'OK', ProviderName: 'Perpetua', DateTimeUTC: msDate(new Date()), ManualJournals: answered };
    org.answers.set(key, body);
    res.json(body);
  }
}

/** A sent journal as Xero echoes it in an answer: its Date as Xero writes dates ("/Date(ms+0000)/"). */
function echo(mj: any) {
  return { ...mj, ...(mj.Date ? { Date: msDate(mj.Date) } : {}) };
}

function journalProblems(mj: any, org: FakeOrganisation): string[] {
  const out: string[] = [];
  const lines = (mj.JournalLines ?? []) as any[];
  const total = Math.round(lines.reduce((s, l) => s + Number(l.LineAmount) * 100, 0));
  if (lines.length < 2) out.push('A manual journal must have at least two lines');
  if (total !== 0) out.push(`The total debits must equal total credits (${(total / 100).toFixed(2)} out)`);
  for (const l of lines) out.push(...lineAccountProblems(l.AccountCode, org));
  const lock = [org.periodLockDate, org.endOfYearLockDate].filter(Boolean).sort().pop();
  if (lock && mj.Date <= lock) out.push(`The document date cannot be before the period lock date, currently set at ${lock}`);
  return [...new Set(out)];
}

/**
 * As Xero answers a journal line's account: an unknown code (never made, or deleted, which Xero
 * drops from the chart), an archived one, and one of Xero's INVENTORY type, which Xero keeps for
 * its own tracked items.
 */
function lineAccountProblems(code: string, org: FakeOrganisation): string[] {
  const account = [...org.accounts.values()].find((a) => a.Code === code);
  if (!account) return [`Account code '${code}' is not a valid code for this document.`];
  if (account.Status === 'ARCHIVED') return [`Account code '${code}' has been archived, or has been deleted. Each line must use an active account.`];
  if (account.Type === 'INVENTORY') return ['You cannot save this transaction using an inventory account type'];
  return [];
}

function since(req: Request, rows: any[]) {
  const header = req.get('if-modified-since');
  const t = header ? Date.parse(header) : NaN;
  const changed = (r: any) => r.updatedAt ?? Number(/\/Date\((\d+)/.exec(r.UpdatedDateUTC ?? '')?.[1] ?? 0);
  return Number.isFinite(t) ? rows.filter((r) => changed(r) >= t) : rows;
}

/** Our bookkeeping field off, so the JSON is only Xero's. */
function strip<T extends { updatedAt?: number } | undefined>(r: T): T {
  if (!r) return r;
  const { updatedAt: _, ...rest } = r as any;
  return rest;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export async function startFakeXero(opts: FakeXeroOptions = {}): Promise<FakeXero> {
  return new FakeXero(opts).start();
}
