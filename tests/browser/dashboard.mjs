// dashboard.mjs - the dashboard in real headless Chromium (see README.md).
//
// Env: BASE_URL (read-only server), WRITE_URL (--allow-writes server over a
// copy of the same store), TOKEN_FILE, SHOTS (screenshot directory).
// Prints one "PASS name" / "FAIL name: why" line per check and exits 1 if
// any failed.  Elements are found through the hooks listed in README.md
// (data-testid, form control names and labels), never through layout.
//
// Design: the user journeys (red tile -> worst finding, copy the fix,
// filter by team, suppress) run first and hand what they found (the
// account and finding URLs, the team) to the accessibility sweep, which
// then visits every page type with the same generic checks.  Every check is
// independent: one failing step marks its dependants failed with a reason
// instead of crashing the run.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const WBASE = (process.env.WRITE_URL || '').replace(/\/$/, '');
const TOKEN = process.env.TOKEN_FILE ? fs.readFileSync(process.env.TOKEN_FILE, 'utf8').trim() : '';
const SHOTS = process.env.SHOTS || 'screenshots';
const STEP_MS = 15000;

let failures = 0;
function pass(name) { console.log(`PASS ${name}`); }
function fail(name, why) {
  failures++;
  console.log(`FAIL ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 400)}`);
}
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const r = await fn();
    if (r === true || r === undefined) pass(name);
    else fail(name, r);
  } catch (e) {
    fail(name, e && e.message ? e.message.split('\n')[0] : e);
  }
  console.error(`# ${name}: ${Date.now() - t0} ms`);
}

// Every {fingerprint, priority} object in a JSON document, wherever the
// page's JSON twin puts them.
function findingsIn(doc, out = []) {
  if (Array.isArray(doc)) doc.forEach((x) => findingsIn(x, out));
  else if (doc && typeof doc === 'object') {
    if (typeof doc.fingerprint === 'string' && typeof doc.priority === 'number') out.push(doc);
    Object.values(doc).forEach((x) => findingsIn(x, out));
  }
  return out;
}

async function getJSON(ctx, url) {
  const r = await ctx.request.get(url, { headers: { Accept: 'application/json' } });
  if (!r.ok()) throw new Error(`${url}: HTTP ${r.status()}`);
  return r.json();
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// ---- accessibility, evaluated in the page ----

// Static checks: lang, one h1, labels, names, images, contrast.
function staticA11y() {
  const visible = (el) => {
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0;
  };
  const describe = (el) =>
    `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.name ? ' name=' + el.name : ''}> "${(el.textContent || '').trim().slice(0, 30)}"`;
  const textOf = (ids) =>
    ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
  const ariaName = (el) =>
    (el.getAttribute('aria-label') || '').trim() ||
    (el.getAttribute('aria-labelledby') ? textOf(el.getAttribute('aria-labelledby')) : '');
  const res = {};
  res.lang = document.documentElement.getAttribute('lang') || '';
  res.h1 = document.querySelectorAll('h1').length;

  const unlabelled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    const byLabel = [...(el.labels || [])].some((l) => l.textContent.trim());
    if (!byLabel && !ariaName(el) && !(el.getAttribute('title') || '').trim())
      unlabelled.push(describe(el));
  }
  res.unlabelled = unlabelled;

  const unnamed = [];
  for (const el of document.querySelectorAll('a[href], button, input[type=submit], input[type=button], summary')) {
    if (!visible(el)) continue;
    const name = ariaName(el) || (el.innerText || '').trim() || (el.value || '').trim() ||
      (el.getAttribute('title') || '').trim() ||
      [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join('').trim();
    if (!name) unnamed.push(describe(el));
  }
  res.unnamed = unnamed;

  const images = [];
  for (const img of document.querySelectorAll('img')) {
    if (img.getAttribute('aria-hidden') === 'true' || img.getAttribute('role') === 'presentation') continue;
    if (!(img.getAttribute('alt') || '').trim()) images.push(`<img src=${img.getAttribute('src')}>`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.closest('[aria-hidden=true]')) continue;
    if (svg.parentElement && svg.parentElement.closest('svg')) continue;
    const title = svg.querySelector(':scope > title')?.textContent.trim();
    const role = svg.getAttribute('role');
    if (role !== 'img' || !(ariaName(svg) || title)) images.push(`<svg class=${svg.getAttribute('class')}> role=${role} without a name`);
  }
  res.images = images;

  // Contrast: each visible element with its own text, against the
  // composited background of its ancestors (page canvas white).
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const lum = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const background = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none') return null; // unknown
      const c = parse(s.backgroundColor);
      if (c && c.a > 0) chain.push(c);
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = chain.length - 1; i >= 0; i--) bg = over(chain[i], bg);
    return bg;
  };
  const low = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'TITLE', 'DESC', 'NOSCRIPT'].includes(el.tagName.toUpperCase())) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    if (el.closest('[disabled], [aria-hidden=true]')) continue;
    const s = getComputedStyle(el);
    const inSvg = el instanceof SVGElement;
    let fg = parse(inSvg ? s.fill : s.color);
    if (!fg) continue;
    const bg = background(el);
    if (!bg) continue;
    if (fg.a < 1) fg = over(fg, bg);
    const L1 = lum(fg), L2 = lum(bg);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    const size = parseFloat(s.fontSize), weight = parseInt(s.fontWeight, 10) || 400;
    const large = size >= 24 || (size >= 18.66 && weight >= 700);
    checked++;
    if (ratio < (large ? 3 : 4.5) - 1e-6)
      low.push(`${describe(el)} ${ratio.toFixed(2)}:1 (${s.color} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`);
  }
  res.contrastChecked = checked;
  res.lowContrast = low;
  return res;
}

