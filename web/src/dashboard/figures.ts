// The headline figures above the charts: how many requests, how many still open, how many
// resolved and how long that took (mean, median, 90th percentile in working days), the
// share of satisfied citizens, and how often the matrix sent a request to the wrong unit.

import { formatNumber, t } from '../i18n';
import type { Summary } from '../tickets/model';
import { h } from '../ui/dom';

function figure(key: string, label: string, value: string, sub?: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi', 'data-figure': key },
    h('div', { class: 'kpi-value' }, value),
    h('div', { class: 'kpi-label' }, label),
    sub ? h('div', { class: 'kpi-sub' }, sub) : null,
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${formatNumber(v * 100, 1)}%`);
const days = (v: number | null) => (v === null ? '—' : formatNumber(v, 1));

export function figures(sum: Summary): HTMLElement {
  const s = t();
  const routed = sum.matrix_errors.reduce((n, r) => n + r.dispatched, 0);
  const returned = sum.matrix_errors.reduce((n, r) => n + r.returned, 0);
  return h(
    'div',
    { class: 'kpis' },
    figure('tickets', s.dashTotal, formatNumber(sum.tickets)),
    figure('open', s.dashOpen, formatNumber(sum.open)),
    figure('handled', s.dashHandled, formatNumber(sum.handling.tickets)),
    figure(
      'handling',
      s.dashMeanDays,
      days(sum.handling.mean_days),
      `${s.daysShort} · ${s.dashMedian} ${days(sum.handling.p50_days)} · ${s.dashP90} ${days(sum.handling.p90_days)}`,
    ),
    figure('satisfaction', s.dashSatisfaction, pct(sum.satisfaction), s.evaluatedCount(formatNumber(sum.evaluated))),
    figure('matrix', s.dashMatrixError, pct(routed ? returned / routed : null), `${formatNumber(returned)} / ${formatNumber(routed)}`),
  );
}
