// The cohort report from real runs, on the sample inbox and on a generated 20,000-person inbox, as a commissioner
// gets it: opened from disk in headless Chromium (Debian's `chromium`, never a browser a test tool downloads), every
// chart drawn at a size, nothing fetched from the network, no script, the summary on the first screen, readable at A4
// print width and printed on at most one page per section. Both reports are scanned for small numbers, the sample's
// for person ids too. A full-page screenshot and the PDF of each are kept in .tmp/artefacts/ (git-ignored) for a person
// to look at: report-sample.png and .pdf, report-20k.png and .pdf.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartAccessibilityProblems } from '../helpers/chartAccessibility.ts';
import { reportFigures, textOf } from '../helpers/reportHtml.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const asOf = readdirSync(sampleInbox).sort().at(-1) as string;
const artefactFolder = join(repoRoot, '.tmp', 'artefacts');
/** A4 less the print stylesheet's 15 mm margins, in CSS pixels (96 per inch): 180 mm. */
const a4PrintableWidth = Math.floor((180 / 25.4) * 96);

/** The Debian chromium binary, or null when it is not installed (then the browser tests are skipped). */
function findChromium(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  if (found.error) throw new Error(`looking for chromium failed: ${found.error.message}`);
  // `command -v` exits non-zero (1 in bash, 127 in dash) and prints nothing when there is no such command.
  return found.status === 0 ? found.stdout.trim() : null;
}
const chromiumPath = findChromium();

let reportPath: string;
let html: string;

beforeAll(() => {
  const out = temporaryFolder('strata-report-browser-');
  const run = runCli(['run', '--inbox', sampleInbox, '--out', out]);
  if (run.status !== 0) throw new Error(`strata run failed (${run.status}): ${run.stderr}`);
  reportPath = join(out, asOf, 'report.html');
  html = readFileSync(reportPath, 'utf8');
});

/** A 20,000-person inbox generated and run once, for the tests that ask for it (seed 3, as in the bench). */
let generated: { reportPath: string; html: string } | undefined;
function generatedReport(): { reportPath: string; html: string } {
  if (generated !== undefined) return generated;
  const folder = temporaryFolder('strata-report-20k-');
  const inbox = join(folder, 'inbox');
  const out = join(folder, 'out');
  const generate = runCli(['generate', '--persons', '20000', '--seed', '3', '--out', inbox]);
  if (generate.status !== 0) throw new Error(`strata generate failed (${generate.status}): ${generate.stderr}`);
  const run = runCli(['run', '--inbox', inbox, '--out', out]);
  if (run.status !== 0) throw new Error(`strata run failed (${run.status}): ${run.stderr}`);
  const latest = readdirSync(inbox).sort().at(-1) as string;
  const path = join(out, latest, 'report.html');
  generated = { reportPath: path, html: readFileSync(path, 'utf8') };
  return generated;
}