// Marks every tabbable element and snapshots its unfocused look.
function prepareTabWalk() {
  const sel = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const look = (el) => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
      s.color, s.borderTopColor, s.borderBottomColor, s.textDecorationLine].join('|');
  };
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  const all = [...document.querySelectorAll(sel)].filter((el) => {
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0 &&
      !el.closest('[inert]');
  });
  window.__tab = { all, unfocused: all.map(look), reached: new Set(), invisible: [] };
  window.__look = look;
  return all.length;
}

// After one Tab: was focus on a new tabbable, and does it look focused?
function afterTab() {
  const t = window.__tab;
  const el = document.activeElement;
  const i = t.all.indexOf(el);
  if (i < 0) return { index: -1, repeat: false };
  if (t.reached.has(i)) return { index: i, repeat: true };
  t.reached.add(i);
  const s = getComputedStyle(el);
  const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 &&
    !/rgba\(\d+, \d+, \d+, 0\)/.test(s.outlineColor);
  if (!outlined && window.__look(el) === t.unfocused[i])
    t.invisible.push(`<${el.tagName.toLowerCase()}> "${(el.innerText || el.name || '').trim().slice(0, 30)}"`);
  return { index: i, repeat: false };
}

function tabReport() {
  const t = window.__tab;
  const missed = t.all.filter((_, i) => !t.reached.has(i))
    .map((el) => `<${el.tagName.toLowerCase()}> "${(el.innerText || el.name || '').trim().slice(0, 30)}"`);
  return { missed, invisible: t.invisible };
}

