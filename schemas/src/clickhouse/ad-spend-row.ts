/**
 * One row of `ad_spend` (migration 0003) as written by the CSV import and the upload API, without the
 * columns the writer adds (`source_id`, `imported_at`): what an ad platform reports per day, channel,
 * campaign and ad set. `spend` is in `currency`.
 */
export interface AdSpendRow {
  date: string;
  channel: string;
  utm_source: string;
  utm_medium: string;
  campaign_id: string;
  campaign: string;
  ad_set_id: string;
  ad_set: string;
  currency: string;
  impressions: number;
  clicks: number;
  spend: number;
}
