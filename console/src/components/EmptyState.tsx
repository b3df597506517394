import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  /** What to do next, in words ("Create an inbox to start receiving messages"). */
  children: ReactNode;
  /** The button that does it. */
  action?: ReactNode;
}

/** Nothing here yet: says so and what to do next. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <Paper withBorder radius="md" p="xl" role="status">
      <Stack align="center" gap="xs" ta="center">
        <Title order={2} size="h4">
          {title}
        </Title>
        <Text c="dimmed" size="sm" maw={480}>
          {children}
        </Text>
        {action}
      </Stack>
    </Paper>
  );
}
