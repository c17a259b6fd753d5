// How a feature's properties read in each language: titles for every property of every
// layer (after the server's LayerSchema; its queryables give the Chinese titles of the
// queryable ones only), and English names for the twin's Chinese catalogue values.

import { CATALOGUE_EN } from './catalogue.gen';
import { formatNumber, lang } from './i18n';

type Titles = Record<string, [zh: string, en: string]>;

const UNIT: Titles = {
  code: ['编码', 'Code'],
  name: ['名称', 'Name'],
  parent_code: ['上级编码', 'Parent code'],
  area_km2: ['面积(平方公里)', 'Area (km²)'],
};

const GRID_CODE: Titles = { grid_code: ['所属网格', 'Grid'] };

export const PROPERTY_TITLES: Record<string, Titles> = {
  district: UNIT,
  streets: UNIT,
  communities: UNIT,
  grids: UNIT,
  buildings: {
    name: ['名称', 'Name'],
    address: ['地址', 'Address'],
    use: ['用途', 'Use'],
    height_m: ['高度(米)', 'Height (m)'],
    floors: ['层数', 'Floors'],
    completed: ['竣工日期', 'Completed'],
    ...GRID_CODE,
  },
  components: {
    category: ['部件小类代码', 'Category code'],
    category_name: ['部件名称', 'Component'],
    class_name: ['部件大类', 'Class'],
    owner_unit: ['权属单位', 'Owner'],
    status: ['状态', 'Status'],
    installed: ['设置日期', 'Installed'],
    ...GRID_CODE,
  },
  pipes: {
    network: ['管网类别', 'Network'],
    diameter_mm: ['管径(毫米)', 'Diameter (mm)'],
    material: ['材质', 'Material'],
    length_m: ['长度(米)', 'Length (m)'],
    depth_m: ['埋深(米)', 'Depth (m)'],
    laid: ['敷设日期', 'Laid'],
    owner_unit: ['权属单位', 'Owner'],
    ...GRID_CODE,
  },
  cameras: {
    gb_id: ['国标编码', 'GB/T 28181 ID'],
    name: ['名称', 'Name'],
    kind: ['类型', 'Kind'],
    resolution: ['分辨率', 'Resolution'],
    status: ['状态', 'Status'],
    installed: ['安装日期', 'Installed'],
    ...GRID_CODE,
  },
  devices: {
    device_type: ['设备类型', 'Device type'],
    vendor: ['厂商', 'Vendor'],
    model: ['型号', 'Model'],
    serial: ['序列号', 'Serial number'],
    status: ['状态', 'Status'],
    installed: ['安装日期', 'Installed'],
    ...GRID_CODE,
  },
  roads: {
    name: ['道路名称', 'Road'],
    class: ['道路等级', 'Class'],
    width_m: ['路幅宽度(米)', 'Width (m)'],
    ...GRID_CODE,
  },
  water: { name: ['名称', 'Name'], kind: ['类型', 'Kind'], ...GRID_CODE },
  parks: { name: ['名称', 'Name'], kind: ['类型', 'Kind'], ...GRID_CODE },
  landmarks: {
    name: ['名称', 'Name'],
    kind: ['类型', 'Kind'],
    address: ['地址', 'Address'],
    ...GRID_CODE,
  },
};

/** English names of the catalogue values the generator and the simulator write. */
const VALUES_EN: Record<string, string> = {
  ...CATALOGUE_EN,
  // basemap kinds and classes
  主干道: 'Arterial road',
  支路: 'Local road',
  河流: 'River',
  湖泊: 'Lake',
  水库: 'Reservoir',
  海湾: 'Bay',
  城市公园: 'City park',
  湿地公园: 'Wetland park',
  郊野公园: 'Country park',
  山体公园: 'Hill park',
  体育公园: 'Sports park',
  政务: 'Civic',
  广场: 'Square',
  会展: 'Exhibition',
  商务: 'Business',
  文化: 'Culture',
  交通: 'Transport',
  口岸: 'Border crossing',
  观景: 'Viewpoint',
  // building uses
  住宅: 'Residential',
  商业: 'Commercial',
  办公: 'Office',
  商住混合: 'Mixed commercial-residential',
  工业: 'Industrial',
  教育: 'Education',
  医疗: 'Healthcare',
  公共服务: 'Public service',
  酒店: 'Hotel',
  // component classes
  公用设施: 'Public utilities',
  道路交通: 'Roads and traffic',
  市容环境: 'Streetscape',
  园林绿化: 'Parks and greenery',
  房屋土地: 'Buildings and land',
  其他设施: 'Other facilities',
  扩展部件: 'Extended components',
  // statuses
  完好: 'Intact',
  破损: 'Damaged',
  维修中: 'Under repair',
  丢失: 'Missing',
  在线: 'Online',
  离线: 'Offline',
  故障: 'Faulty',
  // camera kinds
  枪机: 'Bullet camera',
  球机: 'Dome PTZ camera',
  半球: 'Mini dome',
  人脸卡口: 'Face checkpoint',
  车辆卡口: 'Vehicle checkpoint',
  高空瞭望: 'High-point lookout',
  // device types
  烟感探测器: 'Smoke detector',
  可燃气体探测器: 'Gas detector',
  智能电表: 'Smart electricity meter',
  智能水表: 'Smart water meter',
  井盖位移传感器: 'Manhole cover sensor',
  水位监测仪: 'Water level monitor',
  空气质量监测仪: 'Air quality monitor',
  噪声监测仪: 'Noise monitor',
  电气火灾监测器: 'Electrical fire monitor',
  消防水压监测: 'Fire main pressure monitor',
  门磁传感器: 'Door contact sensor',
  电梯运行监测: 'Lift monitor',
  环境温湿度传感器: 'Temperature and humidity sensor',
  智能路灯控制器: 'Smart street light controller',
  垃圾满溢传感器: 'Bin fill sensor',
  边坡位移监测: 'Slope displacement monitor',
  桥梁结构监测: 'Bridge structure monitor',
  地磁车位检测器: 'Parking bay sensor',
  人员密度感知器: 'Crowd density sensor',
  高空抛物监测: 'Falling object monitor',
};

/** The title of a property in the current language; unknown ones show their name. */
export function propertyTitle(layer: string, name: string, serverTitle?: string): string {
  const pair = PROPERTY_TITLES[layer]?.[name];
  if (pair) return lang() === 'zh' ? pair[0] : pair[1];
  return (lang() === 'zh' && serverTitle) || name;
}

/** The order properties are listed in: the schema's, then anything the server adds. */
export function propertyOrder(layer: string, present: string[]): string[] {
  const known = Object.keys(PROPERTY_TITLES[layer] ?? {});
  return [...known.filter((k) => present.includes(k)), ...present.filter((k) => !known.includes(k))];
}

/** A value as it should read: numbers grouped, catalogue values translated in English. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'number') return formatNumber(v, 2);
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  const s = String(v);
  if (lang() === 'en' && VALUES_EN[s]) return VALUES_EN[s];
  return s;
}

/** A catalogue value in the current language (for legends and lists). */
export function valueName(s: string): string {
  return lang() === 'en' ? (VALUES_EN[s] ?? s) : s;
}

/** True when a value came back masked to the reader's entitlement (e.g. `SN****23`). */
export function looksMasked(v: unknown): boolean {
  return typeof v === 'string' && /\*{2,}/.test(v);
}
