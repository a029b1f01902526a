import type { AudienceMember } from '../identifiers/member.js';
import type { MemberLoader } from './membership-source.js';
import type { StateClient } from './clickhouse-audience-state-store.js';

function pick(traits: Record<string, unknown>, ...paths: string[]): unknown {
  for (const path of paths) {
    let v: unknown = traits;
    for (const p of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}
const yes = (v: unknown): boolean => v === true || v === 'true' || v === 1 || v === 'yes' || v === 'granted';
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

/** A profile row (person_traits) as an audience member. Consent and opt-in come from identify traits. */
export function memberFromProfile(row: { person_id: string; email: string; phone: string; traits: string }): AudienceMember {
  let traits: Record<string, unknown> = {};
  try {
    traits = JSON.parse(row.traits || '{}') as Record<string, unknown>;
  } catch {
    traits = {};
  }
  const m: AudienceMember = {
    personId: row.person_id,
    marketingConsent: yes(pick(traits, 'marketingConsent', 'marketing_consent', 'consent.marketing')),
    whatsappOptIn: yes(pick(traits, 'whatsappOptIn', 'whatsapp_opt_in', 'consent.whatsapp')),
    traits,
  };
  const set = <K extends keyof AudienceMember>(k: K, v: unknown): void => {
    const t = text(v);
    if (t !== undefined) (m as unknown as Record<string, unknown>)[k] = t;
  };
  set('externalId', pick(traits, 'userId', 'user_id', 'id'));
  set('email', row.email || pick(traits, 'email'));
  set('phone', row.phone || pick(traits, 'phone'));
  set('firstName', pick(traits, 'firstName', 'first_name'));
  set('lastName', pick(traits, 'lastName', 'last_name'));
  set('gender', pick(traits, 'gender'));
  set('birthDate', pick(traits, 'birthday', 'birth_date'));
  set('city', pick(traits, 'address.city', 'city'));
  set('state', pick(traits, 'address.state', 'state'));
  set('zip', pick(traits, 'address.postalCode', 'address.postal_code', 'zip'));
  set('country', pick(traits, 'address.country', 'country'));
  set('timeZone', pick(traits, 'timezone', 'timeZone'));
  return m;
}

/** Loads members from the segment engine's current `person_traits` version. */
export function createProfileMemberLoader(client: StateClient): MemberLoader {
  return {
    async load(ids) {
      if (ids.length === 0) return [];
      const rs = await client.query({
        query: `SELECT toString(person_id) AS pid, email, phone, traits FROM person_traits
                WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'traits') AND person_id IN arrayMap(x -> toUInt64(x), {ids:Array(String)})`,
        // person ids are UInt64 (cityHash64): passed as strings, never through a JS number.
        query_params: { ids }, format: 'JSONEachRow',
      });
      return (await rs.json<{ pid: string; email: string; phone: string; traits: string }>()).map(({ pid, ...r }) => memberFromProfile({ person_id: pid, ...r }));
    },
  };
}
