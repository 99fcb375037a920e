import { randomInt } from 'node:crypto';

/**
 * Public tracking codes (S1): short enough to read over the phone, unguessable, and free of the
 * look-alike characters 0/O, 1/I/L. 31 symbols × 10 characters ≈ 8 × 10^14 codes (~49.6 bits);
 * with per-client rate limits, guessing a live code is hopeless. Separate from event ids.
 */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TRACKING_LENGTH = 10;

export function newTrackingCode(rand: (max: number) => number = randomInt): string {
  let s = '';
  for (let i = 0; i < TRACKING_LENGTH; i++) s += TRACKING_ALPHABET[rand(TRACKING_ALPHABET.length)];
  return s;
}

/**
 * What a person typed → the canonical code, or null when it cannot be one. Case, spaces and
 * dashes are ignored; the look-alikes a person may type instead (O→0 is not in the alphabet, so
 * 0/O never appear) are refused rather than guessed.
 */
export function normalizeTrackingCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== TRACKING_LENGTH) return null;
  for (const c of s) if (!TRACKING_ALPHABET.includes(c)) return null;
  return s;
}

/** Grouped for display: ABCDE-FGHJK. */
export function formatTrackingCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
