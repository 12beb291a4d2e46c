// Shared by the collector benchmarks: one batch POSTed to the collector on loopback, resolving
// to {status, data} (status 0 when the connection failed).
import http from 'node:http';

export function postBatch({ port, agent, localAddress }, body, key) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/interactions', method: 'POST', agent, localAddress,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': key } }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, data }));
    });
    req.on('error', (e) => resolve({ status: 0, data: String(e) }));
    req.end(body);
  });
}
