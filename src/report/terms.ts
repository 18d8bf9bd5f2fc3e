/**
 * The names of the LSTM's parts in English and in Traditional Chinese, in the teaching deck's
 * own wording (輸入門, 遺忘門, 輸出門, 候選記憶細胞, 記憶細胞, 隱藏狀態; the cell state as a
 * 傳送帶, conveyor belt). The report and the explorer page both take their labels from here.
 */
import type { CellLabels } from '../plot/cell-diagram.js';
import type { GruLabels } from '../plot/gru-diagram.js';
import type { RnnLabels } from '../plot/rnn-diagram.js';

export type Lang = 'en' | 'zh-TW';

export interface Terms extends CellLabels, GruLabels, RnnLabels {
  reset: string;
  update: string;
  newGate: string;
  tanhLayer: string;
  noBelt: string;
  keyGate: string;
  keyValue: string;
  /** The forget-gate chart's axis for f_t. */
  forgetAxis: string;
  timeStep: string;
  units: string;
  inputSeq: string;
  gradNorm: string;
  loss: string;
  valLoss: string;
  epoch: string;
  thisModel: string;
  untrained: string;
  forgetBias1: string;
  forgetTitle: string;
  module: string;
  cellType: string;
  layer: string;
  reverse: string;
  kept: string;
  oldMemory: string;
  /** Section explanations, in the deck's words. */
  explain: {
    forget: string; input: string; candidate: string; output: string; cell: string; hidden: string;
    gradient: string; trajectories: string; diagram: string; loss: string;
    reset: string; update: string; newGate: string; rnn: string;
  };
}

