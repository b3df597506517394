import { EmptyState } from '../../components/EmptyState';

export default function NoConversationSelected() {
  return <EmptyState title="No conversation open">Pick a conversation in the list to read and answer it, or start a new one.</EmptyState>;
}
