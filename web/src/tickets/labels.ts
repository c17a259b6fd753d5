// Names of the request loop's codes in the page's language: the server names services,
// families and channels in both languages, statuses and steps in Chinese only (the
// English ones live in the string table).

import { lang, t } from '../i18n';
import type { Catalogue, Located, Named } from './model';

/** A served name pair in the current language, falling back to the code. */
export function named(n: Named | null | undefined): string {
  if (!n) return t().noValue;
  return (lang() === 'en' ? n.name_en : n.name) ?? n.name ?? n.code;
}

export function statusName(status: string): string {
  return t().statusNames[status] ?? status;
}

export function stepName(kind: string, label?: string): string {
  return lang() === 'zh' && label ? label : (t().stepNames[kind] ?? label ?? kind);
}

export function verdictName(v: string | null | undefined): string {
  return v ? (t().verdictNames[v] ?? v) : t().noValue;
}

export function serviceName(cat: Catalogue | null, code: string): string {
  const s = cat?.services.find((x) => x.code === code);
  return s ? (lang() === 'en' ? s.name_en : s.name) : code;
}

export function familyName(cat: Catalogue | null, code: string): string {
  const f = cat?.families.find((x) => x.code === code);
  return f ? (lang() === 'en' ? f.name_en : f.name) : code;
}

export function channelName(cat: Catalogue | null, code: string): string {
  const c = cat?.channels.find((x) => x.code === code);
  return c ? (lang() === 'en' ? c.name_en : c.name) : code;
}

/**
 * The catalogue writes an attribute's text in both languages at once (`涉及数量 How
 * many`, `夜间 (22:00–7:00) at night`): the part before the first Latin word is Chinese.
 */
export function bilingual(s: string): string {
  const m = /^(.*?[^\x00-\x7f][^a-zA-Z]*?)\s+([a-zA-Z].*)$/.exec(s);
  if (!m) return s;
  return lang() === 'en' ? m[2] : m[1].trim();
}

/** `莲花街道 › 福新社区 › 第08网格`: a grid's name repeats its street's and community's. */
export function pathText(l: Located): string {
  let grid = l.grid?.name ?? '';
  for (const parent of [l.street?.name, l.community?.name]) if (parent) grid = grid.replace(parent, '');
  return [l.street?.name, l.community?.name, grid || l.grid?.name].filter(Boolean).join(' › ');
}
