/**
 * CSV export and import of contacts. The export needs the bearer token, so it is fetched and handed
 * to the browser as a download; the import is an XMLHttpRequest so its upload reports progress.
 */
import { api, ApiError, unwrap, type ErrorResponse, type Schemas } from '../../api/client';
import { session } from '../../auth/session';

export type ContactFilters = { q?: string; vip?: boolean; tag?: string; favourites?: boolean; optedOut?: boolean };

/** GET /api/v1/contacts/export.csv with the list's filters, saved as contacts.csv. */
export async function downloadContactsCsv(filters: ContactFilters): Promise<void> {
  const blob = await unwrap(api.GET('/api/v1/contacts/export.csv', { params: { query: filters }, parseAs: 'blob' }));
  const url = URL.createObjectURL(blob as unknown as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = 'contacts.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** POST /api/v1/contacts/import (text/csv); `onProgress` gets 0..1 while the file uploads. */
export function importContactsCsv(file: Blob, onProgress: (fraction: number) => void): Promise<Schemas['ContactImportReportView']> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/contacts/import');
    xhr.setRequestHeader('content-type', 'text/csv');
    const token = session.token();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new Error('The upload failed (network error). Try again.'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as Schemas['ContactImportReportView']);
        return;
      }
      if (xhr.status === 401) session.clear();
      const err: ErrorResponse =
        body && typeof body === 'object' && 'message' in body
          ? (body as ErrorResponse)
          : { statusCode: xhr.status, code: xhr.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', message: `${xhr.status} ${xhr.statusText}`.trim() };
      reject(new ApiError(xhr.status, err));
    };
    xhr.send(file);
  });
}
