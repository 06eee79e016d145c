import { Router, RequestHandler, Request } from 'express';
import { Forbidden } from '../../errors';
import { Db } from '../../db';
import { render } from '../../http/render';
import { formFields } from '../../http/form-claim';
import { signInSchema, signUpSchema } from '../../http/sign-up-input';
import { createOrganisation, hasAnyOrganisation, SessionUser } from '../../services/auth/accounts';
import { countSignUp, signIn } from '../../services/auth/sign-in';
import { loadDemoCompany } from '../../services/demo';

export function startSession(req: Express.Request & { session: any }, user: SessionUser): Promise<void> {
  // A fresh session id at sign-in (no fixation).
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => {
    if (err) return reject(err);
    req.session.user = user;
    req.session.save((e: unknown) => (e ? reject(e) : resolve()));
  }));
}

/** The client's address: from a trusted proxy's X-Forwarded-For (TRUST_PROXY), else the connection's. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function authPages(db: Db, signup: 'first-run' | 'open', clock: () => Date): Router {
  const r = Router();
  // After the first organisation, new ones come only from an open sign-up (or, later, Sign up with Xero).
  const setupAllowed: RequestHandler = async (_req, _res, next) => {
    if (signup === 'open' || !(await hasAnyOrganisation(db))) return next();
    next(new Forbidden('This Perpetua already has its organisation; ask its admin to invite you (Settings, Users)'));
  };
  r.get('/setup', setupAllowed, async (req, res) => {
    render(req, res, 'pages/setup', { firstRun: !(await hasAnyOrganisation(db)) });
  });
  r.post('/setup', setupAllowed, async (req, res) => {
    res.locals.form = { view: 'pages/setup' };
    await countSignUp(db, clientAddress(req), clock());
    const b = signUpSchema.parse(formFields(req));
    const user = await createOrganisation(db, { organisation: b.organisation, name: b.name, email: b.email, password: b.password, baseCurrency: b.base_currency });
    if (b.demo === 'yes') await loadDemoCompany(db, { tenantId: user.tenantId, userId: user.userId, role: 'admin' });
    await startSession(req, user);
    redirect(req, res, '/stock');
  });
  r.get('/login', async (req, res) => {
    if (!(await hasAnyOrganisation(db))) return res.redirect('/setup');
    render(req, res, 'pages/login', { next: typeof req.query.next === 'string' ? req.query.next : '' });
  });
  r.post('/login', async (req, res) => {
    res.locals.form = { view: 'pages/login' };
    const b = signInSchema.parse(formFields(req));
    const user = await signIn(db, { email: b.email, password: b.password, address: clientAddress(req), now: clock() });
    await startSession(req, user);
    redirect(req, res, localPath(b.next));
  });
  r.post('/logout', (req, res) => {
    req.session.destroy(() => res.redirect('/login'));
  });
  return r;
}

/** After a successful form post: htmx follows HX-Redirect, a plain form follows 303. */
export function redirect(req: import('express').Request, res: import('express').Response, to: string): void {
  if (req.get('HX-Request') === 'true') res.set('HX-Redirect', to).status(204).end();
  else res.redirect(303, to);
}

/** Only a path on this site: "//evil.example" and "/\\evil.example" (read as //evil.example) are refused. */
export function localPath(next: string | undefined): string {
  if (!next || !/^\/[^/\\]/.test(next) || /[\u0000-\u001f\\]/.test(next)) return '/';
  return next;
}
