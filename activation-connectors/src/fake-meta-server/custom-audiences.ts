import { GraphErrorResponse, invalidParam } from './graph-error.js';
import { objectParam } from './parse-params.js';

const MULTI_KEYS = new Set(['EXTERN_ID', 'EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY', 'LOOKALIKE_VALUE', 'APPUID']);
const SINGLE_KEYS = new Set(['EMAIL_SHA256', 'PHONE_SHA256', 'MOBILE_ADVERTISER_ID', 'UID']);
const NOT_HASHED = new Set(['EXTERN_ID', 'MADID', 'LOOKALIKE_VALUE', 'APPUID', 'MOBILE_ADVERTISER_ID', 'UID']);
const HEX64 = /^[0-9a-f]{64}$/;
export const MAX_ROWS_PER_REQUEST = 10_000;

interface UploadSession {
  replace: boolean;
  seenFirst: boolean;
  closed: boolean;
  received: number;
  invalid: number;
  pending?: Set<string>;
  startTime: number;
}

export interface FakeAudience {
  id: string;
  adAccountId: string;
  name: string;
  subtype: string;
  customerFileSource?: string;
  /** Row keys (cells joined by `|`) of the current members. */
  members: Set<string>;
  sessions: Map<string, UploadSession>;
  deleted: boolean;
}

export interface UsersCallLog {
  audienceId: string;
  op: 'add' | 'remove' | 'replace';
  rows: number;
  invalid: number;
  sessionId?: string;
  batchSeq?: number;
}

/** Custom Audience emulation (meta.md §1, §5.4). Keeps members as the joined hashed rows. */
export class FakeCustomAudiences {
  readonly audiences = new Map<string, FakeAudience>();
  readonly calls: UsersCallLog[] = [];
  /** Every row key ever added, with how many times (duplicate-send detection in tests). */
  readonly addCounts = new Map<string, number>();
  private nextId = 23850000000000000n;

  constructor(private readonly options: { trackAddCounts?: boolean } = {}) {}

  create(adAccount: string, params: Record<string, unknown>): { id: string } {
    if (!adAccount.startsWith('act_')) throw invalidParam('ad account ids are prefixed with act_', 33);
    const name = params.name;
    if (typeof name !== 'string' || name.length === 0) throw invalidParam('The parameter name is required');
    const subtype = typeof params.subtype === 'string' ? params.subtype : 'CUSTOM';
    const cfs = params.customer_file_source;
    if (cfs !== undefined && !['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'].includes(String(cfs))) {
      throw invalidParam('Invalid customer_file_source');
    }
    const adAccountId = adAccount.slice(4);
    if (params.enable_fetch_or_create === true || params.enable_fetch_or_create === 'true') {
      for (const a of this.audiences.values()) if (!a.deleted && a.adAccountId === adAccountId && a.name === name) return { id: a.id };
    }
    const count = [...this.audiences.values()].filter((a) => !a.deleted && a.adAccountId === adAccountId && a.subtype === 'CUSTOM').length;
    if (subtype === 'CUSTOM' && count >= 500) throw new GraphErrorResponse({ status: 400, code: 2654, message: 'Failed to create custom audience: limit of 500 reached' });
    this.nextId += 1n;
    const id = String(this.nextId);
    this.audiences.set(id, { id, adAccountId, name, subtype, ...(typeof cfs === 'string' ? { customerFileSource: cfs } : {}), members: new Set(), sessions: new Map(), deleted: false });
    return { id };
  }

  list(adAccount: string): { data: { id: string; name: string }[]; paging: Record<string, unknown> } {
    const adAccountId = adAccount.replace(/^act_/, '');
    return { data: [...this.audiences.values()].filter((a) => !a.deleted && a.adAccountId === adAccountId).map((a) => ({ id: a.id, name: a.name })), paging: {} };
  }

  get(id: string): Record<string, unknown> {
    const a = this.require(id);
    const n = a.members.size;
    return { id: a.id, name: a.name, subtype: a.subtype, approximate_count_lower_bound: n, approximate_count_upper_bound: n, operation_status: { code: 200, description: 'Normal' } };
  }

  remove(id: string): { success: true } {
    this.require(id).deleted = true;
    return { success: true };
  }

  sessions(id: string, sessionId: string | undefined): { data: Record<string, string | number>[] } {
    const a = this.require(id);
    const data = [...a.sessions.entries()].filter(([sid]) => sessionId === undefined || sid === sessionId).map(([sid, s]) => ({
      session_id: sid, start_time: String(s.startTime), num_received: String(s.received), num_invalid_entries: String(s.invalid),
      num_matched: String(s.received - s.invalid), progress: s.closed ? '100' : '0', stage: s.closed ? 'finished' : 'uploading',
    }));
    return { data };
  }

