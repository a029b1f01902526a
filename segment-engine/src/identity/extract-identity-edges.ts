import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '@sextant/store';
import { EVENT_KEY_SQL, SUPPRESSED_SQL } from '../sql/person-sql.js';
import { normalizePhone } from './normalize-phone.js';

/** Events loaded up to this long after their `received_at` are still picked up by the next run. */
const LATE_LOAD_MARGIN_MS = 10 * 60_000;

export interface EdgeExtraction {
  edges: number;
  phoneEdges: number;
  until: string;
}

/**
 * Feeds `identity_edges` from the events received since the last run (with a margin for late loads;
 * duplicate edges are harmless). Links:
 * - userId ↔ anonymousId of any event carrying both (a login after anonymous browsing);
 * - `alias`: userId ↔ previousId (read as an anonymous id), or anonymousId ↔ previousId without a userId;
 * - the event's identifier ↔ `traits.email` (lower case) and ↔ `traits.phone` (E.164, parsed here
 *   with libphonenumber, so phone edges are built in JavaScript from the distinct raw numbers only).
 */
export async function extractIdentityEdges(client: ClickHouseClient, store: Store, defaultRegion: string): Promise<EdgeExtraction> {
  const last = await client.query({
    query: `SELECT stats FROM engine_runs WHERE kind = 'edges' ORDER BY version DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  const lastRow = (await last.json<{ stats: string }>())[0];
  const lastUntil = lastRow ? (JSON.parse(lastRow.stats) as { until?: string }).until : undefined;
  const untilRs = await client.query({ query: `SELECT toString(max(received_at)) AS until, count() AS n FROM events`, format: 'JSONEachRow' });
  const until = (await untilRs.json<{ until: string }>())[0]!.until;
  const since = lastUntil ? new Date(Date.parse(`${lastUntil.replace(' ', 'T')}Z`) - LATE_LOAD_MARGIN_MS) : new Date(0);
  const params = { since: since.toISOString().replace('T', ' ').replace('Z', ''), until };
  const window = `received_at >= {since:DateTime64(3, 'UTC')} AND received_at <= {until:DateTime64(3, 'UTC')}`;
  const email = `lower(trim(BOTH ' ' FROM JSONExtractString(traits, 'email')))`;

  const before = await countEdges(client);
  await client.command({
    query: `INSERT INTO identity_edges (identifier_a, identifier_b, timestamp, received_at, origin)
      SELECT a, b, min(timestamp), max(received_at), origin FROM (
        SELECT concat('u:', user_id) AS a, concat('a:', anonymous_id) AS b, timestamp, received_at, 'login' AS origin
          FROM events WHERE ${window} AND user_id != '' AND anonymous_id != '' AND type != 'alias'
        UNION ALL
        SELECT if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id)) AS a, concat('a:', previous_id) AS b, timestamp, received_at, 'alias' AS origin
          FROM events WHERE ${window} AND type = 'alias' AND previous_id != '' AND (user_id != '' OR anonymous_id != '')
        UNION ALL
        SELECT concat('u:', user_id) AS a, concat('a:', anonymous_id) AS b, timestamp, received_at, 'alias' AS origin
          FROM events WHERE ${window} AND type = 'alias' AND user_id != '' AND anonymous_id != ''
        UNION ALL
        SELECT ${EVENT_KEY_SQL} AS a, concat('e:', ${email}) AS b, timestamp, received_at, 'email' AS origin
          FROM events WHERE ${window} AND (user_id != '' OR anonymous_id != '') AND match(${email}, '^[^\\\\s@]+@[^\\\\s@]+\\\\.[^\\\\s@]+$')
      )
      WHERE a NOT IN ${SUPPRESSED_SQL} AND b NOT IN ${SUPPRESSED_SQL} AND a != b
      GROUP BY a, b, origin`,
    query_params: params,
  });

  const phones = await client.query({
    query: `SELECT ${EVENT_KEY_SQL} AS a, JSONExtractString(traits, 'phone') AS raw,
        JSONExtractString(traits, 'country') AS country, toString(min(timestamp)) AS t, toString(max(received_at)) AS r
      FROM events WHERE ${window} AND (user_id != '' OR anonymous_id != '') AND raw != ''
      GROUP BY a, raw, country`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const lines: string[] = [];
  for (const row of await phones.json<{ a: string; raw: string; country: string; t: string; r: string }>()) {
    const e164 = normalizePhone(row.raw, row.country, defaultRegion);
    if (e164) lines.push(JSON.stringify({ identifier_a: row.a, identifier_b: `p:${e164}`, timestamp: row.t, received_at: row.r, origin: 'phone' }));
  }
  if (lines.length) {
    // Suppressed phones are skipped by the resolver, which reads edges through the suppression list.
    await store.insertRaw({ table: 'identity_edges', format: 'JSONEachRow', body: Buffer.from(lines.join('\n')) });
  }
  const after = await countEdges(client);
  await client.insert({
    table: 'engine_runs',
    values: [{ kind: 'edges', version: Date.now(), stats: JSON.stringify({ until, added: after - before }) }],
    format: 'JSONEachRow',
  });
  return { edges: after - before, phoneEdges: lines.length, until };
}

async function countEdges(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({ query: 'SELECT count() AS n FROM identity_edges', format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}
