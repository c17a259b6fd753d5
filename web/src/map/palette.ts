// The control-room palette: one place for every colour the map draws with, so the map,
// the legend in the layer panel and the CSS agree.

export const palette = {
  background: '#070d18',
  land: '#0c1626',
  districtLine: '#38bdf8',
  districtGlow: '#0ea5e9',
  streetLine: '#60a5fa',
  communityLine: '#3b82f6',
  gridLine: '#1e40af',
  highlight: '#fbbf24',
  areaLit: '#132a4c',
  hover: '#38bdf8',
  label: '#cbd5e1',
  labelHalo: '#070d18',
  buildingLow: '#15305a',
  buildingMid: '#2563eb',
  buildingHigh: '#7dd3fc',
  buildingTop: '#e0f2fe',
  selected: '#fbbf24',
  camera: '#c084fc',
  device: '#fbbf24',
  offline: '#64748b',
  fault: '#ef4444',
  // A device with an open sensor alarm (ringed, so it reads at any zoom), and one that
  // has gone silent.
  deviceAlarm: '#ff3b3b',
  deviceAlarmRing: '#fecaca',
  deviceSilent: '#64748b',
  // The basemap: quiet, so the district's own layers stay in front.
  water: '#1b5d9c',
  waterLabel: '#7dd3fc',
  park: '#154a3a',
  road: '#1f2f47',
  arterial: '#35507a',
  roadLabel: '#94a3b8',
  landmark: '#f9a8d4',
};

/** Pipe networks by colour, after the usual utility colour conventions. */
export const pipeColours: Record<string, string> = {
  给水: '#38bdf8',
  排水: '#34d399',
  污水: '#a16207',
  燃气: '#facc15',
  电力: '#f87171',
  通信: '#a78bfa',
};

/** Component statuses by colour: intact is quiet, anything else draws the eye. */
export const componentStatusColours: Record<string, string> = {
  完好: '#2dd4bf',
  破损: '#fb923c',
  维修中: '#facc15',
  丢失: '#ef4444',
};

/** Ticket statuses by colour: the map's tickets layer and the pages' status chips
 * (`styles/tickets.css` repeats them as `--st-*`). Waiting is violet, in hand is blue to
 * teal, on site amber, resolved green, closed grey; overdue is a red ring on top. */
export const ticketStatusColours: Record<string, string> = {
  triage: '#a78bfa',
  dispatched: '#38bdf8',
  accepted: '#60a5fa',
  contacted: '#2dd4bf',
  'on-site': '#fbbf24',
  resolved: '#34d399',
  closed: '#64748b',
};

export const overdueRing = '#ef4444';
