import { describe, expect, it } from 'vitest';
import { buildAudienceRow, hashCapiUserData, hashCell, newHashStats } from './hash-identifiers.js';
import { normalizeKey } from './hash-identifiers.js';
import { sha256Hex } from './sha256.js';
import type { AudienceMember } from './member.js';

describe('SHA-256 on the spec test vectors (meta.md §1.4)', () => {
  it.each([
    ['person@example.com', '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345'],
    ['16505551234', '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599'],
    ['john', '96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a'],
    ['smith', '6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd'],
    ['m', '62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a'],
    ['f', '252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111'],
    ['us', '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621'],
    ['94025', 'b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7'],
    ['menlopark', '0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685'],
    ['ca', '6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126'],
    ['1990', 'a7be8e1fe282a37cd666e0632b17d933fa13f21addf4798fc0455bc166e2488c'],
    ['01', '938db8c9f82c8cb58d3f3ef4fd250036a48d26a712753d2fde5abd03a85cabf4'],
    ['19900101', 'd6165fc8037886424321260c0f9c2a76f7d8d545a02f95c70da9952a13299f33'],
  ])('sha256(%s)', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });
});

describe('normalisation per key (meta.md §1.4)', () => {
  it.each([
    ['EMAIL', '  Person@Example.COM ', 'person@example.com'],
    ['EMAIL', 'not-an-email', undefined],
    ['PHONE', '+1 (555) 123-4567', '15551234567'],
    ['PHONE', '+1 (650) 555-1234', '16505551234'],
    ['PHONE', '(650) 555-1234', '16505551234'],
    ['PHONE', '+44 844 412 4653', '448444124653'],
    ['PHONE', '0044 844 412 4653', '448444124653'],
    ['PHONE', 'call me', undefined],
    ['PHONE', '12', undefined],
    ['FN', 'John', 'john'],
    ['LN', "Smith-O'Neil", 'smithoneil'],
    ['FN', 'Jürgen', 'jürgen'],
    ['FI', 'John', 'j'],
    ['GEN', 'Male', 'm'],
    ['GEN', 'F', 'f'],
    ['GEN', 'x', undefined],
    ['CT', 'Menlo Park', 'menlopark'],
    ['ST', 'California', 'ca'],
    ['ST', 'CA', 'ca'],
    ['ZIP', '94025-1234', '94025'],
    ['ZIP', ' 94025 ', '94025'],
    ['COUNTRY', 'US', 'us'],
    ['COUNTRY', 'United States', 'us'],
    ['DOBY', '1990', '1990'],
    ['DOBY', '1850', undefined],
    ['DOBM', '1', '01'],
    ['DOBM', '13', undefined],
    ['DOBD', '7', '07'],
    ['MADID', 'AB12CD34-0000-1111-2222-333344445555', 'ab12cd34-0000-1111-2222-333344445555'],
    ['EXTERN_ID', ' user-42 ', 'user-42'],
  ] as const)('%s %j → %j', (key, raw, expected) => {
    expect(normalizeKey(key, raw)).toBe(expected);
  });

  it('reads national numbers in the member country', () => {
    expect(normalizeKey('PHONE', '0151 23456789', { country: 'DE' })).toBe('4915123456789');
  });
});

describe('hashing cells and rows', () => {
  it('never hashes an already hashed value twice', () => {
    const digest = sha256Hex('person@example.com');
    const stats = newHashStats();
    expect(hashCell('EMAIL', digest, stats)).toBe(digest);
    expect(hashCell('EMAIL', digest.toUpperCase(), stats)).toBe(digest);
    expect(stats.invalidIdentifiers).toBe(0);
  });

  it('sends EXTERN_ID and MADID unhashed and unknown cells as ""', () => {
    const stats = newHashStats();
    const member: AudienceMember = { personId: '1', externalId: 'u1', email: 'Person@Example.com', marketingConsent: true };
    expect(buildAudienceRow(member, ['EXTERN_ID', 'EMAIL', 'PHONE'], stats)).toEqual([
      'u1', '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345', '',
    ]);
  });

  it('skips an invalid identifier and counts it, keeping the rest of the row', () => {
    const stats = newHashStats();
    const member: AudienceMember = { personId: '1', email: 'broken', phone: '+1 650 555 1234', marketingConsent: true };
    const row = buildAudienceRow(member, ['EMAIL', 'PHONE'], stats);
    expect(row).toEqual(['', '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599']);
    expect(stats.invalidIdentifiers).toBe(1);
  });

  it('skips a member with no usable identifier and counts it', () => {
    const stats = newHashStats();
    expect(buildAudienceRow({ personId: '1', email: 'nope', marketingConsent: true }, ['EMAIL'], stats)).toBeUndefined();
    expect(stats).toEqual({ invalidIdentifiers: 1, emptyRows: 1 });
  });

  it('builds spec-conformant CAPI user_data', () => {
    const stats = newHashStats();
    const ud = hashCapiUserData({ email: 'person@example.com', phone: '+1 650-555-1234', firstName: 'John', lastName: 'Smith',
      gender: 'm', birthDate: '1990-01-01', city: 'Menlo Park', state: 'CA', zip: '94025', country: 'US', externalId: 'u1' }, stats);
    expect(ud).toEqual({
      em: '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345',
      ph: '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599',
      fn: '96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a',
      ln: '6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd',
      ge: '62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a',
      db: 'd6165fc8037886424321260c0f9c2a76f7d8d545a02f95c70da9952a13299f33',
      ct: '0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685',
      st: '6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126',
      zp: 'b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7',
      country: '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621',
      external_id: 'u1',
    });
    expect(stats.invalidIdentifiers).toBe(0);
  });
});
