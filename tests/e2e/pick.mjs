// Waiting for the page and opening a brand as a user does, shared by the e2e files (it
// registers no hooks, so the files with their own browser can use it too).

// The page is ready (its status says so in the page's language; the state is the same in all).
export const ready = (page) => page.waitForFunction(() => document.getElementById('status').dataset.state === 'ready');

// Opens the first brand the picker lists (focus, arrow down, Enter) unless a list is already
// shown, and waits for the list.
export async function pickFirstBrand(page) {
  if (await page.evaluate(() => document.querySelectorAll('#results > li').length > 0)) return;
  await page.focus('#brand-input');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#results > li').length > 0);
  await page.evaluate(() => document.activeElement.blur());
}
