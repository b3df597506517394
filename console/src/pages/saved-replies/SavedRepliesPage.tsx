import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function SavedRepliesPage() {
  return (
    <>
      <PageHeader title="Saved replies" description="Texts agents insert with a /shortcut." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
