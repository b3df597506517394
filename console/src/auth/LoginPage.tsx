import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { showApiErrors } from '../api/form-errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthCard } from './AuthCard';
import { session, useSessionToken } from './session';

/** Where to go after logging in: the page that sent the user here, if it is one of ours. */
function nextPath(params: URLSearchParams): string {
  const next = params.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const token = useSessionToken();
  const [params] = useSearchParams();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { email: '', password: '' } });
  const login = useMutation({
    mutationFn: (body: typeof form.values) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onMutate: () => setFormError(null),
    onSuccess: (res) => session.set(res.token),
    onError: (err) => setFormError(showApiErrors(form, err)),
  });

  if (token) return <Navigate to={nextPath(params)} replace />;

  return (
    <AuthCard title="Log in" subtitle="Your inboxes, conversations and campaigns.">
      <form onSubmit={form.onSubmit((values) => login.mutate(values))} noValidate>
        <Stack>
          <ErrorAlert error={formError} />
          <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" loading={login.isPending} fullWidth>
            Log in
          </Button>
          <Text size="sm" ta="center">
            New here?{' '}
            <Anchor component={Link} to="/signup">
              Create an account
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
