import { Router, Request, Response } from 'express';
import { z } from 'zod';
import { Db } from '../../db';
import { Config } from '../../config';
import { render } from '../../http/render';
import { formFields } from '../../http/form-claim';
import { actorOf, requireUser } from '../../http/middleware/auth';
import { DomainError, Forbidden } from '../../errors';
import { consentUrl, randomToken } from '../../connectors/xero/oauth';
import { checkState, chosen, completeConsent, connectOrganisation, ConnectDeps, disconnectXero, LoginPurpose, PendingChoice, pendingTokens, signUpWithXero } from '../../connectors/xero/connect';
import { xeroConnectionView } from '../../connectors/xero/connection-view';
import { markSyncDue } from '../../connectors/xero/sync/service';
import { redirect, startSession } from './auth';
import { xeroDeps } from '../../connectors/xero/wiring';

const callback = z.object({ code: z.string().min(1).optional(), state: z.string().optional(), error: z.string().optional(), error_description: z.string().optional() });
const choice = z.object({ xero_tenant_id: z.string().min(1, 'choose an organisation') }).strict();

/** Settings → Xero (the connection page), and the OAuth round trip: connect, sign up with Xero, choose the organisation. */
export function xeroPages(db: Db, config: Config): Router {
  const r = Router();
  const deps: ConnectDeps = { db, oauth: config.xero, encryptionKey: config.encryptionKey, signup: config.signup };

  r.get('/settings/xero', requireUser('admin'), async (req, res) => {
    const connection = await xeroConnectionView(db, actorOf(req).tenantId);
    render(req, res, 'pages/xero/connection', { connection, configured: !!(config.xero.clientId && config.encryptionKey), notice: noticeOf(req.query.notice) });
  });
  r.post('/settings/xero/connect', requireUser('admin'), async (req, res) => goToXero(req, res, 'connect'));
  r.post('/settings/xero/disconnect', requireUser('admin'), async (req, res) => {
    const { toldXero } = await disconnectXero({ ...deps, tokens: xeroDeps(db, config) }, actorOf(req).tenantId);
    redirect(req, res, `/settings/xero?notice=${toldXero ? 'disconnected' : 'disconnected-here'}`);
  });
  r.post('/settings/xero/sync', requireUser('admin'), async (req, res) => {
    await markSyncDue(db, actorOf(req).tenantId);
    redirect(req, res, '/settings/xero?notice=sync');
  });

  // The App Store's "connect request URL" and the Sign up with Xero button: a GET, as Xero links to it.
  r.get('/xero/signup', async (req, res) => goToXero(req, res, 'signup'));
  r.get('/xero/callback', async (req, res) => {
    const q = callback.parse(req.query);
    // Single use, even when the state is wrong: a forged callback spends the login.
    const sent = req.session.xeroLogin;
    delete req.session.xeroLogin;
    const login = checkState(sent, q.state);
    if (q.error || !q.code) {
      const back = login.purpose === 'connect' ? '/settings/xero?notice=cancelled' : '/login';
      if (q.error === 'access_denied') return res.redirect(303, back);
      throw new DomainError('xero_refused', 400, `Xero did not connect: ${q.error_description ?? q.error ?? 'no code returned'}`);
    }
    const pending = await completeConsent(deps, login, q.code);
    if (pending.choices.length > 1) {
      req.session.xeroPending = pending;
      return res.redirect(303, '/xero/choose');
    }
    await finish(req, res, pending, pending.choices[0].tenantId);
  });
  r.get('/xero/choose', (req, res) => {
    const pending = pendingOf(req);
    render(req, res, 'pages/xero/choose', { choices: pending.choices, purpose: pending.purpose });
  });
  r.post('/xero/choose', async (req, res) => {
    const pending = pendingOf(req);
    res.locals.form = { view: 'pages/xero/choose', data: { choices: pending.choices, purpose: pending.purpose } };
    const b = choice.parse(formFields(req));
    await finish(req, res, pending, b.xero_tenant_id);
  });

  async function finish(req: Request, res: Response, pending: PendingChoice, xeroTenantId: string) {
    const org = chosen(pending, xeroTenantId);
    const tokens = pendingTokens(deps, pending);
    if (pending.purpose === 'connect') {
      const user = req.session.user;
      // The person who left to connect must still be this session's admin.
      if (!user || user.role !== 'admin') throw new Forbidden('Sign in as an admin to connect Xero');
      await connectOrganisation(deps, user.tenantId, tokens, org);
      delete req.session.xeroPending;
      return redirect(req, res, '/settings/xero?notice=connected');
    }
    const user = await signUpWithXero(deps, pending.identity!, tokens, org);
    await startSession(req, user);
    redirect(req, res, user.role === 'admin' ? '/settings/xero?notice=connected' : '/');
  }

  async function goToXero(req: Request, res: Response, purpose: LoginPurpose) {
    const login = { state: randomToken(), nonce: randomToken(), purpose, startedAt: Date.now() };
    const url = consentUrl(config.xero, login);
    req.session.xeroLogin = login;
    // Saved before the browser leaves: Xero's callback must find the state.
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    if (req.get('HX-Request') === 'true') res.set('HX-Redirect', url).status(204).end();
    else res.redirect(303, url);
  }
  return r;
}

function pendingOf(req: Request): PendingChoice {
  const pending = req.session.xeroPending;
  if (!pending) throw new DomainError('xero_state', 400, 'There is no Xero sign-in waiting for a choice; start again');
  return pending;
}

const NOTICES: Record<string, string> = {
  connected: 'Xero is connected. The first sync has started: suppliers, items, purchase orders and the chart of accounts arrive over the next minutes.',
  disconnected: 'Xero is disconnected, here and in Xero. New journals wait until you connect again.',
  'disconnected-here': 'Disconnected here, but Xero could not be told: remove Perpetua in Xero under Settings → Connected apps.',
  cancelled: 'Connecting was cancelled in Xero; nothing changed.',
  sync: 'A sync will start within a minute.',
};
const noticeOf = (v: unknown) => (typeof v === 'string' ? NOTICES[v] : undefined);
