/** The event types an endpoint can subscribe to, as the API names them, with labels for the form. */
export const EVENT_TYPES: { value: string; label: string }[] = [
  { value: 'conversation.created', label: 'Conversation created' },
  { value: 'conversation.status_changed', label: 'Conversation status changed' },
  { value: 'conversation.assigned', label: 'Conversation assigned' },
  { value: 'conversation.unassigned', label: 'Conversation unassigned' },
  { value: 'message.created', label: 'Message created' },
  { value: 'csat.received', label: 'CSAT received' },
  { value: 'contact.created', label: 'Contact created' },
  { value: 'contact.updated', label: 'Contact updated' },
  { value: 'contact.deleted', label: 'Contact deleted' },
  { value: 'campaign.started', label: 'Campaign started' },
  { value: 'campaign.completed', label: 'Campaign completed' },
  { value: 'rule.fired', label: 'Automation rule fired ("call webhook" action)' },
];

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
