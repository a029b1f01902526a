import { describe, expect, it } from 'vitest';
import { audienceInputSchema } from './audience-input.js';
import { RETARGETING_TEMPLATES } from './retargeting-audiences.js';

describe('ready-made retargeting audiences', () => {
  it.each(RETARGETING_TEMPLATES.map((t) => [t.id, t] as const))('%s builds a valid segment definition', (_id, t) => {
    const input = t.build();
    expect(input.definition.type).toBe('and');
    expect(input.name.length).toBeGreaterThan(0);
  });

  it('parameterises the no-purchase window', () => {
    const t = RETARGETING_TEMPLATES.find((x) => x.id === 'meta-ad-no-purchase')!;
    expect(JSON.stringify(t.build({ days: 14 }).definition)).toContain('"within_days":14');
  });

  it('validates audience input', () => {
    expect(audienceInputSchema.safeParse({ name: 'x', segmentId: 'seg', destinations: [{ type: 'facebook-custom-audience', settings: {}, cron: '0 */6 * * *' }] }).success).toBe(true);
    expect(audienceInputSchema.safeParse({ name: 'x', segmentId: 'bad id!', destinations: [] }).success).toBe(false);
  });
});
