import { describe, expect, it } from 'vitest';
import { EVENT_ROW_COLUMNS, eventRowValues } from '@sextant/schemas';
import { generateMessages } from '../journeys/generate-journeys.js';
import { toEventRow, toEventRowLine } from './to-event-row.js';
import { smallSimulation } from '../../test/fixtures/simulation.js';

describe('toEventRow', () => {
  const messages = generateMessages(smallSimulation());

  it('writes every column, in table order, as the JSONCompactEachRow line', () => {
    for (const m of messages.slice(0, 500)) {
      const row = toEventRow(m, 'src_test');
      expect(Object.keys(row)).toEqual([...EVENT_ROW_COLUMNS]);
      expect(toEventRowLine(m, 'src_test')).toBe(JSON.stringify(eventRowValues(row)) + '\n');
    }
  });

  it('takes UTM tags and click ids from the landing URL, the device from the user agent', () => {
    const landing = messages.find((m) => (m.context.page as { url: string }).url.includes('gclid='));
    expect(landing).toBeDefined();
    const row = toEventRow(landing!, 'src_test');
    expect(row).toMatchObject({ utm_source: 'google', utm_medium: 'cpc', page_path: expect.stringMatching(/^\//) });
    expect(row.gclid).toMatch(/^Cj0KCQ/);
    expect(row.browser).not.toBe('');
    expect(['desktop', 'mobile', 'tablet']).toContain(row.device_type);
    expect(row.timestamp).toBe(landing!.timestamp.replace('T', ' ').replace('Z', ''));
  });

  it('keeps order id, revenue, currency and product ids of orders', () => {
    const order = messages.find((m) => m.event === 'Order Completed')!;
    const row = toEventRow(order, 'src_test');
    const props = order.properties as { order_id: string; revenue: number; currency: string; products: { product_id: string }[] };
    expect(row).toMatchObject({ order_id: props.order_id, revenue: props.revenue, currency: props.currency });
    expect(row.product_ids).toEqual(props.products.map((p) => p.product_id));
    expect(JSON.parse(row.properties)).toEqual(order.properties);
    expect(JSON.parse(row.context)).toEqual(order.context);
  });
});
