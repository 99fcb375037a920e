/**
 * What an upload really is, decided from its first bytes (magic numbers), never from the name or
 * the mime type the client claims. Pure functions: no I/O.
 */
export type SniffedKind = 'image' | 'video';

export interface Sniffed {
  kind: SniffedKind;
  mime: string;
  ext: string;
  /** Whether the server can decode and re-encode it (HEIC needs a codec sharp does not ship). */
  decodable: boolean;
}

const ascii = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const QT_BRANDS = new Set(['qt  ']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VH', 'M4VP', 'dash', 'mmp4', '3gp4', '3gp5', '3gp6', '3g2a', 'MSNV', 'NDAS', 'f4v ']);

export function sniff(b: Uint8Array): Sniffed | null {
  if (b.length < 12) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', mime: 'image/jpeg', ext: 'jpg', decodable: true };
  if (b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return { kind: 'image', mime: 'image/png', ext: 'png', decodable: true };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { kind: 'image', mime: 'image/webp', ext: 'webp', decodable: true };
  if (ascii(b, 4, 8) === 'ftyp') {
    // ISO base media file: the major brand, then compatible brands, say what it holds.
    const size = Buffer.from(b.subarray(0, 4)).readUInt32BE(0);
    const end = Math.min(b.length, Math.max(16, Math.min(size, 256)));
    const brands = [ascii(b, 8, 12)];
    for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(b, i, i + 4));
    const major = brands[0];
    if (AVIF_BRANDS.has(major)) return { kind: 'image', mime: 'image/avif', ext: 'avif', decodable: true };
    if (HEIF_BRANDS.has(major)) return { kind: 'image', mime: 'image/heic', ext: 'heic', decodable: false };
    if (QT_BRANDS.has(major)) return { kind: 'video', mime: 'video/quicktime', ext: 'mov', decodable: false };
    if (MP4_BRANDS.has(major) || brands.some((x) => MP4_BRANDS.has(x))) return { kind: 'video', mime: 'video/mp4', ext: 'mp4', decodable: false };
    return null;
  }
  // Old QuickTime files start with a moov/mdat/wide/free atom instead of ftyp.
  if (['moov', 'mdat', 'wide', 'free', 'skip'].includes(ascii(b, 4, 8)) && isIsoBmff(b))
    return { kind: 'video', mime: 'video/quicktime', ext: 'mov', decodable: false };
  return null;
}

function isIsoBmff(b: Uint8Array): boolean {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let off = 0;
  let boxes = 0;
  while (off + 8 <= buf.length && boxes < 64) {
    let size = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (!/^[\x20-\x7e]{4}$/.test(type)) return false;
    if (size === 1) {
      if (off + 16 > buf.length) return boxes > 0;
      size = Number(buf.readBigUInt64BE(off + 8));
    } else if (size === 0) size = buf.length - off;
    if (size < 8) return false;
    off += size;
    boxes++;
  }
  return boxes > 0 && off === buf.length;
}

/**
 * Removes user metadata from an MP4/QuickTime file in place, keeping every offset valid: the
 * `udta` and `meta` boxes inside `moov` and its tracks (where phones write the ©xyz GPS position,
 * the device model and the owner's name) are renamed `free` and their bytes zeroed. Returns how
 * many boxes were neutralised. Unknown structure is left alone.
 */
export function scrubIsoMetadata(buf: Buffer): number {
  let scrubbed = 0;
  const walk = (start: number, end: number, depth: number) => {
    let off = start;
    while (off + 8 <= end) {
      let size = buf.readUInt32BE(off);
      let header = 8;
      const type = buf.toString('latin1', off + 4, off + 8);
      if (size === 1) {
        if (off + 16 > end) return;
        size = Number(buf.readBigUInt64BE(off + 8));
        header = 16;
      } else if (size === 0) size = end - off;
      if (size < header || off + size > end) return;
      if (depth > 0 && (type === 'udta' || type === 'meta')) {
        buf.write('free', off + 4, 'latin1');
        buf.fill(0, off + header, off + size);
        scrubbed++;
      } else if (type === 'moov' || type === 'trak' || (type === 'mdia' && depth < 4)) {
        walk(off + header, off + size, depth + 1);
      } else if (depth === 0 && type === 'meta') {
        buf.write('free', off + 4, 'latin1');
        buf.fill(0, off + header, off + size);
        scrubbed++;
      }
      off += size;
    }
  };
  walk(0, buf.length, 0);
  return scrubbed;
}
