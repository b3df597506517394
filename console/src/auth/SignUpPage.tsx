import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { showApiErrors } from '../api/form-errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthCard } from './AuthCard';
import { session, useSessionToken } from './session';

/** Sign-up (POST /api/v1/accounts): a new account and its first administrator, logged in. */
export function SignUpPage() {
  const token = useSessionToken();
  const [formError, setFormError] = useState<unknown>(null);
  // The form's paths are the API's field names (name, admin.email…), so its 400 lands on the fields as is.
  const form = useForm({ initialValues: { name: '', admin: { name: '', email: '', password: '' } } });
  const signUp = useMutation({
    mutationFn: (body: typeof form.values) => unwrap(api.POST('/api/v1/accounts', { body })),
    onMutate: () => setFormError(null),
    onSuccess: (res) => session.set(res.token),
    onError: (err) => setFormError(showApiErrors(form, err)),
  });

  if (token) return <Navigate to="/" replace />;

  return (
    <AuthCard title="Create your account" subtitle="You become its administrator; add your team afterwards.">
      <form onSubmit={form.onSubmit((values) => signUp.mutate(values))} noValidate>
        <Stack>
          <ErrorAlert error={formError} />
          <TextInput label="Company or team name" required {...form.getInputProps('name')} />
          <TextInput label="Your name" autoComplete="name" required {...form.getInputProps('admin.name')} />
          <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('admin.email')} />
          <PasswordInput
            label="Password"
            description="At least 10 characters"
            autoComplete="new-password"
            required
            {...form.getInputProps('admin.password')}
          />
          <Button type="submit" loading={signUp.isPending} fullWidth>
            Create account
          </Button>
          <Text size="sm" ta="center">
            Already have an account?{' '}
            <Anchor component={Link} to="/login">
              Log in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
