/**
 * Loads an ES module from CommonJS. TypeScript would turn `import()` into `require()`, which cannot
 * load ESM-only packages on every Node version we support; a Function keeps the real `import()`.
 */
const dynamicImport = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport<T>(specifier);
}
