import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function TimelinePage() {
  return (
    <>
      <PageHeader title="Timeline" description="Every event and decision of this conversation, with its why." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
