import * as fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __cxStops?: Array<() => Promise<void>>; __cxTmp?: string };
  for (const stop of (g.__cxStops ?? []).reverse()) await stop().catch(() => undefined);
  if (g.__cxTmp) fs.rmSync(g.__cxTmp, { recursive: true, force: true });
}
