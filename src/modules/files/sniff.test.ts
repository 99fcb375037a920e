import { describe, expect, it } from 'vitest';
import { scrubIsoMetadata, sniff } from './sniff.js';

function box(type: string, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + payload.length, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, payload]);
}

const ftyp = (major: string, ...compat: string[]) => box('ftyp', Buffer.concat([Buffer.from(major, 'latin1'), Buffer.alloc(4), ...compat.map((c) => Buffer.from(c, 'latin1'))]));

describe('sniffing by content', () => {
  it('When bytes start with the JPEG, PNG or WebP signature, then the type follows the bytes', () => {
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))?.mime).toBe('image/jpeg');
    expect(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]))?.mime).toBe('image/png');
    expect(sniff(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))?.mime).toBe('image/webp');
  });

  it('When an ISO media file names its brand, then MP4, QuickTime, AVIF and HEIC are told apart', () => {
    expect(sniff(Buffer.concat([ftyp('isom', 'iso2', 'mp41'), box('mdat', Buffer.alloc(4))]))).toMatchObject({ kind: 'video', mime: 'video/mp4' });
    expect(sniff(Buffer.concat([ftyp('qt  '), box('mdat', Buffer.alloc(4))]))).toMatchObject({ kind: 'video', mime: 'video/quicktime' });
    expect(sniff(Buffer.concat([ftyp('avif', 'mif1'), box('meta', Buffer.alloc(4))]))).toMatchObject({ kind: 'image', mime: 'image/avif', decodable: true });
    expect(sniff(Buffer.concat([ftyp('heic', 'mif1'), box('meta', Buffer.alloc(4))]))).toMatchObject({ kind: 'image', decodable: false });
  });

  it('When the bytes are text, a script or too short, then nothing is recognised', () => {
    expect(sniff(Buffer.from('hello, this is plain text'))).toBeNull();
    expect(sniff(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
    expect(sniff(Buffer.from('GIF89a......'))).toBeNull();
    expect(sniff(Buffer.from([0xff, 0xd8]))).toBeNull();
  });
});

describe('video metadata scrubbing', () => {
  it('When an MP4 carries a GPS position in moov/udta, then the box is blanked in place and the size is unchanged', () => {
    const gps = box('udta', box('\xa9xyz', Buffer.from('+25.4333+119.0000/', 'latin1')));
    const trak = box('trak', Buffer.concat([box('tkhd', Buffer.alloc(20, 1)), box('udta', Buffer.from('device:TestPhone'))]));
    const file = Buffer.concat([ftyp('isom', 'mp41'), box('moov', Buffer.concat([box('mvhd', Buffer.alloc(20, 2)), trak, gps])), box('mdat', Buffer.alloc(32, 9))]);
    const before = file.length;
    const copy = Buffer.from(file);
    expect(scrubIsoMetadata(copy)).toBe(2);
    expect(copy.length).toBe(before);
    expect(copy.includes(Buffer.from('+25.4333'))).toBe(false);
    expect(copy.includes(Buffer.from('TestPhone'))).toBe(false);
    expect(copy.includes(Buffer.from('udta'))).toBe(false);
    // Media data and headers untouched.
    expect(copy.subarray(copy.length - 32).equals(Buffer.alloc(32, 9))).toBe(true);
    expect(copy.includes(Buffer.alloc(20, 2))).toBe(true);
    expect(sniff(copy)?.mime).toBe('video/mp4');
  });
});
