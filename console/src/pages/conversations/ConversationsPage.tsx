import { Box, Button, Group, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, Outlet, useLocation, useMatch } from 'react-router';
import { ConversationList } from './ConversationList';
import { useConversationsLive } from './queries';

/**
 * The agent's workspace: the conversation list (filters in the address, so they survive reloads
 * and links) and, next to it on wide screens, the open conversation. On a phone one or the other.
 */
export default function ConversationsPage() {
  useConversationsLive();
  const wide = useMediaQuery('(min-width: 62em)', true);
  const atList = useMatch('/conversations') !== null;
  const { search } = useLocation();

  const list = (
    <Box style={{ minWidth: 0 }}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={2} size="h3">
          Conversations
        </Title>
        <Button component={Link} to={`/conversations/new${search}`} size="xs" variant="light">
          Start a conversation
        </Button>
      </Group>
      <ConversationList />
    </Box>
  );

  if (!wide) return atList ? list : <Outlet />;
  return (
    <Box style={{ display: 'grid', gridTemplateColumns: 'minmax(320px, 400px) minmax(0, 1fr)', gap: 'var(--mantine-spacing-lg)', alignItems: 'start' }}>
      {list}
      <Box style={{ minWidth: 0 }}>
        <Outlet />
      </Box>
    </Box>
  );
}
