/**
 * Shrinks a camera photo on the device before it is stored or uploaded (field app and public
 * portal): longest side at most `maxSide` px, re-encoded as JPEG. A 12-megapixel photo of
 * 4–6 MB becomes ~300–600 KB, which matters on a rural mobile connection and in IndexedDB.
 * Re-encoding through a canvas also drops EXIF (including GPS) before anything leaves the phone.
 */
export async function compressImage(file: Blob, maxSide = 1600, quality = 0.8): Promise<Blob> {
  let source: CanvasImageSource & { width: number; height: number };
  let cleanup = () => {};
  try {
    source = await createImageBitmap(file, { imageOrientation: 'from-image' } as ImageBitmapOptions);
    cleanup = () => (source as ImageBitmap).close();
  } catch {
    // Older WebViews: decode through an <img>.
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch {
      URL.revokeObjectURL(url);
      throw new Error('not_an_image');
    }
    source = img as HTMLImageElement & { width: number; height: number };
    cleanup = () => URL.revokeObjectURL(url);
  }
  try {
    const w = (source as any).naturalWidth || source.width;
    const h = (source as any).naturalHeight || source.height;
    const scale = Math.min(1, maxSide / Math.max(w, h));
    const cw = Math.max(1, Math.round(w * scale));
    const ch = Math.max(1, Math.round(h * scale));
    const canvas = document.createElement('canvas');
    canvas.width = cw;
    canvas.height = ch;
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no_canvas');
    g.fillStyle = '#fff'; // transparent PNGs would turn black in JPEG
    g.fillRect(0, 0, cw, ch);
    g.drawImage(source, 0, 0, cw, ch);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) throw new Error('encode_failed');
    return blob;
  } finally {
    cleanup();
  }
}
