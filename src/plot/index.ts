/** SVG charts: line charts and the axis helpers other charts reuse. */
export { lineChart, PALETTE, type LineChartOptions, type LineSeries } from './line.js';
export { forecastChart, type ForecastChartOptions } from './forecast.js';
export { niceTicks, niceDomain, linearScale, formatTick, escapeXml, axesSvg, type Frame } from './axes.js';
export { heatmap, type HeatmapOptions } from './heatmap.js';
export { cellDiagram, type CellDiagramOptions, type CellStep, type CellLabels } from './cell-diagram.js';
export { forgetBars, type ForgetBarsOptions } from './forget-bars.js';
export { sequentialScale, divergingScale, colorBar, type ColorScale } from './color.js';
export { FONT_STACK } from './fonts.js';
