/**
 * The page's words in English and Traditional Chinese. The LSTM's parts and the explanations
 * come from the library's TERMS (the deck's own wording, shared with `lstm inspect`); this
 * file adds the page's controls. Elements carry data-i18n="key" and are filled by applyLang.
 */
import { TERMS, type Lang } from '../../src/index.js';

const UI = {
  en: {
    title: 'LSTM explorer',
    subtitle: 'Watch the gates of a long short-term memory network work, step by step, as it learns.',
    langButton: '繁體中文',
    cellHeading: 'The LSTM cell',
    step: 'Time step',
    unit: 'Unit',
    play: 'Play',
    pause: 'Pause',
    keysHint: '← → keys step through the sequence.',
    inputHeading: 'Input sequence',
    inputHint: 'Numbers separated by spaces (adding problem: a * marks a value), or text for the names task.',
    apply: 'Show',
    trainHeading: 'Training',
    task: 'Task',
    taskSine: 'sine wave: predict the next value',
    taskAdding: 'adding problem: sum the two marked values',
    taskNames: 'character names: predict the next letter',
    train: 'Train',
    stop: 'Stop',
    lossNow: 'loss',
    steps: 'batches',
    kernels: 'kernels',
    lossChart: 'Loss while training',
    batch: 'batch',
    smoothed: 'smoothed',
    heatmapsHeading: 'Gates over time',
    fileHeading: 'Your own model',
    dropHint: 'Drop a .safetensors model file saved by the lstm command line here, or choose one.',
    loaded: 'Loaded',
    noLstm: 'This model has no LSTM layer: the cell diagram is for LSTM cells; the heatmaps show its gates.',
    deckHeading: 'What the gates do',
    gradHeading: 'Gradients over time: why LSTM',
    gradHint: 'How much a loss on the last step reaches back to each earlier step: this model against an untrained plain RNN and LSTM of the same size.',
  },
  'zh-TW': {
    title: 'LSTM 探索器',
    subtitle: '一步一步觀察長短期記憶網絡的門如何運作，以及它如何學習。',
    langButton: 'English',
    cellHeading: 'LSTM 記憶細胞',
    step: '時間步',
    unit: '單元',
    play: '播放',
    pause: '暫停',
    keysHint: '用 ← → 鍵逐個時間步移動。',
    inputHeading: '輸入序列',
    inputHint: '以空格分隔的數字（加法問題：在數值後加 * 表示標記），或名字任務的文字。',
    apply: '顯示',
    trainHeading: '訓練',
    task: '任務',
    taskSine: '正弦波：預測下一個值',
    taskAdding: '加法問題：兩個標記值的和',
    taskNames: '英文名字：預測下一個字母',
    train: '訓練',
    stop: '停止',
    lossNow: '損失',
    steps: '批次',
    kernels: '核心運算',
    lossChart: '訓練中的損失',
    batch: '批次',
    smoothed: '平滑',
    heatmapsHeading: '各個門隨時間的變化',
    fileHeading: '你自己的模型',
    dropHint: '把 lstm 命令列儲存的 .safetensors 模型檔案拖放到這裡，或選擇一個檔案。',
    loaded: '已載入',
    noLstm: '這個模型沒有 LSTM 層：記憶細胞圖只適用於 LSTM；熱圖顯示它的門。',
    deckHeading: '各個門的作用',
    gradHeading: '梯度隨時間的變化：為什麼用 LSTM',
    gradHint: '最後時間步的損失能傳回每個較早時間步多少：本模型與同樣大小、未訓練的 RNN 和 LSTM 比較。',
  },
} as const;

export type UiKey = keyof (typeof UI)['en'];

export function ui(lang: Lang, key: UiKey): string {
  return UI[lang][key];
}

export function terms(lang: Lang) {
  return TERMS[lang];
}

/** Fill every [data-i18n] element under `root` and set the document language. */
export function applyLang(root: ParentNode, lang: Lang): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    const key = el.dataset.i18n as UiKey;
    if (key in UI[lang]) el.textContent = UI[lang][key];
  }
  document.documentElement.lang = lang;
}
