import { afterEach, describe, expect, it, vi } from 'vitest';
import { inChunks } from './pace.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('inChunks (N3: background work in chunks)', () => {
  afterEach(() => vi.useRealTimers());

  it('When each step does a full chunk, then steps repeat until one does less, and the total is their sum', async () => {
    const done = [3, 3, 3, 1];
    const step = vi.fn(async () => done.shift()!);
    expect(await inChunks(step, 3)).toBe(10);
    expect(step).toHaveBeenCalledTimes(4);
    expect(await inChunks(async () => 0, 3)).toBe(0);
  });

  it('When paced, then the next chunk waits for a pause after a full chunk, and none after the last', async () => {
    vi.useFakeTimers();
    const done = [2, 2, 0];
    const step = vi.fn(async () => {
      vi.advanceTimersByTime(0);
      return done.shift()!;
    });
    let total: number | undefined;
    void inChunks(step, 2, { pace: true }).then((t) => (total = t));
    await flush();
    expect(step).toHaveBeenCalledTimes(1);
    // the pause is a timer: nothing runs until it fires
    expect(vi.getTimerCount()).toBe(1);
    await flush();
    expect(step).toHaveBeenCalledTimes(1);
    vi.advanceTimersToNextTimer();
    await flush();
    expect(step).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersToNextTimer();
    await flush();
    expect(step).toHaveBeenCalledTimes(3);
    await flush();
    expect(total).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('When a chunk takes long, then the pause is as long as the chunk but no longer than maxPauseMs (1 s unless given)', async () => {
    vi.useFakeTimers();
    // each full chunk "takes" 5 s of the (fake) clock
    for (const { maxPauseMs, pause } of [
      { maxPauseMs: undefined, pause: 1000 },
      { maxPauseMs: 60_000, pause: 5000 },
    ]) {
      const done = [2, 0];
      const step = vi.fn(async () => {
        vi.advanceTimersByTime(5000);
        return done.shift()!;
      });
      void inChunks(step, 2, { pace: true, maxPauseMs });
      await flush();
      vi.advanceTimersByTime(pause - 1);
      await flush();
      expect(step).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      await flush();
      expect(step).toHaveBeenCalledTimes(2);
    }
  });
});
