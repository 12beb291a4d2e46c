// Opening a brand as a user does, shared by the e2e files (it registers no hooks, so the
// files with their own browser can use it too).

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
