// Every string the page shows, in Chinese (the default) and English. The chosen language
// is remembered in localStorage; views re-render on `onLanguageChange`. The request
// loop's pages keep their strings in `tickets/strings.ts`, merged in here.

import { ticketStrings } from './tickets/strings';

export type Lang = 'zh' | 'en';

const twinZh = {
  appTitle: '福镜 · 福田数字孪生',
  appSubtitle: '一屏看尽 · 福田区',
  langToggle: 'EN',
  langToggleTitle: 'Switch to English',
  // sign-in
  signIn: '登录',
  signOut: '退出',
  signInTitle: '登录福镜',
  username: '用户名',
  password: '密码',
  cancel: '取消',
  signingIn: '正在登录…',
  signedInAs: '当前用户',
  guest: '访客（公开数据）',
  jurisdiction: '管辖范围',
  wholeDistrict: '全区',
  demoHint:
    '演示账号：admin、supervisor、analyst、consumer、handler、street、community、grid、13800138000（市民），密码均为 Futian@2026',
  roleNames: {
    citizen: '市民',
    'grid-worker': '网格员',
    'community-staff': '社区工作人员',
    'street-staff': '街道工作人员',
    'department-handler': '部门处置人员',
    supervisor: '督办人员',
    'district-admin': '区管理员',
    'data-analyst': '数据分析员',
    'external-consumer': '外部数据使用方',
    'open311-client': 'Open311客户端',
  } as Record<string, string>,
  // layers
  layers: '图层',
  layerBuildings: '建筑（三维）',
  layerStreets: '街道边界',
  layerCommunities: '社区边界',
  layerGrids: '网格边界',
  layerPipes: '地下管线',
  layerComponents: '城市部件',
  layerCameras: '视频监控',
  layerDevices: '物联感知设备',
  layerLabels: '地名标注',
  layerBasemap: '底图（道路、水系、绿地）',
  layerLandmarks: '地标',
  buildingHeight: '建筑高度',
  fromZoom: (z: number) => `${z}级起`,
  // search
  searchPlaceholder: '搜索建筑名称或地址',
  searchNoResults: '没有找到匹配的结果',
  searching: '正在搜索…',
  // areas
  area: '区域',
  levelDistrict: '区',
  levelStreet: '街道',
  levelCommunity: '社区',
  levelGrid: '网格',
  children: { street: '下辖街道', community: '下辖社区', grid: '下辖网格' } as Record<string, string>,
  noChildren: '这是最小的管理单元',
  countBuildings: '建筑',
  countComponents: '部件',
  countDevices: '设备',
  countCameras: '视频',
  countPipes: '管线',
  countPeople: '人口',
  hidden: '无权查看',
  backUp: '返回上级',
  fitArea: '定位到本区域',
  showOnMap: '在地图上定位',
  readingsTitle: '最近 24 小时读数',
  readingsNone: '该设备没有数据流',
  readingsEmpty: '最近 24 小时没有读数',
  // sensor alarms (the operator's panel, the devices' colours)
  alarmsTitle: '设备告警',
  alarmsNone: '辖区内暂无未恢复的设备告警',
  alarmsFailed: '告警暂时无法加载，稍后自动重试',
  alarmsMore: (n: number) => `另有 ${n} 条未列出`,
  alarmConditions: { threshold: '越限', rate: '突变', silence: '失联', geofence: '越界' } as Record<string, string>,
  alarmGrid: '网格',
  alarmTicket: '工单',
  alarmNoTicket: '待立案',
  alarmOpenTicket: (n: string) => `在工作台打开工单 ${n}`,
  alarmShow: '在地图上定位该设备并查看详情',
  ago: (n: number, unit: 'now' | 'm' | 'h' | 'd') =>
    unit === 'now' ? '刚刚' : `${n} ${{ m: '分钟', h: '小时', d: '天' }[unit]}前`,
  deviceLegend: '物联设备状态',
  deviceNormal: '正常',
  deviceInAlarm: '告警',
  deviceSilent: '失联',
  // details
  details: '详情',
  close: '关闭',
  featureId: '编号',
  noValue: '—',
  masked: '已脱敏',
  loading: '正在加载…',
  featureGone: '该要素已被删除',
  updatedLive: '已实时更新',
  layerTitles: {
    district: '区',
    streets: '街道',
    communities: '社区',
    grids: '网格',
    buildings: '建筑',
    components: '城市部件',
    pipes: '地下管线',
    cameras: '视频监控',
    devices: '物联感知设备',
    roads: '道路',
    water: '水系',
    parks: '公园绿地',
    landmarks: '地标',
  } as Record<string, string>,
  // live
  live: '实时',
  liveConnecting: '连接中',
  liveOffline: '离线',
  liveTitle: '实时数据通道',
  lastChange: '最近变化',
  changeKinds: { created: '新增', updated: '更新', replaced: '更新', deleted: '删除' } as Record<string, string>,
  // errors
  errorNetwork: '无法连接服务器，请检查网络后重试。',
  errorServer: '服务器暂时无法处理请求，请稍后再试。',
  errorNotFound: '未找到该对象，或不在您的权限范围内。',
  errorUnauthenticated: '请先登录。',
  errorForbidden: '您没有权限执行该操作。',
  errorCredentials: '用户名或密码不正确。',
  errorThrottled: '尝试次数过多，请稍后再试。',
  errorMap: '地图数据加载失败，部分图层可能无法显示。',
  errorWebgl: '您的浏览器不支持 WebGL，无法显示三维地图。',
  dismiss: '知道了',
  retry: '重试',
  // misc
  zoomLevel: '缩放',
  pitchToggle: '2D / 3D',
  resetView: '复位视角',
  panel: '面板',
};

