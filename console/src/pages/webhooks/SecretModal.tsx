import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';

/** The signing secret, shown once after creation or rotation. */
export function SecretModal({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title="Signing secret" size="lg">
      <Stack>
        <Alert color="yellow" title="Shown this once">
          Copy it into your receiver now. It is stored encrypted and cannot be shown again; rotate it to get a new one.
        </Alert>
        <Code block aria-label="Signing secret" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Code>
        <Text size="xs" c="dimmed">
          Verify each request with the standardwebhooks library: new Webhook(secret).verify(body, headers).
        </Text>
        <Group justify="flex-end">
          <CopyButton value={secret ?? ''}>{({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
