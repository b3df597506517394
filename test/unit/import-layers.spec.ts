/**
 * The layers of the code, checked on its imports (read with TypeScript's own pre-processor):
 *
 *   src/worker/     the composition root: knows every use case and the activity factories
 *   activities/     thin adapters over use cases
 *   src/modules/    use cases, entities, controllers (may use the Temporal clients in src/temporal/)
 *   src/temporal/   clients only: they know workflows by their contracts, nothing else of workflows/
 *   workflows/      deterministic code; `import type` from activities only
 *
 * and no file of src/, activities/ or workflows/ takes part in a circle of imports; src/, bench/ and
 * scripts/ import nothing from test/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const LAYERS = ['src', 'activities', 'workflows', 'bench', 'scripts'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
  }
  return null;
}

/** Every relative import of the layers, with whether it is `import type` (erased at compile time). */
function readImports(): Import[] {
  const imports: Import[] = [];
  for (const file of LAYERS.flatMap(sourceFiles)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false);
    for (const statement of source.statements) {
      const isImport = ts.isImportDeclaration(statement);
      if (!isImport && !ts.isExportDeclaration(statement)) continue;
      const spec = statement.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const to = resolve(file, spec.text);
      if (!to) continue;
      const typeOnly = isImport ? !!statement.importClause?.isTypeOnly : statement.isTypeOnly;
      imports.push({ from: file, to, typeOnly });
    }
  }
  return imports;
}

const imports = readImports();
const under = (dir: string) => (file: string) => file.startsWith(dir);

test('the import reader finds the imports it checks', () => {
  // A broken reader would pass every rule below.
  expect(imports.length).toBeGreaterThan(300);
  expect(imports).toContainEqual({ from: 'src/worker/worker.factory.ts', to: 'activities/index.ts', typeOnly: false });
  expect(imports).toContainEqual({ from: 'workflows/conversation/conversation.workflow.ts', to: 'activities/conversation.activities.ts', typeOnly: true });
});

test('the product, its benches and scripts import nothing from test/', () => {
  expect(imports.filter((i) => under('test/')(i.to))).toEqual([]);
});

test('no circle of imports among src/, activities/ and workflows/', () => {
  const graph = new Map<string, string[]>();
  for (const i of imports) graph.set(i.from, [...(graph.get(i.from) ?? []), i.to]);
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  expect(circles.map((c) => c.join(' -> '))).toEqual([]);
});

test('the Temporal clients know workflows only by their contracts', () => {
  const wrong = imports.filter((i) => under('src/temporal/')(i.from) && (under('workflows/')(i.to) ? !under('workflows/contracts/')(i.to) : !under('src/temporal/')(i.to) && !under('src/config/')(i.to)));
  expect(wrong).toEqual([]);
});

test('workflow code takes only types from activities and nothing from src/', () => {
  const wrong = imports.filter((i) => under('workflows/')(i.from) && ((under('activities/')(i.to) && !i.typeOnly) || under('src/')(i.to)));
  expect(wrong).toEqual([]);
});

test('only the worker builds activities; nothing but the worker and its tools imports src/worker/', () => {
  const tools = (file: string) => under('bench/')(file) || under('scripts/')(file);
  expect(imports.filter((i) => under('activities/')(i.to) && !i.typeOnly && !under('activities/')(i.from) && !under('src/worker/')(i.from) && !tools(i.from))).toEqual([]);
  // The cluster stack builds the workflow bundles once for the several worker processes it starts.
  const bundlesForWorkers = (i: { from: string; to: string }) => i.from === 'src/local-stack/cluster-stack.ts' && i.to === 'src/worker/workflow-bundles.ts';
  expect(imports.filter((i) => under('src/worker/')(i.to) && !under('src/worker/')(i.from) && !tools(i.from) && !bundlesForWorkers(i))).toEqual([]);
});

test('activities are adapters over use cases: they never reach the Temporal clients or the worker', () => {
  expect(imports.filter((i) => under('activities/')(i.from) && (under('src/temporal/')(i.to) || under('src/worker/')(i.to)))).toEqual([]);
});
