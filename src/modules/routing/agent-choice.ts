/**
 * Which agent gets a conversation: pure, so the router's choice can be unit-tested and explained.
 *
 *  - Only agents who are online and under their capacity are eligible.
 *  - least_load: the fewest open conversations (new, open, pending) in the inbox; ties go to the
 *    agent next in the round-robin order after the last one assigned, so equal loads rotate.
 *  - round_robin: the next eligible agent after the last one assigned, in a stable order (by id).
 */
export type Distribution = 'least_load' | 'round_robin';

export interface AgentCandidate {
  userId: string;
  name: string;
  online: boolean;
  load: number;
  capacity: number;
}

export interface AgentChoice {
  chosen: AgentCandidate | null;
  /** Every candidate with why it was or was not eligible, for the decision record. */
  candidates: (AgentCandidate & { eligible: boolean; why: string })[];
  reason: string;
}

/** Agents in rotation order starting after `cursor` (the last assigned). */
function rotation<T extends { userId: string }>(agents: T[], cursor: string | null): T[] {
  const sorted = [...agents].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  if (!cursor) return sorted;
  const after = sorted.findIndex((a) => a.userId > cursor);
  return after <= 0 ? sorted : [...sorted.slice(after), ...sorted.slice(0, after)];
}

export function chooseAgent(candidates: AgentCandidate[], distribution: Distribution, cursor: string | null): AgentChoice {
  const described = candidates.map((c) => {
    const eligible = c.online && c.load < c.capacity;
    const why = !c.online ? 'offline' : c.load >= c.capacity ? `at capacity (${c.load}/${c.capacity})` : `load ${c.load}/${c.capacity}`;
    return { ...c, eligible, why };
  });
  const eligible = rotation(described.filter((c) => c.eligible), cursor);
  if (eligible.length === 0) {
    const reason = candidates.length === 0 ? 'no agents to choose from' : 'no agent is online with free capacity';
    return { chosen: null, candidates: described, reason };
  }
  if (distribution === 'round_robin') {
    const chosen = eligible[0];
    return { chosen: strip(chosen), candidates: described, reason: `round-robin: next after ${cursor ? 'the last assigned agent' : 'the start'} is ${chosen.name} (${chosen.load}/${chosen.capacity})` };
  }
  const least = Math.min(...eligible.map((c) => c.load));
  const chosen = eligible.find((c) => c.load === least)!;
  const tied = eligible.filter((c) => c.load === least).length;
  return {
    chosen: strip(chosen),
    candidates: described,
    reason: `least load: ${chosen.name} has ${chosen.load}/${chosen.capacity}` + (tied > 1 ? ` (${tied} agents tied; next in rotation)` : ''),
  };
}

function strip(c: AgentCandidate & { eligible?: boolean; why?: string }): AgentCandidate {
  return { userId: c.userId, name: c.name, online: c.online, load: c.load, capacity: c.capacity };
}
