/**
 * The lesson's words, in the order and wording of the teaching deck (../shared/seed/
 * lstm-deck.zh-TW.md): its section 1 (why LSTM), the core idea and the three gates of its
 * illustrated walk-through (section 3) with the equations of section 2, and its closing
 * "Demo code". The Traditional Chinese is the deck's own text where the deck has one; the
 * English follows the deck's English summary. {u} and similar placeholders are filled by
 * the lesson with live values.
 */
import type { Lang } from '../../src/index.js';
import { fillVars } from './i18n.js';

export interface StepText {
  title: string;
  /** Paragraphs, in order. */
  body: string[];
}

export const LESSON_STEPS: Record<Lang, StepText[]> = {
  en: [
    {
      title: 'Why LSTM: a plain RNN forgets',
      body: [
        'All recurrent neural networks have the form of a chain of repeating modules. In a standard RNN the repeating module has a very simple structure: a single tanh layer (left).',
        'A plain RNN has a clear weakness: it cannot capture the relation between steps that are far apart. Its gradients explode or vanish exponentially with the recurrent weights (the vanishing gradient problem).',
        'LSTM can learn long-term dependencies: instead of a single tanh layer it has four layers that interact in a special way (right).',
        'Set the distance T and watch how much of a loss at the last step reaches each earlier step, ‖∂L/∂hₜ‖, for the untrained RNN and LSTM drawn above (same size, same random input; the LSTM\'s forget-gate bias is 1).',
      ],
    },
    {
      title: 'The key idea: the memory cell is a conveyor belt',
      body: [
        'The key to LSTM is the cell state, the horizontal line running through the top of the diagram. The cell state is like a conveyor belt: it runs straight down the entire chain with only a few small linear interactions, so it is easy for information to flow along it unchanged.',
        'LSTM adds a memory cell of the same shape as the hidden state (some texts treat it as a special kind of hidden state) to record extra information.',
        'This LSTM was trained on the adding problem: 30 numbers, two of them marked (steps 5 and 19), and the answer is their sum. Move through time and watch unit {u}\'s memory cell: it jumps at the marked steps and is carried along the belt in between.',
      ],
    },
    {
      title: 'The forget gate',
      body: [
        'Acts on: the cell state. Role: selectively forget information in the cell state.',
        'The forget gate reads hₜ₋₁ and xₜ and outputs a number between 0 and 1 for each number in the cell state Cₜ₋₁: 1 means "keep this completely", 0 means "drop this completely".',
        'Every gate takes the current input Xₜ and the previous hidden state Hₜ₋₁; its output comes from a fully connected layer with the sigmoid activation.',
      ],
    },
    {
      title: 'The input gate and the candidate memory cell',
      body: [
        'Acts on: the cell state. Role: selectively record new information into the cell state.',
        'Step 1: a sigmoid layer, the "input gate layer", decides which values will be updated.',
        'Step 2: a tanh layer creates a vector of new candidate values C̃ₜ that could be added to the state. The candidate memory cell is computed like the three gates, but with tanh, whose values lie in [−1, 1].',
        'At the marked steps (5 and 19) unit {u}\'s input gate opens and its candidate is large; elsewhere the gate stays almost shut.',
      ],
    },
    {
      title: 'Updating the memory cell',
      body: [
        'Step 3: update the old cell state Cₜ₋₁ into the new cell state Cₜ. Multiply the old state by fₜ, dropping what we decided to drop, then add iₜ ⊙ C̃ₜ: the new candidate values, scaled by how much we decided to update each entry.',
        'The forget gate controls whether the information in the previous memory cell Cₜ₋₁ passes to the current step; the input gate controls how the current input Xₜ flows into the memory cell through the candidate C̃ₜ. If the forget gate stays near 1 and the input gate near 0, the past memory cell is kept through time and passed on to the current step. This design copes with the vanishing gradient problem of recurrent networks and captures dependencies between steps far apart.',
      ],
    },
    {
      title: 'The output gate and the hidden state',
      body: [
        'Acts on: the hidden state hₜ. Role: decide what to output.',
        'Step 1: a sigmoid layer decides which parts of the cell state will be output.',
        'Step 2: the cell state goes through tanh and is multiplied by the output of the sigmoid gate, so that only the parts we decided to output are output.',
        'When the output gate is near 1, the memory cell\'s information passes to the hidden state for the output layer to use; when it is near 0, the memory cell keeps its information to itself.',
      ],
    },
    {
      title: 'Demo: watch a gate learn',
      body: [
        'The deck ends with "Demo code". Here it is, running in your browser: an LSTM of 12 units starts from random weights and learns the adding problem (512 sequences of 30 numbers, two of them marked, the target their sum; always answering 1 scores a loss of about 0.17).',
        'Press Train. After a few hundred batches the loss falls and one unit\'s input gate starts to open at the marked steps (columns 5 and 19 of the input-gate map) while its forget gate stays near 1 in between: that unit stores the marked values and carries them to the end, where the output layer adds them up.',
        'The same code, run for {epochs} epochs, trained the model of steps 2 to 6 (scripts/gen-lesson-model.ts).',
      ],
    },
  ],
  'zh-TW': [
    {
      title: 'LSTM 簡介：RNN 為什麼會遺忘',
      body: [
        '所有 RNN 都具有一種重覆神經網絡模塊的鏈式的形式。在標準的 RNN 中，這個重覆的模塊只有一個非常簡單的結構，例如一個 tanh 層（左圖）。',
        '之前提過的RNN有個明確的缺點，無法捕捉長期時間（當序列的距離太大）之間的關聯。簡單的 RNN 結構無法處理隨著遞歸權重指數級爆炸或消失的問題（Vanishing gradient problem）。',
        'LSTM 的特色是能夠學習長距離的依賴關係（Long-Term Dependencies），它不同於 RNN 有個單一的神經網絡層（tanh），而是有四個層，以特別的方式進行溝通（右圖）。',
        '調整距離 T，觀察最後時間步的損失能傳回每個較早時間步多少，即 ‖∂L/∂hₜ‖：上面兩個未訓練的 RNN 和 LSTM 大小相同、輸入相同的隨機序列；LSTM 的遺忘門偏置為 1。',
      ],
    },
    {
      title: '核心思想：記憶細胞是傳送帶',
      body: [
        'LSTM 的關鍵就是細胞狀態，水平線在圖上方貫穿運行。細胞狀態類似於傳送帶。直接在整個鏈上運行，只有一些少量的線性交互。信息在上面流傳保持不變會很容易。',
        'LSTM 引入了與隱藏狀態形狀相同的記憶細胞（某些文獻把記憶細胞當成一種特殊的隱藏狀態），從而記錄額外的信息。',
        '這個 LSTM 已在加法問題上訓練：30 個數字，其中兩個被標記（時間步 5 和 19），答案是它們的和。沿時間移動，觀察單元 {u} 的記憶細胞：它在標記的時間步跳動，其餘時間沿傳送帶傳遞下去。',
      ],
    },
    {
      title: '遺忘門',
      body: [
        '作用對象：細胞狀態。作用：將細胞狀態中的信息選擇性的遺忘。',
        '操作步驟：該門會讀取 ℎₜ₋₁ 和 𝑥ₜ，輸出一個在 0 到 1 之間的數值給每個在細胞狀態 𝐶ₜ₋₁ 中的數字。1 表示“完全保留”，0 表示“完全舍棄”。',
        '長短期記憶的門的輸入均為當前時間步輸入 𝑿ₜ 與上一時間步隱藏狀態 𝑯ₜ₋₁，輸出由激活函數為sigmoid函數的全連接層計算得到。',
      ],
    },
    {
      title: '輸入門與候選記憶細胞',
      body: [
        '作用對象：細胞狀態。作用：將新的信息選擇性的記錄到細胞狀態中。',
        '步驟1.sigmoid 層稱 “輸入門層” 決定什麽值我們將要更新。',
        '步驟2.tanh 層創建一個新的候選值向量 𝐶̃ₜ 加入到狀態中。候選記憶細胞的計算與上面介紹的3個門類似，但使用了值域在[−1,1]的tanh函數作為激活函數。',
        '在標記的時間步（5 和 19），單元 {u} 的輸入門打開，候選記憶細胞也很大；其他時間步輸入門幾乎關閉。',
      ],
    },
    {
      title: '記憶細胞的更新',
      body: [
        '步驟3：將 𝑐ₜ₋₁ 更新為 𝑐ₜ。將舊狀態與 𝑓ₜ 相乘，丟棄掉我們確定需要丟棄的信息。接著加上 𝑖ₜ∗𝐶̃ₜ 得到新的候選值，根據我們決定更新每個狀態的程度進行變化。',
        '遺忘門控制上一時間步的記憶細胞 𝑪ₜ₋₁ 中的信息是否傳遞到當前時間步，而輸入門則控制當前時間步的輸入 𝑿ₜ 通過候選記憶細胞 𝑪̃ₜ 如何流入當前時間步的記憶細胞。如果遺忘門一直近似1且輸入門一直近似0，過去的記憶細胞將一直通過時間保存並傳遞至當前時間步。這個設計可以應對循環神經網絡中的梯度衰減問題，並更好地捕捉時間序列中時間步距離較大的依賴關系。',
      ],
    },
    {
      title: '輸出門與隱藏狀態',
      body: [
        '作用對象：隱層 ℎₜ。作用：確定輸出什麽值。',
        '步驟一：通過sigmoid 層來確定細胞狀態的哪個部分將輸出。',
        '步驟二：把細胞狀態通過 tanh 進行處理，並將它和 sigmoid 門的輸出相乘，最終我們僅僅會輸出我們確定輸出的那部分。',
        '要注意的是，當輸出門近似1時，記憶細胞信息將傳遞到隱藏狀態供輸出層使用；當輸出門近似0時，記憶細胞信息只自己保留。',
      ],
    },
    {
      title: 'Demo：看一個門學會一件事',
      body: [
        '簡報的最後一節是「Demo code」。這裡就是在瀏覽器中執行的示範：一個 12 個單元的 LSTM 從隨機權重開始學習加法問題（512 個由 30 個數字組成的序列，其中兩個被標記，目標是它們的和；總是回答 1 的損失約為 0.17）。',
        '按下「訓練」。幾百個批次之後，損失下降，某個單元的輸入門開始在標記的時間步打開（輸入門熱圖的第 5 和第 19 欄），而它的遺忘門在其間保持接近 1：這個單元把標記的值存進記憶細胞，傳送到最後，再由輸出層把它們加起來。',
        '同樣的程式碼訓練 {epochs} 個訓練輪次，就得到第 2 到 6 步的模型（scripts/gen-lesson-model.ts）。',
      ],
    },
  ],
};

