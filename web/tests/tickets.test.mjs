// The request loop (民意速办) end to end in real headless Chromium, through the pages only:
// a citizen on a phone reports a street light that is out, with a category, a place in
// 莲花街道 and a photo; it is dispatched by the matrix to the district's 城市管理和综合
// 执法局, whose demo handler (`handler`) finds it in the workbench queue and on the 3D
// map's tickets layer, and works it to resolved with the workbench's buttons; the citizen
// follows its steps (each with its audit proof) and closes it with a verdict; the
// dashboard counts it. Same environment as browser.test.mjs (tests/run.sh).
//
// The test server has no trained classifier, so a request without a category would wait
// for an operator: the citizen chooses 路灯故障 (0101), which the built-in matrix routes to
// 城市管理和综合执法局 wherever it lies (crates/cases/src/dispatch.rs).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getJson, signIn } from './support/api.mjs';
import { launch, openPage, openReady, openTwin, screenshotPath, waitForIdle, watchPage } from './support/browser.mjs';

const CITIZEN = '13800138000';
const PASSWORD = 'Futian@2026';
const STREET = '440304008'; // 莲花街道, the demo street officer's
const SERVICE = '0101'; // 路灯故障
const CITY_MANAGEMENT = '440304-D01'; // the demo handler's unit
const DESCRIPTION = '莲花街道红荔路人行道旁的路灯连续三个晚上不亮，行人夜间通行不便，请尽快维修。';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function assertClean(page, problems) {
  assert.deepEqual(problems, []);
  assert.deepEqual(await page.evaluate(() => window.__citymirror?.mapErrors ?? []), []);
}

/** Waits until a small map (the picker's, the workbench's) has drawn its tiles. */
function smallMapIdle(page, hook) {
  return page.waitForFunction(
    (hook) => {
      const m = window.__citymirror?.[hook]?.();
      return !!m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
    },
    hook,
    { timeout: 60_000, polling: 250 },
  );
}

/** A camera-sized picture, drawn in the page (a PNG the page must turn into a JPEG). */
async function photoOf(page) {
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1800;
    const g = c.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, c.height);
    sky.addColorStop(0, '#0b1733');
    sky.addColorStop(1, '#1e293b');
    g.fillStyle = sky;
    g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#475569';
    g.fillRect(1150, 300, 60, 1500);
    g.fillStyle = '#111827';
    g.beginPath();
    g.ellipse(1180, 300, 160, 60, 0, 0, Math.PI * 2);
    g.fill();
    return c.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

