import { invalidParam } from './graph-error.js';
import { fbtraceId } from './graph-error.js';

const HEX64 = /^[0-9a-f]{64}$/;
const HASHED_FIELDS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'];
const ACTION_SOURCES = new Set(['website', 'app', 'email', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other']);
export const MAX_EVENTS_PER_REQUEST = 1000;

export interface ReceivedServerEvent {
  pixelId: string;
  event: Record<string, unknown>;
  testEventCode?: string;
}

/** Conversions API emulation (meta.md §2, §5.5): whole-request validation, all or nothing. */
export class FakeConversions {
  readonly events: ReceivedServerEvent[] = [];

  receive(pixelId: string, params: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    const data = params.data;
    if (!Array.isArray(data) || data.length === 0) throw invalidParam('The parameter data is required');
    if (data.length > MAX_EVENTS_PER_REQUEST) throw invalidParam(`Too many events: ${data.length} (max ${MAX_EVENTS_PER_REQUEST})`);
    const events = data.map((raw, i) => {
      let e: unknown = raw;
      if (typeof raw === 'string') {
        try {
          e = JSON.parse(raw);
        } catch {
          throw invalidParam(`data[${i}] is not valid JSON`);
        }
      }
      if (!e || typeof e !== 'object' || Array.isArray(e)) throw invalidParam(`data[${i}] must be an object`);
      return e as Record<string, unknown>;
    });
    for (const [i, e] of events.entries()) {
      for (const f of ['event_name', 'event_time', 'user_data', 'action_source']) {
        if (e[f] === undefined) throw invalidParam(`data[${i}]: the parameter ${f} is required`, 2804001);
      }
      if (!ACTION_SOURCES.has(String(e.action_source))) throw invalidParam(`data[${i}]: invalid action_source`);
      const t = Number(e.event_time);
      if (!Number.isInteger(t)) throw invalidParam(`data[${i}]: event_time must be unix seconds`);
      if (t < Math.floor(now / 1000) - 7 * 86400) {
        throw invalidParam(`data[${i}]: Event Timestamp Too Old: event_time is more than 7 days in the past`, 2804003);
      }
      const ud = e.user_data as Record<string, unknown>;
      if (typeof ud !== 'object' || ud === null) throw invalidParam(`data[${i}]: user_data must be an object`);
      if (e.action_source === 'website' && (typeof ud.client_user_agent !== 'string' || typeof e.event_source_url !== 'string')) {
        throw invalidParam(`data[${i}]: website events require user_data.client_user_agent and event_source_url`, 2804019);
      }
      for (const f of HASHED_FIELDS) {
        const v = ud[f];
        if (v === undefined) continue;
        const values = Array.isArray(v) ? v : [v];
        for (const x of values) {
          if (typeof x !== 'string' || !HEX64.test(x)) throw invalidParam(`data[${i}]: user_data.${f} must be a lowercase SHA-256 hex digest`, 2804007);
        }
      }
      if (e.event_name === 'Purchase') {
        const cd = e.custom_data as Record<string, unknown> | undefined;
        if (!cd || typeof cd.value !== 'number' || typeof cd.currency !== 'string') {
          throw invalidParam(`data[${i}]: Missing Value for Purchase Event`, 2804009);
        }
      }
    }
    const testEventCode = typeof params.test_event_code === 'string' ? params.test_event_code : undefined;
    for (const event of events) this.events.push({ pixelId, event, ...(testEventCode ? { testEventCode } : {}) });
    return { events_received: events.length, messages: [], fbtrace_id: fbtraceId() };
  }
}
