/** Reports: the `lstm inspect` HTML page and its SVG plots, and the deck's terms in English and 繁體中文. */
export { inspectReport, cellStep, otherStep, stepDiagram, diagramTips, gradientChart, tokenAt, type Report, type ReportOptions } from './report.js';
export { inspectInput, storedHistory, type InspectInput, type InspectInputOptions } from './input.js';
export { TERMS, type Lang, type Terms } from './terms.js';
