// The small live indicator in the top bar: the channel's state, and the last change seen.

import { formatNumber, onLanguageChange, t } from '../i18n';
import type { FeatureEvent, LiveState } from '../live';
import { byId, h, replace } from './dom';

let state: LiveState = 'connecting';
let last: FeatureEvent | null = null;
let count = 0;

export function mountLiveIndicator(): void {
  render();
  onLanguageChange(render);
}

export function setLiveState(s: LiveState): void {
  state = s;
  render();
}

export function noteChange(e: FeatureEvent): void {
  last = e;
  count += 1;
  render();
  const dot = byId('live').querySelector('.live-dot');
  dot?.classList.remove('pulse');
  // Restart the pulse animation on every change.
  void (dot as HTMLElement | null)?.offsetWidth;
  dot?.classList.add('pulse');
}

function render(): void {
  const s = t();
  const host = byId('live');
  host.dataset.state = state;
  const label = state === 'live' ? s.live : state === 'connecting' ? s.liveConnecting : s.liveOffline;
  const detail = last
    ? `${s.lastChange}: ${s.layerTitles[last.layer] ?? last.layer} #${last.id} ${s.changeKinds[last.kind] ?? last.kind}`
    : s.liveTitle;
  host.title = count ? `${detail} (${formatNumber(count)})` : detail;
  replace(
    host,
    h('span', { class: 'live-dot' }),
    h('span', { class: 'live-label' }, label),
    last ? h('span', { class: 'live-last' }, `${s.layerTitles[last.layer] ?? last.layer} ${s.changeKinds[last.kind] ?? ''}`) : null,
  );
}
