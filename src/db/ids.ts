import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * Row ids: UUID version 7 (time-ordered, so new rows land at the right edge of the primary key's
 * index), laid out by the `uuid` package. The random bits come from a pool filled 256 ids at a
 * time: `uuid` asks the operating system for 16 bytes on every id, and intake makes several ids
 * per report (N3: 5% of the server's time on the intake bench went to those calls). Within one
 * millisecond the ids of this process keep increasing, as `uuid`'s own v7 does.
 */
const POOL_BYTES = 16 * 256;
let pool = new Uint8Array(0);
let used = 0;
let msecs = -Infinity;
let seq = 0;

function randomBytes16(): Uint8Array {
  if (used + 16 > pool.length) {
    // a new array each time: views handed out earlier never change under their holder
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  const bytes = pool.subarray(used, used + 16);
  used += 16;
  return bytes;
}

export function newId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > msecs) {
    // a fresh random start for the 31-bit counter, as uuid's v7 takes it (bytes 6–9)
    seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    msecs = now;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) msecs++;
  }
  return v7({ random, msecs, seq });
}
