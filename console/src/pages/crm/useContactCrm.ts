import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

export const contactCrmKey = (contactId: string) => ['contact-crm', contactId] as const;

/** GET /contacts/{id}/crm: the connectors' view of the contact, its CRM-managed attributes (editable for you or not) and its call log. */
export function useContactCrm(contactId: string) {
  return useQuery({ queryKey: contactCrmKey(contactId), queryFn: () => unwrap(api.GET('/api/v1/contacts/{contactId}/crm', { params: { path: { contactId } } })) });
}

/** The API's hint ("managed by …") as a field description. */
export const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
