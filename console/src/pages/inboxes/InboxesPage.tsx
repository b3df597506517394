import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function InboxesPage() {
  return (
    <>
      <PageHeader title="Inboxes" description="Channels, assignment, business hours, CSAT and routing of each inbox." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