const zh = { ...twinZh, ...ticketStrings.zh };
type Strings = typeof zh;

const twinEn: typeof twinZh = {
  appTitle: 'CityMirror · Futian Twin',
  appSubtitle: 'The whole district on one screen',
  langToggle: '中文',
  langToggleTitle: '切换到中文',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Sign in to CityMirror',
  username: 'User name',
  password: 'Password',
  cancel: 'Cancel',
  signingIn: 'Signing in…',
  signedInAs: 'Signed in',
  guest: 'Guest (public data)',
  jurisdiction: 'Jurisdiction',
  wholeDistrict: 'Whole district',
  demoHint:
    'Demo logins: admin, supervisor, analyst, consumer, handler, street, community, grid, 13800138000 (citizen); password Futian@2026',
  roleNames: {
    citizen: 'Citizen',
    'grid-worker': 'Grid worker',
    'community-staff': 'Community staff',
    'street-staff': 'Street staff',
    'department-handler': 'Department handler',
    supervisor: 'Supervisor',
    'district-admin': 'District admin',
    'data-analyst': 'Data analyst',
    'external-consumer': 'External data consumer',
    'open311-client': 'Open311 client',
  },
  layers: 'Layers',
  layerBuildings: 'Buildings (3D)',
  layerStreets: 'Street boundaries',
  layerCommunities: 'Community boundaries',
  layerGrids: 'Grid boundaries',
  layerPipes: 'Underground pipes',
  layerComponents: 'City components',
  layerCameras: 'Cameras',
  layerDevices: 'IoT devices',
  layerLabels: 'Place names',
  layerBasemap: 'Basemap (roads, water, parks)',
  layerLandmarks: 'Landmarks',
  buildingHeight: 'Building height',
  fromZoom: (z: number) => `zoom ${z}+`,
  searchPlaceholder: 'Search building names or addresses',
  searchNoResults: 'Nothing matches',
  searching: 'Searching…',
  area: 'Area',
  levelDistrict: 'District',
  levelStreet: 'Street',
  levelCommunity: 'Community',
  levelGrid: 'Grid',
  children: { street: 'Streets', community: 'Communities', grid: 'Grids' },
  noChildren: 'This is the smallest unit of governance',
  countBuildings: 'Buildings',
  countComponents: 'Components',
  countDevices: 'Devices',
  countCameras: 'Cameras',
  countPipes: 'Pipes',
  countPeople: 'People',
  hidden: 'restricted',
  backUp: 'Up one level',
  fitArea: 'Show this area',
  showOnMap: 'Show on map',
  readingsTitle: 'Readings, last 24 hours',
  readingsNone: 'This device has no datastreams',
  readingsEmpty: 'No readings in the last 24 hours',
  alarmsTitle: 'Device alarms',
  alarmsNone: 'No open device alarms in your area',
  alarmsFailed: 'Alarms cannot be loaded just now; trying again shortly',
  alarmsMore: (n: number) => `${n} more not listed`,
  alarmConditions: { threshold: 'limit', rate: 'jump', silence: 'silent', geofence: 'moved' },
  alarmGrid: 'Grid',
  alarmTicket: 'Ticket',
  alarmNoTicket: 'no ticket yet',
  alarmOpenTicket: (n: string) => `Open ticket ${n} in the workbench`,
  alarmShow: 'Show this device on the map with its details',
  ago: (n: number, unit: 'now' | 'm' | 'h' | 'd') =>
    unit === 'now' ? 'just now' : `${n} ${{ m: 'min', h: 'h', d: n === 1 ? 'day' : 'days' }[unit]} ago`,
  deviceLegend: 'IoT device state',
  deviceNormal: 'normal',
  deviceInAlarm: 'alarm',
  deviceSilent: 'silent',
  details: 'Details',
  close: 'Close',
  featureId: 'ID',
  noValue: '—',
  masked: 'masked',
  loading: 'Loading…',
  featureGone: 'This feature has been deleted',
  updatedLive: 'Updated live',
  layerTitles: {
    district: 'District',
    streets: 'Street',
    communities: 'Community',
    grids: 'Grid',
    buildings: 'Building',
    components: 'City component',
    pipes: 'Pipe',
    cameras: 'Camera',
    devices: 'IoT device',
    roads: 'Road',
    water: 'Water',
    parks: 'Park',
    landmarks: 'Landmark',
  },
  live: 'Live',
  liveConnecting: 'Connecting',
  liveOffline: 'Offline',
  liveTitle: 'Live data channel',
  lastChange: 'Last change',
  changeKinds: { created: 'created', updated: 'updated', replaced: 'updated', deleted: 'deleted' },
  errorNetwork: 'Cannot reach the server. Check the connection and try again.',
  errorServer: 'The server cannot handle the request just now. Please try again later.',
  errorNotFound: 'Not found, or outside your jurisdiction.',
  errorUnauthenticated: 'Please sign in first.',
  errorForbidden: 'You are not allowed to do that.',
  errorCredentials: 'Wrong user name or password.',
  errorThrottled: 'Too many attempts. Please wait a moment.',
  errorMap: 'Some map data could not be loaded; a few layers may be missing.',
  errorWebgl: 'This browser has no WebGL, so the 3D map cannot be shown.',
  dismiss: 'OK',
  retry: 'Try again',
  zoomLevel: 'Zoom',
  pitchToggle: '2D / 3D',
  resetView: 'Reset view',
  panel: 'Panel',
};

const en: Strings = { ...twinEn, ...ticketStrings.en };

const STORAGE_KEY = 'citymirror.lang';
const tables: Record<Lang, Strings> = { zh, en };

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    // Storage may be off (private mode); Chinese is the default anyway.
  }
  return 'zh';
}

let current: Lang = initialLang();
const listeners: Array<(lang: Lang) => void> = [];

/** The strings of the current language. */
export function t(): Strings {
  return tables[current];
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, but still switched.
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const f of listeners) f(next);
}

/** Calls `f` now and whenever the language changes. */
export function onLanguageChange(f: (lang: Lang) => void): void {
  listeners.push(f);
}

/** A number in the current locale's grouping (12,345 / 12,345). */
export function formatNumber(n: number, digits = 0): string {
  return n.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-US', {
    maximumFractionDigits: digits,
  });
}

document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