export const TERMS: Record<Lang, Terms> = {
  en: {
    input: 'input gate', forget: 'forget gate', output: 'output gate', candidate: 'candidate memory cell',
    cell: 'memory cell', hidden: 'hidden state', conveyor: 'cell state: the conveyor belt', unit: 'unit',
    reset: 'reset gate', update: 'update gate', newGate: 'candidate state',
    tanhLayer: 'tanh layer', noBelt: 'no memory cell: everything passes the one tanh layer', keyGate: 'gates', keyValue: 'values',
    forgetAxis: 'fₜ (1 keep, 0 drop)',
    timeStep: 'time step', units: 'unit', inputSeq: 'input', gradNorm: 'gradient norm ‖∂L/∂hₜ‖',
    loss: 'training loss', valLoss: 'validation loss', epoch: 'epoch',
    thisModel: 'this model', untrained: 'untrained', forgetBias1: 'forget bias 1',
    forgetTitle: 'Forget gate: what it keeps of the memory, unit by unit',
    module: 'module', cellType: 'cell', layer: 'layer', reverse: 'reverse',
    kept: 'fₜ ⊙ cₜ₋₁: kept', oldMemory: 'cₜ₋₁: old memory',
    explain: {
      forget: 'The forget gate reads h₍ₜ₋₁₎ and xₜ and outputs a number between 0 and 1 for each entry of the cell state Cₜ₋₁: 1 means "keep this completely", 0 means "drop this completely".',
      input: 'The input gate, a sigmoid layer, decides which values will be updated.',
      candidate: 'A tanh layer creates a vector of new candidate values C̃ₜ, in [−1, 1], that could be added to the state.',
      output: 'The output gate, a sigmoid layer, decides which parts of the cell state will be output.',
      cell: 'The memory cell Cₜ = Fₜ ⊙ Cₜ₋₁ + Iₜ ⊙ C̃ₜ. The cell state is like a conveyor belt: it runs straight down the whole chain with only a few small linear interactions, so information easily flows along it unchanged.',
      hidden: 'Hₜ = Oₜ ⊙ tanh(Cₜ). When the output gate is near 1 the cell\'s information reaches the output layer; near 0 it stays inside the cell.',
      gradient: 'A plain RNN cannot handle gradients that explode or vanish exponentially with the recurrent weights (the vanishing gradient problem). If the forget gate stays near 1 and the input gate near 0, the past memory cell is kept through time, so gradients survive long distances. Each curve is ‖∂L/∂hₜ‖ for a loss on the last step only, divided by its value at the last step.',
      trajectories: 'The memory cell of the most active units (largest |cₜ|) over time.',
      diagram: 'One time step of the cell, with the values of one unit on each gate and state.',
      loss: 'The loss recorded while the model was trained.',
      reset: 'The reset gate, a sigmoid layer, decides how much of the previous hidden state goes into the candidate state.',
      update: 'The update gate, a sigmoid layer, decides how much of the previous hidden state is kept (z near 1) and how much is replaced by the candidate (z near 0).',
      newGate: 'A tanh layer makes the candidate state from xₜ and the reset part of hₜ₋₁, in [−1, 1].',
      rnn: 'In a standard RNN the repeating module has a very simple structure: a single tanh layer. hₜ = tanh(xₜ W_xh + hₜ₋₁ W_hh + b_h).',
    },
  },
  'zh-TW': {
    input: '輸入門', forget: '遺忘門', output: '輸出門', candidate: '候選記憶細胞',
    cell: '記憶細胞', hidden: '隱藏狀態', conveyor: '細胞狀態：傳送帶', unit: '單元',
    reset: '重置門', update: '更新門', newGate: '候選隱藏狀態',
    tanhLayer: 'tanh 層', noBelt: '沒有記憶細胞：一切都經過同一個 tanh 層', keyGate: '門', keyValue: '數值',
    forgetAxis: 'fₜ（1 完全保留，0 完全舍棄）',
    timeStep: '時間步', units: '單元', inputSeq: '輸入', gradNorm: '梯度範數 ‖∂L/∂hₜ‖',
    loss: '訓練損失', valLoss: '驗證損失', epoch: '訓練輪次',
    thisModel: '本模型', untrained: '未訓練', forgetBias1: '遺忘門偏置 1',
    forgetTitle: '遺忘門：每個單元保留多少記憶細胞',
    module: '模組', cellType: '類型', layer: '層', reverse: '反向',
    kept: 'fₜ ⊙ 𝐶ₜ₋₁：保留', oldMemory: '𝐶ₜ₋₁：舊的記憶細胞',
    explain: {
      forget: '遺忘門會讀取 ℎₜ₋₁ 和 𝑥ₜ，輸出一個在 0 到 1 之間的數值給每個在細胞狀態 𝐶ₜ₋₁ 中的數字。1 表示「完全保留」，0 表示「完全舍棄」。',
      input: '輸入門：sigmoid 層稱「輸入門層」決定什麼值我們將要更新。',
      candidate: 'tanh 層創建一個新的候選值向量 𝐶̃ₜ 加入到狀態中；候選記憶細胞使用了值域在[−1,1]的tanh函數作為激活函數。',
      output: '輸出門：通過 sigmoid 層來確定細胞狀態的哪個部分將輸出。',
      cell: '記憶細胞 𝑪ₜ = 𝑭ₜ ⊙ 𝑪ₜ₋₁ + 𝑰ₜ ⊙ 𝑪̃ₜ。細胞狀態類似於傳送帶，直接在整個鏈上運行，只有一些少量的線性交互。信息在上面流傳保持不變會很容易。',
      hidden: '𝑯ₜ = 𝑶ₜ ⊙ tanh(𝑪ₜ)。當輸出門近似1時，記憶細胞信息將傳遞到隱藏狀態供輸出層使用；當輸出門近似0時，記憶細胞信息只自己保留。',
      gradient: '簡單的 RNN 結構無法處理隨著遞歸權重指數級爆炸或消失的問題（Vanishing gradient problem）。如果遺忘門一直近似1且輸入門一直近似0，過去的記憶細胞將一直通過時間保存並傳遞至當前時間步。每條曲線是只在最後時間步計算損失時的 ‖∂L/∂hₜ‖，除以它在最後時間步的值。',
      trajectories: '最活躍的單元（|𝑐ₜ| 最大）的記憶細胞隨時間的變化。',
      diagram: '記憶細胞在一個時間步的計算，每個門和狀態上標出一個單元的數值。',
      loss: '模型訓練時記錄的損失。',
      reset: '重置門：sigmoid 層決定上一時間步的隱藏狀態有多少進入候選隱藏狀態。',
      update: '更新門：sigmoid 層決定保留多少上一時間步的隱藏狀態（z 近似1），又有多少由候選隱藏狀態取代（z 近似0）。',
      newGate: 'tanh 層由 𝑥ₜ 和經重置門處理的 ℎₜ₋₁ 創建候選隱藏狀態，值域在[−1,1]。',
      rnn: '在標準的 RNN 中，這個重覆的模塊只有一個非常簡單的結構，例如一個 tanh 層：ℎₜ = tanh(𝑥ₜ W_xh + ℎₜ₋₁ W_hh + b_h)。',
    },
  },
};
