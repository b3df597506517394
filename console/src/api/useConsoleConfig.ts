import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './client';

export type ConsoleConfig = Schemas['ConsoleConfigView'];

/** This deployment's console settings (GET /api/v1/console-config): where the Temporal UI is. */
export function useConsoleConfig() {
  return useQuery({ queryKey: ['console-config'], queryFn: () => unwrap(api.GET('/api/v1/console-config')), staleTime: Infinity });
}

/** The Temporal UI page of a workflow (e.g. `conversation:<id>`), or null without TEMPORAL_UI_URL. */
export function temporalWorkflowUrl(config: ConsoleConfig | undefined, workflowId: string): string | null {
  if (!config?.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURI(workflowId)}`;
}
