/**
 * The segment builder's editable tree and its conversion to and from the segment DSL
 * (`schemas/src/segments/segment-definition.ts`). The UI edits strings; `toDefinition` turns them into
 * the DSL's typed values, and the server's zod schema stays the one judge of validity (the preview
 * route answers INVALID_DEFINITION with the issues).
 */
export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'starts_with', 'in', 'not_in', 'exists', 'not_exists'] as const;
export type Operator = (typeof OPERATORS)[number];

export const OPERATOR_LABELS: Record<Operator, string> = {
  eq: 'is', neq: 'is not', gt: '>', gte: '≥', lt: '<', lte: '≤', contains: 'contains', not_contains: 'does not contain',
  starts_with: 'starts with', in: 'is one of', not_in: 'is none of', exists: 'is set', not_exists: 'is not set',
};

/** Computed traits and their types (mirrors COMPUTED_TRAITS of the DSL). */
export const COMPUTED_TRAITS: Record<string, 'date' | 'number' | 'string' | 'array'> = {
  first_touch_source: 'string', first_touch_medium: 'string', first_touch_campaign: 'string', first_touch_content: 'string',
  first_touch_term: 'string', first_touch_click_id: 'string', first_touch_ad_id: 'string', last_touch_source: 'string',
  last_touch_medium: 'string', last_touch_campaign: 'string', orders_count: 'number', lifetime_revenue: 'number',
  average_order_value: 'number', days_since_last_order: 'number', days_since_last_seen: 'number', events_count: 'number',
  sessions: 'number', discount_share: 'number', first_seen: 'date', last_seen: 'date', first_order_at: 'date', last_order_at: 'date',
  click_ids: 'array', favourite_categories: 'array', email: 'string', phone: 'string',
};

export const COMMON_EVENTS = ['Product Viewed', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Order Completed', 'Order Refunded', 'Signed Up', 'Product Reviewed', 'Membership Started'];

export type Condition = Record<string, unknown> & { type: string };

export type Node =
  | { key: number; kind: 'group'; op: 'and' | 'or'; negate: boolean; children: Node[] }
  | { key: number; kind: 'event'; event: string; did: boolean; countOp: '' | 'at_least' | 'at_most' | 'exactly'; countValue: string; withinDays: string }
  | { key: number; kind: 'computed' | 'trait'; trait: string; op: Operator; value: string }
  | { key: number; kind: 'tag'; tag: string }
  | { key: number; kind: 'raw'; condition: Condition };

let nextKey = 1;
export const newKey = (): number => nextKey++;

export function newNode(kind: Node['kind']): Node {
  switch (kind) {
    case 'group':
      return { key: newKey(), kind, op: 'and', negate: false, children: [newNode('event')] };
    case 'event':
      return { key: newKey(), kind, event: 'Product Viewed', did: true, countOp: '', countValue: '1', withinDays: '7' };
    case 'computed':
      return { key: newKey(), kind, trait: 'first_touch_source', op: 'eq', value: '' };
    case 'trait':
      return { key: newKey(), kind, trait: '', op: 'eq', value: '' };
    case 'tag':
      return { key: newKey(), kind, tag: '' };
    case 'raw':
      return { key: newKey(), kind, condition: { type: 'and', conditions: [] } };
  }
}

function typedValue(raw: string, op: Operator, type: string): unknown {
  if (op === 'exists' || op === 'not_exists') return undefined;
  const one = (s: string): string | number => (type === 'number' && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s.trim());
  if (op === 'in' || op === 'not_in') return raw.split(',').map(one).filter((v) => v !== '');
  return one(raw);
}

export function toDefinition(node: Node): Condition {
  switch (node.kind) {
    case 'group': {
      const group: Condition = { type: node.op, conditions: node.children.map(toDefinition) };
      return node.negate ? { type: 'not', condition: group } : group;
    }
    case 'event': {
      const c: Condition = { type: 'event', event: node.event.trim() };
      if (!node.did) c.did = false;
      else if (node.countOp) c.count = { op: node.countOp, value: Number(node.countValue) };
      if (node.withinDays.trim()) c.within_days = Number(node.withinDays);
      return c;
    }
    case 'computed':
    case 'trait': {
      const value = typedValue(node.value, node.op, node.kind === 'computed' ? (COMPUTED_TRAITS[node.trait] ?? 'string') : /^-?\d+(\.\d+)?$/.test(node.value.trim()) ? 'number' : 'string');
      return { type: node.kind, trait: node.trait.trim(), op: node.op, ...(value === undefined ? {} : { value }) };
    }
    case 'tag':
      return { type: 'tag', tag: node.tag.trim() };
    case 'raw':
      return node.condition;
  }
}

const valueText = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v));

