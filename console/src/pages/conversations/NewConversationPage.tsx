import { Button, Group, Paper, Select, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { conversationKeys } from './queries';

/** Start an outbound conversation: pick an inbox, the customer's number or address, the first message. */
export default function NewConversationPage() {
  const me = useMe().data!;
  const inboxes = me.inboxes.filter((i) => i.channelType === 'sms' || i.channelType === 'email');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { inboxId: inboxes[0]?.id ?? '', phone: '', email: '', subject: '', content: '' } });
  const inbox = inboxes.find((i) => i.id === form.values.inboxId);

  const start = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/inboxes/{inboxId}/conversations', {
          params: { path: { inboxId: v.inboxId } },
          body: inbox?.channelType === 'email' ? { email: v.email.trim(), subject: v.subject.trim() || undefined, content: v.content } : { phone: v.phone.trim(), content: v.content },
        }),
      ),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: conversationKeys.all });
      void navigate(`/conversations/${result.conversation.id}`);
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });

  if (inboxes.length === 0) return <EmptyState title="No inbox to write from">You are not a member of an SMS or email inbox. Ask a manager to add you to one.</EmptyState>;

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3" mb="md">
        Start a conversation
      </Title>
      <form
        onSubmit={form.onSubmit((v) => {
          setFormError(null);
          start.mutate(v);
        })}
      >
        <Stack gap="sm">
          <Select label="Inbox" data={inboxes.map((i) => ({ value: i.id, label: `${i.name} (${i.channelType === 'sms' ? 'SMS' : 'Email'})` }))} allowDeselect={false} {...form.getInputProps('inboxId')} />
          {inbox?.channelType === 'email' ? (
            <>
              <TextInput label="Email address" type="email" required {...form.getInputProps('email')} />
              <TextInput label="Subject" {...form.getInputProps('subject')} />
            </>
          ) : (
            <TextInput label="Phone number" placeholder="+4915123456789" description="International format" required {...form.getInputProps('phone')} />
          )}
          <Textarea label="Message" required autosize minRows={3} {...form.getInputProps('content')} />
          <ErrorAlert error={formError} />
          <Group justify="flex-end">
            <Button type="submit" loading={start.isPending}>
              Send and open
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
