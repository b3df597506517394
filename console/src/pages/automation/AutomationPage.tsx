import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function AutomationPage() {
  return (
    <>
      <PageHeader title="Automation" description="Rules that act on conversations: events, conditions, actions." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
