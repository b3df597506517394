import type { Schemas } from '../../api/client';

export const LOOKUP_ATTRIBUTES: { value: Schemas['CreateCrmConnectorDto']['lookupAttribute']; label: string }[] = [
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'external_id', label: 'External id (from an earlier lookup)' },
];

export const OUTCOME_COLOR: Record<string, string> = { ok: 'green', not_found: 'gray', failed: 'red', cached: 'blue', skipped: 'gray', enqueued: 'violet' };

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** "Name: value" per line -> headers; a line without ":" is kept whole as the name (the API names it). */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const i = line.indexOf(':');
    if (i < 0) out[line] = '';
    else out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export interface ConnectorFormValues {
  name: string;
  enabled: boolean;
  lookupAttribute: string;
  lookupUrl: string;
  /** Empty on edit: the sealed headers stay unless this is filled. */
  headers: string;
  timeoutMs: number;
  cacheTtlSeconds: number;
  maxConcurrentLookups: number;
  externalIdPointer: string;
  mapping: { pointer: string; attribute: string }[];
  lookupOnContactCreated: boolean;
  lookupOnConversationStarted: boolean;
  writeBackEnabled: boolean;
  writeBackUrl: string;
}

export const EMPTY_CONNECTOR: ConnectorFormValues = {
  name: '',
  enabled: true,
  lookupAttribute: 'email',
  lookupUrl: '',
  headers: '',
  timeoutMs: 5000,
  cacheTtlSeconds: 3600,
  maxConcurrentLookups: 4,
  externalIdPointer: '/id',
  mapping: [{ pointer: '', attribute: '' }],
  lookupOnContactCreated: true,
  lookupOnConversationStarted: true,
  writeBackEnabled: false,
  writeBackUrl: '',
};

/** The API body of the form (headers only when typed; empty mapping rows dropped). */
export function connectorBody(v: ConnectorFormValues, opts: { replaceHeaders: boolean }) {
  return {
    name: v.name,
    enabled: v.enabled,
    lookupAttribute: v.lookupAttribute as Schemas['CreateCrmConnectorDto']['lookupAttribute'],
    lookupUrl: v.lookupUrl,
    ...(opts.replaceHeaders || v.headers.trim() ? { headers: parseHeaders(v.headers) } : {}),
    timeoutMs: Number(v.timeoutMs),
    cacheTtlSeconds: Number(v.cacheTtlSeconds),
    maxConcurrentLookups: Number(v.maxConcurrentLookups),
    externalIdPointer: v.externalIdPointer,
    mapping: v.mapping.filter((m) => m.pointer || m.attribute),
    lookupOnContactCreated: v.lookupOnContactCreated,
    lookupOnConversationStarted: v.lookupOnConversationStarted,
    writeBackEnabled: v.writeBackEnabled,
    writeBackUrl: v.writeBackUrl.trim() || null,
  };
}
