// Moments and durations as people read them: a deadline's time left (or past), a step's
// date and time in the page's locale.

import { lang, t } from '../i18n';

/** `2 天 3 小时` / `14 分` / `40 秒`: the two largest units, so a glance is enough. */
export function duration(ms: number): string {
  const u = t().durationUnits;
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), u.d],
    [Math.floor((s % 86400) / 3600), u.h],
    [Math.floor((s % 3600) / 60), u.m],
    [s % 60, u.s],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return `0${lang() === 'zh' ? '' : ' '}${u.s}`;
  const sep = lang() === 'zh' ? '' : ' ';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${sep}${unit}`)
    .join(' ');
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return t().noValue;
  return new Date(iso).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A value for `<input type=datetime-local>` from a moment (local time, minutes). */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
