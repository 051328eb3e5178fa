/**
 * `npm run bench`: cost of one sealed request and one opened response, as the SDK does them per API
 * call, against node:crypto baselines doing the same RSA work, at 2048 and 4096 bits.
 *
 * Rows per operation and key size (samples interleaved, see harness.ts; keys loaded once):
 * - lib         — `sealRequest` / `openResponse` of lib/transport/client_envelope.ts: jose (WebCrypto, RSA on
 *                 the thread pool) with every check of lib/crypto around it (header, claims, binding);
 * - before      — with `--before <git ref>`, the same two calls of the lib at that commit (before.ts);
 * - RSA-only    — just the RSA operations, synchronous node:crypto: seal = publicEncrypt OAEP-SHA-1 of a
 *                 64-byte CEK + crypto.sign SHA-256 of a token-sized input; open = crypto.verify SHA-256 +
 *                 privateDecrypt OAEP-SHA-1 of one block;
 * - raw JOSE    — a whole JOSE implementation on synchronous node:crypto (bench/raw_jose.ts), no claim
 *                 checks: what the JOSE plumbing costs on top of the RSA without WebCrypto;
 * - ref: jose   — REFERENCE, the same JOSE work with jose called directly and none of lib's checks: what
 *                 the checks cost on top of jose.
 *
 * Also printed, for scale: the official Python SDK's figures on the same machine kind (PYTHON_SDK).
 *
 * Options: `--runs N` repeats the whole measurement N times and summarises each row as a range;
 * `--before <ref>` adds the before rows (e.g. `npm run bench -- --before 1413cb9 --runs 3`).
 *
 * Every baseline and reference output is checked against jose and lib once at start-up. Results are
 * printed and written to bench/results/latest.json. Budget: ~60 s per run on the 2-vCPU VM (~75 s
 * with `--before`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeVariants, loadBefore, type BeforeLib } from './before.js';
import { assertInterop, fixture, openVariants, sealVariants, SIZES, type Fixture } from './fixture.js';
import {
  benchArgs,
  DEFAULT_SAMPLING,
  formatOps,
  formatRange,
  formatUs,
  measureGroup,
  renderTable,
  type Measurement,
  type SampleOptions,
  type Variant,
} from './harness.js';

const SAMPLING: SampleOptions = DEFAULT_SAMPLING; // 150 ms warm-up, 7 × 300 ms, median

/**
 * The official Python SDK (iovation/launchkey-python), measured on the same 2-vCPU machine kind: the
 * wall time of sealing one request (encrypt the body, sign the token) and of decoding one
 * auth-response webhook (verify the token, decrypt the body). Not run here: printed for scale.
 */
const PYTHON_SDK: Readonly<Record<(typeof SIZES)[number], { seal: number; webhook: number }>> = {
  2048: { seal: 2800, webhook: 6000 },
  4096: { seal: 12000, webhook: 23500 },
};

type Operation = 'seal request' | 'open response';

interface Row {
  op: Operation;
  bits: number;
  impl: string;
  id: string;
  ours: Measurement;
  rsaOnly: Measurement;
  rawJose: Measurement;
  before: Measurement | undefined;
}

interface Group {
  op: Operation;
  bits: number;
  lib: Variant;
  before: Variant | undefined;
  rsa: Variant;
  raw: Variant;
  refs: Variant[];
}

async function groups(before: BeforeLib | undefined): Promise<Group[]> {
  const all: Group[] = [];
  for (const bits of SIZES) {
    const t0 = Date.now();
    const f: Fixture = await fixture(bits);
    await assertInterop(f);
    const b = before === undefined ? undefined : await beforeVariants(before, f);
    process.stderr.write(`${bits}: keys + interop checks ${Date.now() - t0} ms\n`);
    const seal = sealVariants(f);
    const open = openVariants(f);
    all.push({ op: 'seal request', bits, ...seal, before: b?.seal });
    all.push({ op: 'open response', bits, ...open, before: b?.open });
  }
  return all;
}

async function measure(all: readonly Group[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const g of all) {
    const variants = [g.lib, ...(g.before === undefined ? [] : [g.before]), g.rsa, g.raw, ...g.refs];
    const ms = await measureGroup(variants, SAMPLING);
    const byId = new Map(ms.map((m) => [m.id, m]));
    const rsaOnly = byId.get(g.rsa.id);
    const rawJose = byId.get(g.raw.id);
    const before = g.before === undefined ? undefined : byId.get(g.before.id);
    if (rsaOnly === undefined || rawJose === undefined) throw new Error('missing measurement');
    for (const v of [g.lib, ...(g.before === undefined ? [] : [g.before]), ...g.refs]) {
      const ours = byId.get(v.id);
      if (ours === undefined) throw new Error(`missing measurement ${v.id}`);
      rows.push({ op: g.op, bits: g.bits, impl: v.label, id: v.id, ours, rsaOnly, rawJose, before });
    }
    process.stderr.write(`${g.bits}: ${g.op} measured\n`);
  }
  return rows;
}

