import { Pacer } from '../../src/modules/campaigns/use-cases/send-campaign-batch.use-case';

/** Provider calls of a rate-limited campaign batch: never a burst, even when every recipient is overdue. */
describe('campaign send pacer', () => {
  test('recipients already overdue (a stall, a restarted worker) leave one gap apart, not at once', async () => {
    const pacer = new Pacer(20);
    const past = Date.now() - 5_000;
    const times: number[] = [];
    // Ten concurrent senders, all due five seconds ago.
    await Promise.all(Array.from({ length: 10 }, async () => {
      await pacer.wait(past);
      times.push(Date.now());
    }));
    times.sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(18); // timers may fire a millisecond early
    expect(times[9] - times[0]).toBeGreaterThanOrEqual(9 * 19);
  });

  test('on schedule, each waits for its own due time', async () => {
    const pacer = new Pacer(5);
    const start = Date.now();
    const sent: number[] = [];
    await Promise.all([0, 60, 120].map(async (offset) => {
      await pacer.wait(start + offset);
      sent.push(Date.now() - start);
    }));
    sent.sort((a, b) => a - b);
    expect(sent[0]).toBeLessThan(40);
    expect(sent[1]).toBeGreaterThanOrEqual(59);
    expect(sent[2]).toBeGreaterThanOrEqual(119);
  });
});
