import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function AccountSettingsPage() {
  return (
    <>
      <PageHeader title="Account settings" description="Company details, variables and contact attributes." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
