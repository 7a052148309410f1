import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { type ChartFigure, normaliseSvg, renderChart, renderChartSvg } from '../../reports/renderChart.ts';

// A clipped line: vega gives its clip path an id from a counter shared by the whole process.
const clippedLine: TopLevelSpec = {
  width: 200,
  height: 100,
  data: { values: [{ x: 1, y: 3 }, { x: 2, y: 7 }] },
  mark: { type: 'line', clip: true },
  encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1.5] } }, y: { field: 'y', type: 'quantitative' } },
};

const oneBar: ChartFigure = {
  id: 'chart-d',
  caption: 'One bar',
  description: 'Group A&B has 10.',
  dataTable: { columns: [{ header: 'Group' }, { header: 'Value', numeric: true }], rows: [{ cells: ['<b>A&B</b>', '10'] }] },
  spec: {
    data: { values: [{ group: '<b>A&B</b>', value: 10 }] },
    mark: 'bar',
    encoding: { x: { field: 'group', type: 'nominal' }, y: { field: 'value', type: 'quantitative' } },
  },
};

describe('renderChart', () => {
  it('gives the same SVG on every render in one process', async () => {
    const first = await renderChartSvg(clippedLine, 'chart-a');
    const second = await renderChartSvg(clippedLine, 'chart-a');
    expect(second).toBe(first);
    expect(first).toContain('id="chart-a-1"');
    expect(first).toContain('url(#chart-a-1)');
  });

  it('writes no URL, not even the xmlns vega puts on the svg element', async () => {
    const svg = await renderChartSvg(clippedLine, 'chart-b');
    expect(svg).not.toMatch(/https?:/);
    expect(svg.startsWith('<svg ')).toBe(true);
  });

  it('escapes data text and the caption', async () => {
    const figure = await renderChart({ ...oneBar, id: 'chart-c', caption: 'Rates <by> "group"' });
    expect(figure).not.toContain('<b>');
    expect(figure).toContain('&lt;b&gt;A&amp;B&lt;/b&gt;');
    expect(figure).toContain('<figcaption id="chart-c-caption">Rates &lt;by&gt; &quot;group&quot;</figcaption>');
  });

  it('gives the chart a title, a description and a data table, and names the SVG by them', async () => {
    const figure = await renderChart(oneBar);
    expect(figure).toMatch(/^<figure class="chart" id="chart-d" aria-labelledby="chart-d-caption"><figcaption id="chart-d-caption">One bar<\/figcaption>/);
    expect(figure).toContain('<p class="chart-description" id="chart-d-description">Group A&amp;B has 10.</p>');
    expect(figure).toMatch(/<svg role="img" aria-labelledby="chart-d-title" aria-describedby="chart-d-description" [^>]*><title id="chart-d-title">One bar<\/title><desc>Group A&amp;B has 10.<\/desc>/);
    expect(figure).toMatch(/<details class="chart-data"><summary>[^<]+<\/summary><div class="table-wrap"><table class="compact"><caption>Data table: One bar<\/caption>/);
    expect(figure).toContain('<td class="num">10</td>');
    // One SVG title only: vega writes none of its own, and no ARIA on each mark.
    expect(figure.match(/<title/g)).toHaveLength(1);
    expect(figure).not.toContain('aria-roledescription="bar"');
  });

  it('refuses a chart without a title, a description or data rows', async () => {
    await expect(renderChart({ ...oneBar, caption: ' ' })).rejects.toThrow(/title/);
    await expect(renderChart({ ...oneBar, description: '' })).rejects.toThrow(/description/);
    await expect(renderChart({ ...oneBar, dataTable: { ...oneBar.dataTable, rows: [] } })).rejects.toThrow(/data table/);
  });

  it('renumbers ids per chart and rounds long coordinates', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><clipPath id="clip7"/><g clip-path="url(#clip7)"><path d="M0.123456,1.5"/></g></svg>';
    expect(normaliseSvg(svg, 'c')).toBe('<svg><clipPath id="c-1"/><g clip-path="url(#c-1)"><path d="M0.12,1.5"/></g></svg>');
  });

  it('refuses an id that would not be safe in the page', async () => {
    await expect(renderChartSvg(clippedLine, 'a b"')).rejects.toThrow(/chart id/);
  });
});
