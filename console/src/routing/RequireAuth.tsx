import { Button, Center, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSessionToken } from '../auth/session';
import { useMe } from '../auth/useMe';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';

/** Logged-in users only: without a session token, the login page (coming back here afterwards). */
export function RequireAuth({ children }: { children: ReactNode }) {
  const token = useSessionToken();
  const location = useLocation();
  const me = useMe();
  if (!token) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.isPending) return <Loading label="Loading your account" />;
  if (me.isError) {
    return (
      <Center p="xl">
        <Stack>
          <ErrorAlert error={me.error} title="Your account could not be loaded" />
          <Button onClick={() => void me.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  }
  return children;
}
