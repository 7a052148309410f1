// Test helper: what a chart in the cohort report must carry for someone who cannot see it (issue 5): a title
// (visible, and the SVG's <title> naming it), a description in words (<desc>, and the visible paragraph the SVG is
// described by), and a data table of its figures, suppressed as the chart is. Returns the problems found, one line
// each, so a test can show them all.
import { reportFigures, reportTables, textOf, unescapeHtml } from './reportHtml.ts';

export function chartAccessibilityProblems(html: string): string[] {
  const problems: string[] = [];
  const figures = reportFigures(html).filter((figure) => /^<figure class="chart"/.test(figure.html));
  const svgCount = (html.match(/<svg[\s>]/g) ?? []).length;
  if (figures.length !== svgCount) problems.push(`${svgCount} SVG charts but ${figures.length} chart figures: a chart outside a figure`);

  for (const { id, html: figure } of figures) {
    const problem = (text: string): void => {
      problems.push(`${id}: ${text}`);
    };
    const caption = /<figcaption id="([^"]+)">(.*?)<\/figcaption>/s.exec(figure);
    const title = caption ? textOf(caption[2] as string) : '';
    if (title === '') problem('no visible title (figcaption)');
    if (caption && !figure.startsWith(`<figure class="chart" id="${id}" aria-labelledby="${caption[1]}"`)) problem('the figure is not labelled by its title');

    const svg = /<svg ([^>]*)>(.*?)<\/svg>/s.exec(figure);
    if (!svg) {
      problem('no SVG');
      continue;
    }
    const attributes = svg[1] as string;
    const body = svg[2] as string;
    if (!/\brole="img"/.test(attributes)) problem('the SVG is not role="img"');
    const svgTitle = /^<title id="([^"]+)">(.*?)<\/title>/s.exec(body);
    if (!svgTitle) problem('no <title> as the first child of the SVG');
    else {
      if (textOf(svgTitle[2] as string) !== title) problem('the SVG <title> differs from the visible title');
      if (!attributes.includes(`aria-labelledby="${svgTitle[1]}"`)) problem('the SVG is not labelled by its <title>');
    }
    const desc = /<desc>(.*?)<\/desc>/s.exec(body);
    const description = desc ? textOf(desc[1] as string) : '';
    if (description.length < 20) problem('no <desc> in words');
    const describedBy = /aria-describedby="([^"]+)"/.exec(attributes);
    const describing = describedBy ? new RegExp(`<p[^>]* id="${describedBy[1]}"[^>]*>(.*?)</p>`, 's').exec(figure) : null;
    if (!describing) problem('the SVG is not described by a paragraph in the figure');
    else if (textOf(describing[1] as string) !== description) problem('the visible description differs from the <desc>');

    const details = /<details class="chart-data"><summary>(.*?)<\/summary>(.*?)<\/details>/s.exec(figure);
    const table = details ? reportTables(details[2] as string)[0] : undefined;
    if (!details || textOf(details[1] as string) === '') problem('no data table in a <details> with a summary');
    else if (!table) problem('the <details> holds no table');
    else {
      if (table.caption !== `Data table: ${title}`) problem(`the data table's caption is "${table.caption}"`);
      if (table.headers.length < 2) problem('the data table has fewer than 2 columns');
      if (table.rows.length === 0) problem('the data table has no rows');
      if (table.rows.some((row) => row.length !== table.headers.length)) problem('a data table row does not fill its columns');
      // Suppressed as the chart: what the chart leaves out ("3 bar(s) left out") is '*' in the table, and vice versa.
      const stars = table.rows.flat().filter((cell) => cell === '*').length;
      const note = textOf(/<p class="chart-note">(.*?)<\/p>/s.exec(figure)?.[1] ?? '');
      const saysOmitted = /too small to publish/.test(note);
      if (saysOmitted !== stars > 0) problem(`the data table has ${stars} '*' but the note says "${note}"`);
      const counted = /(\d+) (?:bar|segment|register|point)\(s\)/.exec(unescapeHtml(note));
      if (counted && Number(counted[1]) !== stars) problem(`the note leaves out ${counted[1]} but the data table hides ${stars}`);
    }
  }
  return problems;
}
