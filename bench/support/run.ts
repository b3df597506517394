/**
 * What every bench does around its measurements: progress lines on stderr, stdout kept for the one
 * JSON document the bench prints (so `npm run -s bench:x > result.json` holds nothing else, not even
 * the migrator's lines, which it logs through a console.log bound at load time), and the exit code.
 */
export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the bench and prints the document it returns on stdout; exits 0 then, 1 on an error.
 * `failed`: a document that is printed but still exits 1 (e.g. one of several parts failed).
 */
export function runBench<T>(bench: () => Promise<T>, opts: { failed?: (result: T) => boolean } = {}): void {
  const printResult = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  bench().then(
    (result) => {
      printResult(`${JSON.stringify(result, null, 2)}\n`, () => process.exit(opts.failed?.(result) ? 1 : 0));
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
