// ECharts, only the parts the dashboard draws (bar, line and pie charts on a canvas with
// axes, tooltips and a legend): `echarts/core` plus what is registered here keeps the
// bundle a fraction of the full library's. Also the charts' dark dress, in the page's
// own colours.

import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<
  BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | MarkLineComponentOption
>;

export const COLOURS = ['#38bdf8', '#fbbf24', '#34d399', '#a78bfa', '#f87171', '#60a5fa', '#2dd4bf', '#f472b6', '#facc15', '#94a3b8'];
const TEXT = '#cbd5e1';
const MUTED = '#8ea0ba';
const LINE = 'rgba(96, 165, 250, 0.18)';

/** What every chart shares: colours, type, a quiet grid and tooltips in the panel's dress. */
export const BASE: ChartOption = {
  color: COLOURS,
  backgroundColor: 'transparent',
  textStyle: { color: TEXT, fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font') || 'sans-serif' },
  tooltip: {
    backgroundColor: '#0b1424',
    borderColor: 'rgba(96, 165, 250, 0.38)',
    textStyle: { color: '#e2e8f0' },
  },
  legend: { textStyle: { color: MUTED }, top: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
  grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
};

export const axisStyle = {
  axisLine: { lineStyle: { color: LINE } },
  axisTick: { show: false },
  axisLabel: { color: MUTED },
  splitLine: { lineStyle: { color: LINE } },
};

/** A chart in `el`, or the one already there (options are replaced, not merged). */
export function chartIn(el: HTMLElement): echarts.ECharts {
  return echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: 'canvas' });
}

/** The shared dress under a chart's own option; a chart's legend, tooltip or grid refines the shared one. */
function dressed(option: ChartOption): ChartOption {
  const out: Record<string, unknown> = { ...BASE, ...option };
  for (const key of ['legend', 'tooltip', 'grid'] as const) {
    const own = option[key];
    if (own && !Array.isArray(own) && BASE[key]) out[key] = { ...(BASE[key] as object), ...(own as object) };
  }
  return out as ChartOption;
}

export function draw(el: HTMLElement, option: ChartOption): echarts.ECharts {
  const chart = chartIn(el);
  chart.setOption(dressed(option), { notMerge: true });
  return chart;
}

export function resizeAll(els: HTMLElement[]): void {
  for (const el of els) echarts.getInstanceByDom(el)?.resize();
}
