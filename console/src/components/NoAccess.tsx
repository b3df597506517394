import { Paper, Stack, Text, Title } from '@mantine/core';

/** The 403 state: a page the user's role does not allow (the API would answer 403 too). */
export function NoAccess({ needs }: { needs: string }) {
  return (
    <Paper withBorder radius="md" p="xl" role="alert">
      <Stack gap="xs" align="center" ta="center">
        <Text c="red" fw={700} size="sm">
          403
        </Text>
        <Title order={1} size="h3">
          You don&apos;t have access
        </Title>
        <Text c="dimmed" size="sm" maw={480}>
          This page needs {needs}. Ask an administrator of your account if you need it.
        </Text>
      </Stack>
    </Paper>
  );
}
