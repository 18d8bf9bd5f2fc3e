/** Tracing: per-step gate, cell and hidden values and gradient norms of recurrent layers, and the terms inside each gate. */
export {
  trace, findRecurrent, unitsOverTime, GATE_NAMES,
  type Trace, type TraceOptions, type TraceLossFn, type DirectionTrace, type GateName,
} from './trace.js';
export { gateTerms, type GateTerms, type GateTermsAt } from './gate-terms.js';
