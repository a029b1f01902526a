// What every benchmark prints: the machine it ran on and its rows as a markdown table.
import os from 'node:os';

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function machineLine(m) {
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}`;
}

/** `columns`: [[key, header], ...]; a missing value prints as an empty cell. */
export function markdownTable(columns, rows) {
  const head = `| ${columns.map(([, h]) => h).join(' | ')} |`;
  const rule = `|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${columns.map(([k]) => format(r[k])).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

function format(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return String(v);
}
