import type { AutoUnassignInput, AutoUnassignUseCase } from '../src/modules/presence/use-cases/auto-unassign.use-case';
import type { CheckHeartbeatUseCase } from '../src/modules/presence/use-cases/check-heartbeat.use-case';
import type { DrainForAgentUseCase } from '../src/modules/presence/use-cases/drain-for-agent.use-case';
import type { GetGraceDeadlinesUseCase } from '../src/modules/presence/use-cases/get-grace-deadlines.use-case';
import { asActivity } from './errors';

export interface PresenceActivityDeps {
  checkHeartbeat: CheckHeartbeatUseCase;
  getGraceDeadlines: GetGraceDeadlinesUseCase;
  autoUnassign: AutoUnassignUseCase;
  drainForAgent: DrainForAgentUseCase;
}

/** The agent-presence workflow's side effects. */
export function createPresenceActivities(deps: PresenceActivityDeps) {
  return {
    checkHeartbeat(input: { userId: string }) {
      return asActivity(() => deps.checkHeartbeat.execute(input));
    },
    graceDeadlines(input: { userId: string }) {
      return asActivity(() => deps.getGraceDeadlines.execute(input));
    },
    unassignAfterGrace(input: AutoUnassignInput) {
      return asActivity(() => deps.autoUnassign.execute(input));
    },
    drainForAgent(input: { userId: string }) {
      return asActivity(() => deps.drainForAgent.execute(input));
    },
  };
}

export type PresenceActivities = ReturnType<typeof createPresenceActivities>;
