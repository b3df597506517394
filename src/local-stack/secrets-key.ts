import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateSecretsKey } from '../common/secret-box';
import { type AppConfig, loadConfig } from '../config/config';

/**
 * SECRETS_KEY when set; otherwise the key in `<dataDir>/secrets.key`, generated on the first start
 * (mode 0600). The local stacks (`npm start`, `npm run cluster`) hand it to every API and worker process.
 */
export function localSecretsKey(config: AppConfig, say: (line: string) => void, dataDir = config.dataDir): string {
  if (config.secretsKey) return config.secretsKey;
  const file = path.join(dataDir, 'secrets.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, generateSecretsKey() + '\n', { mode: 0o600, flag: 'wx' });
    say(`SECRETS_KEY: generated ${file} (keep it: channel secrets stored with it cannot be read without it)`);
  }
  // Validated like an env value, so a damaged file stops the start with a clear message.
  return loadConfig({ SECRETS_KEY: fs.readFileSync(file, 'utf8').trim() }).secretsKey!;
}