describe('the report from a run on the sample inbox', () => {
  it('shows no count from 1 to 7 anywhere, and no hidden count a total gives back', () => {
    expect(findUnsuppressedSmallCounts(html)).toEqual([]);
    expect(findHiddenSumsFromTotals(html)).toEqual([]);
    expect((html.match(/>\*</g) ?? []).length).toBeGreaterThan(20);
  });

  it('shows no person_id and no direct identifier', () => {
    const ids = new Set<string>();
    for (const extract of readdirSync(sampleInbox)) {
      for (const file of readdirSync(join(sampleInbox, extract)).filter((name) => /\.csv(\.gz)?$/.test(name))) {
        const bytes = readFileSync(join(sampleInbox, extract, file));
        const lines = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n');
        const column = (lines[0] as string).split(',').indexOf('person_id');
        for (const line of lines.slice(1)) {
          const id = line.split(',')[column];
          if (id) ids.add(id);
        }
      }
    }
    // Pseudonyms (P + 7 letters and digits), the planted unknown ones (Q...), and the planted NHS number.
    expect(ids.size).toBeGreaterThan(2900);
    expect(ids.has('9434765919')).toBe(true);
    const text = textOf(html);
    const found = [...ids].filter((id) => id.length >= 6 && (html.includes(id) || text.includes(id)));
    expect(found).toEqual([]);
    // Anything shaped like a sample pseudonym: a capital P or Q and 7 lower-case letters or digits, one a digit.
    const pseudonymShape = /\b[PQ](?=[0-9a-z]*\d)[0-9a-z]{7}\b/g;
    const shaped = [...ids].filter((id) => id.match(pseudonymShape)?.[0] === id);
    expect(shaped.length).toBeGreaterThan(2900);
    expect(html.match(pseudonymShape)).toBeNull();
    expect(html.match(/\b\d{10}\b/g)).toBeNull();
  });

  it('gives every chart a title, a description and a data table', () => {
    expect(reportFigures(html).filter((figure) => figure.html.startsWith('<figure class="chart"')).length).toBeGreaterThanOrEqual(9);
    expect(chartAccessibilityProblems(html)).toEqual([]);
  });
});

describe('the report from a run on a generated 20,000-person inbox', () => {
  it('shows no count from 1 to 7 anywhere, no hidden count a total gives back, and words for every chart', () => {
    const { html: page } = generatedReport();
    expect(findUnsuppressedSmallCounts(page)).toEqual([]);
    expect(findHiddenSumsFromTotals(page)).toEqual([]);
    expect(chartAccessibilityProblems(page)).toEqual([]);
  });
});

const browserTitle = chromiumPath
  ? `report.html in headless Chromium (${chromiumPath})`
  : 'report.html in headless Chromium: SKIPPED, no `chromium` on PATH (install Debian chromium; .ci/run does)';

const subjects = [
  { name: 'sample', report: () => ({ reportPath, html }) },
  { name: '20k', report: generatedReport },
] as const;

