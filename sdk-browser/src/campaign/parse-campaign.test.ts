import { describe, expect, it } from 'vitest';
import { parseCampaign } from './parse-campaign.js';

describe('parseCampaign', () => {
  it.each([
    { search: '', expected: {} },
    { search: '?page=2', expected: {} },
    {
      search: '?utm_source=facebook&utm_medium=paid_social&utm_campaign=summer&utm_term=linen&utm_content=carousel&utm_id=123',
      expected: { source: 'facebook', medium: 'paid_social', name: 'summer', term: 'linen', content: 'carousel', id: '123' },
    },
    { search: '?fbclid=IwAR2F4x-_abc', expected: { fbclid: 'IwAR2F4x-_abc' } },
    {
      search: '?gclid=Cj0K&gbraid=0AAA&wbraid=Cl0K&dclid=CN0&ttclid=E.C.P&msclkid=9a8b&twclid=2-x&li_fat_id=li1&sccid=sc1&epik=dj0',
      expected: { gclid: 'Cj0K', gbraid: '0AAA', wbraid: 'Cl0K', dclid: 'CN0', ttclid: 'E.C.P', msclkid: '9a8b', twclid: '2-x', li_fat_id: 'li1', sccid: 'sc1', epik: 'dj0' },
    },
    { search: '?utm_source=google&gclid=abc&other=1', expected: { source: 'google', gclid: 'abc' } },
    { search: 'utm_source=no-question-mark', expected: { source: 'no-question-mark' } },
    { search: '?utm_source=Face%20Book&utm_campaign=%C3%A9t%C3%A9', expected: { source: 'Face Book', name: 'été' } },
    { search: '?utm_source=+facebook+&utm_medium=', expected: { source: 'facebook' } },
    { search: '?utm_source=a&utm_source=b', expected: { source: 'a' } },
    { search: '?UTM_SOURCE=upper', expected: {} },
  ])('$search', ({ search, expected }) => {
    expect(parseCampaign(search)).toEqual(expected);
  });

  it('caps values at 500 characters', () => {
    expect(parseCampaign(`?utm_campaign=${'x'.repeat(600)}`).name).toHaveLength(500);
  });
});
