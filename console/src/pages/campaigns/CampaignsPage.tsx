import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export default function CampaignsPage() {
  return (
    <>
      <PageHeader title="Campaigns" description="Messages to an audience of contacts, with live progress." />
      <EmptyState title="Coming next">This screen is being built. Until then, the same is available through the API (see the API documentation at /api/docs).</EmptyState>
    </>
  );
}