  private require(id: string): FakeAudience {
    const a = this.audiences.get(id);
    if (!a) throw new GraphErrorResponse({ status: 400, code: 100, subcode: 33, message: `Unsupported request - object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation` });
    if (a.deleted) throw new GraphErrorResponse({ status: 400, code: 100, subcode: 1487366, message: 'Custom Audience has been deleted' });
    return a;
  }

  /** `POST|DELETE /{id}/users` and `POST /{id}/usersreplace`. */
  users(id: string, op: 'add' | 'remove' | 'replace', params: Record<string, unknown>): Record<string, unknown> {
    const audience = this.require(id);
    const payload = objectParam(params.payload);
    if (!payload) throw invalidParam('The parameter payload is required');
    const rawSchema = payload.schema;
    const schema = typeof rawSchema === 'string' ? [rawSchema] : Array.isArray(rawSchema) ? rawSchema.map(String) : undefined;
    if (!schema || schema.length === 0) throw invalidParam('payload.schema is required');
    const single = typeof rawSchema === 'string';
    for (const k of schema) {
      if (single ? !SINGLE_KEYS.has(k) && !MULTI_KEYS.has(k) : !MULTI_KEYS.has(k)) throw invalidParam(`Invalid schema key: ${k}`);
    }
    if (new Set(schema).size !== schema.length) throw invalidParam('Duplicate keys in payload.schema');
    const data = payload.data;
    if (!Array.isArray(data) || data.length === 0) throw invalidParam('payload.data must be a non-empty array');
    if (data.length > MAX_ROWS_PER_REQUEST) throw invalidParam(`Too many users in one request: ${data.length} (max ${MAX_ROWS_PER_REQUEST})`, 1870009);

    // Session handling (meta.md §1.5, §1.6)
    const session = objectParam(params.session);
    let sessionId: string | undefined;
    let batchSeq = 1;
    let last = true;
    if (session) {
      if (session.session_id === undefined || session.batch_seq === undefined) throw invalidParam('session requires session_id and batch_seq');
      sessionId = String(session.session_id);
      batchSeq = Number(session.batch_seq);
      if (!Number.isInteger(batchSeq) || batchSeq < 1) throw invalidParam('session.batch_seq starts at 1');
      last = session.last_batch_flag === true || session.last_batch_flag === 'true';
    }
    const sessionKey = sessionId ?? `auto-${this.calls.length}`;
    let s = audience.sessions.get(sessionKey);
    if (op === 'replace') {
      if (batchSeq === 1) {
        s = { replace: true, seenFirst: true, closed: false, received: 0, invalid: 0, pending: new Set(), startTime: Math.floor(Date.now() / 1000) };
        audience.sessions.set(sessionKey, s);
      } else if (!s || !s.replace || !s.seenFirst || s.closed) {
        throw new GraphErrorResponse({ status: 400, code: 2650, subcode: 1870147, message: 'Invalid Upload Batch for Replace: the first batch of this session was not detected' });
      }
    } else if (!s) {
      s = { replace: false, seenFirst: batchSeq === 1, closed: false, received: 0, invalid: 0, startTime: Math.floor(Date.now() / 1000) };
      audience.sessions.set(sessionKey, s);
    }

    let invalid = 0;
    const samples: Record<string, string> = {};
    const accepted: string[] = [];
    for (const row of data) {
      const cells = single ? [row] : row;
      if (!Array.isArray(cells) || cells.length !== schema.length) {
        throw invalidParam(`Each row must have ${schema.length} values (the schema length)`);
      }
      let bad = false;
      let nonEmpty = 0;
      for (let i = 0; i < cells.length; i++) {
        const cell = cells[i];
        const key = schema[i]!;
        if (cell === '' || cell === null || cell === undefined) continue;
        nonEmpty += 1;
        if (key === 'LOOKALIKE_VALUE') {
          if (typeof cell !== 'number' || cell < 0) bad = true;
        } else if (typeof cell !== 'string' || (!NOT_HASHED.has(key) && !HEX64.test(cell))) {
          bad = true;
          if (Object.keys(samples).length < 10) samples[String(cell).slice(0, 64)] = `${key} is not a lowercase SHA-256 hex digest`;
        }
      }
      if (bad || nonEmpty === 0) {
        invalid += 1;
        continue;
      }
      accepted.push(cells.join('|'));
    }
    for (const key of accepted) {
      if (op === 'add') {
        audience.members.add(key);
        if (this.options.trackAddCounts) this.addCounts.set(key, (this.addCounts.get(key) ?? 0) + 1);
      } else if (op === 'remove') audience.members.delete(key);
      else s!.pending!.add(key);
    }
    s!.received += data.length;
    s!.invalid += invalid;
    if (last) {
      s!.closed = true;
      if (op === 'replace') {
        audience.members = s!.pending!;
        delete s!.pending;
      }
    }
    this.calls.push({ audienceId: id, op, rows: data.length, invalid, ...(sessionId ? { sessionId, batchSeq } : {}) });
    return { audience_id: id, session_id: sessionKey, num_received: data.length, num_invalid_entries: invalid, invalid_entry_samples: samples };
  }
}
