import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function ConversationsPage() {
  return (
    <>
      <PageHeader title="Conversations" description="The conversations of your inboxes: reply, assign, resolve." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
