/**
 * The API names each bad field of a 4xx in `details: [{ field: 'admin.email', problem: 'must be an email' }]`
 * (nested: a.b, items: tags[2]). showApiErrors puts each problem next to its field of a Mantine
 * form and returns what is left for an <ErrorAlert> above the form:
 *
 *   const [formError, setFormError] = useState<unknown>(null);
 *   const save = useMutation({ mutationFn: …, onError: (e) => setFormError(showApiErrors(form, e)) });
 *   <ErrorAlert error={formError} />
 *
 * `fields` maps API field names to form paths when they differ (e.g. { 'admin.email': 'email' }).
 */
import type { ReactNode } from 'react';
import { ApiError } from './client';

interface FormLike {
  getValues(): unknown;
  setErrors(errors: Record<string, ReactNode>): void;
}

/** 'tags[2].name' -> 'tags.2.name' (Mantine form paths). */
export function formPath(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, '.$1');
}

function hasPath(values: unknown, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * Sets the field errors of an ApiError on the form; returns null when every problem found its
 * field, else the error to show above the form (the ApiError itself, or any other error as is).
 */
export function showApiErrors(form: FormLike, error: unknown, fields: Record<string, string> = {}): unknown {
  if (!(error instanceof ApiError) || error.details.length === 0) return error;
  const values = form.getValues();
  const errors: Record<string, ReactNode> = {};
  let unplaced = false;
  for (const { field, problem } of error.details) {
    const path = fields[field] ?? formPath(field);
    if (hasPath(values, path)) errors[path] = errors[path] ? `${errors[path]}; ${problem}` : problem;
    else unplaced = true;
  }
  form.setErrors(errors);
  return unplaced ? error : null;
}
