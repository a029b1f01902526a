import { describe, expect, it } from 'vitest';
import { validateTrackingMessage } from '@sextant/schemas';
import { createWorld, generateJourneys, generateMessages } from './generate-journeys.js';
import { smallSimulation } from '../../test/fixtures/simulation.js';

describe('generateMessages', () => {
  it('gives the same events, ids and times included, for the same seed and window', () => {
    const a = generateMessages(smallSimulation());
    const b = generateMessages(smallSimulation());
    expect(a.length).toBeGreaterThan(1000);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it.each([
    ['seed', { seed: 43 }],
    ['window end', { endMs: Date.UTC(2025, 6, 1) }],
  ])('gives different events for a different %s', (_, change) => {
    const a = generateMessages(smallSimulation());
    const b = generateMessages(smallSimulation(change));
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    const idsA = new Set(a.map((m) => m.messageId));
    expect(b.filter((m) => idsA.has(m.messageId))).toHaveLength(0);
  });

  it('gives a shopper the same journey whatever else is generated', () => {
    const world = createWorld(smallSimulation());
    const all = [...generateJourneys(world)];
    const alone = [...generateJourneys(world, 117, 118)];
    expect(alone[0]).toEqual(all[117]);
  });

  it('has shoppers state marketing consent (a share, the same per shopper) and WhatsApp opt-in with a phone, so audience syncs have members to send', () => {
    const identifies = generateMessages(smallSimulation({ shoppers: 1000 })).filter((m) => m.type === 'identify' && m.traits && 'marketing_consent' in m.traits);
    expect(identifies.length).toBeGreaterThan(150);
    const byUser = new Map<string, Set<unknown>>();
    for (const m of identifies) {
      if (m.traits!.newsletter === true) expect(m.traits!.marketing_consent).toBe(true);
      else byUser.set(m.userId!, (byUser.get(m.userId!) ?? new Set()).add(m.traits!.marketing_consent));
      if ('phone' in m.traits!) expect(typeof m.traits!.whatsapp_opt_in).toBe('boolean');
      else expect(m.traits!.whatsapp_opt_in).toBeUndefined();
    }
    for (const answers of byUser.values()) expect(answers.size).toBe(1); // a shopper answers the same every time
    const share = [...byUser.values()].filter((a) => a.has(true)).length / byUser.size;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.75);
  });

  it('produces only messages the tracking API accepts, in time order, inside the window', () => {
    const options = smallSimulation();
    const world = createWorld(options);
    const messages = generateMessages(world);
    for (const m of messages) {
      const result = validateTrackingMessage(m, m.type);
      expect(result, JSON.stringify(m)).toEqual({ ok: true });
    }
    const times = messages.map((m) => Date.parse(m.timestamp));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(world.startMs);
    expect(Math.max(...times)).toBeLessThanOrEqual(world.endMs);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
  });

  it('covers the storefront journey: e-commerce spec events, identify, refunds, reviews, memberships', () => {
    const events = new Set(generateMessages(smallSimulation({ shoppers: 1500 })).map((m) => (m.type === 'track' ? m.event : m.type)));
    for (const e of [
      'page', 'identify', 'Products Searched', 'Product List Viewed', 'Product Viewed', 'Product Added', 'Cart Viewed',
      'Checkout Started', 'Coupon Applied', 'Payment Info Entered', 'Order Completed', 'Order Refunded', 'Signed Up',
      'Product Reviewed', 'Membership Started',
    ]) expect(events, e).toContain(e);
  });

  it('tags landing pages with UTM parameters and ad click ids, and carries the device', () => {
    const messages = generateMessages(smallSimulation({ shoppers: 500 }));
    const urls = messages.filter((m) => m.context.sessionStart && m.type === 'page').map((m) => (m.context.page as { url: string }).url);
    for (const param of ['utm_source=facebook', 'utm_source=instagram', 'fbclid=', 'gclid=', 'ttclid=', 'utm_medium=email', 'utm_medium=affiliate', 'utm_medium=referral']) {
      expect(urls.some((u) => u.includes(param)), param).toBe(true);
    }
    expect(new Set(messages.filter((m) => m.context.userAgent).map((m) => m.context.userAgent)).size).toBeGreaterThan(3);
  });

  it('rejects a simulation without shoppers or days', () => {
    expect(() => createWorld(smallSimulation({ shoppers: 0 }))).toThrow(/shoppers/);
    expect(() => createWorld(smallSimulation({ days: 0 }))).toThrow(/days/);
  });
});
