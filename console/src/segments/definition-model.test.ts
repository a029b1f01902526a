import { describe, expect, it } from 'vitest';
import { describeCondition, isSnapshot } from './definition-model.js';

describe('snapshot segments in the console', () => {
  const snapshot = { type: 'snapshot', source: 'funnel_drop_offs', taken_at: '2026-12-06T03:40:12.000Z', funnel: {}, step: 2, breakdown_value: 'facebook_ads' };

  it('are told apart from rule segments', () => {
    expect(isSnapshot(snapshot)).toBe(true);
    expect(isSnapshot({ type: 'tag', tag: 'vip' })).toBe(false);
    expect(isSnapshot(undefined)).toBe(false);
  });

  it('are described by their step, breakdown value and time', () => {
    expect(describeCondition(snapshot)).toBe('snapshot: dropped off at step 2 (facebook_ads), taken 2026-12-06 03:40 UTC');
    expect(describeCondition({ ...snapshot, breakdown_value: undefined })).toBe('snapshot: dropped off at step 2, taken 2026-12-06 03:40 UTC');
  });
});
