// Both themes, as people see them: a busy room and Settings at 1280 and 360 px, light and dark,
// the dark one chosen with the Settings switch on a light system (so data-theme, not the media
// query, does the work). Saved under test-results/screenshots/ to look at; the page must never
// be wider than the screen.
import type { Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  composer,
  expect,
  publishViaRest,
  screenshotPath,
  sendButton,
  test,
  timeline,
} from './fixtures';

async function shoot(page: Page, name: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
  }));
  expect.soft(widths.content, `${name}: wider than the screen`).toBeLessThanOrEqual(widths.screen);
  await page.screenshot({ path: screenshotPath(name), animations: 'disabled', caret: 'hide' });
}

for (const width of [1280, 360]) {
  test(`themes at ${width} px: a busy room and Settings, light and dark`, async ({
    users,
    synapUrl,
  }) => {
    const context = {
      viewport: { width, height: width > 800 ? 800 : 740 },
      colorScheme: 'light' as const,
      ...(width < 800 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    };
    const { page } = await users.start('Alice', { context });
    const stream = `${users.prefix}general`;
    for (const [name, text] of [
      ['Femi', 'Morning! Did the deploy go out?'],
      ['Chen', 'Yes, at 9: https://example.com/releases/2.0'],
      ['Dana', 'The reconnect fix alone is worth it.'],
    ]) {
      await publishViaRest(
        stream,
        'message',
        JSON.stringify({ user_id: name, message: text, timestamp: Date.now() }),
        synapUrl,
      );
    }
    // Touch keyboards put a line break on Enter: the Send button sends.
    await composer(page).fill('Great, thanks all!');
    await sendButton(page).click();
    await expect(timeline(page).getByText('Great, thanks all!')).toBeVisible();
    await publishViaRest(
      stream,
      'typing',
      JSON.stringify({ user_id: 'Chen', is_typing: true, timestamp: Date.now() }),
      synapUrl,
    );
    await expect(timeline(page).getByText('worth it.')).toBeVisible({
      timeout: DELIVERY_TIMEOUT_MS,
    });
    await composer(page).fill('A draft in the composer');

    for (const theme of ['light', 'dark'] as const) {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const themes = page.getByRole('group', { name: 'Theme' });
      await themes.getByLabel(theme === 'light' ? 'Follow the system' : 'Dark').check();
      await expect(page.locator('html')).toHaveCSS(
        'background-color',
        theme === 'light' ? 'rgb(246, 247, 249)' : 'rgb(18, 21, 27)',
      );
      await shoot(page, `theme-${width}-${theme}-settings`);
      await page.keyboard.press('Escape');
      await expect(timeline(page)).toBeVisible();
      await expect(page.getByText('Chen is typing')).toBeVisible();
      await shoot(page, `theme-${width}-${theme}-room`);
    }
  });
}
