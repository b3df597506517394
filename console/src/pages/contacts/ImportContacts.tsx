import { Alert, Button, FileInput, Group, Modal, Progress, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { importContactsCsv } from './csv';

/** "Import CSV": a file upload with progress, then the API's report with each failed row's problems. */
export function ImportContactsButton() {
  const [opened, { open, close }] = useDisclosure(false);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const qc = useQueryClient();
  const upload = useMutation({
    mutationFn: (f: File) => {
      setProgress(0);
      return importContactsCsv(f, setProgress);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['contacts'] }),
  });
  const report = upload.data;
  const failed = report?.rows.filter((r) => r.status === 'failed') ?? [];
  const onClose = () => {
    close();
    upload.reset();
    setFile(null);
  };

  return (
    <>
      <Button variant="default" onClick={open}>
        Import CSV
      </Button>
      <Modal opened={opened} onClose={onClose} title="Import contacts from CSV" size="lg">
        <Stack>
          <Text size="sm" c="dimmed">
            The first line names the columns: name, email, phone, tags, vip and custom attribute keys. Each row is created on its own; a bad row is reported and
            never stops the others.
          </Text>
          <FileInput label="CSV file" accept=".csv,text/csv" value={file} onChange={setFile} clearable placeholder="Pick a .csv file" />
          {upload.isPending && (
            <Stack gap={4}>
              <Progress value={progress * 100} animated aria-label="Upload progress" />
              <Text size="xs" c="dimmed">
                {progress < 1 ? `Uploading… ${Math.round(progress * 100)} %` : 'Creating contacts…'}
              </Text>
            </Stack>
          )}
          <ErrorAlert error={upload.error} />
          {report && (
            <Alert color={report.failed > 0 ? 'orange' : 'green'} title="Import finished" role="status">
              {report.created} created, {report.failed} failed.
            </Alert>
          )}
          {failed.length > 0 && (
            <Table aria-label="Failed rows" withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Line</Table.Th>
                  <Table.Th>Column</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {failed.flatMap((r) =>
                  r.errors.map((e, i) => (
                    <Table.Tr key={`${r.line}-${i}`}>
                      <Table.Td>{r.line}</Table.Td>
                      <Table.Td>{e.field}</Table.Td>
                      <Table.Td>{e.problem}</Table.Td>
                    </Table.Tr>
                  )),
                )}
              </Table.Tbody>
            </Table>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button onClick={() => file && upload.mutate(file)} disabled={!file} loading={upload.isPending}>
              Import
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
