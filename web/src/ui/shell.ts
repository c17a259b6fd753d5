// The page frame: the brand, the language switch and, on a phone, the handle that opens and
// folds the area panel (a bottom sheet there).

import { onLanguageChange, t } from '../i18n';
import { byId, h, replace } from './dom';

export function mountShell(toggleLanguage: () => void): void {
  const brand = byId('brand');
  const langButton = byId<HTMLButtonElement>('lang');
  const panelButton = byId<HTMLButtonElement>('panel-toggle');
  const areaPanel = byId('area-panel');

  const render = () => {
    const s = t();
    replace(
      brand,
      h('span', { class: 'logo', 'aria-hidden': 'true' }, '福'),
      h('span', { class: 'brand-text' }, h('span', { class: 'brand-title' }, s.appTitle), h('span', { class: 'brand-sub' }, s.appSubtitle)),
    );
    langButton.textContent = s.langToggle;
    langButton.title = s.langToggleTitle;
    panelButton.textContent = s.panel;
  };
  render();
  onLanguageChange(render);
  langButton.addEventListener('click', toggleLanguage);
  panelButton.addEventListener('click', () => {
    const folded = areaPanel.classList.toggle('folded');
    panelButton.setAttribute('aria-expanded', String(!folded));
  });
}
