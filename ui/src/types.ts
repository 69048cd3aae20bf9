// The shapes the shell sends, mirroring the engine's stable JSON schemas (README:
// "ask --json schema", "search --json schema") and src-tauri's Status and Settings.

export interface Span {
  start: number;
  end: number;
}

export type SentenceStatus = "verified" | "quoted" | "unverified" | "uncited" | "off_topic";

export interface AnswerSentence {
  text: string;
  citations: number[];
  status: SentenceStatus;
  reason: string | null;
  support: number | null;
  related: boolean;
}

export interface Passage {
  chunk_id: string;
  drug: string;
  drug_slug: string;
  library: string;
  section: string;
  section_path: string[];
  section_kind: string;
  source: string;
  span: Span;
  text: string;
}

export interface Source extends Passage {
  n: number;
}

export interface ResolvedDrug {
  slug: string;
  title: string;
  matched: string;
  how: "generic" | "brand" | "fuzzy";
  is_banned: boolean;
  library?: string;
}

export type Notice =
  | { kind: "emergency" }
  | { kind: "banned"; drug: string }
  | { kind: "not_in_library"; names: string[] }
  | { kind: "unverified"; count: number }
  | { kind: "no_model" }
  | { kind: "question_too_long" }
  | { kind: "disclaimer" };

export type NoticeKind = Notice["kind"];

export type Coverage =
  | { kind: "covered" }
  | { kind: "not_covered"; drugs: string[]; asked: string[] }
  | { kind: "pair_not_linked"; first: string; second: string };

export interface Candidate {
  slug: string;
  title: string;
  library: string;
}

export interface Clarification {
  matched: string;
  name: string;
  candidates: Candidate[];
}

export type Abstention = { kind: "no_monograph"; names: string[] } | { kind: "nothing_relevant" };

export interface ProfileLink {
  drug_slug: string;
  library?: string;
  title: string;
}

export interface OtherQuestions {
  drug_slug: string;
  title: string;
  questions: string[];
}

export interface Timings {
  retrieval_ms: number;
  first_token_ms: number | null;
  total_ms: number;
  prompt_tokens: number;
  generated_tokens: number;
  tokens_per_second: number;
}

export interface Answer {
  question: string;
  status: "generated" | "extractive" | "abstained" | "clarification";
  question_type: string;
  coverage: Coverage;
  clarification: Clarification | null;
  abstention: Abstention | null;
  sentences: AnswerSentence[];
  dropped: AnswerSentence[];
  sources: Source[];
  drugs: ResolvedDrug[];
  carried_over: boolean;
  profiles: ProfileLink[];
  other_questions: OtherQuestions[];
  notices: Notice[];
  timings: Timings;
  model: string | null;
}

export interface Hit extends Passage {
  rank: number;
  score: number;
  similarity: number;
}

export interface SearchResults {
  query: string;
  drugs: ResolvedDrug[];
  no_matching_drug: boolean;
  unknown_drugs: string[];
  intents: string[];
  hits: Hit[];
}

export interface DrugSummary {
  slug: string;
  title: string;
  synonyms: string[];
  library: string;
  is_banned: boolean;
  description: string;
  labels?: number;
}

export interface BlockView {
  text: string;
  span: Span;
}

export interface SectionView {
  heading: string;
  kind: string;
  level: number;
  anchor: string;
  span: Span;
  blocks: BlockView[];
  children: SectionView[];
}

export interface LabelSource {
  set_id: string;
  version: string;
  effective_date: string;
  source_file: string;
  title?: string;
}

export interface Faq {
  question: string;
  answer: string;
}

export interface MonographView {
  slug: string;
  title: string;
  library: string;
  is_banned: boolean;
  synonyms: string[];
  description: string;
  last_modified?: string | null;
  labels?: LabelSource[];
  source: string;
  sections: SectionView[];
  faqs: Faq[];
}

export interface LibraryInfo {
  name: string;
  kind: "bundled" | "imported";
  drugs: number;
  chunks: number;
  documents?: number;
}

export interface ProgressInfo {
  task: string;
  stage: string;
  done: number;
  total: number;
}

export interface Status {
  phase: "starting" | "indexing" | "loading_model" | "ready" | "failed";
  index_ready: boolean;
  /** While indexing: no index existed (first run), rather than checking an existing one. */
  first_index_build: boolean;
  drugs: number;
  chunks: number;
  index_error: string | null;
  progress: ProgressInfo | null;
  model: string | null;
  model_loading: boolean;
  model_error: string | null;
  data_dir: string;
  models_dir: string;
  corpus_dir: string;
  timings: {
    engine_open_ms: number | null;
    index_ms: number | null;
    model_load_ms: number | null;
    ready_ms: number | null;
  };
}

export type ModelChoice = { kind: "bundled" } | { kind: "file"; path: string };
export type AnswerLength = "short" | "medium" | "long";
export type Theme = "system" | "light" | "dark";

export interface Settings {
  model: ModelChoice;
  answer_length: AnswerLength;
  show_unverified: boolean;
  theme: Theme;
}

export type AskEvent = { event: "started" } | { event: "draft"; text: string };

export interface AppError {
  kind: "invalid" | "not_ready" | "cancelled" | "engine" | "io" | string;
  message: string;
}

export interface ImportReport {
  library: string;
  records: number;
  labels_added: number;
  labels_updated: number;
  labels_unchanged: number;
  labels_older: number;
  skipped: { place: string; reason: string }[];
  unmapped_sections: Record<string, number>;
  labels: number;
  drugs: number;
  build: { files: number; drugs: number; chunks: number; embedded_chunks: number; reused_chunks: number } | null;
}
