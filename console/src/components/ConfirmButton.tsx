import { Button, Group, Modal, Text, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  /** The button's label (also the modal's confirm button unless confirmLabel is given). */
  children: ReactNode;
  /** The modal's title, e.g. "Delete contact Jane Doe?". */
  title: string;
  /** What will happen, in words (and that it cannot be undone, when so). */
  message: ReactNode;
  confirmLabel?: string;
  /** Runs on confirmation; the modal stays open with the error when it rejects, and closes when it resolves. */
  onConfirm: () => Promise<unknown> | unknown;
}

/** A button for a destructive or far-reaching action that asks for an explicit confirmation first. */
export function ConfirmButton({ children, title, message, confirmLabel, onConfirm, color = 'red', ...button }: ConfirmButtonProps) {
  const [opened, { open, close }] = useDisclosure(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button color={color} {...button} onClick={open}>
        {children}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered>
        <ErrorAlert error={error} />
        <Text size="sm" mb="lg">
          {message}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button color={color} onClick={confirm} loading={busy} data-autofocus>
            {confirmLabel ?? children}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
