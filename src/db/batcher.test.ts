import { describe, expect, it } from 'vitest';
import { perDatabase, writeBatcher } from './batcher.js';

/** A write function whose calls the test finishes by hand. */
function heldWrites(fails: (item: number) => boolean = () => false) {
  const calls: { items: number[]; finish: () => void }[] = [];
  const run = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({
        items,
        finish: () => (items.some(fails) ? reject(new Error(`bad ${items.filter(fails).join(',')}`)) : resolve()),
      });
    });
  return { calls, run };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('writeBatcher (N3 group commit)', () => {
  it('When few writes arrive, then each goes alone at once', async () => {
    const { calls, run } = heldWrites();
    const b = writeBatcher(run, { maxInFlight: 2 });
    const p1 = b.submit(1);
    const p2 = b.submit(2);
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    calls.forEach((c) => c.finish());
    await Promise.all([p1, p2]);
    expect(b.stats).toMatchObject({ statements: 2, writes: 2, largest: 1 });
  });

  it('When the statements in flight are at the limit, then the writes that wait go together, a power of two at a time up to maxBatch', async () => {
    const { calls, run } = heldWrites();
    const b = writeBatcher(run, { maxInFlight: 1, maxBatch: 4 });
    const settled: number[] = [];
    const ps = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => b.submit(i).then(() => settled.push(i)));
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    await tick();
    expect(settled).toEqual([]); // nothing answers before its statement has finished
    calls[0].finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4, 5]]);
    expect(settled).toEqual([1]);
    calls[1].finish();
    await tick();
    // three wait: two go, then the last
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
    calls[2].finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4, 5], [6, 7], [8]]);
    calls[3].finish();
    await Promise.all(ps);
    expect(settled).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(b.stats).toMatchObject({ statements: 4, writes: 8, largest: 4, retriedAlone: 0 });
  });

  it('When the statement takes any number of writes (anySize), then all that wait go in the next one, up to maxBatch', async () => {
    const { calls, run } = heldWrites();
    const b = writeBatcher(run, { maxInFlight: 1, maxBatch: 6, anySize: true });
    const ps = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => b.submit(i));
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    calls[0].finish();
    await tick();
    // eight wait: six go (not four), then the other two together
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4, 5, 6, 7]]);
    calls[1].finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4, 5, 6, 7], [8, 9]]);
    calls[2].finish();
    await Promise.all(ps);
    expect(b.stats).toMatchObject({ statements: 3, writes: 9, largest: 6 });
  });

  it('When a combined statement fails, then each write is tried alone: the good ones commit, the bad one gets its own error', async () => {
    const { calls, run } = heldWrites((i) => i === 3);
    const b = writeBatcher(run, { maxInFlight: 1 });
    const first = b.submit(1);
    const rest = [2, 3, 4, 5].map((i) =>
      b.submit(i).then(
        () => `ok ${i}`,
        (e: Error) => e.message,
      ),
    );
    calls[0].finish();
    await first;
    await tick();
    expect(calls[1].items).toEqual([2, 3, 4, 5]);
    calls[1].finish(); // fails: 3 is bad
    await tick();
    expect(calls.slice(2).map((c) => c.items)).toEqual([[2], [3], [4], [5]]);
    calls.slice(2).forEach((c) => c.finish());
    expect(await Promise.all(rest)).toEqual(['ok 2', 'bad 3', 'ok 4', 'ok 5']);
    expect(b.stats.retriedAlone).toBe(4);
  });

  it('When a write alone fails, then only its caller sees the error and later writes still go', async () => {
    const { calls, run } = heldWrites((i) => i === 1);
    const b = writeBatcher(run, { maxInFlight: 1 });
    const bad = b.submit(1).catch((e: Error) => e.message);
    const good = b.submit(2);
    calls[0].finish();
    expect(await bad).toBe('bad 1');
    await tick();
    calls[1].finish();
    await good;
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
  });

  it('When asked for the batcher of a database handle, then each handle has its own, made once', () => {
    let made = 0;
    const of = perDatabase((db: { name: string }) => ({ db: db.name, n: ++made }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    expect(of(a)).toBe(of(a));
    expect(of(b)).not.toBe(of(a));
    expect([of(a).db, of(b).db, made]).toEqual(['a', 'b', 2]);
  });
});
