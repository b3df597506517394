import { Anchor, Badge, Group, Tabs, Text } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorAlert, Loading, PageHeader } from '../../components';
import { BusinessHoursTab } from './BusinessHoursTab';
import { ChannelTab } from './ChannelTab';
import { GeneralTab } from './GeneralTab';
import { MembersTab } from './MembersTab';
import { RoutingTab } from './RoutingTab';
import { CHANNEL_LABEL, useInbox } from './useInbox';

const TABS = [
  { value: 'settings', label: 'Settings' },
  { value: 'hours', label: 'Business hours' },
  { value: 'routing', label: 'Routing rules' },
  { value: 'channel', label: 'Channel' },
  { value: 'members', label: 'Members' },
] as const;

export default function InboxPage() {
  const { inboxId = '', tab = 'settings' } = useParams();
  const navigate = useNavigate();
  const inbox = useInbox(inboxId);

  if (inbox.isPending) return <Loading label="Loading inbox" />;
  if (inbox.error || !inbox.data) return <ErrorAlert error={inbox.error} />;
  const data = inbox.data;

  return (
    <>
      <Anchor component={Link} to="/inboxes" size="sm">
        ← All inboxes
      </Anchor>
      <PageHeader
        title={data.name}
        description={
          <Group gap="xs" component="span">
            <Badge variant="light" component="span">
              {CHANNEL_LABEL[data.channelType]}
            </Badge>
            <Text span size="sm" c="dimmed">
              Your role: {data.myRole}
            </Text>
          </Group>
        }
      />
      <Tabs value={tab} onChange={(v) => v && void navigate(`/inboxes/${inboxId}/${v}`)} keepMounted={false}>
        <Tabs.List mb="md" style={{ flexWrap: 'nowrap', overflowX: 'auto' }}>
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} style={{ flexShrink: 0 }}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="settings">
          <GeneralTab inbox={data} />
        </Tabs.Panel>
        <Tabs.Panel value="hours">
          <BusinessHoursTab inbox={data} />
        </Tabs.Panel>
        <Tabs.Panel value="routing">
          <RoutingTab inbox={data} />
        </Tabs.Panel>
        <Tabs.Panel value="channel">
          <ChannelTab inbox={data} />
        </Tabs.Panel>
        <Tabs.Panel value="members">
          <MembersTab inbox={data} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
