// The installed app's PNG icons, drawn by Chromium from public/icon.svg (the maskable one with
// its artwork inside the safe zone, on a full-bleed background). Run after changing the SVG:
//   npx tsx test/e2e/install-icons.ts
// install.spec.ts checks that the manifest names these files and that each has its size.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium';

export const PUBLIC_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../public',
);

/** The icon's artwork scaled into the middle 75 %, over a square of its background colour. */
function maskable(svg: string): string {
  const inner = svg.replace(/^[\s\S]*?<rect[^>]*\/>/, '').replace(/<\/svg>\s*$/, '');
  const fill = /<rect[^>]*fill="([^"]+)"/.exec(svg)?.[1] ?? '#3b5bdb';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">` +
    `<rect width="512" height="512" fill="${fill}"/>` +
    `<g transform="translate(64 64) scale(0.75)">${inner}</g></svg>`
  );
}

export const PNG_ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
] as const;

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(data: Buffer): { width: number; height: number } {
  if (data.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

async function render(): Promise<void> {
  const svg = readFileSync(path.join(PUBLIC_DIR, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    for (const icon of PNG_ICONS) {
      const source = icon.maskable ? maskable(svg) : svg;
      await page.setViewportSize({ width: icon.size, height: icon.size });
      const data = Buffer.from(source).toString('base64');
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}</style>` +
          `<img src="data:image/svg+xml;base64,${data}" width="${icon.size}" height="${icon.size}">`,
      );
      await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
      const png = await page.screenshot({ omitBackground: true });
      writeFileSync(path.join(PUBLIC_DIR, icon.file), png);
      console.log(`${icon.file}: ${icon.size}×${icon.size}, ${png.length} bytes`);
    }
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await render();
}
