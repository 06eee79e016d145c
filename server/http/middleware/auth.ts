import { Request, RequestHandler } from 'express';
import { Db } from '../../db';
import { Forbidden, Unauthorised } from '../../errors';
import { authenticateApiKey, Role, SessionUser } from '../../services/auth/accounts';
import { Actor } from '../../services/stock/types';

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    newApiKey?: string;
    /** Between leaving for Xero and its callback: the state and nonce sent. */
    xeroLogin?: import('../../connectors/xero/connect').PendingLogin;
    /** While choosing among several Xero organisations (tokens encrypted). */
    xeroPending?: import('../../connectors/xero/connect').PendingChoice;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw new Unauthorised();
  return req.actor;
}

/** Pages: a signed-in user whose role is one of those given (all roles when none given). */
export function requireUser(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const user = req.session?.user;
    if (!user) return next(new Unauthorised());
    if (roles.length && !roles.includes(user.role)) return next(new Forbidden(`This needs the ${roles.join(' or ')} role; you are signed in as ${user.role}`));
    req.actor = { tenantId: user.tenantId, userId: user.userId, role: user.role };
    res.locals.user = user;
    next();
  };
}

/** API: `Authorization: Bearer pk_...`, an organisation's API key. */
export function apiKeyAuth(db: Db): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return next(new Unauthorised('Send an API key as "Authorization: Bearer pk_..."'));
    authenticateApiKey(db, m[1]).then((p) => {
      req.actor = { tenantId: p.tenantId, apiKeyId: p.apiKeyId, role: p.role };
      next();
    }, next);
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const actor = req.actor;
    if (!actor) return next(new Unauthorised());
    if (!roles.includes(actor.role)) return next(new Forbidden(`This needs the ${roles.join(' or ')} role`));
    next();
  };
}
