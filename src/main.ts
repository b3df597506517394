import 'reflect-metadata';
import { createApiApp } from './app.factory';
import { ConfigError, loadConfig, requireServices } from './config/config';

async function main(): Promise<void> {
  const config = requireServices(loadConfig());
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  console.log(`API listening on ${config.publicUrl} (docs: ${config.publicUrl}/api/docs)`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `API failed to start: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
