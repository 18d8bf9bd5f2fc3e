/**
 * The demo registry: every demo in the order RESULTS.md lists them. `lstm demo NAME`, the
 * `demo:NAME` npm scripts and scripts/results.mjs all find demos here.
 */
import type { Demo } from './runner.js';
import { addingDemo } from './adding.js';
import { airlineDemo } from './airline.js';
import { pm25Demo } from './pm25.js';
import { charlmDemo } from './charlm.js';
import { spamDemo } from './spam.js';
import { backtestDemo } from './backtest.js';

export const DEMOS: Demo[] = [addingDemo, airlineDemo, pm25Demo, charlmDemo, spamDemo, backtestDemo];

export { demoCommand, runDemo, formatResult, formatTable, machine, type Demo, type DemoResult } from './runner.js';
