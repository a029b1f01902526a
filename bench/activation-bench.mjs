#!/usr/bin/env node
// Audience activation: a 1M-member audience synced to the fake Meta server (Custom Audiences):
// the first full sync (one usersreplace session, 100 batches of 10,000 hashed multi-key rows) and
// a 1% diff sync (5,000 leave, 5,000 enter), timed, with the sync process's peak RSS sampled every
// 20 ms. The same at 100k shows memory is flat in audience size: members are streamed in batches,
// never held whole. The fake server runs in a child process so its own member set is not counted.
// Targets (issue 8): full sync < 60 s, diff < 5 s. Needs `npm run build`. `--json-out <file>`.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, markdownTable } from './report-table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'activation-connectors', 'dist', 'index.js');
const args = process.argv.slice(2);


function syntheticSource(size) {
  const pad = (n) => String(n).padStart(9, '0');
  return {
    async latestVersion() {
      return 2;
    },
    async *members(_segment, version, chunk) {
      // v1: 1..size. v2: without every 200th, plus size/200 new ids.
      const extra = version === 2 ? size / 200 : 0;
      let batch = [];
      for (let i = 1; i <= size + extra; i++) {
        if (version === 2 && i <= size && i % 200 === 0) continue;
        batch.push(pad(i));
        if (batch.length === chunk) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    async *netChanges(_segment, from, to, chunk) {
      if (!(from === 1 && to === 2)) throw new Error('bench only diffs 1 → 2');
      let batch = [];
      for (let i = 200; i <= size; i += 200) {
        batch.push({ personId: pad(i), change: 'left' });
        if (batch.length === chunk) { yield batch; batch = []; }
      }
      for (let i = size + 1; i <= size + size / 200; i++) {
        batch.push({ personId: pad(i), change: 'entered' });
        if (batch.length === chunk) { yield batch; batch = []; }
      }
      if (batch.length) yield batch;
    },
  };
}

const loader = {
  async load(ids) {
    return ids.map((id) => ({ personId: id, externalId: `u${id}`, email: `Shopper.${id}@Example.com`, phone: `+1 650 5${id.slice(-6)}`,
      firstName: 'Ann', lastName: 'Smith', country: 'US', zip: '94025', marketingConsent: Number(id) % 50 !== 7 }));
  },
};

async function measure(fn) {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, seconds: ms / 1000, peakRssMiB: Math.round(peak / 2 ** 20), baselineRssMiB: Math.round(baseline / 2 ** 20) };
}

async function benchSize(size, url, m) {
  const { runAudienceSync, InMemoryAudienceStateStore, facebookCustomAudience, validateConfig } = m;
  const settings = validateConfig(facebookCustomAudience, { adAccountId: String(size), accessToken: 'test-token', audienceName: `bench-${size}`, baseUrl: url,
    schema: ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'ZIP', 'COUNTRY'] });
  const store = new InMemoryAudienceStateStore();
  const source = syntheticSource(size);
  const base = { audience: { id: `a${size}`, segmentId: 's' }, destination: { id: 'fb', definition: facebookCustomAudience, settings }, loader, store };
  // First full sync against version 1.
  const full = await measure(() => runAudienceSync({ ...base, mode: 'full', source: { ...source, latestVersion: async () => 1 } }));
  const diff = await measure(() => runAudienceSync({ ...base, mode: 'diff', source }));
  for (const r of [full, diff]) if (r.result.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(r.result.error)}`);
  return { full, diff };
}

async function main() {
  const m = await import(dist);
  const child = fork(fileURLToPath(import.meta.url), ['--fake-server'], { stdio: 'inherit' });
  const url = await new Promise((resolve) => child.once('message', (msg) => resolve(msg.url)));
  const rows = [];
  const verification = {};
  try {
    for (const size of [100_000, 1_000_000]) {
      const { full, diff } = await benchSize(size, url, m);
      const consented = (n) => n - Math.floor((n + 43) / 50); // ids ≡ 7 (mod 50) have no consent
      rows.push({ audience: size, sync: 'first full (usersreplace)', sent: full.result.added, consent: full.result.skippedConsent, seconds: full.seconds, rss: full.peakRssMiB, base: full.baselineRssMiB });
      rows.push({ audience: size, sync: '1% diff (0.5% leave, 0.5% enter)', sent: diff.result.added + diff.result.removed, consent: diff.result.skippedConsent, seconds: diff.seconds, rss: diff.peakRssMiB, base: diff.baselineRssMiB });
      verification[size] = { fullAdded: full.result.added, expectedFullAdded: consented(size), diffAdded: diff.result.added, diffRemoved: diff.result.removed };
    }
    child.send('count');
    const counts = await new Promise((resolve) => child.once('message', (msg) => resolve(msg.counts)));
    verification.serverAudienceSizes = counts;
  } finally {
    child.kill();
  }
  const big = rows.filter((r) => r.audience === 1_000_000);
  const small = rows.filter((r) => r.audience === 100_000);
  const fullOk = big[0].seconds < 60;
  const diffOk = big[1].seconds < 5;
  const flat = big[0].rss < small[0].rss * 2;
  const ok = verification[1_000_000].fullAdded === verification[1_000_000].expectedFullAdded && verification[1_000_000].diffRemoved > 0;
  const markdown = [
    '### Audience activation (fake Meta server)',
    '',
    markdownTable([['audience', 'audience size'], ['sync', 'sync'], ['sent', 'members sent'], ['consent', 'skipped (no consent)'], ['seconds', 'seconds'], ['rss', 'peak RSS MiB'], ['base', 'RSS before MiB']], rows),
    '',
    `- Facebook Custom Audience connector, 7-key hashed rows (EXTERN_ID, EMAIL, PHONE, FN, LN, ZIP, COUNTRY), batches of 10,000, fake server in a child process on 127.0.0.1.`,
    `- Targets: first sync < 60 s (${fullOk ? 'met' : '**missed**'}), diff < 5 s (${diffOk ? 'met' : '**missed**'}); peak RSS at 1M vs 100k: ${big[0].rss} vs ${small[0].rss} MiB (${flat ? 'flat' : '**grows**'}).`,
  ].join('\n');
  const result = { benchmark: 'activation', machine: machineInfo(), rows, markdown, ok, verification };
  process.stdout.write(`${markdown}\n${JSON.stringify(verification)}\n`);
  const outIdx = args.indexOf('--json-out');
  if (outIdx >= 0) writeFileSync(args[outIdx + 1], JSON.stringify(result));
  if (!ok) process.exitCode = 1;
}

if (args[0] === '--fake-server') {
  const { FakeMetaServer } = await import(dist);
  const fake = new FakeMetaServer({ trackAddCounts: false });
  const url = await fake.listen();
  process.send({ url });
  process.on('message', (m) => {
    if (m === 'count') process.send({ counts: [...fake.customAudiences.audiences.values()].map((a) => a.members.size) });
  });
} else {
  await main();
}
