import { Center, Loader } from '@mantine/core';

/** A page (or a lazily loaded screen) on its way. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-label={label}>
      <Loader size="sm" />
    </Center>
  );
}
