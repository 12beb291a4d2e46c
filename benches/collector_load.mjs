// Load benchmark (not a test) of the collector on loopback, bounded in time. Starts the real
// server on a fresh database, then C concurrent clients each post batches of B valid rows
// (known brands and influencers from the published top lists) back to back for S seconds.
// Prints sustained batches/s and rows/s, latency p50/p99/max, errors, and rows lost (rows
// acknowledged but not in the database afterwards, counted by `influence-rec export`).
// Target (issue 6): >= 5,000 rows/s with p99 < 50 ms on this 2-core machine.
// Usage: after .ci/start's build: node benches/collector_load.mjs [seconds=10] [clients=4] [rows=100]
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
const dir = mkdtempSync(path.join(tmpdir(), 'ir-load-'));
const db = path.join(dir, 'collector.db');
const port = 18800 + (process.pid % 90);
// Limits lifted: this measures the collector's capacity, and every client shares 127.0.0.1
// (benches/collector_flood.mjs measures the limits).
const server = spawn(bin, ['serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--db', db, '--address-rate', '0', '--device-rate', '0'], { stdio: 'ignore' });
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

const post = (body, key) => postBatch({ port, agent }, body, key);

try {
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const top = JSON.parse(readFileSync(path.join(root, 'pkg/topk.json'), 'utf8'));
  const pairs = top.flatMap((l) => l.influencers.map((i) => [l.brand, i.name]));
  const kinds = [['click', 1], ['check_info', 2], ['add_to_campaign', 5], ['collaboration', 10]];
  let seq = 0;
  const latencies = [];
  let acked = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const worker = async (w) => {
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
      const r = await post(body, batchId);
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
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  const out = execFileSync(bin, ['export', '--db', db, '--bundle', path.join(root, 'pkg/model.bundle'), '--out', path.join(dir, 'export')], { encoding: 'utf8' });
  const stored = Number(/: (\d+) interactions/.exec(out)[1]);
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  console.log(`${clients} clients x batches of ${batchRows} rows for ${elapsed.toFixed(1)} s (SQLite WAL, synchronous=FULL, one transaction per batch)`);
  console.log(`batches/s ${(latencies.length / elapsed).toFixed(0)}, rows/s ${(acked / elapsed).toFixed(0)}   (target >= 5,000 rows/s)`);
  console.log(`latency p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms   (target p99 < 50 ms)`);
  console.log(`errors ${errors}; rows acknowledged ${acked}, stored ${stored}, lost ${acked - stored}`);
} finally {
  server.kill();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
