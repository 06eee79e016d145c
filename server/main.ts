import crypto from 'node:crypto';
import { loadConfig } from './config';
import { createDb, Db } from './db';
import { createLogger } from './logger';
import { createApp } from './app';
import { startOutboxWorker } from './jobs/outbox-worker';
import { startWebhookWorker } from './jobs/webhook-worker';
import { xeroDeps, xeroWebhookHandlers } from './connectors/xero/wiring';
import { startXeroSyncWorker } from './jobs/xero-sync-worker';
import { createRegistry } from './connectors/registry';
import { tenantForExternal } from './connectors/xero/connections';

/** Without SESSION_SECRET, one is made on first start and kept in the database for every process. */
async function sessionSecret(db: Db, configured?: string): Promise<string> {
  if (configured) return configured;
  await db('app_settings').insert({ key: 'session_secret', value: crypto.randomBytes(32).toString('hex') }).onConflict('key').ignore();
  return (await db('app_settings').where({ key: 'session_secret' }).first()).value;
}

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax });
  await db.migrate.latest();
  const app = createApp({ db, config, log, sessionSecret: await sessionSecret(db, config.sessionSecret) });
  const worker = config.workers ? startOutboxWorker(db, createRegistry(db, config), { publicUrl: config.publicUrl, log }) : null;
  const xero = xeroDeps(db, config);
  // Xero sends no events for purchase orders, items or the chart: they are pulled every few minutes.
  const syncWorker = config.workers ? startXeroSyncWorker(db, xero, { log }) : null;
  const webhookWorker = config.workers ? startWebhookWorker(db, xeroWebhookHandlers(xero), { log, resolveTenant: (provider, id) => tenantForExternal(db, provider, id) }) : null;
  const server = app.listen(config.port, () => {
    log.info({ event: 'server.started', port: config.port, database: config.databaseUrl ? 'postgresql' : `pglite:${config.dataDir}` }, `Perpetua on http://localhost:${config.port}`);
  });
  const shutdown = async (signal: string) => {
    log.info({ event: 'server.stopping', signal }, 'shutting down');
    server.close();
    await worker?.stop();
    await webhookWorker?.stop();
    await syncWorker?.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
