import { launch, openPage, openTwin, waitForIdle } from './tests/support/browser.mjs';
const [, , out = '/tmp/shot.png', w = '1440', h = '900', script = ''] = process.argv;
const browser = await launch();
const { page, problems } = await openPage(browser, { viewport: { width: +w, height: +h } });
const t0 = Date.now();
await openTwin(page);
console.log('ready in', Date.now() - t0, 'ms');
if (script) { await page.evaluate(script); await page.waitForTimeout(500); await waitForIdle(page); }
await page.screenshot({ path: out });
console.log(JSON.stringify(problems, null, 1));
await browser.close();
