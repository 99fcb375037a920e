/**
 * Background work on the database that requests share, done in chunks (N3): `step` works one
 * chunk of at most `chunk` rows and says how many it did; steps repeat until one does less than a
 * full chunk. Paced (`pace: true`, the recurring jobs), each full chunk is followed by a pause as
 * long as the chunk took (at most `maxPauseMs`): a backlog that heavy intake left (thousands of
 * audit rows to seal, of rollup changes to fold) is worked off at half a core rather than in one
 * burst that takes a core, and the WAL, from the requests of that moment. The intake bench showed
 * those bursts as its slowest answers, every five seconds. Unpaced (verification, tests) it runs
 * straight through.
 */
export async function inChunks(step: () => Promise<number>, chunk: number, opts: { pace?: boolean; maxPauseMs?: number } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const started = performance.now();
    const n = await step();
    total += n;
    if (n < chunk) return total;
    if (opts.pace) await new Promise((resolve) => setTimeout(resolve, Math.min(opts.maxPauseMs ?? 1000, performance.now() - started)));
  }
}
