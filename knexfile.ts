import { loadConfig } from './server/config';
import { migrationSource } from './migrations';

// For the knex CLI; the app itself builds its connection in server/db.ts from the same config.
const config = loadConfig();
export default config.databaseUrl
  ? { client: 'pg', connection: config.databaseUrl, migrations: { migrationSource } }
  : { client: require('knex-pglite').default, dialect: 'postgres', connection: { filename: `${config.dataDir}/pgdata` }, migrations: { migrationSource } };
