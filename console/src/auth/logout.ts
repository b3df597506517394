import type { QueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { session } from './session';

/** Ends the session at the API (POST /api/v1/auth/logout), then forgets the token and every cached answer. */
export async function logout(queryClient: QueryClient): Promise<void> {
  try {
    if (session.token()) await api.POST('/api/v1/auth/logout');
  } catch {
    // Offline or the API is down: the token is forgotten all the same.
  } finally {
    session.clear();
    queryClient.clear();
  }
}
