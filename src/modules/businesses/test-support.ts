import { creditCodeCheckChar } from './rules.js';

/** Test helpers: valid credit codes and multipart bodies. */
let n = 0;
export function creditCode(): string {
  const body = `91350302MA${String(Date.now() % 1e5).padStart(5, '0')}${String(++n).padStart(2, '0')}`.slice(0, 17);
  return body + creditCodeCheckChar(body);
}

export function multipart(parts: { name: string; filename?: string; contentType?: string; data: Buffer | string }[]) {
  const boundary = '----fgtest' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
