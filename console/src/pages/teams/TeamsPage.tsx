import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function TeamsPage() {
  return (
    <>
      <PageHeader title="Teams" description="Groups of users across inboxes, for routing and shared saved replies." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
