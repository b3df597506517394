import * as path from 'node:path';

/** The workflow bundle entry, next to this file's compiled or source tree (dist/workflows or workflows). */
export const WORKFLOWS_PATH = require.resolve(path.join(__dirname, '..', '..', 'workflows'));