const ratio = (a: Measurement, b: Measurement): number => a.usPerOp / b.usPerOp;
const times = (x: number): string => `${x.toFixed(2)}x`;

function printRun(rows: readonly Row[], withBefore: boolean): void {
  console.log(
    renderTable(
      [
        'operation',
        'implementation',
        'bits',
        'ops/s (µs/op)',
        'RSA-only ops/s (µs/op)',
        'raw JOSE ops/s (µs/op)',
        '/RSA-only',
        '/raw JOSE',
        ...(withBefore ? ['/before'] : []),
      ],
      rows.map((r) => [
        r.op,
        r.impl,
        String(r.bits),
        formatOps(r.ours),
        formatOps(r.rsaOnly),
        formatOps(r.rawJose),
        times(ratio(r.ours, r.rsaOnly)),
        times(ratio(r.ours, r.rawJose)),
        ...(withBefore ? [r.before === undefined ? '-' : times(ratio(r.ours, r.before))] : []),
      ]),
    ),
  );
}

function printSummary(runs: readonly (readonly Row[])[], withBefore: boolean): void {
  const first = runs[0] ?? [];
  const key = (r: Row) => `${r.op}|${r.bits}|${r.id}`;
  const across = (r: Row) => runs.map((rows) => rows.find((x) => key(x) === key(r))).filter((x) => x !== undefined);
  console.log(`\nRange over ${runs.length} runs (each run's value is the median of its samples):`);
  console.log(
    renderTable(
      ['operation', 'implementation', 'bits', 'µs/op', '/RSA-only', ...(withBefore ? ['/before'] : [])],
      first.map((r) => {
        const all = across(r);
        return [
          r.op,
          r.impl,
          String(r.bits),
          formatRange(
            all.map((x) => x.ours.usPerOp),
            formatUs,
          ),
          formatRange(
            all.map((x) => ratio(x.ours, x.rsaOnly)),
            times,
          ),
          ...(withBefore
            ? [
                formatRange(
                  all.flatMap((x) => (x.before === undefined ? [] : [ratio(x.ours, x.before)])),
                  times,
                ),
              ]
            : []),
        ];
      }),
    ),
  );
}

function printPythonReference(): void {
  const line = (bits: (typeof SIZES)[number]) =>
    `RSA-${bits}: ${formatUs(PYTHON_SDK[bits].seal)} to seal a request, ${formatUs(PYTHON_SDK[bits].webhook)} to decode an auth-response webhook`;
  console.log(
    `\nFor scale, the official Python SDK on the same machine kind (not run here): ${SIZES.map(line).join('; ')}.`,
  );
}

async function main(): Promise<void> {
  const args = benchArgs();
  const started = Date.now();
  const before = args.before === undefined ? undefined : await loadBefore(args.before);
  if (before !== undefined) process.stderr.write(`before: lib at ${before.ref} (${before.sha})\n`);
  const all = await groups(before);
  const runs: Row[][] = [];
  for (let i = 0; i < args.runs; i += 1) {
    const rows = await measure(all);
    runs.push(rows);
    if (args.runs > 1) console.log(`\nRun ${i + 1} of ${args.runs}`);
    printRun(rows, before !== undefined);
  }
  if (args.runs > 1) printSummary(runs, before !== undefined);
  printPythonReference();
  const elapsed = (Date.now() - started) / 1000;
  const cpu = cpus();
  console.log(
    `\nmedian of ${SAMPLING.samples} x ${SAMPLING.sampleMs} ms after ${SAMPLING.warmupMs} ms warm-up, samples interleaved; ` +
      `sequential awaits. Node ${process.version}, OpenSSL ${process.versions.openssl}, ${cpu.length} x ${cpu[0]?.model ?? '?'}; ` +
      `${elapsed.toFixed(1)} s.`,
  );

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        openssl: process.versions.openssl,
        cpus: cpu.length,
        cpuModel: cpu[0]?.model,
        sampling: SAMPLING,
        elapsedSeconds: elapsed,
        before: before === undefined ? null : { ref: before.ref, sha: before.sha },
        pythonSdkReferenceUs: PYTHON_SDK,
        runs: runs.map((rows) =>
          rows.map((r) => ({
            operation: r.op,
            bits: r.bits,
            implementation: r.impl,
            id: r.id,
            ours: pick(r.ours),
            rsaOnly: pick(r.rsaOnly),
            rawJose: pick(r.rawJose),
            ratioVsRsaOnly: round(ratio(r.ours, r.rsaOnly), 3),
            ratioVsRawJose: round(ratio(r.ours, r.rawJose), 3),
            ratioVsBefore: r.before === undefined ? null : round(ratio(r.ours, r.before), 3),
          })),
        ),
      },
      null,
      2,
    )}\n`,
  );
  process.stderr.write(`wrote ${file}\n`);
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

function pick(m: Measurement) {
  return {
    opsPerSec: round(m.opsPerSec, 1),
    usPerOp: round(m.usPerOp, 1),
    samples: m.samples.map((s) => round(s, 1)),
  };
}

await main();
