import { chooseAgent, type AgentCandidate } from '../../src/modules/routing/agent-choice';

const agent = (userId: string, load: number, online = true, capacity = 3): AgentCandidate => ({ userId, name: `Agent ${userId}`, online, load, capacity });

describe('chooseAgent', () => {
  test('least load picks the fewest open conversations', () => {
    const choice = chooseAgent([agent('a', 2), agent('b', 0), agent('c', 1)], 'least_load', null);
    expect(choice.chosen?.userId).toBe('b');
    expect(choice.reason).toBe('least load: Agent b has 0/3');
  });

  test('least load ties rotate after the last assigned agent', () => {
    const agents = [agent('a', 1), agent('b', 1), agent('c', 1)];
    expect(chooseAgent(agents, 'least_load', 'a').chosen?.userId).toBe('b');
    expect(chooseAgent(agents, 'least_load', 'b').chosen?.userId).toBe('c');
    expect(chooseAgent(agents, 'least_load', 'c').chosen?.userId).toBe('a');
    expect(chooseAgent(agents, 'least_load', 'b').reason).toContain('3 agents tied');
  });

  test('round-robin takes the next eligible agent after the cursor, wrapping around, skipping full and offline agents', () => {
    const agents = [agent('a', 0), agent('b', 3), agent('c', 0, false), agent('d', 2)];
    expect(chooseAgent(agents, 'round_robin', null).chosen?.userId).toBe('a');
    expect(chooseAgent(agents, 'round_robin', 'a').chosen?.userId).toBe('d');
    expect(chooseAgent(agents, 'round_robin', 'd').chosen?.userId).toBe('a');
    // A cursor that is no longer a candidate still continues after its place in the order.
    expect(chooseAgent(agents, 'round_robin', 'bb').chosen?.userId).toBe('d');
  });

  test('round-robin over 3 agents of capacity 5 spreads 15 conversations 5/5/5', () => {
    const agents = [agent('x', 0, true, 5), agent('y', 0, true, 5), agent('z', 0, true, 5)];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const { chosen } = chooseAgent(agents, 'round_robin', cursor);
      if (!chosen) break;
      agents.find((a) => a.userId === chosen.userId)!.load += 1;
      cursor = chosen.userId;
    }
    expect(agents.map((a) => a.load)).toEqual([5, 5, 5]);
  });

  test('nobody eligible: no choice, and every candidate says why', () => {
    const choice = chooseAgent([agent('a', 3), agent('b', 0, false)], 'least_load', null);
    expect(choice.chosen).toBeNull();
    expect(choice.reason).toBe('no agent is online with free capacity');
    expect(choice.candidates.map((c) => [c.userId, c.eligible, c.why])).toEqual([
      ['a', false, 'at capacity (3/3)'],
      ['b', false, 'offline'],
    ]);
    expect(chooseAgent([], 'round_robin', null).reason).toBe('no agents to choose from');
  });
});
