// The browser twin at `/`: composes the map, the panels, sign-in and the live channel.
// Each piece lives in its own module; this file only wires them together.

import './styles/base.css';
import './styles/panels.css';
import './styles/controls.css';
import './styles/tickets.css';

import type { Map as MapLibreMap } from 'maplibre-gl';
import { CHILD_LEVEL, LAYER_OF, type Area } from './areas';
import { lang, setLang, t } from './i18n';
import { connectLive, throttlePerKey } from './live';
import { createMap, markHovered, markSelected, webglAvailable } from './map/map';
import { ADMIN_LAYERS, buildStyle, TWIN_LAYERS, type TwinLayer } from './map/style';
import { loadTilesets, refreshLayerTiles, tileVersion } from './map/tilesets';
import { attachInteractions, fitArea, flyToFeature, highlightArea } from './map/interactions';
import { onSessionChange, restoreSession, session } from './session';
import { mountAccount } from './ui/account';
import { currentArea, goToArea, mountAreaPanel, refreshArea } from './ui/areaPanel';
import { closeDetails, detailsState, featureChanged, mountDetails, showDetails } from './ui/details';
import { byId } from './ui/dom';
import { mountLayerPanel, showLayerGroup } from './ui/layerPanel';
import { mountLiveIndicator, noteChange, setLiveState } from './ui/liveIndicator';
import { mountSearch } from './ui/search';
import { mountShell } from './ui/shell';
import { notify, notifyError } from './ui/toast';
import { watchMapErrors } from './map/errors';
import { setAreaLabels } from './map/labels';
import { addTicketsLayer, claimTicketClick, refreshTickets, ticketsLayerState, ticketUnder } from './map/ticketsLayer';
import { mountNav } from './ui/nav';
import { alarmsState, refreshAlarms, watchAlarms, type Alarm } from './alarms';
import { mountAlarmPanel } from './ui/alarmPanel';
import { deviceAlarmState, paintDeviceAlarms } from './map/deviceAlarms';

declare global {
  interface Window {
    /** The map, for tests and for curious people at the console. */
    __map?: MapLibreMap;
    /** Test hook: the page's state and a few of its actions. */
    __citymirror?: Record<string, unknown>;
  }
}

function isTwinLayer(l: string): l is TwinLayer {
  return (TWIN_LAYERS as readonly string[]).includes(l);
}

function isAdminLayer(l: string): boolean {
  return (ADMIN_LAYERS as readonly string[]).includes(l);
}

