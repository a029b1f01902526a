/** Filters of GET /api/events. */
export interface EventsFilter {
  sourceId?: string | undefined;
  anonymousId?: string | undefined;
  userId?: string | undefined;
  event?: string | undefined;
  type?: string | undefined;
  /** ISO-8601; inclusive. */
  since?: string | undefined;
  /** ISO-8601; exclusive. */
  until?: string | undefined;
  limit: number;
}

/** One condition per filter; every value is a bound parameter, never text in the SQL. */
const CONDITIONS = {
  sourceId: 'source_id = {sourceId:String}',
  anonymousId: 'anonymous_id = {anonymousId:String}',
  userId: 'user_id = {userId:String}',
  event: 'event = {event:String}',
  type: 'type = {type:String}',
  since: "timestamp >= parseDateTime64BestEffort({since:String}, 3, 'UTC')",
  until: "timestamp < parseDateTime64BestEffort({until:String}, 3, 'UTC')",
} as const satisfies Record<keyof Omit<EventsFilter, 'limit'>, string>;

/** Builds the newest-first event listing for the admin API. */
export function buildEventsQuery(filter: EventsFilter): { query: string; params: Record<string, string | number> } {
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: filter.limit };
  for (const key of Object.keys(CONDITIONS) as (keyof typeof CONDITIONS)[]) {
    const value = filter[key];
    if (value === undefined || value === '') continue;
    where.push(CONDITIONS[key]);
    params[key] = value;
  }
  const query = `SELECT
      source_id, message_id, type, event, name, anonymous_id, user_id, group_id, previous_id,
      timestamp, original_timestamp, sent_at, received_at,
      ip, user_agent, browser, browser_version, os, os_version, device_type, is_bot,
      page_url, page_path, page_referrer,
      utm_source, utm_medium, utm_campaign, utm_term, utm_content, fbclid, gclid, ttclid, msclkid,
      order_id, revenue, currency, product_ids, properties, traits, context
    FROM events
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY timestamp DESC, message_id
    LIMIT {limit:UInt32}`;
  return { query, params };
}
