// Pure enrichment functions of the tracking-event pipeline: no I/O, safe to call on the hot path.
export { parseUserAgent, type DeviceType, type ParsedUserAgent } from './parse-user-agent.js';
export { detectBot } from './detect-bot.js';
export { extractCampaign, parsePageContext, type CampaignFields, type PageContext } from './extract-campaign.js';
export {
  correctTimestamp,
  parseIsoTimestamp,
  type CorrectedTimestamps,
  type TimestampInput,
} from './correct-timestamp.js';
export { anonymizeIp, resolveClientIp, type ClientIpInput } from './resolve-client-ip.js';
