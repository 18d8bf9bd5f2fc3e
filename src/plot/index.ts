/** SVG charts: line charts and the axis helpers other charts reuse. */
export { lineChart, PALETTE, type LineChartOptions, type LineSeries } from './line.js';
export { niceTicks, niceDomain, linearScale, formatTick, escapeXml, axesSvg, type Frame } from './axes.js';
