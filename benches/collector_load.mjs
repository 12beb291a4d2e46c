// Load benchmark (not a test) of the collector on loopback, bounded in time, on each storage
// backend side by side: SQLite (one instance), PostgreSQL with one instance and with two
// instances on one database. For each, starts the real server(s) on a fresh database, then C
// concurrent clients each post batches of B valid rows (known brands and influencers from the
// published top lists) back to back for S seconds; with two instances, clients are spread over
// both (client w posts to instance w mod 2). Prints per backend: sustained rows/s and
// batches/s, latency p50/p99/max, errors, and rows lost (rows acknowledged but not in the
// database afterwards, counted by `influence-rec export` from that database).
// Target (issue 6): >= 5,000 rows/s with p99 < 50 ms on this 2-core machine (SQLite).
// PostgreSQL modes need a cluster: INFLUENCE_REC_PG_URL (postgres://user@host:port/postgres,
// a superuser: each mode creates and drops a database of its own); `benches/collector_load.sh`
// starts a throwaway one and runs this. Without it only SQLite runs.
// Usage: after .ci/start's build:
//   node benches/collector_load.mjs [seconds=10] [clients=4] [rows=100] [modes=sqlite,pg1,pg2]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { postBatch } from './collector_http.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'target/release/influence-rec');
const [seconds, clients, batchRows] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 4), Number(process.argv[4] ?? 100)];
const pgAdmin = process.env.INFLUENCE_REC_PG_URL;
const modes = (process.argv[5] ?? (pgAdmin ? 'sqlite,pg1,pg2' : 'sqlite')).split(',');
const top = JSON.parse(readFileSync(path.join(root, 'pkg/topk.json'), 'utf8'));
const pairs = top.flatMap((l) => l.influencers.map((i) => [l.brand, i.name]));
const kinds = [['click', 1], ['check_info', 2], ['add_to_campaign', 5], ['collaboration', 10]];
let nextPort = 18800 + (process.pid % 90) * 3;

const psql = (sql) => execFileSync('psql', [pgAdmin, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });

async function up(port) {
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server on port ${port} did not come up`);
}

// One mode: {backend, instances, db (the --db value), cleanup}.
async function run({ label, instances, db, cleanup }) {
  const ports = Array.from({ length: instances }, () => nextPort++);
  // Limits lifted: this measures the collector's capacity, and every client shares 127.0.0.1
  // (benches/collector_flood.mjs measures the limits).
  const servers = ports.map((port) => spawn(bin, ['serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--db', db, '--address-rate', '0', '--device-rate', '0'], { stdio: 'ignore' }));
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: clients }));
  try {
    for (const p of ports) await up(p);
    let seq = 0;
    const latencies = [];
    let acked = 0;
    let errors = 0;
    const end = Date.now() + seconds * 1000;
    const worker = async (w) => {
      const target = { port: ports[w % instances], agent: agents[w % instances] };
      while (Date.now() < end) {
        const batchId = `load-${w}-${seq++}`;
        const rows = [];
        for (let i = 0; i < batchRows; i++) {
          const [brand, influencer] = pairs[(seq * batchRows + i) % pairs.length];
          const [kind, points] = kinds[i % kinds.length];
          rows.push({ event_id: `${batchId}-${i}`, brand, influencer, kind, points, timestamp_ms: Date.now() });
        }
        const body = JSON.stringify({ format: 'influence-rec/interactions', version: 1, batch_id: batchId, device_id: `bench-${w}`, sent_at_ms: Date.now(), brands: [], rows });
        const t0 = performance.now();
        const r = await postBatch(target, body, batchId);
        latencies.push(performance.now() - t0);
        if (r.status !== 200) { errors += 1; continue; }
        const ack = JSON.parse(r.data);
        if (ack.rejected.length) errors += 1;
        acked += ack.accepted.length + ack.duplicates.length;
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
    const elapsed = (Date.now() - t0) / 1000;
    for (const s of servers) s.kill('SIGTERM');
    await Promise.all(servers.map((s) => (s.exitCode !== null ? null : new Promise((r) => s.once('exit', r)))));
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-load-export-'));
    const out = execFileSync(bin, ['export', '--db', db, '--bundle', path.join(root, 'pkg/model.bundle'), '--out', dir], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    const stored = Number(/: (\d+) interactions/.exec(out)[1]);
    const s = [...latencies].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { label, instances, rowsPerS: acked / elapsed, batchesPerS: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), max: s[s.length - 1], errors, acked, stored, lost: acked - stored };
  } finally {
    for (const s of servers) s.kill();
    for (const a of agents) a.destroy();
    cleanup();
  }
}

function mode(name) {
  if (name === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-load-'));
    return { label: 'SQLite (WAL, synchronous=FULL)', instances: 1, db: path.join(dir, 'collector.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const m = /^pg(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown mode ${name}: sqlite, pg1, pg2, ...`);
  if (!pgAdmin) throw new Error(`${name} needs INFLUENCE_REC_PG_URL (benches/collector_load.sh starts a cluster)`);
  const dbName = `ir_bench_${process.pid}_${name}`;
  psql(`CREATE DATABASE ${dbName}`);
  const base = pgAdmin.slice(0, pgAdmin.lastIndexOf('/'));
  return { label: 'PostgreSQL', instances: Number(m[1]), db: `${base}/${dbName}`, cleanup: () => psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`) };
}

const results = [];
for (const name of modes) results.push(await run(mode(name)));
console.log(`${clients} clients x batches of ${batchRows} rows for ${seconds} s per backend, one transaction per batch, acknowledged after commit`);
const pad = (x, n) => String(x).padStart(n);
console.log(`${'backend'.padEnd(32)}${pad('instances', 10)}${pad('rows/s', 9)}${pad('batches/s', 10)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('max ms', 8)}${pad('errors', 7)}${pad('acked', 9)}${pad('stored', 9)}${pad('lost', 6)}`);
for (const r of results) {
  console.log(`${r.label.padEnd(32)}${pad(r.instances, 10)}${pad(r.rowsPerS.toFixed(0), 9)}${pad(r.batchesPerS.toFixed(0), 10)}${pad(r.p50.toFixed(1), 8)}${pad(r.p99.toFixed(1), 8)}${pad(r.max.toFixed(1), 8)}${pad(r.errors, 7)}${pad(r.acked, 9)}${pad(r.stored, 9)}${pad(r.lost, 6)}`);
}
console.log('(target for SQLite: >= 5,000 rows/s with p99 < 50 ms; lost must be 0 everywhere)');
