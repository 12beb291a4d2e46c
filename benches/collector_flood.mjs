// Flood benchmark (not a test) of the collector's limits on loopback (issue 13). Three runs
// of S seconds, each on a fresh server and database:
//   A. today's collector without limits (--address-rate 0 --device-rate 0), honest clients only;
//   B. the default limits, honest clients only (the limiter's own cost);
//   C. the default limits, honest clients while two floods run: one device posting as fast as
//      it can, and one address posting with a new device id every batch;
//   D. as C, plus a slow-client attack: 16 addresses each holding 48 sockets (over the
//      per-address cap of 32) that trickle a header or a body a byte a second, reconnecting
//      whenever the server cuts them off.
// Honest clients are H devices, each on its own loopback address (127.0.1.x) and within the
// default limits (one 25-row batch every 0.5 s: 2 requests/s, 50 rows/s). Each flood uses 4
// connections from its own address. Prints honest rows/s stored in each run (C/A is the
// target: >= 0.9), honest 429s (target 0), honest p99 latency, and what each flood got.
// Usage: after .ci/start's build: node benches/collector_flood.mjs [seconds=10] [honest=200]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import net from 'node:net';
import { postBatch } from './collector_http.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'target/release/influence-rec');
const [seconds, honest] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 200)];
const top = JSON.parse(readFileSync(path.join(root, 'pkg/topk.json'), 'utf8'));
const pairs = top.flatMap((l) => l.influencers.map((i) => [l.brand, i.name]));
const kinds = [['click', 1], ['check_info', 2], ['add_to_campaign', 5], ['collaboration', 10]];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const post = (port, agent, localAddress, body, key) => postBatch({ port, agent, localAddress }, body, key);

let seq = 0;
function batch(device, n) {
  const batchId = `b-${process.pid}-${seq++}`;
  const rows = [];
  for (let i = 0; i < n; i++) {
    const [brand, influencer] = pairs[(seq * 31 + i) % pairs.length];
    const [kind, points] = kinds[i % kinds.length];
    rows.push({ event_id: `${batchId}-${i}`, brand, influencer, kind, points, timestamp_ms: Date.now() });
  }
  return { batchId, body: JSON.stringify({ format: 'influence-rec/interactions', version: 1, batch_id: batchId, device_id: device, sent_at_ms: Date.now(), brands: [], rows }) };
}

