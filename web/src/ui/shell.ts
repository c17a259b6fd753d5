// The page frame: the brand, the language switch and, on the map's phone layout, the handle
// that opens and folds the area panel (a bottom sheet there). The request loop's pages
// share it with their own subtitle and title.

import { onLanguageChange, t } from '../i18n';
import { byId, h, replace } from './dom';

export interface ShellOptions {
  /** The line under the brand (default: the twin's). */
  subtitle?: () => string;
  /** The document's title (default: the twin's). */
  title?: () => string;
}

export function mountShell(toggleLanguage: () => void, opts: ShellOptions = {}): void {
  const brand = byId('brand');
  const langButton = byId<HTMLButtonElement>('lang');
  // Only the map has an area panel to fold.
  const panelButton = document.getElementById('panel-toggle');
  const areaPanel = document.getElementById('area-panel');

  const render = () => {
    const s = t();
    replace(
      brand,
      h('span', { class: 'logo', 'aria-hidden': 'true' }, '福'),
      h(
        'span',
        { class: 'brand-text' },
        h('span', { class: 'brand-title' }, s.appTitle),
        h('span', { class: 'brand-sub' }, opts.subtitle?.() ?? s.appSubtitle),
      ),
    );
    langButton.textContent = s.langToggle;
    langButton.title = s.langToggleTitle;
    if (panelButton) panelButton.textContent = s.panel;
    document.title = opts.title?.() ?? s.appTitle;
  };
  render();
  onLanguageChange(render);
  langButton.addEventListener('click', toggleLanguage);
  if (panelButton && areaPanel) {
    panelButton.addEventListener('click', () => {
      const folded = areaPanel.classList.toggle('folded');
      panelButton.setAttribute('aria-expanded', String(!folded));
    });
  }
}