describe('the request loop (民意速办)', () => {
  // One request, followed from page to page; each test goes on from the last.
  let phone;
  let desk;
  let map;
  let number;
  let place;
  let nearby;

  before(async () => {
    // The place the citizen will find by typing the street's name, as the page finds it.
    const found = await getJson(`/api/v1/search?q=${encodeURIComponent('莲花街道')}&limit=8`);
    place = found.results.find((r) => r.name === '莲花街道').center;
    // A request about the same light, filed earlier through the API (another channel):
    // the citizen is offered it to follow before sending theirs.
    const admin = await signIn('admin');
    const res = await admin.send(
      'POST',
      '/api/v1/tickets',
      { service_code: SERVICE, title: '路灯不亮', description: DESCRIPTION, lon: place[0], lat: place[1] },
      'application/json',
    );
    nearby = (await res.json()).number;
  });

  after(async () => {
    await phone?.context.close();
    await desk?.context.close();
  });

  test('a citizen on a phone reports a problem with a category, a place and a photo', async () => {
    phone = await openPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page, problems } = phone;
    await openReady(page, '/citizen.html');
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true');

    // Signed out, the page asks for the mobile number first.
    await page.locator('#citizen-sign-in input[name=username]').fill(CITIZEN);
    await page.locator('#citizen-sign-in input[name=password]').fill(PASSWORD);
    await page.locator('#citizen-sign-in button[type=submit]').click();
    await page.waitForSelector('#service');
    // The contact number is the account's own, filled in.
    assert.equal(await page.locator('#contact-phone').inputValue(), CITIZEN);

    // The category, grouped by family, with "let the system decide" first.
    assert.equal(await page.locator('#service option').first().getAttribute('value'), '');
    assert.ok((await page.locator('#service optgroup').count()) >= 9);
    await page.locator('#service').selectOption(SERVICE);
    await page.locator('select[data-attribute=how_many]').selectOption('one');
    await page.locator('#title').fill('路灯不亮');
    await page.locator('#description').fill(DESCRIPTION);
    assert.equal(await page.locator('.char-count').innerText(), `${DESCRIPTION.length} / 4000`);

    // The place: typed, found, pinned, and named down to its grid.
    await page.locator('#address').fill('莲花街道');
    await page.locator('.address-result', { hasText: '莲花街道' }).first().click();
    await page.waitForSelector(`.place-path[data-street="${STREET}"]`);
    assert.match(await page.locator('.place-path').innerText(), /莲花街道 › .+社区 › 第\d+网格/);
    await page.waitForSelector('#picker-map .map-pin');
    await smallMapIdle(page, 'pickerMap');

    // A photo, made smaller and turned into a JPEG on the phone.
    await page.locator('#photos').setInputFiles({ name: 'street-light.png', mimeType: 'image/png', buffer: await photoOf(page) });
    await page.waitForSelector('.photo-thumb img');
    const thumb = await page.locator('.photo-thumb img').getAttribute('src');
    assert.match(thumb, /^data:image\/jpeg;base64,/);
    await page.locator('#contact-name').fill('王先生');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await page.screenshot({ path: screenshotPath('11-citizen-report.png') });

    // Before sending, the open request about the same light nearby is offered to follow.
    await page.locator('#submit-ticket').click();
    await page.waitForSelector(`.similar-item[data-number="${nearby}"]`);
    await page.locator('.similar-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('12-citizen-similar.png') });
    // It is not the same light after all: send it anyway.
    await page.locator('#submit-anyway').click();

    // The receipt: the number and the tracking token, large.
    await page.waitForSelector('#receipt-number');
    number = await page.locator('#receipt-number').innerText();
    assert.match(number, /^FT\d{14}$/);
    assert.notEqual(number, nearby);
    assert.ok((await page.locator('#receipt-token').innerText()).length >= 20);
    await page.locator('.receipt-where', { hasText: '城市管理和综合执法局' }).waitFor();
    await page.screenshot({ path: screenshotPath('13-citizen-receipt.png') });

    // What was stored: the category chosen, routed by the matrix, in 莲花街道, with the photo.
    const handler = await signIn('handler');
    const stored = await (await handler.send('GET', `/api/v1/tickets/${number}`)).json();
    assert.equal(stored.service.code, SERVICE);
    assert.equal(stored.category_source, 'submitter');
    assert.equal(stored.lead_unit.id, CITY_MANAGEMENT);
    assert.equal(stored.status, 'dispatched');
    assert.ok(stored.grid_code.startsWith(STREET), stored.grid_code);
    assert.equal(stored.channel.code, 'h5');
    assert.equal(stored.media.length, 1);
    assert.equal(stored.media[0].type, 'image/jpeg');
    assert.equal(stored.contact.name, '王先生');

    // The citizen goes on to follow it.
    await page.locator('#view-progress').click();
    await page.waitForSelector(`.track[data-number="${number}"][data-status="dispatched"]`);
    await assertClean(page, problems);
  });

  test("it is in the handler's workbench queue, and on the 3D map's tickets layer", async () => {
    desk = await openPage(browser);
    const { page, problems } = desk;
    await openReady(page, '/workbench.html');
    // Signed out, the workbench asks who is there.
    await page.locator('#sign-in').click();
    await page.locator('input[name=username]').fill('handler');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('.login-form button[type=submit]').click();
    const row = page.locator(`.queue-item[data-number="${number}"]`);
    await row.waitFor();
    assert.match(await row.locator('.timer-left').innerText(), /^剩余/);
    // The links of a handler: the map, the workbench and the citizens' pages, not the dashboard.
    assert.deepEqual(await page.locator('#nav .nav-link').evaluateAll((as) => as.map((a) => a.dataset.page)), ['map', 'workbench', 'citizen']);
    await row.click();
    await page.waitForSelector(`#detail[data-number="${number}"][data-status="dispatched"]`);
    assert.equal(await page.evaluate(() => location.hash), `#${number}`);
    // The ticket in the twin: its grid path, the photo, the deadlines.
    await page.waitForFunction(() => document.querySelector('.grid-path')?.dataset.street === '440304008');
    assert.match(await page.locator('.grid-path').innerText(), /^莲花街道 › /);
    assert.equal(await page.locator('#detail .photo-thumb img').count(), 1);
    // A citizen's request has no sensor readings to show.
    assert.equal(await page.locator('#detail .sensor-series').count(), 0);
    assert.equal(await page.locator('.timer-row').count(), 3);
    assert.match(await page.locator('.timer-row[data-stage="contact"] .timer-left').innerText(), /^剩余 \d+分/);
    // The lead unit reads the citizen's name and number in full, to call them back.
    assert.equal(await page.locator('#detail .kv', { hasText: `王先生 · ${CITIZEN}` }).count(), 1);
    await smallMapIdle(page, 'detailMap');
    await page.screenshot({ path: screenshotPath('14-workbench-queue.png') });

    // The 3D map, in another tab of the same session: the ticket among the open ones.
    map = { page: await desk.context.newPage(), problems: [] };
    watchPage(map.page, map.problems);
    await openTwin(map.page);
    await map.page.waitForSelector('input[data-layer="tickets"]');
    await map.page.evaluate((at) => window.__map.jumpTo({ center: at, zoom: 16.5, pitch: 45 }), place);
    await waitForIdle(map.page);
    await map.page.waitForFunction((n) => window.__map.queryRenderedFeatures({ layers: ['tickets-dot'] }).some((f) => f.properties.number === n), number);
    const at = await map.page.evaluate((n) => {
      const m = window.__map;
      const f = m.queryRenderedFeatures({ layers: ['tickets-dot'] }).find((x) => x.properties.number === n);
      const p = m.project(f.geometry.coordinates);
      const r = m.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, status: f.properties.status, overdue: f.properties.overdue };
    }, number);
    assert.deepEqual([at.status, at.overdue], ['dispatched', false]);
    // Two requests at one spot (the one filed earlier, and the citizen's): the popup lists both.
    await map.page.mouse.click(at.x, at.y);
    const item = map.page.locator(`.ticket-popup[data-number="${number}"]`);
    await item.waitFor();
    assert.equal(await map.page.locator(`.ticket-popup[data-number="${nearby}"]`).count(), 1);
    assert.equal(await item.locator('.ticket-popup-service').innerText(), '路灯故障');
    assert.equal(await item.locator('.status-chip').innerText(), '已派单');
    assert.equal(await item.locator('a').getAttribute('href'), `/workbench.html#${number}`);
    // A click on the popup's dot is the popup's, not a drill-down into the area under it.
    assert.equal(await map.page.evaluate(() => window.__citymirror.currentArea().level), 'district');
    await map.page.screenshot({ path: screenshotPath('15-map-tickets-layer.png') });
    await assertClean(map.page, map.problems);
    await assertClean(page, problems);
  });

  test('the handler accepts, contacts, goes on site and resolves it with the workbench buttons', async () => {
    const { page, problems } = desk;
    const status = (s) => page.waitForSelector(`#detail[data-number="${number}"][data-status="${s}"]`);
    // Only the next steps are offered.
    assert.deepEqual(await page.locator('.action-buttons button').evaluateAll((bs) => bs.map((b) => b.dataset.action)), ['accept', 'return', 'comment']);

    await page.locator('button[data-action="accept"]').click();
    await status('accepted');
    // The map in the other tab hears of it on the live channel and redraws the dot.
    await map.page.waitForFunction(
      (n) => window.__map.querySourceFeatures('tickets').some((f) => f.properties.number === n && f.properties.status === 'accepted'),
      number,
      { timeout: 30_000 },
    );

    await page.locator('button[data-action="contact"]').click();
    await page.locator('.action-form[data-action="contact"] textarea[name=note]').fill('已电话联系王先生，约定今晚到场查看。');
    await page.locator('.action-form button[type=submit]').click();
    await status('contacted');
    // The contact deadline is met now, on time.
    assert.equal(await page.locator('.timer-row[data-stage="contact"] .timer-left').innerText(), '按时完成');

    await page.locator('button[data-action="on-site"]').click();
    await page.locator('.action-form button[type=submit]').click();
    await status('on-site');

    await page.locator('button[data-action="resolve"]').click();
    // The resolution needs a note of what was done.
    await page.locator('.action-form button[type=submit]').click();
    assert.equal(await page.locator('.action-form .form-error').innerText(), '请填写说明。');
    await page.locator('.action-form textarea[name=note]').fill('已更换灯具，路灯恢复正常。');
    await page.locator('.action-form button[type=submit]').click();
    await status('resolved');
    assert.equal(await page.locator('.action-buttons button[data-action="resolve"]').count(), 0);

    // The history, step by step, each with its proof.
    await page.waitForFunction(() => document.querySelectorAll('#detail .step').length >= 6);
    const kinds = await page.locator('#detail .step').evaluateAll((ss) => ss.map((s) => s.dataset.kind));
    assert.deepEqual(kinds, ['submitted', 'dispatched', 'accepted', 'contacted', 'on-site', 'resolved']);
    assert.equal(await page.locator('#detail .step[data-kind="contacted"] .step-note').innerText(), '已电话联系王先生，约定今晚到场查看。');
    await page.locator('#detail .timeline-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('16-workbench-resolved.png') });
    await map.page.waitForFunction(
      (n) => window.__map.querySourceFeatures('tickets').some((f) => f.properties.number === n && f.properties.status === 'resolved'),
      number,
      { timeout: 30_000 },
    );
    await assertClean(page, problems);
    await assertClean(map.page, map.problems);
  });

  test('the citizen sees every step proven, evaluates it satisfied and sees it closed', async () => {
    const { page, problems } = phone;
    // The progress page follows by itself: the handler's steps arrive without a reload.
    await page.waitForSelector(`.track[data-number="${number}"][data-status="resolved"]`, { timeout: 30_000 });
    // Every step is in the audit log; once a signed checkpoint covers them (at most ten
    // seconds), each says so.
    await page.waitForFunction(() => {
      const steps = [...document.querySelectorAll('.track .step')];
      return steps.length >= 6 && steps.every((s) => s.dataset.proof === 'covered');
    }, null, { timeout: 45_000, polling: 500 });
    const badges = await page.locator('.track .step .proof').allInnerTexts();
    assert.ok(badges.every((b) => b === '✓ 已存证'), badges.join(', '));
    assert.equal(await page.locator('.track .step[data-kind="resolved"] .step-note').innerText(), '已更换灯具，路灯恢复正常。');
    await page.locator('.evaluate').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('17-citizen-resolved.png') });

    await page.locator('label.v-satisfied').click();
    await page.locator('.evaluate textarea[name=note]').fill('维修很及时，谢谢！');
    await page.locator('#send-evaluation').click();
    await page.waitForSelector(`.track[data-number="${number}"][data-status="closed"]`);
    assert.equal(await page.locator('.ticket-card .verdict').innerText(), '满意');
    assert.equal(await page.locator('.evaluate').count(), 0);
    await page.waitForFunction(() => document.querySelector('.track .step[data-kind="closed"]'));
    const kinds = await page.locator('.track .step').evaluateAll((ss) => ss.map((s) => s.dataset.kind));
    assert.deepEqual(kinds.slice(-2), ['evaluated', 'closed']);
    await page.screenshot({ path: screenshotPath('18-citizen-closed.png'), fullPage: true });

    // "My requests" lists it, closed.
    await page.locator('.tab[data-tab="mine"]').click();
    await page.waitForSelector(`.mine-item[data-number="${number}"] .status-chip[data-status="closed"]`);
    await assertClean(page, problems);

    // A closed ticket leaves the map's layer of open ones.
    await map.page.waitForFunction(
      (n) => !window.__map.querySourceFeatures('tickets').some((f) => f.properties.number === n),
      number,
      { timeout: 30_000 },
    );
    await assertClean(map.page, map.problems);
  });

  test('the dashboard counts it, for a supervisor', async () => {
    const { page, problems, context } = await openPage(browser);
    try {
      await openReady(page, '/dashboard.html');
      await page.locator('#sign-in').click();
      await page.locator('input[name=username]').fill('supervisor');
      await page.locator('input[name=password]').fill(PASSWORD);
      await page.locator('.login-form button[type=submit]').click();
      await page.waitForFunction(() => window.__citymirror.charts().length === 7, null, { timeout: 30_000 });
      // The figures include this run's two requests (and whatever history the server holds).
      const sum = await page.evaluate(() => window.__citymirror.summary());
      assert.ok(sum.tickets >= 2, `only ${sum.tickets} tickets counted`);
      assert.ok(sum.by_channel.some((c) => c.key === 'h5'));
      assert.ok(sum.by_street.some((c) => c.key === STREET));
      assert.ok(sum.evaluated >= 1 && sum.satisfaction > 0, JSON.stringify(sum.satisfaction));
      assert.match(await page.locator('.kpi[data-figure="satisfaction"] .kpi-value').innerText(), /^\d+(\.\d)?%$/);
      assert.match(await page.locator('.kpi[data-figure="tickets"] .kpi-value').innerText(), /^[\d,]+$/);
      // Each chart is drawn on its canvas.
      assert.equal(await page.locator('.chart canvas').count(), 7);
      assert.deepEqual(await page.locator('#nav .nav-link').evaluateAll((as) => as.map((a) => a.dataset.page)), ['map', 'workbench', 'dashboard', 'citizen']);
      await page.screenshot({ path: screenshotPath('19-dashboard.png'), fullPage: true });
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});

describe("a sensor's ticket in the workbench", () => {
  // A manhole cover reads a level 1–2° for an hour, then 22.5° (the limit is 15°): the
  // alarm is filed as a ticket (channel iot-sensor, source `alarm:<stream>:<ms>`), and the
  // workbench shows the cover's readings with the alarm's moment marked.
  test("shows the Datastream's last 24 hours with the alarm marked", async () => {
    const admin = await signIn('admin');
    const filter = encodeURIComponent("properties/device_type eq '井盖位移传感器' and properties/status eq '在线'");
    const cover = (await getJson(`/sta/v1.1/Things?$top=1&$skip=7&$filter=${filter}`)).value[0];
    assert.ok(cover, 'the demo district has manhole covers');
    const stream = cover['@iot.id'] * 8; // tilt, the cover's first quantity
    const post = (result, at) =>
      admin.send('POST', `/sta/v1.1/Datastreams(${stream})/Observations`, { result, phenomenonTime: new Date(at).toISOString() }, 'application/json');
    const now = Date.now();
    for (let i = 12; i >= 1; i--) await post(1 + (i % 3) * 0.5, now - i * 5 * 60_000);
    await post(22.5, now);

    // Filed within a second or two; staff read where it came from.
    let ticket = null;
    for (let i = 0; i < 60 && !ticket; i++) {
      const list = await (await admin.send('GET', '/api/v1/tickets?limit=50')).json();
      ticket = list.tickets.find((t) => t.channel.code === 'iot-sensor' && t.source_ref?.startsWith(`alarm:${stream}:`)) ?? null;
      if (!ticket) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(ticket, `no ticket for the alarm of Datastream ${stream}`);
    const raisedAt = Number(ticket.source_ref.split(':')[2]);
    assert.ok(Math.abs(raisedAt - now) < 60_000, `raised at ${raisedAt}, the reading was at ${now}`);

    const { page, problems, context } = await openPage(browser);
    try {
      await openReady(page, `/workbench.html#${ticket.number}`);
      await page.locator('#sign-in').click();
      await page.locator('input[name=username]').fill('admin');
      await page.locator('input[name=password]').fill(PASSWORD);
      await page.locator('.login-form button[type=submit]').click();
      await page.waitForSelector(`#detail[data-number="${ticket.number}"]`);
      const section = page.locator('#detail .sensor-series');
      await page.waitForSelector('#detail .sensor-series[data-marked]', { timeout: 30_000 });
      assert.equal(await section.getAttribute('data-datastream'), String(stream));
      assert.equal(await section.getAttribute('data-alarm-at'), new Date(raisedAt).toISOString());
      assert.equal(await section.getAttribute('data-marked'), new Date(raisedAt).toISOString());
      // A day asked with resolution=auto comes as a mean per minute: one point per reading.
      assert.equal(await section.getAttribute('data-resolution'), 'PT1M');
      assert.equal(Number(await section.getAttribute('data-points')), 13);
      assert.match(await section.locator('.series-head').innerText(), new RegExp(`井盖倾角.*Datastreams\\(${stream}\\)`));
      assert.equal(await section.locator('.sensor-chart canvas').count() >= 1, true);
      // What the chart holds: the readings, and the alarm's moment as a marked line.
      // ECharts animates the mark line in: read the canvas until it is drawn (or 5 s pass),
      // as the chart may be mid-animation when the section is marked on a loaded machine.
      const redPixels = () => page.evaluate(() => {
        const canvas = document.querySelector('#detail .sensor-chart canvas');
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let red = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] > 200 && px[i + 1] < 110 && px[i + 2] < 110) red += 1;
        return { red, width: canvas.width };
      });
      let drawn = await redPixels();
      for (let i = 0; i < 50 && drawn.red <= 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        drawn = await redPixels();
      }
      assert.ok(drawn.red > 20, `the alarm's line is not drawn (${drawn.red} red pixels)`);
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('23-workbench-sensor-series.png') });
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});