/** The editable tree of a stored definition; parts the builder has no editor for are kept as JSON. */
export function fromDefinition(c: Condition): Node {
  const isOp = (op: unknown): op is Operator => OPERATORS.includes(op as Operator);
  if ((c.type === 'and' || c.type === 'or') && Array.isArray(c.conditions)) {
    return { key: newKey(), kind: 'group', op: c.type, negate: false, children: (c.conditions as Condition[]).map(fromDefinition) };
  }
  if (c.type === 'not' && c.condition && ['and', 'or'].includes((c.condition as Condition).type)) {
    const inner = fromDefinition(c.condition as Condition);
    if (inner.kind === 'group') return { ...inner, negate: true };
  }
  if (c.type === 'event' && !c.where && !c.between) {
    const count = c.count as { op: 'at_least' | 'at_most' | 'exactly'; value: number } | undefined;
    return { key: newKey(), kind: 'event', event: String(c.event), did: c.did !== false, countOp: count?.op ?? '', countValue: String(count?.value ?? 1), withinDays: c.within_days === undefined ? '' : String(c.within_days) };
  }
  if ((c.type === 'computed' || c.type === 'trait') && isOp(c.op)) return { key: newKey(), kind: c.type, trait: String(c.trait), op: c.op, value: valueText(c.value) };
  if (c.type === 'tag') return { key: newKey(), kind: 'tag', tag: String(c.tag) };
  return { key: newKey(), kind: 'raw', condition: c };
}

/** The root is always a group, so conditions can be added beside the first one. */
export function rootFrom(c: Condition | undefined): Node & { kind: 'group' } {
  const node: Node = c ? fromDefinition(c) : { key: newKey(), kind: 'group', op: 'and', negate: false, children: [] };
  return node.kind === 'group' ? node : { key: newKey(), kind: 'group', op: 'and', negate: false, children: [node] };
}

/** A copy of `tree` with the node `key` replaced by `next` (or removed when `next` is undefined). */
export function replaceNode(tree: Node, key: number, next: Node | undefined): Node {
  if (tree.kind !== 'group') return tree;
  const children: Node[] = [];
  for (const child of tree.children) {
    if (child.key === key) {
      if (next) children.push(next);
    } else children.push(replaceNode(child, key, next));
  }
  return { ...tree, children };
}

/** Plain-language summary for the list and for screen readers. */
export function describeCondition(c: Condition): string {
  switch (c.type) {
    case 'and':
    case 'or':
      return (c.conditions as Condition[]).map(describeCondition).join(` ${c.type.toUpperCase()} `);
    case 'not':
      return `NOT (${describeCondition(c.condition as Condition)})`;
    case 'event':
      return `${c.did === false ? 'did not do' : 'did'} ${String(c.event)}${c.within_days ? ` in ${String(c.within_days)} days` : ''}`;
    case 'computed':
    case 'trait':
      return `${String(c.trait)} ${OPERATOR_LABELS[c.op as Operator] ?? String(c.op)} ${valueText(c.value)}`.trim();
    case 'tag':
      return `tagged ${String(c.tag)}`;
    case 'snapshot':
      return describeSnapshot(c);
    default:
      return c.type;
  }
}

/**
 * A snapshot segment (funnel drop-offs saved from the funnels page): its members were written once and
 * are never recomputed, so it is shown, not edited as conditions.
 */
export function isSnapshot(c: Condition | undefined): boolean {
  return c?.type === 'snapshot';
}

function describeSnapshot(c: Condition): string {
  const taken = typeof c.taken_at === 'string' ? c.taken_at.slice(0, 16).replace('T', ' ') : '';
  const value = typeof c.breakdown_value === 'string' ? ` (${c.breakdown_value})` : '';
  return `snapshot: dropped off at step ${String(c.step)}${value}${taken ? `, taken ${taken} UTC` : ''}`;
}
