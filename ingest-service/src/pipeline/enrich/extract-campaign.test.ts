import { describe, expect, it } from 'vitest';
import { extractCampaign, parsePageContext, type CampaignFields, type PageContext } from './extract-campaign.js';

const NONE: CampaignFields = {
  utmSource: '', utmMedium: '', utmCampaign: '', utmTerm: '', utmContent: '',
  fbclid: '', gclid: '', ttclid: '', msclkid: '',
};

describe('extractCampaign', () => {
  it.each<{ name: string; context: Record<string, unknown> | undefined; expected: Partial<CampaignFields> }>([
    {
      name: "reads Segment's context.campaign names (name is the campaign)",
      context: { campaign: { name: 'spring_sale', source: 'facebook', medium: 'paid_social', term: 'shoes', content: 'carousel' } },
      expected: { utmCampaign: 'spring_sale', utmSource: 'facebook', utmMedium: 'paid_social', utmTerm: 'shoes', utmContent: 'carousel' },
    },
    {
      name: 'accepts raw utm_* keys in context.campaign',
      context: { campaign: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', utm_term: 'tee', utm_content: 'ad1' } },
      expected: { utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'brand', utmTerm: 'tee', utmContent: 'ad1' },
    },
    {
      name: "Segment's names win over utm_* keys inside context.campaign",
      context: { campaign: { source: 'facebook', utm_source: 'google' } },
      expected: { utmSource: 'facebook' },
    },
    {
      name: 'reads click ids from context.campaign',
      context: { campaign: { fbclid: 'IwAR1', gclid: 'Cj0K', ttclid: 'E.C.P', msclkid: 'a1b2' } },
      expected: { fbclid: 'IwAR1', gclid: 'Cj0K', ttclid: 'E.C.P', msclkid: 'a1b2' },
    },
    {
      name: 'reads every field from the page URL query string, decoding it',
      context: {
        page: {
          url: 'https://shop.example/p/tee?utm_source=facebook&utm_medium=paid%20social&utm_campaign=spring+sale&utm_term=t%C3%A9e&utm_content=c&fbclid=IwAR1&gclid=Cj0K&ttclid=E.C.P&msclkid=a1b2#top',
        },
      },
      expected: {
        utmSource: 'facebook', utmMedium: 'paid social', utmCampaign: 'spring sale', utmTerm: 'tée', utmContent: 'c',
        fbclid: 'IwAR1', gclid: 'Cj0K', ttclid: 'E.C.P', msclkid: 'a1b2',
      },
    },
    {
      name: 'context.campaign wins over the page URL, field by field',
      context: {
        campaign: { source: 'newsletter' },
        page: { url: 'https://shop.example/?utm_source=facebook&utm_medium=email&fbclid=IwAR1' },
      },
      expected: { utmSource: 'newsletter', utmMedium: 'email', fbclid: 'IwAR1' },
    },
    {
      name: 'the page URL wins over page.search',
      context: { page: { url: 'https://shop.example/?utm_source=facebook', search: '?utm_source=google&utm_medium=cpc' } },
      expected: { utmSource: 'facebook', utmMedium: 'cpc' },
    },
    {
      name: 'page.search is used when the URL has no query string',
      context: { page: { url: 'https://shop.example/landing', search: '?utm_source=tiktok&ttclid=E.C.P' } },
      expected: { utmSource: 'tiktok', ttclid: 'E.C.P' },
    },
    {
      name: 'page.search without a leading question mark',
      context: { page: { search: 'gclid=Cj0K' } },
      expected: { gclid: 'Cj0K' },
    },
    {
      name: 'blank campaign values fall through to the URL',
      context: { campaign: { source: '   ' }, page: { url: 'https://shop.example/?utm_source=facebook' } },
      expected: { utmSource: 'facebook' },
    },
    {
      name: 'non-string campaign values are ignored and fall through',
      context: {
        campaign: { source: 42, medium: ['cpc'], name: { x: 1 }, term: null, content: true },
        page: { url: 'https://shop.example/?utm_medium=email' },
      },
      expected: { utmMedium: 'email' },
    },
    {
      name: 'values are trimmed',
      context: { campaign: { source: '  facebook \n' }, page: { url: 'https://shop.example/?gclid=%20Cj0K%20' } },
      expected: { utmSource: 'facebook', gclid: 'Cj0K' },
    },
    {
      name: 'values are capped at 500 characters',
      context: { campaign: { name: 'a'.repeat(800) } },
      expected: { utmCampaign: 'a'.repeat(500) },
    },
    {
      name: 'the cap does not split an emoji in half',
      context: { campaign: { name: `${'a'.repeat(499)}😀tail` } },
      expected: { utmCampaign: 'a'.repeat(499) },
    },
    {
      name: 'a malformed page URL yields nothing and does not throw',
      context: { page: { url: 'http://exa mple.com/?utm_source=facebook' } },
      expected: {},
    },
    {
      name: 'a relative page URL is not read',
      context: { page: { url: '/landing?utm_source=facebook' } },
      expected: {},
    },
    {
      name: 'a malformed page URL still lets page.search through',
      context: { page: { url: 'http://[::1/?utm_source=facebook', search: '?utm_source=google' } },
      expected: { utmSource: 'google' },
    },
    {
      name: 'bad percent-encoding does not throw',
      context: { page: { url: 'https://shop.example/?utm_source=%E0%A4%A&utm_medium=cpc' } },
      expected: { utmSource: '\uFFFD%A', utmMedium: 'cpc' },
    },
    {
      name: 'the first of repeated query parameters wins',
      context: { page: { url: 'https://shop.example/?utm_source=a&utm_source=b' } },
      expected: { utmSource: 'a' },
    },
    {
      name: 'a page URL that is not a string is ignored',
      context: { page: { url: 12345, search: 42 } },
      expected: {},
    },
    { name: 'a campaign that is not an object is ignored', context: { campaign: 'facebook', page: [] }, expected: {} },
    { name: 'an empty context yields empty fields', context: {}, expected: {} },
    { name: 'a missing context yields empty fields', context: undefined, expected: {} },
  ])('$name', ({ context, expected }) => {
    expect(extractCampaign(context)).toEqual({ ...NONE, ...expected });
  });
});

describe('parsePageContext', () => {
  it.each<{ name: string; context: Record<string, unknown> | undefined; expected: PageContext }>([
    {
      name: 'reads url, path and referrer',
      context: { page: { url: 'https://shop.example/p/tee?x=1', path: '/p/tee', referrer: 'https://www.facebook.com/' } },
      expected: { url: 'https://shop.example/p/tee?x=1', path: '/p/tee', referrer: 'https://www.facebook.com/' },
    },
    {
      name: 'derives the path from the url when absent',
      context: { page: { url: 'https://shop.example/collections/summer?utm_source=fb#grid' } },
      expected: { url: 'https://shop.example/collections/summer?utm_source=fb#grid', path: '/collections/summer', referrer: '' },
    },
    {
      name: 'derives the path from the url when blank',
      context: { page: { url: 'https://shop.example', path: ' ' } },
      expected: { url: 'https://shop.example', path: '/', referrer: '' },
    },
    {
      name: 'a malformed url gives no path and does not throw',
      context: { page: { url: 'not a url', referrer: 42 } },
      expected: { url: 'not a url', path: '', referrer: '' },
    },
    {
      name: 'non-string fields are ignored',
      context: { page: { url: ['https://shop.example/'], path: 7, referrer: { href: 'x' } } },
      expected: { url: '', path: '', referrer: '' },
    },
    {
      name: 'values are trimmed and capped at 2,000 characters',
      context: { page: { url: ` https://shop.example/${'a'.repeat(3_000)} `, referrer: 'r'.repeat(2_500) } },
      expected: {
        url: `https://shop.example/${'a'.repeat(2_000 - 'https://shop.example/'.length)}`,
        path: `/${'a'.repeat(1_999)}`,
        referrer: 'r'.repeat(2_000),
      },
    },
    { name: 'a page that is not an object is ignored', context: { page: 'https://shop.example/' }, expected: { url: '', path: '', referrer: '' } },
    { name: 'a missing context yields empty fields', context: undefined, expected: { url: '', path: '', referrer: '' } },
  ])('$name', ({ context, expected }) => {
    expect(parsePageContext(context)).toEqual(expected);
  });
});
