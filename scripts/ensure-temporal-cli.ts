/** Finds or builds the Temporal CLI (see src/local-stack/temporal-cli.ts); prints where it is. */
import { resolveTemporalCli } from '../src/local-stack/temporal-cli';

resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, log: (l) => console.log(l) })
  .then((cli) => console.log(`Temporal CLI: ${cli.source} -> ${cli.detail}`))
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
