// The page's and the widget's name key (www/key.js) against Rust's text::key, on the table of
// hostile names that tests/name_keys.rs checks Rust against: one key in three places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameKey, fnv1a64 } from '../../www/key.js';
import { brandKey } from '../../www/store.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const table = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/name_keys.json'), 'utf8'));

test('the JavaScript name key is Rust\'s on every hostile name', () => {
  assert.ok(table.length >= 30);
  const wrong = table.filter(({ name, key }) => nameKey(name) !== key)
    .map(({ name, key }) => `${JSON.stringify(name)}: js ${JSON.stringify(nameKey(name))}, rust ${JSON.stringify(key)}`);
  assert.deepEqual(wrong, []);
});

test('the store keys new brands with the same key', () => {
  for (const { name, key } of table) assert.equal(brandKey(name), key);
});

test('FNV-1a 64 of a key is Rust\'s (the published top-list file names)', () => {
  // Rust's random::fnv1a64 test vectors: the empty string and "a".
  assert.equal(fnv1a64(''), 'cbf29ce484222325');
  assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
});
