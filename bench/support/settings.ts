/**
 * A bench's settings, so a run can be scaled down for a quick look without editing the file:
 * BENCH_<NAME> from the environment, or --<name>=value on the command line (which wins), e.g.
 * `--open-conversations=300` for BENCH_OPEN_CONVERSATIONS.
 */
const fromCommandLine: Record<string, string> = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a) => /^--([\w-]+)=(.*)$/.exec(a))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => [`BENCH_${m[1].toUpperCase().replace(/-/g, '_')}`, m[2]]),
);

export function setting(name: string, fallback: string): string {
  return fromCommandLine[name] ?? process.env[name] ?? fallback;
}

export function positiveNumber(name: string, fallback: number): number {
  const value = Number(setting(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** A comma-separated list of positive numbers, e.g. BENCH_RATES=10,50,100. */
export function positiveNumbers(name: string, fallback: string): number[] {
  return setting(name, fallback)
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => r > 0);
}
