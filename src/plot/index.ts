/** SVG charts: line charts and the axis helpers other charts reuse. */
export { lineChart, PALETTE, type LineChartOptions, type LineSeries } from './line.js';
export { forecastChart, type ForecastChartOptions } from './forecast.js';
export { niceTicks, niceDomain, linearScale, formatTick, escapeXml, axesSvg, type Frame } from './axes.js';
export { heatmap, type HeatmapOptions } from './heatmap.js';
export { cellDiagram, type CellDiagramOptions, type CellStep, type CellLabels, type DiagramOptions } from './cell-diagram.js';
export { gruDiagram, type GruDiagramOptions, type GruStep, type GruLabels } from './gru-diagram.js';
export { rnnDiagram, type RnnDiagramOptions, type RnnStep, type RnnLabels } from './rnn-diagram.js';
export { fmt2 } from './diagram-parts.js';
export { forgetBars, type ForgetBarsOptions } from './forget-bars.js';
export { sequentialScale, divergingScale, colorBar, type ColorScale } from './color.js';
export { FONT_STACK } from './fonts.js';
