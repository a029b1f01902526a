import { describe, expect, it } from 'vitest';
import { campaignOf, externalReferrer, updateTouches, type Landing, type Touches } from './touches.js';

const T0 = Date.UTC(2025, 5, 1, 10);
const ISO0 = new Date(T0).toISOString();
const land = (over: Partial<Landing>): Landing => ({ campaign: {}, url: 'https://shop.example/', referrer: '', siteDomain: 'shop.example', time: T0, ...over });

const fbTouch = { source: 'facebook', fbclid: 'fb1', landingPage: 'https://shop.example/?utm_source=facebook&fbclid=fb1', timestamp: '2025-05-01T10:00:00.000Z' };

describe('updateTouches', () => {
  it.each<{ name: string; prev: Touches; landing: Landing; expected: Touches }>([
    {
      name: 'a first direct visit is the first touch, with no last (campaign) touch',
      prev: {},
      landing: land({}),
      expected: { first: { landingPage: 'https://shop.example/', timestamp: ISO0 }, last: undefined },
    },
    {
      name: 'a first visit from an ad is both first and last touch',
      prev: {},
      landing: land({ campaign: { source: 'facebook', fbclid: 'fb1' }, url: 'https://shop.example/?fbclid=fb1', referrer: 'https://l.facebook.com/' }),
      expected: {
        first: { source: 'facebook', fbclid: 'fb1', referrer: 'https://l.facebook.com/', landingPage: 'https://shop.example/?fbclid=fb1', timestamp: ISO0 },
        last: { source: 'facebook', fbclid: 'fb1', referrer: 'https://l.facebook.com/', landingPage: 'https://shop.example/?fbclid=fb1', timestamp: ISO0 },
      },
    },
    {
      name: 'a later ad click replaces the last touch and keeps the first',
      prev: { first: fbTouch, last: fbTouch },
      landing: land({ campaign: { source: 'google', gclid: 'g1' }, url: 'https://shop.example/?gclid=g1' }),
      expected: { first: fbTouch, last: { source: 'google', gclid: 'g1', landingPage: 'https://shop.example/?gclid=g1', timestamp: ISO0 } },
    },
    {
      name: 'a return from a payment page does not steal the last touch',
      prev: { first: fbTouch, last: fbTouch },
      landing: land({ url: 'https://shop.example/thank-you', referrer: 'https://www.paypal.com/checkoutnow' }),
      expected: { first: fbTouch, last: fbTouch },
    },
    {
      name: 'an organic first visit records the outside referrer',
      prev: {},
      landing: land({ referrer: 'https://www.google.com/' }),
      expected: { first: { referrer: 'https://www.google.com/', landingPage: 'https://shop.example/', timestamp: ISO0 }, last: undefined },
    },
    {
      name: 'navigation inside the site (or from a subdomain) is not a referrer',
      prev: {},
      landing: land({ referrer: 'https://blog.shop.example/post' }),
      expected: { first: { landingPage: 'https://shop.example/', timestamp: ISO0 }, last: undefined },
    },
  ])('$name', ({ prev, landing, expected }) => {
    expect(updateTouches(prev, landing)).toEqual(expected);
  });
});

describe('externalReferrer', () => {
  it.each([
    { referrer: '', site: 'shop.example', expected: '' },
    { referrer: 'not a url', site: 'shop.example', expected: '' },
    { referrer: 'https://shop.example/a', site: 'shop.example', expected: '' },
    { referrer: 'https://www.shop.example/a', site: 'shop.example', expected: '' },
    { referrer: 'https://evilshop.example/', site: 'shop.example', expected: 'https://evilshop.example/' },
    { referrer: 'https://www.google.com/', site: 'shop.example', expected: 'https://www.google.com/' },
  ])('$referrer on $site → "$expected"', ({ referrer, site, expected }) => {
    expect(externalReferrer(referrer, site)).toBe(expected);
  });
});

describe('campaignOf', () => {
  it('keeps the campaign fields of a touch for context.campaign', () => {
    expect(campaignOf({ ...fbTouch, referrer: 'https://l.facebook.com/' })).toEqual({ source: 'facebook', fbclid: 'fb1' });
    expect(campaignOf(undefined)).toEqual({});
  });
});