async function run(label, serverArgs, withFlood, withSlow = false) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-flood-'));
  const db = path.join(dir, 'collector.db');
  const port = 18900 + (process.pid % 80);
  const server = spawn(bin, ['serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--db', db, ...serverArgs], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 150; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not up */ }
      await sleep(100);
    }
    const end = Date.now() + seconds * 1000;
    const h = { rows: 0, limited: 0, other: 0, lat: [] };
    const honestClient = async (w) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const addr = `127.0.1.${1 + (w % 250)}`;
      await sleep((w * 500) / honest); // spread the clients over the period
      let next = Date.now();
      while (Date.now() < end) {
        const { batchId, body } = batch(`honest-${w}`, 25);
        const t0 = performance.now();
        const r = await post(port, agent, addr, body, batchId);
        h.lat.push(performance.now() - t0);
        if (r.status === 200) h.rows += JSON.parse(r.data).accepted.length;
        else if (r.status === 429) h.limited += 1;
        else h.other += 1;
        next += 500;
        await sleep(Math.max(0, next - Date.now()));
      }
      agent.destroy();
    };
    const floods = { device: { sent: 0, limited: 0, rows: 0 }, rotating: { sent: 0, limited: 0, rows: 0 } };
    const floodClient = async (kind, addr) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const f = floods[kind];
      while (Date.now() < end) {
        const device = kind === 'device' ? 'flood-device' : `rot-${seq}`;
        const { batchId, body } = batch(device, 100);
        const r = await post(port, agent, addr, body, batchId);
        f.sent += 1;
        if (r.status === 429) f.limited += 1;
        else if (r.status === 200) f.rows += JSON.parse(r.data).accepted.length;
      }
      agent.destroy();
    };
    const slow = { opened: 0, cut: 0, refused: 0 };
    const slowClient = async (addr, body) => {
      while (Date.now() < end) {
        await new Promise((resolve) => {
          const opened = Date.now();
          const sock = net.connect({ host: '127.0.0.1', port, localAddress: addr });
          slow.opened += 1;
          let timer = null;
          let over = false;
          const done = () => {
            if (over) return;
            over = true;
            clearInterval(timer);
            if (Date.now() - opened < 200) slow.refused += 1; else slow.cut += 1;
            sock.destroy();
            resolve();
          };
          sock.on('error', done);
          sock.on('close', done);
          sock.on('connect', () => {
            sock.write(body
              ? 'POST /api/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: s\r\nContent-Length: 100000\r\n\r\n{'
              : 'POST /api/interactions HTTP/1.1\r\nHost: x\r\n');
            timer = setInterval(() => { if (Date.now() >= end) sock.destroy(); else sock.write(body ? ' ' : 'X'); }, 1000);
          });
        });
        await sleep(body ? 50 : 100);
      }
    };
    const t0 = Date.now();
    // Honest throughput over the honest clients' own time (the attackers' teardown after the
    // period is not theirs).
    const honestDone = Promise.all(Array.from({ length: honest }, (_, w) => honestClient(w))).then(() => Date.now());
    const work = [honestDone];
    if (withSlow) {
      for (let a = 0; a < 16; a++) {
        for (let c = 0; c < 48; c++) work.push(slowClient(`127.0.3.${a + 1}`, c % 2 === 1));
      }
    }
    if (withFlood) {
      for (let c = 0; c < 4; c++) work.push(floodClient('device', '127.0.2.1'), floodClient('rotating', '127.0.2.2'));
    }
    await Promise.all(work);
    const elapsed = ((await honestDone) - t0) / 1000;
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    const out = execFileSync(bin, ['export', '--db', db, '--bundle', path.join(root, 'pkg/model.bundle'), '--out', path.join(dir, 'export')], { encoding: 'utf8' });
    const stored = Number(/: (\d+) interactions/.exec(out)[1]);
    const s = [...h.lat].sort((a, b) => a - b);
    const p99 = s[Math.min(s.length - 1, Math.floor(0.99 * s.length))];
    const rate = h.rows / elapsed;
    const acknowledged = h.rows + Object.values(floods).reduce((n, f) => n + f.rows, 0);
    console.log(`${label}: honest ${rate.toFixed(0)} rows/s stored (${h.rows} rows), 429s ${h.limited}, other errors ${h.other}, p99 ${p99.toFixed(1)} ms; rows acknowledged ${acknowledged}, in the database ${stored}, lost ${acknowledged - stored}`);
    if (withSlow) {
      console.log(`   slow clients: ${slow.opened} connections opened, ${slow.refused} closed at once (over the per-address cap), ${slow.cut} cut off by the timeouts`);
    }
    if (withFlood) {
      for (const [k, f] of Object.entries(floods)) {
        console.log(`   flood (${k === 'device' ? 'one device' : 'one address, a new device id per batch'}): ${f.sent} batches sent (${(f.sent / elapsed).toFixed(0)}/s), ${f.limited} answered 429, ${f.rows} rows stored`);
      }
    }
    return rate;
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${honest} honest devices x one 25-row batch every 0.5 s, ${seconds} s per run`);
const a = await run('A. no limits, honest only      ', ['--address-rate', '0', '--device-rate', '0'], false);
const b = await run('B. default limits, honest only ', [], false);
const c = await run('C. default limits, with floods ', [], true);
const d = await run('D. C plus slow clients         ', [], true, true);
console.log(`honest throughput: B/A ${(b / a).toFixed(3)}, C/A ${(c / a).toFixed(3)}, D/A ${(d / a).toFixed(3)}   (target >= 0.9)`);
