import { describe, expect, it } from 'vitest';
import { anonymizeIp, resolveClientIp, type ClientIpInput } from './resolve-client-ip.js';

describe('resolveClientIp', () => {
  it.each<{ name: string; input: ClientIpInput; expected: string }>([
    { name: 'the request IP when context.ip is absent', input: { requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'a valid IPv4 context.ip wins', input: { contextIp: '198.51.100.23', requestIp: '203.0.113.7', anonymize: false }, expected: '198.51.100.23' },
    { name: 'a valid IPv6 context.ip wins', input: { contextIp: '2001:db8::42', requestIp: '203.0.113.7', anonymize: false }, expected: '2001:db8::42' },
    { name: 'a context.ip with surrounding spaces is trimmed', input: { contextIp: ' 198.51.100.23\n', requestIp: '203.0.113.7', anonymize: false }, expected: '198.51.100.23' },
    { name: 'an incomplete context.ip falls back', input: { contextIp: '198.51.100', requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'an out-of-range context.ip falls back', input: { contextIp: '256.1.1.1', requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'a context.ip with leading zeros falls back', input: { contextIp: '01.2.3.4', requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'a host name in context.ip falls back', input: { contextIp: 'shop.example', requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'an empty context.ip falls back', input: { contextIp: '', requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'a numeric context.ip falls back', input: { contextIp: 3405803783, requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'an object context.ip falls back', input: { contextIp: { ip: '1.2.3.4' }, requestIp: '203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'a mapped IPv4 request IP becomes IPv4', input: { requestIp: '::ffff:203.0.113.7', anonymize: false }, expected: '203.0.113.7' },
    { name: 'an upper-case mapped IPv4 context.ip becomes IPv4', input: { contextIp: '::FFFF:198.51.100.23', requestIp: '::1', anonymize: false }, expected: '198.51.100.23' },
    { name: 'a hex-form mapped IPv4 becomes IPv4', input: { requestIp: '::ffff:cb00:7107', anonymize: false }, expected: '203.0.113.7' },
    { name: 'IPv6 is written in canonical form', input: { contextIp: '2001:0DB8:0000:0000:0000:0000:0000:0042', requestIp: '::1', anonymize: false }, expected: '2001:db8::42' },
    { name: 'a zone id is dropped', input: { requestIp: 'fe80::1%eth0', anonymize: false }, expected: 'fe80::1' },
    { name: 'neither address valid gives an empty string', input: { contextIp: 'nope', requestIp: 'unknown', anonymize: false }, expected: '' },
    { name: 'anonymizes a context IPv4', input: { contextIp: '198.51.100.23', requestIp: '203.0.113.7', anonymize: true }, expected: '198.51.100.0' },
    { name: 'anonymizes a request IPv6', input: { requestIp: '2001:db8:abcd:12::1', anonymize: true }, expected: '2001:db8:abcd::' },
    { name: 'anonymizes a mapped request IP as IPv4', input: { requestIp: '::ffff:203.0.113.7', anonymize: true }, expected: '203.0.113.0' },
    { name: 'anonymizing no address gives an empty string', input: { requestIp: '', anonymize: true }, expected: '' },
  ])('$name', ({ input, expected }) => {
    expect(resolveClientIp(input)).toBe(expected);
  });
});

describe('anonymizeIp', () => {
  it.each<{ ip: string; expected: string }>([
    { ip: '1.2.3.4', expected: '1.2.3.0' },
    { ip: '192.168.100.255', expected: '192.168.100.0' },
    { ip: '10.0.0.0', expected: '10.0.0.0' },
    { ip: '2001:db8:abcd:12::1', expected: '2001:db8:abcd::' },
    { ip: '2001:0DB8:ABCD:0012:0000:0000:0000:0001', expected: '2001:db8:abcd::' },
    { ip: '2a03:2880:f12f:83:face:b00c:0:25de', expected: '2a03:2880:f12f::' },
    { ip: '2001:db8::1', expected: '2001:db8::' },
    { ip: '2001:0:0:1::5', expected: '2001::' },
    { ip: '0:db8:abcd:1::', expected: '0:db8:abcd::' },
    { ip: '64:ff9b::192.0.2.33', expected: '64:ff9b::' },
    { ip: '::1', expected: '::' },
    { ip: '::', expected: '::' },
    { ip: 'fe80::1%eth0', expected: 'fe80::' },
    { ip: '::ffff:1.2.3.4', expected: '1.2.3.0' },
    { ip: '1.2.3', expected: '' },
    { ip: 'not-an-ip', expected: '' },
    { ip: '', expected: '' },
  ])('$ip → $expected', ({ ip, expected }) => {
    expect(anonymizeIp(ip)).toBe(expected);
  });
});
