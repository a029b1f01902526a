export interface CampaignFields {
  utmSource: string;
  utmMedium: string;
  utmCampaign: string;
  utmTerm: string;
  utmContent: string;
  fbclid: string;
  gclid: string;
  ttclid: string;
  msclkid: string;
}

export interface PageContext {
  url: string;
  path: string;
  referrer: string;
}

const MAX_CAMPAIGN_VALUE_LENGTH = 500;
const MAX_PAGE_VALUE_LENGTH = 2_000;

/**
 * Where each field may be found. `campaignKeys` are read from `context.campaign` in order: Segment's
 * analytics.js strips the `utm_` prefix and renames `utm_campaign` to `name`; other clients send the
 * raw `utm_*` names. `queryKey` is the parameter in the landing page's query string.
 */
const FIELDS: ReadonlyArray<{ field: keyof CampaignFields; campaignKeys: readonly string[]; queryKey: string }> = [
  { field: 'utmSource', campaignKeys: ['source', 'utm_source'], queryKey: 'utm_source' },
  { field: 'utmMedium', campaignKeys: ['medium', 'utm_medium'], queryKey: 'utm_medium' },
  { field: 'utmCampaign', campaignKeys: ['name', 'utm_campaign'], queryKey: 'utm_campaign' },
  { field: 'utmTerm', campaignKeys: ['term', 'utm_term'], queryKey: 'utm_term' },
  { field: 'utmContent', campaignKeys: ['content', 'utm_content'], queryKey: 'utm_content' },
  { field: 'fbclid', campaignKeys: ['fbclid'], queryKey: 'fbclid' },
  { field: 'gclid', campaignKeys: ['gclid'], queryKey: 'gclid' },
  { field: 'ttclid', campaignKeys: ['ttclid'], queryKey: 'ttclid' },
  { field: 'msclkid', campaignKeys: ['msclkid'], queryKey: 'msclkid' },
];

/**
 * UTM parameters and ad click ids of an event. Each field is taken from the first source that has a
 * non-blank string for it: `context.campaign`, then the query string of `context.page.url`, then
 * `context.page.search`. Values are trimmed and capped at 500 characters; anything else is ''.
 */
export function extractCampaign(context: Record<string, unknown> | undefined): CampaignFields {
  const campaign = asRecord(context?.['campaign']);
  const page = asRecord(context?.['page']);
  const urlQuery = parseUrl(page?.['url'])?.searchParams;
  const search = page?.['search'];
  const searchQuery = typeof search === 'string' && search !== '' ? new URLSearchParams(search) : undefined;

  const result: CampaignFields = {
    utmSource: '', utmMedium: '', utmCampaign: '', utmTerm: '', utmContent: '',
    fbclid: '', gclid: '', ttclid: '', msclkid: '',
  };
  for (const { field, campaignKeys, queryKey } of FIELDS) {
    let value = '';
    if (campaign !== undefined) {
      for (const key of campaignKeys) {
        value = cleanString(campaign[key], MAX_CAMPAIGN_VALUE_LENGTH);
        if (value !== '') break;
      }
    }
    if (value === '' && urlQuery !== undefined) value = cleanString(urlQuery.get(queryKey), MAX_CAMPAIGN_VALUE_LENGTH);
    if (value === '' && searchQuery !== undefined) value = cleanString(searchQuery.get(queryKey), MAX_CAMPAIGN_VALUE_LENGTH);
    result[field] = value;
  }
  return result;
}

/**
 * The page an event happened on, from `context.page`: `url`, `path` (derived from `url` when not
 * sent) and `referrer`. Strings only, trimmed and capped at 2,000 characters; anything else is ''.
 */
export function parsePageContext(context: Record<string, unknown> | undefined): PageContext {
  const page = asRecord(context?.['page']);
  if (page === undefined) return { url: '', path: '', referrer: '' };
  let path = cleanString(page['path'], MAX_PAGE_VALUE_LENGTH);
  if (path === '') path = cleanString(parseUrl(page['url'])?.pathname, MAX_PAGE_VALUE_LENGTH);
  return {
    url: cleanString(page['url'], MAX_PAGE_VALUE_LENGTH),
    path,
    referrer: cleanString(page['referrer'], MAX_PAGE_VALUE_LENGTH),
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

// extractCampaign and parsePageContext both read an event's page URL: parse each text once. The URL
// is only read, never changed, so sharing it is safe.
let lastUrlText: string | undefined;
let lastUrl: URL | undefined;

/** An absolute URL, or undefined for anything else (relative or malformed URLs never throw). */
function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === lastUrlText) return lastUrl;
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  lastUrlText = value;
  lastUrl = url;
  return url;
}

/** Trimmed string capped at `max` UTF-16 units without splitting a surrogate pair; '' for non-strings. */
function cleanString(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const trimmed = value.trim();
  if (trimmed.length <= max) return trimmed;
  const lastKept = trimmed.charCodeAt(max - 1);
  const splitsPair = lastKept >= 0xd800 && lastKept <= 0xdbff;
  return trimmed.slice(0, splitsPair ? max - 1 : max).trimEnd();
}