async function a11y(page, tag) {
  const r = await page.evaluate(staticA11y);
  const list = (a) => `${a.length}: ${a.slice(0, 4).join('; ')}`;
  await check(`a11y_${tag}_lang`, () => r.lang.trim() ? true : 'no lang attribute on <html>');
  await check(`a11y_${tag}_one_h1`, () => r.h1 === 1 ? true : `${r.h1} <h1> elements`);
  await check(`a11y_${tag}_form_labels`, () => r.unlabelled.length === 0 ? true : `unlabelled controls ${list(r.unlabelled)}`);
  await check(`a11y_${tag}_names`, () => r.unnamed.length === 0 ? true : `links/buttons without a name ${list(r.unnamed)}`);
  await check(`a11y_${tag}_images_named`, () => r.images.length === 0 ? true : `unnamed images ${list(r.images)}`);
  await check(`a11y_${tag}_contrast`, () => {
    if (r.contrastChecked === 0) return 'no text found to check';
    return r.lowContrast.length === 0 ? true : `below 4.5:1 ${list(r.lowContrast)}`;
  });
  await check(`a11y_${tag}_keyboard`, async () => {
    const n = await page.evaluate(prepareTabWalk);
    if (n === 0) return true;
    await page.evaluate(() => { document.body.tabIndex = -1; document.body.focus(); });
    // Until focus wraps around to the first element reached (a date input
    // takes several Tabs, so the bound is generous).
    let first = -1;
    for (let k = 0; k < 3 * n + 20; k++) {
      await page.keyboard.press('Tab');
      const s = await page.evaluate(afterTab);
      if (s.index < 0) continue;
      if (first < 0) first = s.index;
      else if (s.repeat && s.index === first) break;
    }
    const t = await page.evaluate(tabReport);
    if (t.missed.length) return `not reachable with Tab ${list(t.missed)}`;
    if (t.invisible.length) return `no visible focus indicator ${list(t.invisible)}`;
    return true;
  });
}

