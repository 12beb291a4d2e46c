// The page's campaign CSV cells (www/campaign.js csvCell) defuse spreadsheet formulas by the
// rule the Rust writers use (text::csv_cell): a leading apostrophe on a cell that starts with
// = + - @ tab or CR after any apostrophes; quoted, quotes doubled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../www/campaign.js';

test('campaign CSV cells never start a formula, and apostrophes stay data', () => {
  for (const [value, written] of [
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["'=x", "''=x"],
    ["'plain", "'plain"],
    ['a=b', 'a=b'],
    ['say "hi"', 'say ""hi""'],
    [null, ''],
  ]) {
    assert.equal(csvCell(value), `"${written}"`, JSON.stringify(value));
  }
});
