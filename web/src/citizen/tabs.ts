// The phone's tab bar at the bottom (within a thumb's reach): report, my requests, track.

import { t } from '../i18n';
import { h, replace } from '../ui/dom';

export type Tab = 'new' | 'mine' | 'track';

export function renderTabs(host: HTMLElement, current: Tab | null): void {
  const s = t();
  const tabs: Array<[Tab, string, string]> = [
    ['new', '✎', s.tabNew],
    ['mine', '☰', s.tabMine],
    ['track', '⌕', s.tabTrack],
  ];
  replace(
    host,
    ...tabs.map(([tab, icon, label]) =>
      h(
        'a',
        { class: tab === current ? 'tab current' : 'tab', href: `#${tab}`, 'data-tab': tab, 'aria-current': tab === current ? 'page' : null },
        h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon),
        h('span', { class: 'tab-label' }, label),
      ),
    ),
  );
}