async function boot(): Promise<void> {
  mountShell(() => setLang(lang() === 'zh' ? 'en' : 'zh'));
  mountNav('map');
  mountAccount();
  mountLiveIndicator();

  let map: MapLibreMap | null = null;
  // The first area shown is fitted at once (no flight from the starting view).
  let firstView = true;
  const hook: Record<string, unknown> = {
    ready: false,
    goToArea,
    showDetails,
    closeDetails,
    detailsState,
    currentArea,
    tileVersion,
    session,
    setLang,
    ticketsLayerState,
    alarms: alarmsState,
    deviceAlarm: (id: number) => (map ? deviceAlarmState(map, id) : null),
  };
  window.__citymirror = hook;

  mountAreaPanel({
    onArea(area: Area, fit: boolean) {
      if (!map) return;
      highlightArea(map, area);
      setAreaLabels(map, area);
      if (fit && area.bbox) fitArea(map, area.bbox, 17, firstView ? 0 : 1200);
      firstView = false;
    },
  });
  mountDetails({
    onSelect(sel) {
      if (map) markSelected(map, sel && isTwinLayer(sel.layer) ? { layer: sel.layer, id: Number(sel.id) } : null);
    },
    onLocate(bbox) {
      if (map) fitArea(map, bbox, 18);
    },
    onArea(code) {
      void goToArea(code, { quiet: true });
    },
  });
  // A click on an alarm: the device, shown with its details (the devices layer is
  // switched on, since a reader who never asked for it would otherwise see nothing there).
  const alarmPanel = mountAlarmPanel({
    onAlarm(a: Alarm) {
      if (map) {
        showLayerGroup('devices');
        flyToFeature(map, [a.lon, a.lat]);
      }
      void showDetails('devices', a.device);
    },
  });
  mountSearch((r) => {
    // An area found by name is drilled into; anything else is shown and described.
    if (isAdminLayer(r.layer) && r.grid_code) {
      void goToArea(r.grid_code, { quiet: true });
      return;
    }
    void showDetails(r.layer, r.id);
    if (map) flyToFeature(map, r.center);
  });

  if (webglAvailable()) {
    const { sources, failed } = await loadTilesets();
    if (failed.length) notify(t().errorMap, 'error', 10000);
    map = createMap(byId('map'), buildStyle(sources));
    window.__map = map;
    hook.map = map;
    hook.mapErrors = watchMapErrors(map);
    attachInteractions(map, {
      onFeature: (layer, id) => void showDetails(layer, id),
      onDrill: (code) => void goToArea(code, { quiet: true }),
      onEmpty: () => closeDetails(),
      current: currentArea,
      childLayer: () => {
        const a = currentArea();
        const child = a && CHILD_LEVEL[a.level];
        return child ? LAYER_OF[child] : null;
      },
      hover: (f) => markHovered(map!, f),
      claim: (e) => claimTicketClick(map!, e),
      over: (e) => ticketUnder(map!, e),
    });
    await new Promise<void>((resolve) => map!.once('load', () => resolve()));
    addTicketsLayer(map);
    mountLayerPanel(map);
  } else {
    byId('map').append(Object.assign(document.createElement('p'), { className: 'notice pad', textContent: t().errorWebgl }));
  }

  // Open sensor alarms (staff only): one poll feeds the panel and the devices' colours.
  watchAlarms((v) => {
    alarmPanel.update(v);
    if (map) paintDeviceAlarms(map, v.state === 'shown' || v.state === 'failed' ? (v.list?.alarms ?? []) : []);
  });

  // Who is reading decides what the page shows: a governed area opens on that area, and
  // everyone else on the whole district, fitted to the screen.
  const open = async () => {
    const j = session()?.jurisdiction;
    await goToArea(j ?? undefined, { fit: true, quiet: true });
  };
  try {
    await restoreSession();
  } catch (e) {
    notifyError(e);
  }
  await open();
  if (map) await refreshTickets(map);
  onSessionChange(() => {
    void open();
    if (map) void refreshTickets(map);
    const d = detailsState();
    // What may be seen of a feature changed with the reader: load it again.
    if (d.state === 'shown' && d.layer && d.id !== undefined) void showDetails(d.layer, d.id, { live: true });
  });

  const refreshTiles = throttlePerKey((layer) => {
    if (map && isTwinLayer(layer)) refreshLayerTiles(map, layer);
  }, 1500);
  const refreshFigures = throttlePerKey(() => void refreshArea(), 3000);
  // A burst of ticket changes (a batch, the timer sweep) becomes one reload of the layer.
  const reloadTickets = throttlePerKey(() => {
    if (map) void refreshTickets(map);
  }, 1500);
  // A sensor alarm is filed as a ticket within a second or two: a ticket event is the cue
  // to ask for the alarms again (their ticket numbers) without waiting for the next poll.
  const reloadAlarms = throttlePerKey(() => refreshAlarms(), 3000);
  connectLive({
    onState: setLiveState,
    onResync() {
      if (map) for (const l of TWIN_LAYERS) refreshTiles(l);
      refreshFigures('area');
      reloadTickets('tickets');
      reloadAlarms('alarms');
      const d = detailsState();
      if (d.state === 'shown' && d.layer && d.id !== undefined) void showDetails(d.layer, d.id, { live: true });
    },
    onTicket() {
      reloadTickets('tickets');
      reloadAlarms('alarms');
    },
    onFeature(e) {
      noteChange(e);
      refreshTiles(e.layer);
      featureChanged(e.layer, e.id, e.kind);
      refreshFigures('area');
    },
  });

  hook.ready = true;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  notifyError(e);
  document.body.dataset.ready = 'error';
});
