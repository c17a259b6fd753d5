import { launch, openPage, openTwin, canvasPixels } from './tests/support/browser.mjs';
const browser = await launch();
const { page, problems } = await openPage(browser);
await openTwin(page);
console.log(await page.evaluate(() => { const m = window.__map; const c = m.getCanvas(); return [c.width, c.height, c.clientWidth, c.clientHeight, m.querySourceFeatures('buildings',{sourceLayer:'buildings'}).length, m.querySourceFeatures('district',{sourceLayer:'district'}).length, m.getZoom(), JSON.stringify(m.getCenter()), document.getElementById('map').getBoundingClientRect().height]; }));
const px = await canvasPixels(page); console.log(px.distinct, px.foreground);
console.log(problems);
await browser.close();
