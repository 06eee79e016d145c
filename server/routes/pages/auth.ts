import { Router, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DomainError, Forbidden } from '../../errors';
import { z } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { formFields } from '../../http/form-claim';
import { createOrganisation, hasAnyOrganisation, signIn, SessionUser } from '../../services/auth/accounts';
import { loadDemoCompany } from '../../services/demo';

const signUp = z.object({
  organisation: z.string().trim().min(1, 'organisation name is required').max(200),
  name: z.string().trim().min(1, 'your name is required').max(200),
  email: z.string().trim().email('is not an email address'),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  base_currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as GBP').default('GBP'),
  demo: z.enum(['yes', 'no']).optional(),
}).strict();
const login = z.object({ email: z.string().trim().min(1, 'email is required'), password: z.string().min(1, 'password is required'), next: z.string().optional() }).strict();

export function startSession(req: Express.Request & { session: any }, user: SessionUser): Promise<void> {
  // A fresh session id at sign-in (no fixation).
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => {
    if (err) return reject(err);
    req.session.user = user;
    req.session.save((e: unknown) => (e ? reject(e) : resolve()));
  }));
}

/** Slows password guessing and sign-up floods: per process, per client address. */
const attempts = rateLimit({ windowMs: 10 * 60_000, limit: 20, standardHeaders: 'draft-7', legacyHeaders: false, handler: (_req, _res, next) => next(new DomainError('too_many_requests', 429, 'Too many attempts from here; wait a few minutes and try again')) });

export function authPages(db: Db, signup: 'first-run' | 'open'): Router {
  const r = Router();
  // After the first organisation, new ones come only from an open sign-up (or, later, Sign up with Xero).
  const setupAllowed: RequestHandler = async (_req, _res, next) => {
    if (signup === 'open' || !(await hasAnyOrganisation(db))) return next();
    next(new Forbidden('This Perpetua already has its organisation; ask its admin to invite you (Settings, Users)'));
  };
  r.get('/setup', setupAllowed, async (req, res) => {
    render(req, res, 'pages/setup', { firstRun: !(await hasAnyOrganisation(db)) });
  });
  r.post('/setup', attempts, setupAllowed, async (req, res) => {
    res.locals.form = { view: 'pages/setup' };
    const b = signUp.parse(formFields(req));
    const user = await createOrganisation(db, { organisation: b.organisation, name: b.name, email: b.email, password: b.password, baseCurrency: b.base_currency });
    if (b.demo === 'yes') await loadDemoCompany(db, { tenantId: user.tenantId, userId: user.userId, role: 'admin' });
    await startSession(req, user);
    redirect(req, res, '/stock');
  });
  r.get('/login', async (req, res) => {
    if (!(await hasAnyOrganisation(db))) return res.redirect('/setup');
    render(req, res, 'pages/login', { next: typeof req.query.next === 'string' ? req.query.next : '' });
  });
  r.post('/login', attempts, async (req, res) => {
    res.locals.form = { view: 'pages/login' };
    const b = login.parse(formFields(req));
    const user = await signIn(db, b.email, b.password);
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