for (const { name, report } of subjects) describe.skipIf(chromiumPath === null)(`${browserTitle}: the ${name} report`, () => {
  let target: { reportPath: string; html: string };
  let browser: Browser;
  let page: Page;
  const offPageRequests: string[] = [];

  /** Every request that is not a file:// one is recorded and refused. */
  async function guardNetwork(target: Page, record: string[]): Promise<void> {
    await target.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      record.push(url);
      return route.abort('blockedbyclient');
    });
  }

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath as string,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
    target = report();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await guardNetwork(page, offPageRequests);
    await page.goto(pathToFileURL(target.reportPath).href, { waitUntil: 'load' });
    // The folded details (secondary tables, the models' calibration and fairness), opened as a reader would.
    await page.$$eval('details.detail', (all) => {
      for (const details of all) details.setAttribute("open", "");
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart at a non-zero size, inside the page', async () => {
    const boxes = await page.$$eval('figure svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { id: svg.closest('figure')?.id ?? '', width: box.width, height: box.height, right: box.right };
      }),
    );
    expect(boxes.length).toBe((target.html.match(/<svg[\s>]/g) ?? []).length);
    expect(boxes.length).toBeGreaterThanOrEqual(9);
    const mainRight = await page.$eval('main', (main) => main.getBoundingClientRect().right);
    for (const box of boxes) {
      expect(box.width, box.id).toBeGreaterThan(100);
      expect(box.height, box.id).toBeGreaterThan(100);
      expect(box.right, box.id).toBeLessThanOrEqual(mainRight);
    }
  });

  it('names each chart by its title for assistive technology', async () => {
    const titles = await page.$$eval('figure.chart figcaption', (captions) => captions.map((caption) => caption.textContent ?? ''));
    for (const title of titles) expect(await page.getByRole('img', { name: title, exact: true }).count(), title).toBe(1);
  });

  it('made no network request, and would have caught one', async () => {
    expect(offPageRequests).toEqual([]);
    const control: string[] = [];
    const other = await browser.newPage();
    try {
      await guardNetwork(other, control);
      await other.setContent('<img src="http://example.invalid/pixel.png">', { waitUntil: 'load' });
      expect(control).toEqual(['http://example.invalid/pixel.png']);
    } finally {
      await other.close();
    }
  });

  it('holds no JavaScript', async () => {
    const scripting = {
      scripts: await page.$$eval('script', (scripts) => scripts.length),
      handlers: await page.$$eval('*', (elements) =>
        elements.flatMap((element) =>
          [...element.attributes].filter((attribute) => attribute.name.startsWith('on')).map((attribute) => `${element.tagName} ${attribute.name}`),
        ),
      ),
      scriptLinks: await page.$$eval(
        '[href], [src]',
        (elements) => elements.filter((element) => /^\s*javascript:/i.test(element.getAttribute('href') ?? element.getAttribute('src') ?? '')).length,
      ),
    };
    expect(scripting).toEqual({ scripts: 0, handlers: [], scriptLinks: 0 });
  });

  it('fits A4 when printed: nothing wider than the printable width', async () => {
    const printPage = await browser.newPage({ viewport: { width: a4PrintableWidth, height: 1000 } });
    try {
      await guardNetwork(printPage, offPageRequests);
      await printPage.emulateMedia({ media: 'print' });
      await printPage.goto(pathToFileURL(target.reportPath).href, { waitUntil: 'load' });
      const overflowing = await printPage.$$eval(
        'main table, main figure svg',
        (elements, width) =>
          elements
            .filter((element) => element.getBoundingClientRect().right > width + 1)
            .map((element) => element.closest('figure')?.id ?? element.querySelector('caption')?.textContent ?? element.tagName),
        a4PrintableWidth,
      );
      expect(overflowing).toEqual([]);
    } finally {
      await printPage.close();
    }
  });

  it('shows the summary on the first screen at 1280×800: its key figures and what they mean', async () => {
    const screen = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await guardNetwork(screen, offPageRequests);
      await screen.goto(pathToFileURL(target.reportPath).href, { waitUntil: 'load' });
      const top = await screen.$eval('section#summary', (section) => {
        const heading = section.querySelector('h2')!.getBoundingClientRect();
        const figures = section.querySelector('dl.key-figures')!.getBoundingClientRect();
        const statement = section.querySelector('ul.statements li')!.getBoundingClientRect();
        return { heading: heading.top, figures: figures.bottom, statement: statement.top };
      });
      expect(top.heading).toBeLessThan(800);
      expect(top.figures).toBeLessThanOrEqual(800);
      expect(top.statement).toBeLessThan(800);
    } finally {
      await screen.close();
    }
  });

  it('prints on A4 with at most one page per section', async () => {
    const printPage = await browser.newPage();
    try {
      await guardNetwork(printPage, offPageRequests);
      await printPage.goto(pathToFileURL(target.reportPath).href, { waitUntil: 'load' });
      const sections = await printPage.$$eval('main section', (all) => all.length);
      const pdf = await printPage.pdf({ format: 'A4', preferCSSPageSize: true });
      mkdirSync(artefactFolder, { recursive: true });
      writeFileSync(join(artefactFolder, `report-${name}.pdf`), pdf);
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(sections).toBeGreaterThanOrEqual(13);
      expect(pages).toBeGreaterThanOrEqual(sections);
      expect(pages).toBeLessThanOrEqual(sections);
    } finally {
      await printPage.close();
    }
  });

  it('keeps a full-page screenshot as a test artefact', async () => {
    mkdirSync(artefactFolder, { recursive: true });
    const path = join(artefactFolder, `report-${name}.png`);
    const png = await page.screenshot({ path, fullPage: true });
    // A PNG of the whole page: taller than many screens.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(20)).toBeGreaterThan(5000);
  });
});
