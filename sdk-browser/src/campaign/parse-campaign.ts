/**
 * Where a shopper came from, read from the landing URL: UTM parameters with Segment's names
 * (`utm_campaign` → `name`) and the ad platforms' click ids.
 */
export type Campaign = Record<string, string>;

const UTM = ['source', 'medium', 'campaign', 'term', 'content', 'id'];

/** Meta, Google (incl. iOS app-to-web gbraid/wbraid and DV360), TikTok, Microsoft, X, LinkedIn, Snapchat, Pinterest. */
export const CLICK_IDS = ['fbclid', 'gclid', 'gbraid', 'wbraid', 'dclid', 'ttclid', 'msclkid', 'twclid', 'li_fat_id', 'sccid', 'epik'];

/** Values are trimmed and capped at 500 characters (the server's limit); empty ones are left out. */
export function parseCampaign(search: string): Campaign {
  const q = new URLSearchParams(search);
  const c: Campaign = {};
  const put = (key: string, param: string) => {
    const v = (q.get(param) || '').trim().slice(0, 500);
    if (v) c[key] = v;
  };
  for (const k of UTM) put(k == 'campaign' ? 'name' : k, 'utm_' + k);
  for (const k of CLICK_IDS) put(k, k);
  return c;
}
