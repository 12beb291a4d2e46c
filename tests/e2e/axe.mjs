// The accessibility audit of the e2e suite: axe-core (from npm, pinned in package.json) run
// in the page on a state of it; every violation is a test failure that names the rule, its
// impact and the first elements it found. The source is evaluated through the DevTools
// protocol, which the page's CSP does not govern, so the page keeps its strict CSP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on `page` as it is now (WCAG 2.x A and AA rules and best practices). */
export async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
}

/** Fails with the list when `page` has any violation in `state`. */
export async function assertAccessible(page, state) {
  const found = await violations(page);
  assert.deepEqual(found, [], `${state}: axe-core found ${found.length} violation(s):\n${JSON.stringify(found, null, 1)}`);
}
