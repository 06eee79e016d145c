import { loadConfig } from '../config';
import { createDb } from '../db';

// npm run migrate [-- down]: latest by default; "down" rolls every migration back.
async function run() {
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (process.argv[2] === 'down') {
    const [, names] = await db.migrate.rollback(undefined, true);
    console.log(`rolled back ${names.length} migration(s)`);
  } else {
    const [, names] = await db.migrate.latest();
    console.log(names.length ? `applied ${names.join(', ')}` : 'already up to date');
  }
  await db.destroy();
}
run().catch((e) => { console.error(e); process.exit(1); });
