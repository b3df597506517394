import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { EmptyState, ErrorAlert, Loading, PageHeader } from '../../components';
import { CHANNEL_LABEL } from './useInbox';

type CreateBody = Schemas['CreateInboxDto'];

function CreateInboxModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { name: '', channelType: 'sms' as CreateBody['channelType'], welcomeMessage: '' } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/inboxes', { body: { name: v.name, channelType: v.channelType, welcomeMessage: v.welcomeMessage.trim() ? v.welcomeMessage : null } })),
    onMutate: () => setFormError(null),
    onSuccess: (inbox) => {
      void qc.invalidateQueries({ queryKey: ['inboxes'] });
      onClose();
      form.reset();
      void navigate(`/inboxes/${inbox.id}/${inbox.channelType === 'api' ? 'settings' : 'channel'}`);
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New inbox" centered>
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <ErrorAlert error={formError} />
          <TextInput label="Inbox name" required data-autofocus {...form.getInputProps('name')} />
          <Select
            label="Channel"
            description="Where the inbox's conversations come from; the channel's settings come next."
            allowDeselect={false}
            data={[
              { value: 'sms', label: 'SMS (Twilio)' },
              { value: 'email', label: 'Email (IMAP/SMTP)' },
              { value: 'api', label: 'API (your own integration)' },
            ]}
            {...form.getInputProps('channelType')}
          />
          <Textarea label="Welcome message" description="Sent once when a conversation starts; leave empty for none." autosize minRows={2} {...form.getInputProps('welcomeMessage')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create inbox
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function InboxListPage() {
  const me = useMe();
  const isAdmin = !!me.data?.isAdmin;
  const [opened, { open, close }] = useDisclosure(false);
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const newButton = isAdmin ? <Button onClick={open}>New inbox</Button> : undefined;

  return (
    <>
      <PageHeader title="Inboxes" description="Channels, assignment, business hours, CSAT and routing of each inbox." actions={newButton} />
      <CreateInboxModal opened={opened} onClose={close} />
      <ErrorAlert error={inboxes.error} />
      {inboxes.isPending ? (
        <Loading label="Loading inboxes" />
      ) : inboxes.data?.length === 0 ? (
        <EmptyState title="No inboxes yet" action={newButton}>
          {isAdmin
            ? 'Create an inbox for each channel your customers write to (SMS, email or your own API integration), then add your agents as members.'
            : 'You manage no inbox yet. Ask an administrator to make you a manager of one.'}
        </EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="Inboxes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Channel</Table.Th>
                  <Table.Th>Assignment</Table.Th>
                  <Table.Th>Your role</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {inboxes.data?.map((inbox) => (
                  <Table.Tr key={inbox.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/inboxes/${inbox.id}`} fw={500}>
                        {inbox.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{CHANNEL_LABEL[inbox.channelType]}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{inbox.settings.assignmentMode === 'assignment' ? 'Assigned agent replies' : 'Open to all members'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={inbox.myRole === 'member' ? 'gray' : 'blue'}>
                        {inbox.myRole ?? '—'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
