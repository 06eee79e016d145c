import { loadConfig } from '../config';
import { createDb } from '../db';
import { createOrganisation } from '../services/auth/accounts';
import { loadDemoCompany } from '../services/demo';

// npm run demo: migrate, then create "Demo Pumps Ltd" with a catalogue, stock and journals (once).
const ORGANISATION = 'Demo Pumps Ltd';
const EMAIL = 'demo@perpetua.test';
const PASSWORD = 'demo-password';

async function run() {
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate.latest();
    const existing = await db('tenants').where({ name: ORGANISATION }).first('id');
    if (existing) {
      console.log(`${ORGANISATION} already exists; nothing loaded. Sign in as ${EMAIL} / ${PASSWORD} (unless it was changed).`);
      return;
    }
    const started = Date.now();
    const user = await createOrganisation(db, { organisation: ORGANISATION, name: 'Demo Admin', email: EMAIL, password: PASSWORD });
    const counts = await loadDemoCompany(db, { tenantId: user.tenantId, userId: user.userId, role: 'admin' });
    console.log(`Loaded ${ORGANISATION} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.parts} parts, ${counts.locations} locations, ${counts.stockLines} stock lines, ${counts.purchaseOrders} purchase orders.`);
    console.log(`Sign in with ${EMAIL} / ${PASSWORD}`);
  } finally {
    await db.destroy();
  }
}
run().catch((e) => { console.error(e); process.exit(1); });
