import { Router } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { render } from '../../http/render';
import { createOrganisation, hasAnyOrganisation, signIn, SessionUser } from '../../services/auth/accounts';
import { loadDemoCompany } from '../../services/demo';

const signUp = z.object({
  organisation: z.string().trim().min(1, 'organisation name is required').max(200),
  name: z.string().trim().min(1, 'your name is required').max(200),
  email: z.string().trim().email('is not an email address'),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  demo: z.enum(['yes', 'no']).optional(),
  _csrf: z.string().optional(),
}).strict();
const login = z.object({ email: z.string().trim().min(1, 'email is required'), password: z.string().min(1, 'password is required'), next: z.string().optional(), _csrf: z.string().optional() }).strict();

function startSession(req: Express.Request & { session: any }, user: SessionUser): Promise<void> {
  // A fresh session id at sign-in (no fixation).
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => {
    if (err) return reject(err);
    req.session.user = user;
    req.session.save((e: unknown) => (e ? reject(e) : resolve()));
  }));
}

export function authPages(db: Db): Router {
  const r = Router();
  r.get('/setup', async (req, res) => {
    render(req, res, 'pages/setup', { firstRun: !(await hasAnyOrganisation(db)) });
  });
  r.post('/setup', async (req, res) => {
    res.locals.form = { view: 'pages/setup' };
    const b = signUp.parse(req.body);
    const user = await createOrganisation(db, { organisation: b.organisation, name: b.name, email: b.email, password: b.password });
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
    const b = login.parse(req.body);
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
