import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function ContactsPage() {
  return (
    <>
      <PageHeader title="Contacts" description="Your customers across channels, their attributes and opt-outs." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
