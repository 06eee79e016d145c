import express, { Express } from 'express';
import helmet from 'helmet';
import session from 'express-session';
import pinoHttp from 'pino-http';
import { csrfSync } from 'csrf-sync';
import { Db } from './db';
import { Config } from './config';
import { Logger } from './logger';
import { KnexSessionStore } from './http/session-store';
import { apiKeyAuth } from './http/middleware/auth';
import { errorHandler, notFound } from './http/error-handler';
import { loadViews } from './http/render';
import { jsonBody } from './http/json-body';
import { refuseUnstorableText } from './http/middleware/text-guard';
import { multipartForms } from './http/multipart-form';
import { CSV_LIMIT } from './http/csv-upload';
import { openApiDocument } from './http/openapi';
import { stockApi } from './routes/api/stock';
import { catalogueApi } from './routes/api/catalogue';
import { accountingApi } from './routes/api/accounting';
import { purchasingApi } from './routes/api/purchasing';
import { bomsApi } from './routes/api/boms';
import { jobsApi } from './routes/api/jobs';
import { planningApi } from './routes/api/planning';
import { webhookEventsApi } from './routes/api/webhook-events';
import { xeroDocumentsApi } from './routes/api/xero-documents';
import { xeroApi } from './routes/api/xero';
import { xeroSyncApi } from './routes/api/xero-sync';
import { pageRoutes } from './routes/pages';
import { webhooksRouter } from '../webhooks';

/** `clock` times sign-in back-offs (tests move it instead of waiting). */
export type AppDeps = { db: Db; config: Config; log: Logger; sessionSecret: string; clock?: () => Date };

export function createApp({ db, config, log, sessionSecret, clock = () => new Date() }: AppDeps): Express {
  loadViews();
  const app = express();
  app.disable('x-powered-by');
  // Behind a TLS-terminating proxy the connection is plain http from the proxy: only a trusted
  // proxy's X-Forwarded-Proto/For make req.secure (so the Secure session cookie is set) and req.ip.
  app.set('trust proxy', config.trustProxy);
  if (config.publicUrl.startsWith('https://') && config.trustProxy === false) {
    log.warn({ event: 'config.trust_proxy' },
      'PUBLIC_URL is https but TRUST_PROXY is off: behind a TLS proxy no session cookie is set and nobody can sign in');
  }
  app.use(helmet({
    contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null } },
    strictTransportSecurity: config.env === 'production',
  }));
  app.use(pinoHttp({ logger: log, autoLogging: config.env !== 'test' }));
  app.get('/static/htmx.min.js', (_req, res) => res.sendFile(require.resolve('htmx.org/dist/htmx.min.js')));
  app.use('/static', express.static(`${__dirname}/../public`, { maxAge: config.env === 'production' ? '1h' : 0 }));
  app.get('/healthz', (_req, res) => res.json({ ok: true }));
  app.use('/webhooks', webhooksRouter({ db, log, xeroWebhookKey: config.xeroWebhookKey }));

  // API: stateless, authenticated by key, so no session and no CSRF token.
  app.get('/api/v1/openapi.json', (_req, res) => res.json(openApiDocument(config.publicUrl)));
  app.use('/api/v1', jsonBody, apiKeyAuth(db), refuseUnstorableText, stockApi(db), catalogueApi(db), accountingApi(db), purchasingApi(db), bomsApi(db), jobsApi(db), planningApi(db), webhookEventsApi(db), xeroApi(db, config), xeroDocumentsApi(db), xeroSyncApi(db, config));
  app.use('/api', notFound);

  // File-upload forms (the CSV imports) are read here too, before the CSRF check, so their hidden _csrf field counts.
  app.use(express.urlencoded({ extended: true, limit: '1mb' }), multipartForms(CSV_LIMIT + 100_000), refuseUnstorableText);
  app.use(session({
    store: new KnexSessionStore(db),
    secret: sessionSecret,
    name: 'perpetua.sid',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https://'), maxAge: 12 * 3600_000 },
  }));
  const csrf = csrfSync({ getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? req.get('x-csrf-token') });
  app.use(csrf.csrfSynchronisedProtection);
  app.use((req, res, next) => {
    res.locals.csrfToken = csrf.generateToken(req);
    res.locals.user = req.session.user;
    res.locals.path = req.path;
    // "Sign in / up with Xero" only where this Perpetua has a Xero app configured.
    res.locals.xeroSignIn = !!(config.xero.clientId && config.xero.clientSecret && config.encryptionKey);
    next();
  });
  app.use(pageRoutes(db, config, clock));
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
