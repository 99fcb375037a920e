import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { newId } from '../../db/ids.js';
import type { AppContext } from '../../context.js';
import { DomainError } from '../../domain/errors.js';
import { scrubIsoMetadata, sniff } from './sniff.js';

/** Longest side kept for photos: enough for evidence, bounded for storage and phones. */
const MAX_SIDE = 4096;
export const THUMB_SIDE = 320;

export interface IngestedFile {
  id: string;
  kind: 'image' | 'video';
  mime: string;
  originalName: string | null;
  sizeBytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbKey: string | null;
}

export interface IngestOptions {
  /** Allowed kinds (public reporters: images only). */
  kinds?: Array<'image' | 'video'>;
  /** Field name reported in errors. */
  field?: string;
  /** A tighter size bound than the configured upload limit (public uploads). */
  maxBytes?: number;
}

const unsupported = (field: string, en: string, zh: string) => new DomainError('invalid', 'unsupported_file_type', zh, en, field);

export const tooLarge = (field = 'file') => new DomainError('too_large', 'file_too_large', '上传文件过大', 'file too large', field);

function safeName(name: string | undefined): string | null {
  if (!name) return null;
  const base = path.basename(name).replace(/[\u0000-\u001f\u007f"\\/]/g, '_').slice(0, 200);
  return base || null;
}

export function absolutePath(ctx: AppContext, key: string): string {
  const full = path.resolve(ctx.config.uploadDir, key);
  if (!full.startsWith(path.resolve(ctx.config.uploadDir) + path.sep)) throw new Error('storage key escapes the upload directory');
  return full;
}

async function writeFileExclusive(full: string, data: Buffer) {
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, data, { flag: 'wx', mode: 0o640 });
}

/**
 * Checks an upload by its content, cleans it and writes it to disk (not yet to the database).
 * Images: auto-rotated by their EXIF orientation, then re-encoded WITHOUT any metadata (EXIF,
 * GPS, XMP, ICC comments), capped at 4096 px, plus a 320 px WebP thumbnail. Videos: user-data
 * boxes (GPS ©xyz, device, owner) blanked in place. The caller records the row and, if its
 * transaction fails, calls `discard`.
 */
export async function ingest(ctx: AppContext, data: Buffer, originalName: string | undefined, opts: IngestOptions = {}): Promise<IngestedFile> {
  const field = opts.field ?? 'file';
  if (data.length > Math.min(ctx.config.uploadMaxBytes, opts.maxBytes ?? Infinity)) throw tooLarge(field);
  if (data.length === 0) throw new DomainError('invalid', 'empty_file', '上传文件为空', 'the file is empty', field);
  const kind = sniff(data);
  if (!kind) throw unsupported(field, 'only JPEG, PNG, WebP, AVIF photos and MP4/MOV videos are accepted (checked by content)', '仅支持 JPEG、PNG、WebP、AVIF 照片和 MP4/MOV 视频（按文件内容识别）');
  if (opts.kinds && !opts.kinds.includes(kind.kind)) throw unsupported(field, `${kind.kind} files are not accepted here`, kind.kind === 'video' ? '此处只能上传照片' : '此处只能上传视频');
  if (kind.kind === 'image' && !kind.decodable)
    throw unsupported(field, 'HEIC photos cannot be processed; choose "most compatible" (JPEG) in the camera settings', 'HEIC 格式照片无法处理，请在相机设置中选择“兼容性最佳”(JPEG)');

  const id = newId();
  const now = ctx.now();
  const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
  let out: Buffer;
  let mime = kind.mime;
  let ext = kind.ext;
  let width: number | null = null;
  let height: number | null = null;
  let thumb: Buffer | null = null;

  if (kind.kind === 'image') {
    try {
      const base = sharp(data, { failOn: 'error', limitInputPixels: 100_000_000 })
        .rotate()
        .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
      // Output without withMetadata(): sharp writes no EXIF/GPS/XMP/IPTC.
      if (kind.mime === 'image/png') out = await base.png({ compressionLevel: 8 }).toBuffer();
      else if (kind.mime === 'image/webp') out = await base.webp({ quality: 85 }).toBuffer();
      else {
        // Plain libjpeg-turbo: mozjpeg's trellis search costs ~10× the time for a few % of size.
        out = await base.jpeg({ quality: 85 }).toBuffer();
        mime = 'image/jpeg';
        ext = 'jpg';
      }
      const meta = await sharp(out).metadata();
      width = meta.width ?? null;
      height = meta.height ?? null;
      thumb = await sharp(out).resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer();
    } catch {
      throw unsupported(field, 'the image could not be decoded', '图片无法解码，文件可能已损坏');
    }
  } else {
    out = Buffer.from(data);
    scrubIsoMetadata(out);
  }

  const storageKey = `${day}/${id}.${ext}`;
  const thumbKey = thumb ? `${day}/${id}.thumb.webp` : null;
  await writeFileExclusive(absolutePath(ctx, storageKey), out);
  if (thumb && thumbKey) {
    try {
      await writeFileExclusive(absolutePath(ctx, thumbKey), thumb);
    } catch (e) {
      await fs.rm(absolutePath(ctx, storageKey), { force: true });
      throw e;
    }
  }
  return {
    id,
    kind: kind.kind,
    mime,
    originalName: safeName(originalName),
    sizeBytes: out.length,
    sha256: createHash('sha256').update(out).digest('hex'),
    width,
    height,
    storageKey,
    thumbKey,
  };
}

/** Removes written bytes whose database row never committed. */
export async function discard(ctx: AppContext, files: Array<Pick<IngestedFile, 'storageKey' | 'thumbKey'>>): Promise<void> {
  for (const f of files) {
    await fs.rm(absolutePath(ctx, f.storageKey), { force: true }).catch(() => {});
    if (f.thumbKey) await fs.rm(absolutePath(ctx, f.thumbKey), { force: true }).catch(() => {});
  }
}
