import { describe, expect, it } from 'vitest';
import { fbcFor, fbpFor } from './meta-cookies.js';

const NOW = 1_717_236_000_123;

describe('fbcFor (the _fbc cookie)', () => {
  it.each([
    { name: 'no click id and no cookie: none', existing: undefined, fbclid: undefined, expected: undefined },
    { name: 'a click id: fb.1.<ms>.<fbclid>', existing: undefined, fbclid: 'IwAR2F4x', expected: `fb.1.${NOW}.IwAR2F4x` },
    { name: 'no click id: the cookie is kept', existing: 'fb.1.1600000000000.old', fbclid: undefined, expected: 'fb.1.1600000000000.old' },
    { name: 'the same click again keeps its creation time', existing: 'fb.1.1600000000000.IwAR2F4x', fbclid: 'IwAR2F4x', expected: 'fb.1.1600000000000.IwAR2F4x' },
    { name: 'a new click replaces it', existing: 'fb.1.1600000000000.old', fbclid: 'IwARnew', expected: `fb.1.${NOW}.IwARnew` },
    { name: 'a click id with dots is compared whole', existing: 'fb.1.1600000000000.a.b', fbclid: 'a.b', expected: 'fb.1.1600000000000.a.b' },
  ])('$name', ({ existing, fbclid, expected }) => {
    expect(fbcFor(existing, fbclid, NOW)).toBe(expected);
  });
});

describe('fbpFor (the _fbp cookie)', () => {
  it('creates fb.1.<ms>.<random> once and keeps it after', () => {
    expect(fbpFor(undefined, NOW, 0.5)).toBe(`fb.1.${NOW}.1073741823`);
    expect(fbpFor(undefined, NOW, Math.random())).toMatch(/^fb\.1\.\d{13}\.\d{1,10}$/);
    expect(fbpFor('fb.1.1600000000000.42', NOW, 0.5)).toBe('fb.1.1600000000000.42');
  });
});
