/**
 * Identifiers of Chinese registries, with their real check digits, for synthetic demo businesses.
 */

/** GB 32100-2015 character set of the unified social credit code (no I, O, S, V, Z). */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 organisation code check character for an 8-character body (digits and A–Z). */
export function orgCodeCheck(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i];
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55;
    sum += v * ORG_WEIGHTS[i];
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

/** GB 32100 check character for the first 17 characters. */
export function usccCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(first17[i]);
    if (v < 0) throw new Error(`invalid character ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i];
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return usccCheck(code.slice(0, 17)) === code[17];
}

/**
 * A unified social credit code: registration authority 9 (market regulation) and kind
 * (1 enterprise, 2 individual business, 3 farmers' cooperative), the county's division code, a
 * GB 11714 organisation code (8 digits from `serial` + check) and the GB 32100 check character.
 */
export function uscc(kind: '1' | '2' | '3', countyCode: string, serial: number): string {
  const body = String(serial % 1e8).padStart(8, '0');
  const first17 = `9${kind}${countyCode}${body}${orgCodeCheck(body)}`;
  return first17 + usccCheck(first17);
}

/** Luhn-style mod-10 check digit used for the synthetic licence numbers below. */
function mod10(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (i % 2 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/**
 * 食品经营许可证 JY + 14 digits: main activity (1 sales, 2 catering, 3 unit canteen), the 6-digit
 * county code, a 6-digit serial and a check digit.
 */
export function jyLicence(activity: 1 | 2 | 3, countyCode: string, serial: number): string {
  const d = `${activity}${countyCode}${String(serial % 1e6).padStart(6, '0')}`;
  return `JY${d}${mod10(d)}`;
}

/**
 * 食品生产许可证 SC + 14 digits: 3-digit food category, the 6-digit county code, a 4-digit serial
 * and a check digit.
 */
export function scLicence(category: number, countyCode: string, serial: number): string {
  const d = `${String(category).padStart(3, '0')}${countyCode}${String(serial % 1e4).padStart(4, '0')}`;
  return `SC${d}${mod10(d)}`;
}
