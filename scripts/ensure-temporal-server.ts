/** `npm run temporal:server`: finds or builds Temporal's server and its sql tool for the cluster profile (CI runs it before the tests). */
import { resolveTemporalServer } from '../src/local-stack/temporal-server';

resolveTemporalServer({ serverPath: process.env.TEMPORAL_SERVER_PATH, sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH, schemaDir: process.env.TEMPORAL_SCHEMA_DIR, log: (l) => console.log(l) })
  .then((s) => console.log(`Temporal server ${s.version}: ${s.source} -> ${s.server} (sql tool ${s.sqlTool}, schema ${s.schemaDir})`))
  .catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
