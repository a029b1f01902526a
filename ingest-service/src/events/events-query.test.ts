import { describe, expect, it } from 'vitest';
import { buildEventsQuery } from './events-query.js';

describe('buildEventsQuery', () => {
  it('binds every filter value as a parameter and never puts it in the SQL text', () => {
    const hostile = "x' OR 1=1 --";
    const { query, params } = buildEventsQuery({ userId: hostile, event: hostile, since: '2026-01-01T00:00:00Z', limit: 10 });
    expect(query).not.toContain(hostile);
    expect(query).toContain('user_id = {userId:String}');
    expect(query).toContain('event = {event:String}');
    expect(query).toContain('{since:String}');
    expect(query).not.toContain('{until:String}');
    expect(params).toEqual({ userId: hostile, event: hostile, since: '2026-01-01T00:00:00Z', limit: 10 });
  });

  it('has no WHERE clause without filters', () => {
    const { query, params } = buildEventsQuery({ limit: 5 });
    expect(query).not.toMatch(/\bWHERE\b/);
    expect(params).toEqual({ limit: 5 });
  });
});
