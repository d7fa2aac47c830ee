// Opens a report.html in real headless Chromium (Debian's /usr/bin/chromium through playwright-core) and
// collects what a reader would see: console errors, failed requests, sections, tables, plots, images,
// and one screenshot per section. Used by the report tests; skips with a reason when Chromium is absent.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Debian's Chromium, or $CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Why a browser test must skip, or false. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `Chromium not found at ${CHROMIUM} (Debian: apt-get install chromium, or set CHROMIUM)`;
}

/** What the page showed. */
export interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  sections: Array<{
    id: string;
    tables: number;
    rows: number;
    svgs: number;
    images: number;
    loadedImages: number;
    screenshot: string;
  }>;
}

/** Loads `html` (a file path) with no network, screenshots each `section`/`header` into `shotsDir`. */
export async function checkReportPage(html: string, shotsDir: string): Promise<PageCheck> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    await mkdir(shotsDir, { recursive: true });
    const ids = await page.$$eval('header[id], section[id]', (els) => els.map((e) => e.id));
    const sections: PageCheck['sections'] = [];
    for (const id of ids) {
      const el = page.locator(`#${id}`);
      const facts = await el.evaluate((e) => ({
        tables: e.querySelectorAll('table').length,
        rows: e.querySelectorAll('tbody tr').length,
        svgs: e.querySelectorAll('svg').length,
        images: e.querySelectorAll('img').length,
        loadedImages: Array.from(e.querySelectorAll('img')).filter(
          (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0,
        ).length,
      }));
      const screenshot = join(shotsDir, `${id}.png`);
      await el.screenshot({ path: screenshot });
      sections.push({ id, ...facts, screenshot });
    }
    return { consoleErrors, requests, sections };
  } finally {
    await browser.close();
  }
}
