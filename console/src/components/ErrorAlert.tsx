import { Alert, List } from '@mantine/core';
import { ApiError } from '../api/client';

interface ErrorAlertProps {
  /** An ApiError (its message and field problems are shown), any other error, or nothing (renders nothing). */
  error: unknown;
  title?: string;
}

function titleFor(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong';
  if (error.status === 403) return "You don't have access";
  if (error.status === 404) return 'Not found';
  if (error.status === 409) return 'Conflict';
  if (error.status === 429) return 'Too many attempts';
  if (error.status >= 500) return 'The server could not do it';
  return 'Please check your input';
}

/** The API's answer to a failed call, as the API words it (role="alert": screen readers announce it). */
export function ErrorAlert({ error, title }: ErrorAlertProps) {
  if (!error) return null;
  const details = error instanceof ApiError ? error.details : [];
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" variant="light" title={title ?? titleFor(error)} role="alert" mb="md">
      {details.length > 1 ? (
        <List size="sm">
          {details.map((d) => (
            <List.Item key={d.field}>
              {d.field}: {d.problem}
            </List.Item>
          ))}
        </List>
      ) : (
        message
      )}
    </Alert>
  );
}
