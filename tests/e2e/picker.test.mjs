// The brand picker's search (www/picker.js), in Node: what a typed query finds, in what order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { search, searchKey, entriesOf, MAX_OPTIONS } from '../../www/picker.js';

const brands = [
  { name: 'Aje', category: 'fashion', country: 'AU', handle: '_aje_' },
  { name: 'Casa Orbital', category: 'home', country: 'ES', handle: '' },
  { name: "L'Oréal Paris", category: 'beauty', country: 'FR', handle: 'lorealparis' },
  { name: 'Orbit Foods', category: 'food', country: 'US', handle: 'orbitfoods' },
  { name: 'ＳＡＭＳＵＮＧ', category: 'tech', country: 'KR', handle: 'samsung' },
];
const describe = (b) => `${b.category} ${b.country === 'FR' ? 'France' : b.country}`;
const entries = entriesOf(brands, describe);
const names = (q, limit) => search(entries, q, limit).map((b) => b.name);

test('the search key folds case, width, accents and punctuation', () => {
  assert.equal(searchKey("  L'ORÉAL   Paris "), 'l oreal paris');
  assert.equal(searchKey('ＳＡＭＳＵＮＧ'), 'samsung');
});

test('a name that starts with the query comes first, then a word of the name, then the other fields', () => {
  assert.deepEqual(names('orbit'), ['Orbit Foods', 'Casa Orbital']);
  assert.deepEqual(names('loreal'), ["L'Oréal Paris"], 'the name written as one word');
  assert.deepEqual(names('oréal par'), ["L'Oréal Paris"], 'every word starts a word');
  assert.deepEqual(names('samsung'), ['ＳＡＭＳＵＮＧ']);
  assert.deepEqual(names('france'), ["L'Oréal Paris"], 'the country');
  assert.deepEqual(names('_aje_'), ['Aje'], 'the handle');
  assert.deepEqual(names('food us'), ['Orbit Foods']);
  assert.deepEqual(names('orbit france'), [], 'every word must match');
  assert.deepEqual(names('zzz'), []);
});

test('an empty query lists the first brands; the list is capped', () => {
  assert.deepEqual(names(''), brands.map((b) => b.name));
  assert.deepEqual(names('', 2), ['Aje', 'Casa Orbital']);
  const many = entriesOf(Array.from({ length: 50 }, (_, i) => ({ name: `Brand ${String(i).padStart(2, '0')}`, category: '', country: '', handle: '' })), () => '');
  assert.equal(search(many, 'brand').length, MAX_OPTIONS);
  assert.equal(search(many, 'brand')[0].name, 'Brand 00');
});
