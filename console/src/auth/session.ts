/**
 * The session token from POST /api/v1/auth/login (or sign-up), kept in localStorage under
 * `cx.session` as the API expects it: sent as `Authorization: Bearer <token>` (api/client.ts).
 * Components read it with useSessionToken(); a 401 from the API or a logout clears it.
 */
import { useSyncExternalStore } from 'react';

const KEY = 'cx.session';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let current = read();

function emit(): void {
  for (const l of listeners) l();
}

export const session = {
  token: (): string | null => current,
  set(token: string): void {
    current = token;
    localStorage.setItem(KEY, token);
    emit();
  },
  clear(): void {
    if (current === null) return;
    current = null;
    localStorage.removeItem(KEY);
    emit();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

// Another tab logged in or out.
window.addEventListener('storage', (e) => {
  if (e.key === KEY) {
    current = read();
    emit();
  }
});

export function useSessionToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.token);
}
