// One suite's records as a markdown table. Ratio columns (`x tfjs-cpu`, `x tfjs-wasm`,
// `x ml-kmeans`, one per peer present in the suite, in that order) are computed within the run:
// the peer's median over shousi's median for the same workload (> 1 = shousi faster), against the
// peer's fastest record of that workload. Every impl named `shousi...` gets ratios.

import type { BenchRecord } from './types.js';

const PEER_ORDER = ['tfjs-cpu', 'tfjs-wasm', 'ml-kmeans'];

const isOurs = (impl: string) => impl.startsWith('shousi');

/** Significant figures for a table cell (3, fixed notation). */
function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** One suite's records as a markdown table with throughput and ratio columns. */
export function formatTable(records: BenchRecord[]): string {
  const extras = [...new Set(records.flatMap((r) => Object.keys(r.extra ?? {})))];
  const peers = [...new Set(records.map((r) => r.impl).filter((i) => !isOurs(i)))].sort(
    (a, b) => (PEER_ORDER.indexOf(a) + 1 || 99) - (PEER_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const hasGflops = records.some((r) => r.gflops !== undefined);
  const head = [
    'workload',
    'impl',
    'threads',
    'median ms',
    ...(hasGflops ? ['GFLOP/s'] : []),
    ...extras,
    ...peers.map((p) => `x ${p}`),
  ];
  const rows = records.map((r) => {
    const ratios = peers.map((p) => {
      if (!isOurs(r.impl)) return '';
      const peer = records.filter((q) => q.workload === r.workload && q.impl === p);
      if (peer.length === 0) return '';
      return `${fmt(Math.min(...peer.map((q) => q.medianMs)) / r.medianMs)}x`;
    });
    return [
      r.workload,
      r.impl,
      String(r.threads),
      fmt(r.medianMs),
      ...(hasGflops ? [fmt(r.gflops)] : []),
      ...extras.map((k) => fmt(r.extra?.[k])),
      ...ratios,
    ];
  });
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (j < 2 ? c.padEnd(width[j]) : c.padStart(width[j]))).join(' | ')} |`;
  const rule = `|${width.map((w, j) => (j < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}
