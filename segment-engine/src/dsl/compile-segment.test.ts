import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../errors.js';
import { compileSegment } from './compile-segment.js';

const NOW = new Date('2024-06-01T00:00:00Z');

function issuesOf(definition: unknown): { path: string; message: string }[] {
  try {
    compileSegment(definition, { now: NOW, pathPrefix: 'definition' });
  } catch (err) {
    if (err instanceof DefinitionError) return err.issues;
    throw err;
  }
  throw new Error('compiled without error');
}

describe('compileSegment: generated SQL', () => {
  it('prints a three-condition definition with bound parameters only', () => {
    const compiled = compileSegment(
      {
        type: 'and',
        conditions: [
          { type: 'computed', trait: 'first_touch_source', op: 'eq', value: 'facebook' },
          { type: 'event', event: 'Product Viewed', within_days: 30, where: [{ property: 'category', op: 'eq', value: 'shoes' }] },
          { type: 'event', event: 'Order Completed', did: false, within_days: 7 },
        ],
      },
      { now: NOW },
    );
    expect(compiled.where).toMatchSnapshot();
    expect(compiled.params).toMatchSnapshot();
  });

  it('prints a funnel with its window as milliseconds', () => {
    const compiled = compileSegment({ type: 'funnel', steps: [{ event: 'Product Added' }, { event: 'Order Completed' }], reached: 1, window_days: 3 }, { now: NOW });
    expect(compiled.where).toMatchSnapshot();
    expect(compiled.where).toContain('windowFunnel(259200000)');
  });

  it('never pastes a value or a name into the SQL text', () => {
    const evil = "x') OR 1=1; DROP TABLE events --";
    const compiled = compileSegment({ type: 'or', conditions: [
      { type: 'trait', trait: 'plan', op: 'eq', value: evil },
      { type: 'event', event: evil, where: [{ property: 'a.b', op: 'contains', value: evil }] },
      { type: 'tag', tag: 'vip' },
    ] }, { now: NOW });
    expect(compiled.where).not.toContain('DROP');
    expect(compiled.where).not.toContain("'plan'");
    expect(Object.values(compiled.params)).toContain(evil);
  });
});

describe('compileSegment: bad definitions name the path', () => {
  it.each<[string, unknown, string]>([
    ['unknown condition type', { type: 'and', conditions: [{ type: 'sql', query: 'SELECT 1' }] }, 'definition.conditions.0.type'],
    ['unknown operator', { type: 'computed', trait: 'orders_count', op: 'like', value: 1 }, 'definition.op'],
    ['unknown computed trait', { type: 'computed', trait: 'password', op: 'eq', value: 1 }, 'definition.trait'],
    ['property name with a quote', { type: 'event', event: 'X', where: [{ property: "a'b", op: 'eq', value: 1 }] }, 'definition.where.0.property'],
    ['property name with SQL', { type: 'event', event: 'X', where: [{ property: 'a) OR (1=1', op: 'eq', value: 1 }] }, 'definition.where.0.property'],
    ['trait name with SQL', { type: 'trait', trait: "plan'); DROP TABLE events; --", op: 'eq', value: 'x' }, 'definition.trait'],
    ['unknown event column', { type: 'event', event: 'X', where: [{ column: 'ip; DROP', op: 'eq', value: 'x' }] }, 'definition.where.0.column'],
    ['string compared with a number trait', { type: 'computed', trait: 'orders_count', op: 'gt', value: 'many' }, 'definition.value'],
    ['number compared with a text trait', { type: 'computed', trait: 'email', op: 'eq', value: 3 }, 'definition.value'],
    ['bad date', { type: 'computed', trait: 'first_seen', op: 'gt', value: 'yesterday' }, 'definition.value'],
    ['in without an array', { type: 'trait', trait: 'plan', op: 'in', value: 'pro' }, 'definition.value'],
    ['exists with a value', { type: 'trait', trait: 'plan', op: 'exists', value: 'pro' }, 'definition.value'],
    ['funnel step beyond the steps', { type: 'funnel', steps: [{ event: 'A' }, { event: 'B' }], reached: 3, window_days: 1 }, 'definition.reached'],
    ['negative count', { type: 'event', event: 'X', count: { op: 'at_least', value: -1 } }, 'definition.count.value'],
    ['did false with a count', { type: 'event', event: 'X', did: false, count: { op: 'at_least', value: 2 } }, 'definition.count'],
    ['extra key', { type: 'tag', tag: 'vip', sql: '1=1' }, 'definition'],
    ['nested deep error', { type: 'not', condition: { type: 'or', conditions: [{ type: 'tag', tag: 'ok' }, { type: 'event', event: 'X', within_days: 0 }] } }, 'definition.condition.conditions.1.within_days'],
  ])('%s → %s', (_name, definition, path) => {
    expect(issuesOf(definition).map((i) => i.path)).toContain(path);
  });
});
