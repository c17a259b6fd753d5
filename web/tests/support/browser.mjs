// Driving the page in Debian's headless Chromium through playwright-core (Playwright's own
// browser download is not used). WebGL comes from SwiftShader, so the map renders on a
// machine without a GPU.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The server under test (API, tiles and, once it serves web/dist, the page too). */
export const SERVER_URL = (process.env.CITYMIRROR_URL ?? 'http://127.0.0.1:18090').replace(/\/$/, '');
/** Where the page is opened; differs from SERVER_URL only while `/` is served by `vite preview`. */
export const PAGE_URL = (process.env.CITYMIRROR_PAGE_URL ?? SERVER_URL).replace(/\/$/, '');
export const SCREENSHOTS = process.env.CITYMIRROR_SCREENSHOTS ?? new URL('../screenshots/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

mkdirSync(SCREENSHOTS, { recursive: true });

export function screenshotPath(name) {
  return join(SCREENSHOTS, name);
}

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Records on `problems` every failed request, every response of 400 or more and every
 * console error of `page`, so a test can say the page is clean.
 */
export function watchPage(page, problems = []) {
  // Everything the page loads must come from our own server: no CDN, basemap or web font.
  const origin = new URL(PAGE_URL).origin;
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin + '/') && !/^(data|blob):/.test(url)) problems.push(`foreign request: ${url}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    // A request the page itself dropped (an older search, a reloaded tile) is not a failure.
    if (why.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/**
 * A fresh page (own cookies and storage), watched for problems (see `watchPage`). A phone
 * is `isMobile` and `hasTouch`: the page gets a phone's viewport rules and touch events.
 */
export async function openPage(browser, { viewport = { width: 1440, height: 900 }, locale = 'zh-CN', isMobile = false, hasTouch = false } = {}) {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor: 1, isMobile, hasTouch });
  const page = await context.newPage();
  const problems = watchPage(page);
  return { context, page, problems };
}

/** Opens one of the pages without a 3D map (citizen, workbench, dashboard) and waits until it is ready. */
export async function openReady(page, path) {
  await page.goto(PAGE_URL + path, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error', null, {
    timeout: 60_000,
  });
}

/** Opens the twin and waits until the page is ready and the map has drawn everything. */
export async function openTwin(page, path = '/') {
  await page.goto(PAGE_URL + path, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error', null, {
    timeout: 60_000,
  });
  await waitForIdle(page);
}

/** Waits until the map has loaded every tile it needs and stopped moving. */
export async function waitForIdle(page, timeout = 90_000) {
  await page.waitForFunction(
    () => {
      const m = window.__map;
      return !!m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
    },
    null,
    { timeout, polling: 250 },
  );
  // One more frame, so what was loaded is also on screen.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * The map canvas read back, downsampled to a `w`-pixel-wide grid: the number of distinct
 * colours, the share of pixels that are not the background, and the pixels themselves
 * (RGB, to compare two renderings).
 */
export function canvasPixels(page, w = 240) {
  return page.evaluate((w) => {
    const src = window.__map.getCanvas();
    const h = Math.max(1, Math.round((w * src.height) / src.width));
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(src, 0, 0, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;
    const colours = new Set();
    const rgb = [];
    let foreground = 0;
    const [br, bg, bb] = [0x07, 0x0d, 0x18];
    for (let i = 0; i < d.length; i += 4) {
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      rgb.push(d[i], d[i + 1], d[i + 2]);
      if (Math.abs(d[i] - br) + Math.abs(d[i + 1] - bg) + Math.abs(d[i + 2] - bb) > 24) foreground += 1;
    }
    return { width: w, height: h, distinct: colours.size, foreground: foreground / (w * h), rgb };
  }, w);
}

/** The share of pixels that differ noticeably between two readings of the canvas. */
export function pixelDifference(a, b) {
  let changed = 0;
  for (let i = 0; i < a.rgb.length; i += 3) {
    const d = Math.abs(a.rgb[i] - b.rgb[i]) + Math.abs(a.rgb[i + 1] - b.rgb[i + 1]) + Math.abs(a.rgb[i + 2] - b.rgb[i + 2]);
    if (d > 30) changed += 1;
  }
  return changed / (a.rgb.length / 3);
}
