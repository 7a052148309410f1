// A report as a commissioner sees it, kept for a person to look at: a full-page screenshot at 1280 px wide and the
// A4 PDF its print stylesheet makes, with the page's height, its sections and the PDF's pages, e.g. for a generated
// 20,000-person run (the browser test does the same for the sample's report):
//   npx tsx tests/bench/reportScreenshots.ts OUT/AS_OF/report.html .tmp/artefacts/report-20k
// writes .tmp/artefacts/report-20k.png and .pdf. Uses Debian's chromium, never a downloaded browser.
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [report, prefix] = process.argv.slice(2);
if (!report || !prefix) {
  console.error('usage: npx tsx tests/bench/reportScreenshots.ts REPORT_HTML OUTPUT_PREFIX');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient')));
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  const height = await page.$eval('html', (root) => root.scrollHeight);
  const sections = await page.$$eval('main section', (all) => all.length);
  await page.screenshot({ path: `${prefix}.png`, fullPage: true });
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  writeFileSync(`${prefix}.pdf`, pdf);
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  console.log(JSON.stringify({ report, height, sections, pdfPages: pages, screenshot: `${prefix}.png`, pdf: `${prefix}.pdf` }));
} finally {
  await browser.close();
}
