// One ECharts option per figure of `GET /api/v1/tickets/stats`, built from the summary
// alone (pure functions: the page draws them, and draws them again in another language).

import { t } from '../i18n';
import { channelName, familyName } from '../tickets/labels';
import type { Catalogue, Summary } from '../tickets/model';
import { axisStyle, COLOURS, type ChartOption } from './echarts';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
const round1 = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);

/** Requests by channel, most first, as horizontal bars (the names are long). */
export function channelChart(sum: Summary, cat: Catalogue): ChartOption {
  const rows = sum.by_channel.slice(0, 12).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', ...axisStyle },
    yAxis: { type: 'category', data: rows.map((r) => channelName(cat, r.key)), ...axisStyle, splitLine: { show: false } },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => r.tickets),
        barMaxWidth: 16,
        itemStyle: { borderRadius: [0, 4, 4, 0], color: COLOURS[0] },
        label: { show: true, position: 'right', color: '#cbd5e1' },
      },
    ],
  };
}

/** Requests by family of service, as a ring. */
export function familyChart(sum: Summary, cat: Catalogue): ChartOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', textStyle: { color: '#8ea0ba' } },
    series: [
      {
        type: 'pie',
        radius: ['45%', '72%'],
        center: ['35%', '52%'],
        itemStyle: { borderColor: '#070d18', borderWidth: 2 },
        label: { show: false },
        data: sum.by_family.map((f) => ({ name: familyName(cat, f.key), value: f.tickets })),
      },
    ],
  };
}

/** Requests by street (the figures name streets by code; the area API names them). */
export function streetChart(sum: Summary, names: Map<string, string>): ChartOption {
  const rows = sum.by_street;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => names.get(r.key) ?? r.key), ...axisStyle, axisLabel: { color: '#8ea0ba', interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', ...axisStyle },
    series: [{ type: 'bar', data: rows.map((r) => r.tickets), barMaxWidth: 26, itemStyle: { borderRadius: [4, 4, 0, 0], color: COLOURS[5] } }],
  };
}

/** The share of each stage's deadlines met on time (of those met or missed). */
export function onTimeChart(sum: Summary): ChartOption {
  const s = t();
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (ps: unknown) => {
        const p = (ps as Array<{ dataIndex: number }>)[0];
        const r = sum.on_time[p.dataIndex];
        return `${s.stageNames[r.stage] ?? r.stage}: ${pct(r.rate) ?? '—'}% (${r.on_time}/${r.met})`;
      },
    },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: sum.on_time.map((r) => s.stageNames[r.stage] ?? r.stage), ...axisStyle },
    yAxis: { type: 'value', max: 100, ...axisStyle, axisLabel: { color: '#8ea0ba', formatter: '{value}%' } },
    series: [
      {
        type: 'bar',
        data: sum.on_time.map((r) => pct(r.rate)),
        barMaxWidth: 42,
        itemStyle: { borderRadius: [4, 4, 0, 0], color: COLOURS[2] },
        label: { show: true, position: 'top', color: '#cbd5e1', formatter: '{c}%' },
      },
    ],
  };
}

/**
 * Handling time by month of intake, in working days, over the requests each month
 * (bars on their own axis). The API gives a mean per month and percentiles over the
 * whole period only, so those are drawn as level lines across it.
 */
export function handlingChart(sum: Summary): ChartOption {
  const s = t();
  const months = sum.monthly.map((m) => m.month);
  // Labelled at opposite ends, so two close levels do not write over each other.
  const level = (name: string, v: number | null, colour: string, position: 'insideStartTop' | 'insideEndTop') =>
    v === null ? [] : [{ name, yAxis: round1(v)!, lineStyle: { color: colour, type: 'dashed' as const }, label: { formatter: `${name} {c}`, color: colour, position } }];
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [s.dashMean, s.dashMonthlyVolume] },
    grid: { left: 8, right: 8, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months, ...axisStyle },
    yAxis: [
      {
        type: 'value',
        name: s.daysShort,
        nameTextStyle: { color: '#8ea0ba' },
        // Room for the 90th percentile's level line, which may lie above every monthly mean.
        max: (v: { max: number }) => Math.ceil((Math.max(v.max, sum.handling.p90_days ?? 0) + 1) / 5) * 5,
        ...axisStyle,
      },
      { type: 'value', name: s.tickets, nameTextStyle: { color: '#8ea0ba' }, ...axisStyle, splitLine: { show: false } },
    ],
    series: [
      {
        name: s.dashMonthlyVolume,
        type: 'bar',
        yAxisIndex: 1,
        data: sum.monthly.map((m) => m.tickets),
        barMaxWidth: 18,
        itemStyle: { color: 'rgba(96, 165, 250, 0.25)' },
      },
      {
        name: s.dashMean,
        type: 'line',
        smooth: true,
        symbolSize: 6,
        data: sum.monthly.map((m) => round1(m.mean_handling_days)),
        lineStyle: { width: 3, color: COLOURS[1] },
        itemStyle: { color: COLOURS[1] },
        areaStyle: { color: 'rgba(251, 191, 36, 0.08)' },
        markLine: {
          symbol: 'none',
          silent: true,
          data: [...level(s.dashMedian, sum.handling.p50_days, '#34d399', 'insideStartTop'), ...level(s.dashP90, sum.handling.p90_days, '#f87171', 'insideEndTop')],
        },
      },
    ],
  };
}

/** Satisfied or basically satisfied, of the requests evaluated, by month. */
export function satisfactionChart(sum: Summary): ChartOption {
  const s = t();
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`) },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: sum.monthly.map((m) => m.month), ...axisStyle },
    yAxis: { type: 'value', min: (v: { min: number }) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100, ...axisStyle, axisLabel: { color: '#8ea0ba', formatter: '{value}%' } },
    series: [
      {
        name: s.dashSatisfaction,
        type: 'line',
        smooth: true,
        symbolSize: 6,
        connectNulls: true,
        data: sum.monthly.map((m) => pct(m.satisfaction)),
        lineStyle: { width: 3, color: COLOURS[2] },
        itemStyle: { color: COLOURS[2] },
      },
    ],
  };
}

/** Returned tickets of those routed, per family: where the matrix sends requests wrong. */
export function matrixErrorChart(sum: Summary, cat: Catalogue): ChartOption {
  const rows = sum.matrix_errors.filter((r) => r.dispatched > 0);
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (ps: unknown) => {
        const r = rows[(ps as Array<{ dataIndex: number }>)[0].dataIndex];
        return `${familyName(cat, r.family)}: ${pct(r.rate) ?? '—'}% (${r.returned}/${r.dispatched})`;
      },
    },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => familyName(cat, r.family)), ...axisStyle, axisLabel: { color: '#8ea0ba', interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', ...axisStyle, axisLabel: { color: '#8ea0ba', formatter: '{value}%' } },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => pct(r.rate)),
        barMaxWidth: 26,
        itemStyle: { borderRadius: [4, 4, 0, 0], color: COLOURS[4] },
        label: { show: true, position: 'top', color: '#cbd5e1', formatter: '{c}%' },
      },
    ],
  };
}