/** The lesson's controls and readouts. */
export const LESSON_UI = {
  en: {
    heading: 'Lesson: LSTM, following the deck',
    back: 'Back',
    next: 'Next',
    position: 'Step {n} of {all}',
    stepsNav: 'Lesson steps',
    keys: '← → keys (or the buttons) move between steps; the time-step slider takes the arrow keys when focused.',
    distance: 'Distance T',
    reach: 'How much of a loss at step {T} reaches step 1, ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖:',
    reachChart: '{cell}: ‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖',
    equations: 'The equations (the deck\'s section 2)',
    biasNote: 'b = b_ih + b_hh: PyTorch keeps two biases per gate, the deck one.',
    markerUnit: 'Unit {u}: input gate {a} at the marked steps, {b} elsewhere; forget gate {f} elsewhere.',
    beltChart: 'Unit {u}: memory cell cₜ over time (marked steps dotted)',
    untrained: 'untrained',
    trainFirst: 'Press Train to start from random weights.',
  },
  'zh-TW': {
    heading: '課程：跟著簡報學 LSTM',
    back: '上一步',
    next: '下一步',
    position: '第 {n} 步，共 {all} 步',
    stepsNav: '課程步驟',
    keys: '用 ← → 鍵（或按鈕）切換步驟；時間步滑桿取得焦點後可用方向鍵。',
    distance: '距離 T',
    reach: '時間步 {T} 的損失傳回時間步 1 的比例 ‖∂L/∂h₁‖ / ‖∂L/∂h_T‖：',
    reachChart: '{cell}：‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖',
    equations: '公式（簡報第 2 節）',
    biasNote: 'b = b_ih + b_hh：PyTorch 每個門有兩個偏置，簡報只寫一個。',
    markerUnit: '單元 {u}：輸入門在標記的時間步為 {a}，其他時間步為 {b}；遺忘門在其他時間步為 {f}。',
    beltChart: '單元 {u}：記憶細胞 𝑐ₜ 隨時間的變化（虛線為標記的時間步）',
    untrained: '未訓練',
    trainFirst: '按下「訓練」，從隨機權重開始。',
  },
} as const;

export type LessonUiKey = keyof (typeof LESSON_UI)['en'];

export function lessonUi(lang: Lang, key: LessonUiKey, vars: Record<string, string | number> = {}): string {
  return fillVars(LESSON_UI[lang][key], vars);
}
