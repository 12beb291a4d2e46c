// Layout checks of the e2e suite: nothing on the page overflows its box or the screen, and every
// chart on screen has data (marks with finite, non-empty geometry inside their drawing).
import assert from 'node:assert/strict';

/** What sticks out: elements past the viewport's sides, boxes whose content spills over. */
export function overflows(page) {
  return page.evaluate(() => {
    const W = document.documentElement.clientWidth;
    const out = [];
    let canvas;
    const name = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`;
    if (document.documentElement.scrollWidth > W) out.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${W}px viewport`);
    for (const e of document.body.querySelectorAll('*')) {
      if (e.closest('[hidden], .visually-hidden, .skip, script, style, datalist, option')) continue;
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -0.5 || r.right > W + 0.5) out.push(`${name(e)} spans ${r.left.toFixed(1)}..${r.right.toFixed(1)} of ${W}`);
      // A select shows its chosen option whole: its text, padding and the arrow fit its box.
      if (e.tagName === 'SELECT' && e.selectedOptions[0]) {
        const ctx = (canvas ??= document.createElement('canvas')).getContext('2d');
        ctx.font = s.font;
        const text = e.selectedOptions[0].textContent;
        const need = ctx.measureText(text).width + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + 16;
        if (need > e.clientWidth + 0.5) out.push(`${name(e)} cuts its option "${text}" (${need.toFixed(0)}px in ${e.clientWidth}px)`);
      }
      const boxed = !(e instanceof SVGElement) && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName) && e.clientWidth > 0;
      if (boxed && e.scrollWidth > e.clientWidth + 1 && !['auto', 'scroll'].includes(s.overflowX)) {
        out.push(`${name(e)}: content ${e.scrollWidth}px in a ${e.clientWidth}px box`);
      }
    }
    return out;
  });
}

/** The charts on screen: id, number of marks, marks without finite non-empty geometry inside
 * their SVG, and the caption. */
export function charts(page) {
  return page.evaluate(() => [...document.querySelectorAll('figure.chart')]
    .filter((f) => !f.closest('[hidden]') && f.getClientRects().length > 0)
    .map((f) => {
      const marks = [...f.querySelectorAll('[data-mark]')];
      const bad = marks.filter((m) => {
        if ([...m.attributes].some((a) => /NaN|Infinity|undefined/.test(a.value))) return true;
        const b = m.getBBox();
        const svg = m.ownerSVGElement.viewBox.baseVal;
        return !(b.width > 0 && b.height > 0) || b.x < svg.x - 0.01 || b.y < svg.y - 0.01 ||
          b.x + b.width > svg.x + svg.width + 0.01 || b.y + b.height > svg.y + svg.height + 0.01;
      }).map((m) => m.outerHTML.slice(0, 120));
      // A plotted axis has values: at least two tick labels, none empty.
      const ticks = (axis) => [...f.querySelectorAll(`[data-tick="${axis}"]`)].map((t) => t.textContent.trim());
      const axes = f.querySelector('svg.scatter') ? { x: ticks('x'), y: ticks('y') } : {};
      return { id: f.id, marks: marks.length, bad, axes, caption: f.querySelector('figcaption')?.textContent ?? '' };
    }));
}

/** Fails unless nothing overflows and each chart on screen (at least `expected`, by id) has data. */
export async function assertLaidOut(page, state, expected = []) {
  const over = await overflows(page);
  assert.deepEqual(over, [], `${state}: overflow`);
  const shown = await charts(page);
  for (const id of expected) assert.ok(shown.some((c) => c.id === id), `${state}: chart ${id} is not on screen (${shown.map((c) => c.id)})`);
  for (const c of shown) {
    assert.ok(c.marks > 0, `${state}: chart ${c.id} has no data`);
    assert.deepEqual(c.bad, [], `${state}: chart ${c.id} has marks without geometry`);
    assert.ok(c.caption.trim().length > 0, `${state}: chart ${c.id} has no caption`);
    for (const [axis, labels] of Object.entries(c.axes)) {
      assert.ok(labels.length >= 2 && labels.every(Boolean), `${state}: chart ${c.id}'s ${axis} axis has no values (${labels})`);
    }
  }
  return shown;
}
