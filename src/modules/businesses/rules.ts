/**
 * Pure input rules of the registry, shared by the API and the importer.
 */

/** GB 32100-2015 统一社会信用代码: 18 characters, the last a mod-31 check character. */
const CC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CC_CHARS.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * CC_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return CC_CHARS[c === 31 ? 0 : c];
}

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** Staff paste codes with spaces, lower case or full-width characters. */
export function normalizeCode(v: string): string {
  return toHalfWidth(v).replace(/\s+/g, '').toUpperCase();
}

export function toHalfWidth(v: string): string {
  return v.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Mainland mobile or landline (with area code / extension); loose on purpose. */
export function isPlausiblePhone(v: string): boolean {
  const d = v.replace(/[\s-]/g, '');
  return /^1[3-9]\d{9}$/.test(d) || /^0\d{2,3}\d{7,8}(\d{1,6})?$/.test(d) || /^\d{7,8}$/.test(d);
}
