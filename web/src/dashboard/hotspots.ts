// Hot spots: grids where one family of request gathered in the last 30 days (at least
// three), most first, each named by the grid path at its centre.

import { isAbort } from '../api';
import { formatNumber, t } from '../i18n';
import { hotspots, locate, loadCatalogue } from '../tickets/api';
import { familyName, pathText } from '../tickets/labels';
import { h, replace } from '../ui/dom';

const SHOWN = 10;

export async function hotspotList(host: HTMLElement, signal: AbortSignal): Promise<number> {
  const s = t();
  const [spots, cat] = await Promise.all([hotspots(signal), loadCatalogue()]);
  const top = spots.features.slice(0, SHOWN);
  if (!top.length) {
    replace(host, h('p', { class: 'muted' }, s.dashHotspotsEmpty));
    return 0;
  }
  const rows = top.map((f, i) => {
    const place = h('span', { class: 'hot-place' }, f.properties.grid);
    const [lon, lat] = f.geometry.coordinates;
    locate(lon, lat, signal)
      .then((l) => (place.textContent = pathText(l)))
      .catch((e) => {
        if (!isAbort(e)) place.textContent = f.properties.grid;
      });
    return h(
      'li',
      { class: 'hot', 'data-grid': f.properties.grid },
      h('span', { class: 'hot-rank' }, String(i + 1)),
      h('span', { class: 'hot-what' }, place, h('span', { class: 'hot-family' }, familyName(cat, f.properties.family))),
      h('span', { class: 'hot-count' }, formatNumber(f.properties.tickets), h('small', {}, ` ${s.tickets}`)),
      f.properties.open ? h('span', { class: 'hot-open' }, `${formatNumber(f.properties.open)} ${s.open}`) : h('span', {}),
    );
  });
  replace(host, h('ol', { class: 'hot-list' }, ...rows));
  return top.length;
}
