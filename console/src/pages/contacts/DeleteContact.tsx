import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { contactName } from './contactName';

/** "Delete": the admin types the contact's name to confirm (conversations and messages go with it). */
export function DeleteContactButton({ contact, onDeleted }: { contact: Schemas['ContactView']; onDeleted: () => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [typed, setTyped] = useState('');
  const qc = useQueryClient();
  const name = contactName(contact);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/contacts/{id}', { params: { path: { id: contact.id } } })),
    onSuccess: () => {
      qc.removeQueries({ queryKey: ['contact', contact.id] });
      void qc.invalidateQueries({ queryKey: ['contacts'] });
      close();
      onDeleted();
    },
  });
  return (
    <>
      <Button color="red" variant="light" onClick={open}>
        Delete contact
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete contact ${name}?`}>
        <Stack>
          <ErrorAlert error={remove.error} />
          <Text size="sm">
            The contact is deleted with all its conversations, messages and attributes. This cannot be undone. Type <b>{name}</b> to confirm.
          </Text>
          <TextInput label="Contact name" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" disabled={typed.trim() !== name} loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete permanently
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
