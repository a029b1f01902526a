import type { EventRow } from '@sextant/schemas';

/** An event as the admin API shows it: Segment's camelCase names, JSON columns parsed back. */
export function toStoredEvent(row: EventRow) {
  const iso = (v: string | null) => (v === null || v === '' ? null : `${v.replace(' ', 'T')}Z`);
  return {
    sourceId: row.source_id,
    messageId: row.message_id,
    type: row.type,
    event: row.event || null,
    name: row.name || null,
    anonymousId: row.anonymous_id || null,
    userId: row.user_id || null,
    groupId: row.group_id || null,
    previousId: row.previous_id || null,
    timestamp: iso(row.timestamp),
    originalTimestamp: iso(row.original_timestamp),
    sentAt: iso(row.sent_at),
    receivedAt: iso(row.received_at),
    ip: row.ip,
    userAgent: row.user_agent,
    device: { browser: row.browser, browserVersion: row.browser_version, os: row.os, osVersion: row.os_version, type: row.device_type, isBot: row.is_bot },
    page: { url: row.page_url, path: row.page_path, referrer: row.page_referrer },
    campaign: {
      source: row.utm_source, medium: row.utm_medium, name: row.utm_campaign, term: row.utm_term, content: row.utm_content,
      fbclid: row.fbclid, gclid: row.gclid, ttclid: row.ttclid, msclkid: row.msclkid,
    },
    orderId: row.order_id || null,
    revenue: row.revenue,
    currency: row.currency || null,
    productIds: row.product_ids,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    traits: JSON.parse(row.traits) as Record<string, unknown>,
    context: JSON.parse(row.context) as Record<string, unknown>,
  };
}
