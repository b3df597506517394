/**
 * Every DTO field validated with @ValidateNested also refuses arrays and scalars (@IsObject, as
 * NestedObject / NestedObjects in src/common/validation.ts do): @ValidateNested alone accepted
 * `settings: []` (an empty list of settings objects) and skipped a missing required object, which
 * then crashed the use case (`contact` of an inbound message: a 500).
 */
import 'reflect-metadata';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';

interface Metadata {
  type: string;
  name?: string;
  propertyName: string;
  each?: boolean;
  target: { name?: string } | string;
}

function dtoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return dtoFiles(path);
    return /\.dto\.ts$/.test(entry) ? [path] : [];
  });
}

test('each @ValidateNested field has @IsObject with the same `each`', () => {
  const files = dtoFiles(join(__dirname, '../../src/modules'));
  expect(files.length).toBeGreaterThan(10);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of files) require(file);
  const byTarget = (getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, Metadata[]> }).validationMetadatas;
  const nested: string[] = [];
  const missing: string[] = [];
  for (const metadatas of byTarget.values()) {
    for (const m of metadatas.filter((x) => x.type === 'nestedValidation')) {
      const where = `${typeof m.target === 'string' ? m.target : m.target.name}.${m.propertyName}`;
      nested.push(where);
      const hasObjectCheck = metadatas.some((x) => x.propertyName === m.propertyName && x.name === 'isObject' && !!x.each === !!m.each);
      if (!hasObjectCheck) missing.push(`${where}${m.each ? ' (each)' : ''}`);
    }
  }
  expect(nested).toEqual(expect.arrayContaining(['InboundMessageDto.contact', 'UpdateInboxDto.settings', 'UpdateAccountDto.settings']));
  expect(missing).toEqual([]);
});
