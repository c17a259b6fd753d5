// The links between the four pages, in the top bar: the 3D map for everyone, the
// citizens' pages for everyone (a citizen's way in), the workbench for staff who read
// tickets and the dashboard for those who read the figures. The server refuses what a
// role may not do anyway; the bar just does not offer it.

import { onLanguageChange, t } from '../i18n';
import { onSessionChange, session } from '../session';
import { mayReadStats, mayReadTickets } from '../tickets/access';
import { byId, h, replace } from './dom';

export type Page = 'map' | 'workbench' | 'dashboard' | 'citizen';

const PAGES: Array<{ page: Page; href: string; label: () => string; shown: () => boolean }> = [
  { page: 'map', href: '/', label: () => t().navMap, shown: () => true },
  { page: 'workbench', href: '/workbench.html', label: () => t().navWorkbench, shown: () => mayReadTickets(session()) },
  { page: 'dashboard', href: '/dashboard.html', label: () => t().navDashboard, shown: () => mayReadStats(session()) },
  { page: 'citizen', href: '/citizen.html', label: () => t().navCitizen, shown: () => true },
];

export function mountNav(current: Page): void {
  const host = byId('nav');
  host.setAttribute('aria-label', 'CityMirror');
  const render = () =>
    replace(
      host,
      ...PAGES.filter((p) => p.shown() || p.page === current).map((p) =>
        h(
          'a',
          {
            class: p.page === current ? 'nav-link current' : 'nav-link',
            href: p.href,
            'data-page': p.page,
            'aria-current': p.page === current ? 'page' : null,
          },
          p.label(),
        ),
      ),
    );
  render();
  onSessionChange(render);
  onLanguageChange(render);
}
