import type { AudienceMember } from './member.js';
import {
  normalizeBirthDay, normalizeBirthMonth, normalizeBirthYear, normalizeCity, normalizeCountry, normalizeEmail,
  normalizeExternId, normalizeFirstInitial, normalizeGender, normalizeMadid, normalizeName, normalizePhone,
  normalizeState, normalizeZip, type IdentifierKey,
} from './normalize-identifier.js';
import { isSha256Hex, sha256Hex } from './sha256.js';

/** Keys that are sent unhashed (meta.md §1.4). */
const UNHASHED: ReadonlySet<IdentifierKey> = new Set(['MADID', 'EXTERN_ID']);

export const CUSTOM_AUDIENCE_KEYS: readonly IdentifierKey[] = [
  'EXTERN_ID', 'EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY',
];

/** Counts of identifiers skipped because they could not be normalised. */
export interface HashStats {
  invalidIdentifiers: number;
  /** Rows with no usable identifier at all (not sent). */
  emptyRows: number;
}

export const newHashStats = (): HashStats => ({ invalidIdentifiers: 0, emptyRows: 0 });

function rawValue(member: AudienceMember, key: IdentifierKey): string | undefined {
  const [y, m, d] = member.birthDate?.split('-') ?? [];
  switch (key) {
    case 'EXTERN_ID': return member.externalId;
    case 'EMAIL': return member.email;
    case 'PHONE': return member.phone;
    case 'GEN': return member.gender;
    case 'DOBY': return y;
    case 'DOBM': return m;
    case 'DOBD': return d;
    case 'LN': return member.lastName;
    case 'FN': return member.firstName;
    case 'FI': return member.firstName;
    case 'CT': return member.city;
    case 'ST': return member.state;
    case 'ZIP': return member.zip;
    case 'MADID': return member.madid;
    case 'COUNTRY': return member.country;
  }
}

/** The normalised (not yet hashed) value of one key, or undefined when invalid. */
export function normalizeKey(key: IdentifierKey, raw: string, member?: Pick<AudienceMember, 'country'>, defaultRegion?: string): string | undefined {
  switch (key) {
    case 'EMAIL': return normalizeEmail(raw);
    case 'PHONE': return normalizePhone(raw, member?.country, defaultRegion);
    case 'GEN': return normalizeGender(raw);
    case 'DOBY': return normalizeBirthYear(raw);
    case 'DOBM': return normalizeBirthMonth(raw);
    case 'DOBD': return normalizeBirthDay(raw);
    case 'LN': case 'FN': return normalizeName(raw);
    case 'FI': return normalizeFirstInitial(raw);
    case 'CT': return normalizeCity(raw);
    case 'ST': return normalizeState(raw);
    case 'ZIP': return normalizeZip(raw, member?.country);
    case 'COUNTRY': return normalizeCountry(raw);
    case 'MADID': return normalizeMadid(raw);
    case 'EXTERN_ID': return normalizeExternId(raw);
  }
}

/**
 * One cell: `""` for unknown, a passed-through digest for values already hashed, otherwise the
 * SHA-256 of the normalised value (or the normalised value itself for unhashed keys). An invalid
 * value becomes `""` and is counted.
 */
export function hashCell(key: IdentifierKey, raw: string | undefined, stats: HashStats, member?: Pick<AudienceMember, 'country'>, defaultRegion?: string): string {
  if (raw === undefined || raw === null || String(raw).trim() === '') return '';
  const text = String(raw);
  if (UNHASHED.has(key)) {
    const v = normalizeKey(key, text, member, defaultRegion);
    if (v === undefined) stats.invalidIdentifiers += 1;
    return v ?? '';
  }
  if (isSha256Hex(text.trim())) return text.trim().toLowerCase();
  const v = normalizeKey(key, text, member, defaultRegion);
  if (v === undefined) {
    stats.invalidIdentifiers += 1;
    return '';
  }
  return sha256Hex(v);
}

/**
 * A Custom Audience row in `schema` order (meta.md §1.3), or undefined when no cell is usable (the
 * member is skipped and counted, never failing the batch).
 */
export function buildAudienceRow(member: AudienceMember, schema: readonly IdentifierKey[], stats: HashStats, defaultRegion?: string): string[] | undefined {
  const row = schema.map((key) => hashCell(key, rawValue(member, key), stats, member, defaultRegion));
  if (row.every((c) => c === '')) {
    stats.emptyRows += 1;
    return undefined;
  }
  return row;
}

/** Conversions API `user_data` hashed fields (meta.md §2.3): the member's identifiers the CAPI takes. */
export type CapiUserIdentity = Pick<
  AudienceMember,
  'email' | 'phone' | 'firstName' | 'lastName' | 'gender' | 'birthDate' | 'city' | 'state' | 'zip' | 'country' | 'externalId'
>;

export function hashCapiUserData(identity: CapiUserIdentity, stats: HashStats, defaultRegion?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (field: string, key: IdentifierKey, raw: string | undefined): void => {
    const cell = hashCell(key, raw, stats, identity, defaultRegion);
    if (cell !== '') out[field] = cell;
  };
  put('em', 'EMAIL', identity.email);
  put('ph', 'PHONE', identity.phone);
  put('fn', 'FN', identity.firstName);
  put('ln', 'LN', identity.lastName);
  put('ge', 'GEN', identity.gender);
  put('ct', 'CT', identity.city);
  put('st', 'ST', identity.state);
  put('zp', 'ZIP', identity.zip);
  put('country', 'COUNTRY', identity.country);
  if (identity.birthDate) {
    const raw = identity.birthDate.trim();
    if (isSha256Hex(raw)) out.db = raw.toLowerCase();
    else {
      const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw);
      const y = m && normalizeBirthYear(m[1]!);
      const mo = m && normalizeBirthMonth(m[2]!);
      const d = m && normalizeBirthDay(m[3]!);
      if (y && mo && d) out.db = sha256Hex(`${y}${mo}${d}`);
      else stats.invalidIdentifiers += 1;
    }
  }
  // external_id: Meta's SDK sends it unhashed; it must match what the Pixel sends.
  if (identity.externalId && identity.externalId.trim() !== '') out.external_id = identity.externalId.trim();
  return out;
}
