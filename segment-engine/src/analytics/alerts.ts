import { createHmac, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { alertRuleInputSchema, CHANNEL_KPI_NAMES, type AlertRuleInput, type KpiName } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { kpiOverview, type ChannelKpiOverview, type KpiOverview, type KpiValue } from './kpi-query.js';

const channelKpis: readonly KpiName[] = CHANNEL_KPI_NAMES;

export interface AlertRule extends AlertRuleInput { id: string; createdAt: string }

export interface AlertNotification {
  rule: AlertRule;
  kind: 'fired' | 'recovered';
  /** The KPI value, or its relative change for change rules. */
  value: number;
  date: string;
}

export interface AlertOptions {
  /** HMAC-SHA256 key of the `X-Sextant-Signature: sha256=<hex>` header of webhook calls. */
  webhookSecret: string;
  /** Where fired alerts are logged. */
  log: (msg: string, data: Record<string, unknown>) => void;
  fetch?: typeof fetch;
}

/** Signature of a webhook body: hex HMAC-SHA256 with the shared secret. */
export function signWebhook(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export class AlertRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async list(): Promise<AlertRule[]> {
    const rs = await this.client.query({ query: `SELECT id, definition, toString(created_at) AS created_at FROM alert_rules FINAL WHERE deleted = 0 ORDER BY created_at, id`, format: 'JSONEachRow' });
    return (await rs.json<{ id: string; definition: string; created_at: string }>()).map((r) => ({ ...(JSON.parse(r.definition) as AlertRuleInput), id: r.id, createdAt: r.created_at }));
  }

  async create(input: unknown): Promise<AlertRule> {
    const parsed = alertRuleInputSchema.safeParse(input);
    if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    const createdAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await this.client.insert({ table: 'alert_rules', format: 'JSONEachRow', values: [{ id, name: parsed.data.name, definition: JSON.stringify(parsed.data), created_at: createdAt, revision: Date.now(), deleted: 0 }] });
    return { ...parsed.data, id, createdAt };
  }

  async delete(id: string): Promise<boolean> {
    const rule = (await this.list()).find((r) => r.id === id);
    if (!rule) return false;
    await this.client.insert({ table: 'alert_rules', format: 'JSONEachRow', values: [{ id, name: rule.name, definition: '{}', created_at: rule.createdAt, revision: Date.now(), deleted: 1 }] });
    return true;
  }

  /** The latest state change of each rule (absent: never fired). */
  async states(): Promise<Map<string, 'fired' | 'recovered'>> {
    const rs = await this.client.query({ query: `SELECT rule_id, toString(argMax(kind, at)) AS kind FROM alert_events GROUP BY rule_id`, format: 'JSONEachRow' });
    return new Map((await rs.json<{ rule_id: string; kind: 'fired' | 'recovered' }>()).map((r) => [r.rule_id, r.kind]));
  }

  async history(limit = 100) {
    const rs = await this.client.query({ query: `SELECT rule_id, toString(at) AS at, toString(kind) AS kind, kpi, value, threshold, delivery FROM alert_events ORDER BY at DESC LIMIT {limit:UInt32}`, query_params: { limit }, format: 'JSONEachRow' });
    return rs.json();
  }
}

/**
 * Whether a rule is breached by an overview (value rules compare the value; change rules the change vs
 * the previous period). The overview must be the rule's: filtered by its channel when it has one.
 */
export function ruleValue(rule: AlertRuleInput, overview: KpiOverview | ChannelKpiOverview): { value: number; breached: boolean } {
  if ((rule.channel || null) !== overview.channel) throw new Error(`rule channel ${rule.channel ?? '(none)'} does not match the overview's ${overview.channel ?? '(none)'}`);
  const k = (overview.kpis as Partial<Record<KpiName, KpiValue>>)[rule.kpi];
  if (!k) throw new DefinitionError([{ path: 'kpi', message: `${rule.kpi} cannot be filtered by channel` }]);
  const value = rule.condition.startsWith('change') ? (k.dod ?? 0) : k.value;
  const breached = rule.condition === 'above' || rule.condition === 'change_above' ? value > rule.threshold : value < rule.threshold;
  return { value, breached };
}

/**
 * Evaluates every enabled rule for `date`: a rule fires (webhook + log + `alert_events` row) when it
 * is breached and its last state is not `fired`; it records `recovered` when it is no longer breached
 * after firing. So each breach notifies once, however often the schedule runs.
 */
export async function evaluateAlerts(client: ClickHouseClient, date: string, options: AlertOptions): Promise<AlertNotification[]> {
  const repo = new AlertRepository(client);
  const rules = (await repo.list()).filter((r) => r.enabled);
  const states = await repo.states();
  const overviews = new Map<string, KpiOverview | ChannelKpiOverview>();
  const out: AlertNotification[] = [];
  for (const rule of rules) {
    const key = `${rule.period}|${rule.channel ?? ''}`;
    // A rule stored before channel rules were restricted (a KPI without channel meaning) cannot be evaluated.
    if (rule.channel && !channelKpis.includes(rule.kpi)) {
      options.log(`alert "${rule.name}" skipped: ${rule.kpi} cannot be filtered by channel`, { ruleId: rule.id, kpi: rule.kpi });
      continue;
    }
    let overview = overviews.get(key);
    if (!overview) overviews.set(key, (overview = await kpiOverview(client, { date, period: rule.period, ...(rule.channel ? { channel: rule.channel } : {}) })));
    const { value, breached } = ruleValue(rule, overview);
    const last = states.get(rule.id);
    const kind = breached && last !== 'fired' ? 'fired' : !breached && last === 'fired' ? 'recovered' : null;
    if (!kind) continue;
    const note: AlertNotification = { rule, kind, value, date };
    let delivery = 'log only';
    if (kind === 'fired') {
      options.log(`alert "${rule.name}" fired: ${rule.kpi} = ${value} (${rule.condition} ${rule.threshold})`, { ruleId: rule.id, kpi: rule.kpi, value, date });
      if (rule.webhook_url) delivery = await deliver(rule.webhook_url, note, options);
    }
    await client.insert({ table: 'alert_events', format: 'JSONEachRow', values: [{ rule_id: rule.id, at: new Date().toISOString().replace('T', ' ').replace('Z', ''), kind, kpi: rule.kpi, value, threshold: rule.threshold, delivery }] });
    out.push(note);
  }
  return out;
}

async function deliver(url: string, note: AlertNotification, options: AlertOptions): Promise<string> {
  const body = JSON.stringify({ type: 'alert.fired', rule: { id: note.rule.id, name: note.rule.name, kpi: note.rule.kpi, condition: note.rule.condition, threshold: note.rule.threshold }, value: note.value, date: note.date });
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sextant-signature': `sha256=${signWebhook(options.webhookSecret, body)}` },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return `HTTP ${res.status}`;
  } catch (err) {
    options.log(`alert webhook failed: ${(err as Error).message}`, { ruleId: note.rule.id });
    return `error: ${(err as Error).message}`;
  }
}
