import { AppShell, Badge, Burger, Button, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { logout } from '../auth/logout';
import { roleAtLeast, useMe, type ConsoleRole } from '../auth/useMe';
import { NAV } from './nav';
import { PresenceSwitch } from './PresenceSwitch';
import { LiveEventsProvider, useLiveStatus } from '../live/LiveEvents';

const LIVE_LABEL = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Offline' } as const;

/** Whether live updates flow (the event stream is open). */
function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <Badge role="status" aria-label={`Live updates: ${LIVE_LABEL[status]}`} variant="dot" color={status === 'live' ? 'teal' : status === 'closed' ? 'gray' : 'yellow'} size="sm" visibleFrom="sm">
      {LIVE_LABEL[status]}
    </Badge>
  );
}

const ROLE_LABEL: Record<ConsoleRole, string> = { admin: 'Administrator', manager: 'Manager', agent: 'Agent' };

/** The app shell: header (menu, presence, user, log out), role-dependent navbar, the page. */
export function ShellLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const me = useMe().data!;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { pathname } = useLocation();

  const sections = NAV.map((s) => ({ ...s, entries: s.entries.filter((e) => roleAtLeast(me.role, e.needs)) })).filter((s) => s.entries.length > 0);

  const signOut = async () => {
    await logout(queryClient);
    void navigate('/login', { replace: true });
  };

  return (
    <LiveEventsProvider>
      <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
              <Text fw={700}>CX Platform</Text>
            </Group>
            <Group gap="md" wrap="nowrap">
              <LiveIndicator />
              <PresenceSwitch />
              <Group gap={6} visibleFrom="sm" wrap="nowrap">
                <Text size="sm">{me.user.name}</Text>
                <Badge variant="light" size="sm">
                  {ROLE_LABEL[me.role]}
                </Badge>
              </Group>
              <Button variant="default" size="xs" onClick={() => void signOut()}>
                Log out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Main navigation">
          <ScrollArea>
            <Stack gap="md">
              {sections.map((section) => (
                <nav key={section.label} aria-label={section.label}>
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
                    {section.label}
                  </Text>
                  {section.entries.map((entry) => (
                    <NavLink key={entry.to} component={RouterNavLink} to={entry.to} label={entry.label} active={pathname === entry.to || pathname.startsWith(entry.to + '/')} onClick={close} />
                  ))}
                </nav>
              ))}
            </Stack>
          </ScrollArea>
        </AppShell.Navbar>
        <AppShell.Main>
          <Outlet />
        </AppShell.Main>
      </AppShell>
    </LiveEventsProvider>
  );
}
