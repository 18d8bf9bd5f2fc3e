/**
 * The page's words in English and Traditional Chinese. The LSTM's parts and the explanations
 * come from the library's TERMS (the deck's own wording, shared with `lstm inspect`); this
 * file adds the page's controls. Elements carry data-i18n="key" and are filled by applyLang;
 * the lesson's own text is in lesson-text.ts.
 */
import { TERMS, type Lang, type Terms } from '../../src/index.js';

const UI = {
  en: {
    title: 'LSTM explorer',
    subtitle: 'Watch the gates of a long short-term memory network work, step by step, as it learns.',
    langButton: '繁體中文',
    lessonLink: 'Lesson',
    exploreLink: 'Explore freely',
    cellHeading: 'The LSTM cell',
    gruHeading: 'The GRU cell',
    rnnHeading: 'The plain RNN cell',
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
    cell: 'Cell',
    taskSine: 'sine wave: predict the next value',
    taskAdding: 'adding problem: sum the two marked values',
    taskNames: 'character names: predict the next letter',
    taskFile: 'your model',
    train: 'Train',
    stop: 'Stop',
    lossNow: 'loss',
    steps: 'batches',
    kernels: 'kernels',
    lossChart: 'Loss while training (log scale)',
    batch: 'batch',
    smoothed: 'smoothed',
    heatmapsHeading: 'Gates over time',
    fileHeading: 'Your own model',
    dropHint: 'Drop a .safetensors model file saved by the lstm command line here, or choose one.',
    chooseFile: 'Choose a model file…',
    noFile: 'No file chosen',
    loaded: 'Loaded',
    deckHeading: 'What the gates do',
    gradHeading: 'Gradients over time: why LSTM',
    gradHint: 'How much a loss on the last step reaches back to each earlier step: this model against an untrained plain RNN and LSTM of the same size.',
    valuesCaption: 'Values at time step {t}, unit {u}',
    quantity: 'quantity',
    symbol: 'symbol',
    value: 'value',
    prediction: 'The network predicts',
    predNext: 'next value: {p}',
    predNextTrue: 'next value: {p} (the sine continues with {y})',
    predSum: 'sum of the marked values: {p} (true sum {y})',
    predSumNoMarks: 'sum of the marked values: {p} (mark two values with * to compare)',
    predLetter: 'next letter after “{c}”: {top}',
    predLetterTrue: 'next letter after “{c}”: {top}; the text goes on with “{n}”',
    predClass: 'class: {top}',
    predForecast: 'next {h} value(s), in the model\'s scaled units: {p}',
    readsOutput: 'The output layer reads h at the last step.',
    unitRange: 'Unit {v} does not exist: this layer has units 0 to {max}; showing unit {u}.',
    cutSteps: 'Showing the first {n} of {all} steps (the page traces at most {n}).',
    cutChars: 'Showing the first {n} of {all} characters (the page traces at most {n}).',
    fileLm: 'a language model: probed with text it wrote itself ({n} characters)',
    fileClassifier: 'a text classifier: probed with words from its vocabulary',
    fileForecast: 'a forecasting model of “{col}”, lookback {k}: probed with a seasonal window of {k} steps in its scaled units (type your own scaled values to probe it on real data)',
    fileOther: 'probed with a sine wave of {k} steps',
    parameters: 'parameters',
  },
  'zh-TW': {
    title: 'LSTM 探索器',
    subtitle: '一步一步觀察長短期記憶網絡的門如何運作，以及它如何學習。',
    langButton: 'English',
    lessonLink: '課程',
    exploreLink: '自由探索',
    cellHeading: 'LSTM 記憶細胞',
    gruHeading: 'GRU 單元',
    rnnHeading: '標準 RNN 單元',
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
    cell: '單元類型',
    taskSine: '正弦波：預測下一個值',
    taskAdding: '加法問題：兩個標記值的和',
    taskNames: '英文名字：預測下一個字母',
    taskFile: '你的模型',
    train: '訓練',
    stop: '停止',
    lossNow: '損失',
    steps: '批次',
    kernels: '核心運算',
    lossChart: '訓練中的損失（對數尺度）',
    batch: '批次',
    smoothed: '平滑',
    heatmapsHeading: '各個門隨時間的變化',
    fileHeading: '你自己的模型',
    dropHint: '把 lstm 命令列儲存的 .safetensors 模型檔案拖放到這裡，或選擇一個檔案。',
    chooseFile: '選擇模型檔案…',
    noFile: '尚未選擇檔案',
    loaded: '已載入',
    deckHeading: '各個門的作用',
    gradHeading: '梯度隨時間的變化：為什麼用 LSTM',
    gradHint: '最後時間步的損失能傳回每個較早時間步多少：本模型與同樣大小、未訓練的 RNN 和 LSTM 比較。',
    valuesCaption: '時間步 {t}、單元 {u} 的數值',
    quantity: '量',
    symbol: '符號',
    value: '數值',
    prediction: '網絡的預測',
    predNext: '下一個值：{p}',
    predNextTrue: '下一個值：{p}（正弦波接下來是 {y}）',
    predSum: '兩個標記值的和：{p}（真正的和 {y}）',
    predSumNoMarks: '兩個標記值的和：{p}（用 * 標記兩個值即可比較）',
    predLetter: '「{c}」之後的下一個字母：{top}',
    predLetterTrue: '「{c}」之後的下一個字母：{top}；文字接下來是「{n}」',
    predClass: '類別：{top}',
    predForecast: '接下來 {h} 個值（模型的標準化單位）：{p}',
    readsOutput: '輸出層讀取最後時間步的隱藏狀態 h。',
    unitRange: '沒有單元 {v}：這一層的單元是 0 到 {max}；顯示單元 {u}。',
    cutSteps: '只顯示 {all} 個時間步中的前 {n} 個（頁面最多追蹤 {n} 個）。',
    cutChars: '只顯示 {all} 個字元中的前 {n} 個（頁面最多追蹤 {n} 個）。',
    fileLm: '語言模型：用它自己寫出的文字探測（{n} 個字元）',
    fileClassifier: '文字分類模型：用它詞彙表中的詞探測',
    fileForecast: '「{col}」的預測模型，回看 {k} 步：用標準化單位中 {k} 步的季節性窗口探測（輸入你自己的標準化數值即可用真實資料探測）',
    fileOther: '用 {k} 步的正弦波探測',
    parameters: '個參數',
  },
} as const;

export type UiKey = keyof (typeof UI)['en'];

/** `template` with its {name} placeholders filled from `vars` (unknown names stay as they are). */
export function fillVars(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** A UI string, with {name} placeholders filled from `vars`. */
export function ui(lang: Lang, key: UiKey, vars: Record<string, string | number> = {}): string {
  return fillVars(UI[lang][key], vars);
}

export function terms(lang: Lang): Terms {
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
