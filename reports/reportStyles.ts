// The report's only stylesheet, inlined into the page: system fonts, NHS colours, and print rules for A4.
export const reportStyles = `
:root { --nhs-blue: #005EB8; --nhs-dark-blue: #003087; --text: #212B32; --muted: #4C6272; --rule: #D8DDE0; --pale: #F0F4F5; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: var(--text); background: #fff; }
header.report-header { background: var(--nhs-blue); color: #fff; padding: 24px 32px; }
header.report-header h1 { margin: 0 0 4px; font-size: 28px; line-height: 1.2; }
header.report-header p { margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 32px 48px; }
nav.contents { border-left: 4px solid var(--nhs-blue); padding: 4px 16px; margin: 24px 0; background: var(--pale); }
nav.contents h2 { font-size: 18px; margin: 8px 0; border: 0; padding: 0; }
nav.contents ol { margin: 0 0 8px; padding-left: 24px; }
nav.contents a { color: var(--nhs-blue); }
section { margin-top: 40px; }
h2 { font-size: 24px; line-height: 1.25; color: var(--nhs-dark-blue); border-bottom: 2px solid var(--nhs-blue); padding-bottom: 4px; margin: 0 0 16px; }
p { margin: 0 0 16px; max-width: 72ch; }
.reading-notes { border: 1px solid var(--rule); background: var(--pale); padding: 12px 16px; margin: 16px 0; }
.reading-notes h2 { font-size: 18px; border: 0; padding: 0; margin: 0 0 8px; color: var(--text); }
.reading-notes ul { margin: 0; padding-left: 20px; }
.callout { border-left: 4px solid #ED8B00; padding-left: 12px; }
.warning { border-left: 4px solid #D5281B; padding-left: 12px; font-weight: bold; }
.banner { border: 3px solid #D5281B; background: #FDF2F1; padding: 8px 16px; margin: 24px 0 8px; }
.banner-title { font-weight: bold; color: #D5281B; margin: 0 0 4px; }
.banner ul { margin: 0 0 4px; padding-left: 20px; }
p.finding { font-size: 18px; font-weight: bold; max-width: 80ch; }
ul.statements li, ul.findings li { margin: 0 0 8px; max-width: 90ch; }
section#summary { margin-top: 24px; }
section#summary dl.key-figures { margin-top: 8px; }
h3 { font-size: 20px; line-height: 1.3; color: var(--nhs-dark-blue); margin: 32px 0 12px; }
h4 { font-size: 17px; line-height: 1.3; margin: 24px 0 8px; }
dl.key-figures { display: flex; flex-wrap: wrap; gap: 16px; margin: 16px 0 24px; }
dl.key-figures div { flex: 1 1 200px; border-top: 4px solid var(--nhs-blue); background: var(--pale); padding: 12px 16px; }
dl.key-figures dt { font-size: 14px; color: var(--muted); }
dl.key-figures dd { margin: 4px 0 0; font-size: 22px; font-weight: bold; }
.table-wrap { overflow-x: auto; margin: 16px 0 24px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
table.compact { font-size: 13px; }
caption { text-align: left; font-weight: bold; font-size: 16px; padding-bottom: 8px; }
th, td { border-bottom: 1px solid var(--rule); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--text); vertical-align: bottom; }
tbody th { font-weight: normal; min-width: 6em; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid var(--text); }
.table-note, .chart-note { font-size: 14px; color: var(--muted); margin: 6px 0 0; }
figure.chart { margin: 24px 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 16px; font-weight: bold; margin: 0 0 4px; max-width: 72ch; }
.chart-description { font-size: 14px; margin: 0 0 8px; }
details.chart-data { margin: 8px 0 0; font-size: 14px; }
details.detail { margin: 12px 0; border-left: 3px solid var(--rule); padding-left: 12px; }
details.detail > summary { cursor: pointer; color: var(--nhs-blue); font-weight: bold; }
details.chart-data summary { cursor: pointer; color: var(--nhs-blue); }
details.chart-data .table-wrap { margin: 8px 0 0; }
details.chart-data caption { font-size: 14px; }
footer.report-footer { border-top: 1px solid var(--rule); margin-top: 48px; padding-top: 12px; font-size: 14px; color: var(--muted); }
.print-only { display: none; }
@media print {
  @page { size: A4; margin: 12mm 15mm; }
  body { font-size: 9pt; line-height: 1.3; }
  [data-print="secondary"] { display: none; }
  .print-only { display: block; }
  h2 { font-size: 14pt; margin: 0 0 6pt; }
  h3 { font-size: 11pt; margin: 8pt 0 4pt; }
  h4 { font-size: 10pt; margin: 6pt 0 3pt; }
  p { margin: 0 0 5pt; max-width: none; }
  p.finding { font-size: 10pt; }
  table, table.compact { font-size: 7.5pt; }
  th, td { padding: 1pt 4pt; }
  caption { font-size: 9pt; padding-bottom: 2pt; }
  .table-wrap { margin: 4pt 0 6pt; }
  .table-note, .chart-note, .chart-description { font-size: 7.5pt; margin: 2pt 0; }
  figure.chart { margin: 6pt 0; }
  figure.chart svg { max-height: 85mm; width: auto; max-width: 100%; }
  figcaption { font-size: 9pt; }
  dl.key-figures { margin: 6pt 0; gap: 6pt; }
  dl.key-figures div { padding: 4pt 8pt; }
  dl.key-figures dd { font-size: 12pt; }
  .reading-notes { display: none; }
  .banner { margin: 6pt 0; padding: 4pt 8pt; }
  header.report-header { background: none; color: var(--text); border-bottom: 3px solid var(--nhs-blue); padding: 0 0 8px; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  section { break-before: page; margin-top: 0; }
  section#summary { break-before: auto; }
  h2, h3, h4, caption, figcaption { break-after: avoid; }
  figure.chart, tr, .key-figures div { break-inside: avoid; }
  details.chart-data { display: none; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
`;
