/**
 * The names of the LSTM's parts in English and in Traditional Chinese, in the teaching deck's
 * own wording (輸入門, 遺忘門, 輸出門, 候選記憶細胞, 記憶細胞, 隱藏狀態; the cell state as a
 * 傳送帶, conveyor belt). The report and the explorer page both take their labels from here.
 */
import type { CellLabels } from '../plot/cell-diagram.js';

export type Lang = 'en' | 'zh-TW';

export interface Terms extends CellLabels {
  reset: string;
  update: string;
  newGate: string;
  timeStep: string;
  units: string;
  inputSeq: string;
  gradNorm: string;
  loss: string;
  valLoss: string;
  epoch: string;
}

export const TERMS: Record<Lang, Terms> = {
  en: {
    input: 'input gate', forget: 'forget gate', output: 'output gate', candidate: 'candidate memory cell',
    cell: 'memory cell', hidden: 'hidden state', conveyor: 'cell state: the conveyor belt', unit: 'unit',
    reset: 'reset gate', update: 'update gate', newGate: 'candidate state',
    timeStep: 'time step', units: 'unit', inputSeq: 'input', gradNorm: 'gradient norm ‖∂L/∂hₜ‖',
    loss: 'training loss', valLoss: 'validation loss', epoch: 'epoch',
  },
  'zh-TW': {
    input: '輸入門', forget: '遺忘門', output: '輸出門', candidate: '候選記憶細胞',
    cell: '記憶細胞', hidden: '隱藏狀態', conveyor: '細胞狀態：傳送帶', unit: '單元',
    reset: '重置門', update: '更新門', newGate: '候選隱藏狀態',
    timeStep: '時間步', units: '單元', inputSeq: '輸入', gradNorm: '梯度範數 ‖∂L/∂hₜ‖',
    loss: '訓練損失', valLoss: '驗證損失', epoch: '訓練輪次',
  },
};