// ---- the journeys ----

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(STEP_MS);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const consoleErrors = [];
  const offsite = [];
  const watch = (c) => {
      c.on('request', (req) => {
      const u = new URL(req.url());
      if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !u.protocol.startsWith('data')) offsite.push(req.url());
    });
  };
  watch(ctx);
  const page = await ctx.newPage();

  // Console errors (CSP violations land here), except the 404 status of
  // the page that is meant to be missing and a browser's favicon probe.
  function watchConsole(p) {
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      const at = (m.location() && m.location().url) || '';
      if (/Failed to load resource/.test(m.text()) && (/\/favicon\.ico$/.test(at) || /\/no\/such\/page$/.test(at))) return;
      consoleErrors.push(`${p.url()}: ${m.text()} ${at}`);
    });
    p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
  }
  watchConsole(page);

  const pages = {}; // tag -> URL, for the sweep
  let clicks = 0;
  let worst = null; // {url, fingerprint, fix, team}

  await check('overview_loads', async () => {
    const r = await page.goto(`${BASE}/`);
    if (!r || r.status() !== 200) return `GET / -> ${r && r.status()}`;
    pages.overview = page.url();
    await shot(page, 'overview');
  });

  await check('overview_red_tile_to_worst_finding_in_3_clicks', async () => {
    const red = page.locator('[data-testid=tile][data-status=red]');
    const n = await red.count();
    if (n === 0) return 'no [data-testid=tile][data-status=red] on the overview';
    const tile = red.first();
    const link = (await tile.evaluate((el) => el.tagName === 'A')) ? tile : tile.locator('a[href]').first();
    await Promise.all([page.waitForURL((u) => u.pathname !== '/'), link.click()]);
    clicks++;
    pages.account = page.url();
    await shot(page, 'account');
    if (!/\/account\//.test(page.url())) return `red tile led to ${page.url()}, not an account page`;
    const rows = page.locator('[data-testid=finding-row]');
    if ((await rows.count()) === 0) return 'account page lists no [data-testid=finding-row]';
    const first = rows.first().locator('[data-testid=finding-link]').first();
    await Promise.all([page.waitForURL(/\/finding\//), first.click()]);
    clicks++;
    if (clicks > 3) return `${clicks} clicks`;
    pages.finding = page.url();
    const fp = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    // The account's JSON twin: its highest-priority open finding.
    const all = findingsIn(await getJSON(ctx, pages.account));
    if (all.length === 0) return 'account JSON lists no findings';
    const top = Math.max(...all.map((f) => f.priority));
    const mine = all.find((f) => f.fingerprint === fp);
    if (!mine) return `finding ${fp} is not in the account's JSON`;
    if (mine.priority !== top) return `followed a finding of priority ${mine.priority}, worst is ${top}`;
    if (top < 70) return `the red tile's worst finding has priority ${top} (< 70)`;
    worst = { url: page.url(), fingerprint: fp, fix: mine.fix, team: mine.team };
    await shot(page, 'finding');
  });

  // The button beside the fix copies the fix's command (the runbook's
  // first shell block), not the sentence that labels it.
  await check('copy_fix_copies_the_command', async () => {
    if (!worst) return 'no finding reached (previous step failed)';
    const fix = page.locator('[data-testid=fix]').first();
    if ((await fix.count()) === 0) return 'no [data-testid=fix] on the finding page';
    const label = ((await fix.textContent()) || '').trim();
    if (worst.fix && !label.includes(worst.fix.trim())) return `the fix reads "${label}", JSON says "${worst.fix}"`;
    const block = ((await page.locator('.runbook pre').first().textContent()) || '').replace(/\n$/, '');
    if (!/\baws /.test(block)) return `the runbook's first block is not an aws command: "${block.slice(0, 80)}"`;
    await page.evaluate(() => navigator.clipboard.writeText('(clipboard before copy)'));
    const btn = fix.locator('[data-testid=copy-fix]').first();
    if ((await btn.count()) === 0) return 'no [data-testid=copy-fix] button';
    await btn.click();
    clicks++;
    let got = '';
    for (let i = 0; i < 20; i++) {
      got = await page.evaluate(() => navigator.clipboard.readText());
      if (got !== '(clipboard before copy)') break;
      await page.waitForTimeout(50);
    }
    if (got !== block) return `clipboard has "${got.slice(0, 120)}", the fix command is "${block.slice(0, 120)}"`;
    if (clicks > 3) return `overview -> worst finding -> fix copied took ${clicks} clicks (want <= 3)`;
  });

  await check('overview_copy_fix_is_a_command', async () => {
    await page.goto(`${BASE}/`);
    const btns = page.locator('.worst [data-testid=copy-fix]');
    const n = await btns.count();
    if (n === 0) return 'no copy button in the worst-finding list';
    const texts = await btns.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-copy') || ''));
    const prose = texts.filter((t) => !/\baws /.test(t));
    return prose.length ? `${prose.length} of ${n} copy buttons copy no aws command: "${prose[0].slice(0, 80)}"` : true;
  });

  await check('runbook_sections_and_wrapping', async () => {
    if (!worst) return 'no finding reached';
    await page.goto(worst.url);
    const paras = await page.locator('.runbook > p').evaluateAll((ps) => ps.map((p) => p.textContent.trim()));
    for (const head of ['What is wrong', 'Why it matters', 'Verify']) {
      const hits = paras.filter((t) => t.startsWith(head));
      if (hits.length !== 1) return `"${head}" starts ${hits.length} paragraphs (want its own one): ${paras.map((t) => t.slice(0, 20)).join(' | ')}`;
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const over = await page.locator('.runbook pre').evaluateAll((ps) =>
        ps.filter((p) => p.scrollWidth > p.clientWidth + 1).map((p) => p.textContent.slice(0, 60)));
      if (over.length) return `at ${width} px ${over.length} command block(s) run past their edge: ${over[0]}`;
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check('colour_and_badge_agree_or_say_why', async () => {
    await page.goto(`${BASE}/`);
    const bad = await page.locator('.worst > li').evaluateAll((lis) => lis.filter((li) => {
      const badge = (li.querySelector('.sev')?.textContent || '').trim().toLowerCase();
      const colour = ['red', 'amber', 'green'].find((c) => li.classList.contains(c));
      const want = ['critical', 'high'].includes(badge) ? 'red' : badge === 'medium' ? 'amber' : 'green';
      return colour !== want && !li.querySelector('[data-testid=colour-why]');
    }).map((li) => li.textContent.trim().slice(0, 80)));
    if (bad.length) return `${bad.length} worst findings whose colour and badge disagree without a word why: ${bad[0]}`;
    const why = await page.locator('[data-testid=colour-why]').count();
    return why > 0 ? true : 'the sample store has a critical finding in amber, but no colour-why line';
  });

  await check('stale_data_warned_on_every_page', async () => {
    const urls = [`${BASE}/`, `${BASE}/findings`, `${BASE}/trends`, worst && worst.url, pages.account].filter(Boolean);
    for (const u of urls) {
      await page.goto(u);
      const w = page.locator('[data-testid=stale]');
      if ((await w.count()) !== 1) return `${u}: no stale-data warning, though the last scan is weeks old`;
      const text = (await w.textContent()) || '';
      if (!/last scan was .*ago/.test(text)) return `${u}: the warning does not say how old: "${text.slice(0, 100)}"`;
      const top = await w.evaluate((el) => el.getBoundingClientRect().top);
      if (top > 250) return `${u}: the warning is ${top} px down the page, not at the top`;
    }
  });

  await check('trends_readable_with_gaps', async () => {
    await page.goto(`${BASE}/trends?days=60`);
    await shot(page, 'trends-60');
    const chart = page.locator('.chart svg').first();
    const [cw, mw] = await Promise.all([
      chart.evaluate((el) => el.getBoundingClientRect().width),
      page.locator('main').evaluate((el) => el.clientWidth),
    ]);
    if (cw < 0.85 * (mw - 40)) return `the chart is ${cw} px wide in a ${mw} px page`;
    const small = await page.locator('.chart svg text').evaluateAll((ts) =>
      ts.filter((t) => t.getBoundingClientRect().height > 0 && parseFloat(getComputedStyle(t).fontSize) *
        (t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width) < 12)
        .map((t) => t.textContent));
    if (small.length) return `${small.length} chart labels under 12 px: ${small.slice(0, 3).join(', ')}`;
    const ylabels = await chart.locator('.svg-ylabel').count();
    if (ylabels < 3) return `${ylabels} y-axis labels (want a scale, not just 0 and the top)`;
    if ((await chart.locator('.svg-ytitle').count()) !== 1) return 'the y axis has no title';
    // The sample store was scanned on two days weeks ago: bars then, a gap since.
    const gap = chart.locator('rect.svg-gap');
    if ((await gap.count()) === 0) return 'no gap drawn for the days without a scan';
    const gapX = await gap.last().evaluate((r) => r.x.baseVal.value);
    const after = await chart.locator('rect[class^=sev-]:not(.svg-key)').evaluateAll((rs, x) =>
      rs.filter((r) => r.x.baseVal.value >= x).length, gapX);
    if (after) return `${after} bars drawn inside the gap after the last scan`;
    const fills = await chart.locator('rect.svg-key').evaluateAll((ks) => ks.map((k) => getComputedStyle(k).fill));
    if (new Set(fills).size !== fills.length) return `legend colours repeat: ${fills.join(' ')}`;
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const weak = fills.filter((f) => 1.05 / (lum(f) + 0.05) < 3);
    if (weak.length) return `series colours under 3:1 against white: ${weak.join(' ')}`;
    const critHigh = fills.slice(0, 2).map(lum);
    if (Math.abs(critHigh[0] - critHigh[1]) < 0.03) return `critical and high differ only in hue (${fills[0]} vs ${fills[1]})`;
  });

  await check('screenshots_desktop_and_phone', async () => {
    const targets = { overview: `${BASE}/`, findings: `${BASE}/findings`, trends: `${BASE}/trends?days=60`,
      finding: worst && worst.url, account: pages.account };
    let n = 0;
    for (const [tag, u] of Object.entries(targets)) {
      if (!u) continue;
      for (const [dev, width] of [['desktop', 1280], ['phone', 390]]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(u);
        await shot(page, `${tag}-${dev}`);
        n++;
        if (dev === 'phone') {
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          if (wide > width + 1) return `${tag} is ${wide} px wide on a ${width} px phone (the page scrolls sideways)`;
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    return n >= 10 ? true : `${n} screenshots`;
  });

  async function filterByTeam(p, tag) {
    await p.goto(`${BASE}/findings`);
    const form = p.locator('form[method=get i]:has(select[name=team])').first();
    if ((await form.count()) === 0) return 'no GET form with a select[name=team] on /findings';
    const select = form.locator('select[name=team]');
    const options = (await select.locator('option').evaluateAll((os) => os.map((o) => o.value))).filter(Boolean);
    if (options.length === 0) return 'the team select has no options';
    const team = worst && worst.team && options.includes(worst.team) ? worst.team : options[0];
    await select.selectOption(team);
    const submit = form.locator('button[type=submit], input[type=submit], button:not([type])').first();
    await Promise.all([p.waitForURL((u) => u.searchParams.get('team') === team), submit.click()]);
    const url = new URL(p.url());
    if (url.searchParams.get('team') !== team) return `URL ${p.url()} lacks team=${team}`;
    const teams = await p.locator('[data-testid=finding-row]').evaluateAll((rs) => rs.map((r) => r.dataset.team));
    if (teams.length === 0) return `no findings listed for team ${team}`;
    const others = teams.filter((t) => t !== team);
    if (others.length) return `${others.length} of ${teams.length} rows from other teams (${others[0]})`;
    pages[`findings_${tag}`] = p.url();
    return { team };
  }

  let filteredTeam = null;
  await check('filter_by_team', async () => {
    const r = await filterByTeam(page, 'team');
    if (typeof r === 'string') return r;
    filteredTeam = r.team;
    await shot(page, 'findings-team');
  });

  await check('filter_by_team_without_javascript', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    watch(noJs);
    try {
      const r = await filterByTeam(await noJs.newPage(), 'nojs');
      return typeof r === 'string' ? r : true;
    } finally {
      await noJs.close();
    }
  });

  await check('team_page', async () => {
    const team = filteredTeam || (worst && worst.team);
    if (!team) return 'no team known (previous steps failed)';
    const r = await page.goto(`${BASE}/team/${encodeURIComponent(team)}`);
    if (r.status() !== 200) return `GET /team/${team} -> ${r.status()}`;
    const teams = await page.locator('[data-testid=finding-row]').evaluateAll((rs) => rs.map((x) => x.dataset.team));
    if (teams.some((t) => t !== team)) return 'team page lists another team\'s finding';
    pages.team = page.url();
    await shot(page, 'team');
  });

  await check('trends_page_has_charts', async () => {
    const r = await page.goto(`${BASE}/trends`);
    if (r.status() !== 200) return `GET /trends -> ${r.status()}`;
    const charts = await page.locator('svg[role=img]').count();
    if (charts < 2) return `${charts} svg charts on /trends (want per-severity and new-vs-resolved)`;
    pages.trends = page.url();
    await shot(page, 'trends');
  });

  await check('not_found_page', async () => {
    const r = await page.goto(`${BASE}/no/such/page`);
    if (r.status() !== 404) return `GET /no/such/page -> ${r.status()}`;
    pages.notfound = page.url();
    await shot(page, 'not-found');
  });

  await check('read_only_shows_no_forms', async () => {
    if (!worst) return 'no finding reached (previous step failed)';
    await page.goto(worst.url);
    const n = await page.locator('form[method=post i]').count();
    return n === 0 ? true : `${n} POST forms on a read-only server`;
  });

  // ---- writes: log in, suppress, unsuppress ----
  const wctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  wctx.setDefaultTimeout(STEP_MS);
  watch(wctx);
  const wpage = await wctx.newPage();
  watchConsole(wpage);
  const wpages = {};

  await check('login_with_token', async () => {
    if (!WBASE || !TOKEN) return 'no write server or token';
    const r = await wpage.goto(`${WBASE}/login`);
    if (r.status() !== 200) return `GET /login -> ${r.status()}`;
    wpages.login = wpage.url();
    await shot(wpage, 'login');
    const token = wpage.locator('input[name=token]');
    if ((await token.count()) === 0) return 'no input[name=token] on /login';
    await token.fill(TOKEN);
    const form = wpage.locator('form:has(input[name=token])');
    await Promise.all([wpage.waitForNavigation(), form.locator('button, input[type=submit]').first().click()]);
    const cookies = await wctx.cookies(WBASE);
    if (cookies.length === 0) {
      await shot(wpage, 'login-failed');
      const h1 = await wpage.locator('h1').first().textContent().catch(() => '');
      return `no session cookie after logging in (the answer's h1: "${h1}"; screenshot login-failed.png)`;
    }
    const c = cookies[0];
    if (!c.httpOnly || c.sameSite !== 'Strict') return `cookie ${c.name}: httpOnly=${c.httpOnly} sameSite=${c.sameSite}`;
  });

  await check('suppress_with_reason_and_expiry', async () => {
    if (!worst) return 'no finding reached (previous step failed)';
    const url = `${WBASE}${new URL(worst.url).pathname}`;
    await wpage.goto(url);
    const form = wpage.locator('form[data-testid=suppress-form]');
    if ((await form.count()) === 0) return 'no form[data-testid=suppress-form] after logging in';
    wpages.finding_writes = url;
    await shot(wpage, 'finding-writes');
    const expiry = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
    await form.locator('[name=reason]').fill('accepted risk: browser test');
    const exp = form.locator('[name=expires]');
    await exp.fill(expiry);
    await Promise.all([wpage.waitForNavigation(), form.locator('button, input[type=submit]').first().click()]);
    await wpage.goto(url);
    const status = ((await wpage.locator('[data-testid=status]').first().textContent()) || '').trim();
    if (!/suppressed/i.test(status)) return `status after suppressing: "${status}"`;
    const body = await wpage.locator('body').innerText();
    if (!body.includes('accepted risk: browser test')) return 'the suppression reason is not shown';
    if (!body.includes(expiry)) return `the expiry ${expiry} is not shown`;
    await shot(wpage, 'finding-suppressed');
  });

  await check('unsuppress', async () => {
    if (!wpages.finding_writes) return 'nothing suppressed (previous step failed)';
    const form = wpage.locator('form[data-testid=unsuppress-form]');
    if ((await form.count()) === 0) return 'no form[data-testid=unsuppress-form] on a suppressed finding';
    await Promise.all([wpage.waitForNavigation(), form.locator('button, input[type=submit]').first().click()]);
    await wpage.goto(wpages.finding_writes);
    const status = ((await wpage.locator('[data-testid=status]').first().textContent()) || '').trim();
    return /suppressed/i.test(status) ? `still "${status}" after unsuppressing` : true;
  });

  // ---- accessibility sweep over every page reached ----
  for (const [tag, url] of Object.entries(pages)) {
    if (tag === 'findings_nojs') continue;
    await page.goto(url);
    await a11y(page, tag);
  }
  for (const [tag, url] of Object.entries(wpages)) {
    await wpage.goto(url);
    await a11y(wpage, tag);
  }

  await check('no_console_errors', () => consoleErrors.length === 0 ? true : `${consoleErrors.length}: ${consoleErrors.slice(0, 3).join(' | ')}`);
  await check('no_offsite_requests', () => offsite.length === 0 ? true : `${offsite.length}: ${offsite.slice(0, 3).join(' ')}`);
  await browser.close();
}

if (!BASE) {
  fail('browser_setup', 'BASE_URL is not set');
  process.exit(1);
}
main().then(() => process.exit(failures ? 1 : 0), (e) => {
  fail('browser_run', e && e.stack ? e.stack : e);
  process.exit(1);
});
