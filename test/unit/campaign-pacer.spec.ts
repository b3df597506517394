import { Pacer } from '../../src/modules/campaigns/use-cases/send-campaign-batch.use-case';

/**
 * Provider calls of a rate-limited campaign batch: never a burst, even when every recipient is
 * overdue. The slots the pacer hands out are checked (they are its decision); when each call really
 * starts also depends on timer lateness on a busy machine, which only ever makes calls later.
 */
describe('campaign send pacer', () => {
  test('recipients already overdue (a stall, a restarted worker) get slots one gap apart, not all at once', async () => {
    const pacer = new Pacer(20);
    const started = Date.now();
    const past = started - 5_000;
    const slots: number[] = [];
    const woke: number[] = [];
    // Ten concurrent senders, all due five seconds ago.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        slots.push(await pacer.wait(past));
        woke.push(Date.now());
      }),
    );
    slots.sort((a, b) => a - b);
    const gaps = slots.slice(1).map((t, i) => t - slots[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    expect(slots[0]).toBeGreaterThanOrEqual(started);
    // Nobody left before their slot (a timer may fire a millisecond early).
    woke.sort((a, b) => a - b);
    expect(woke[9] - started).toBeGreaterThanOrEqual(9 * 20 - 2);
  });

  test('on schedule, each waits for its own due time', async () => {
    const pacer = new Pacer(5);
    const start = Date.now();
    const slots = await Promise.all([0, 60, 120].map((offset) => pacer.wait(start + offset)));
    // Due now: before the next one's time (a bound tighter than that measured event-loop lag: 53 ms once in CI).
    expect(slots[0] - start).toBeLessThan(59);
    expect(slots[1] - start).toBeGreaterThanOrEqual(59);
    expect(slots[2] - start).toBeGreaterThanOrEqual(119);
    expect(Date.now() - start).toBeGreaterThanOrEqual(119);
  });
});
