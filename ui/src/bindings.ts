// Generated from the Rust types by ts-rs (src-tauri/src/bindings.rs). Do not edit:
// change the Rust types, then run
//   UPDATE_BINDINGS=1 cargo test -p drugchatter-app --test bindings

/**
 * Why an answer gives no facts. Clients word it.
 */
export type Abstention =
  | { "kind": "no_monograph", names: Array<string>, }
  | { "kind": "nothing_relevant" };

/**
 * Stable JSON schema (see README).
 */
export type Answer = {
  question: string,
  status: AnswerStatus,
  /**
   * What kind of answer the question wants.
   */
  question_type: QuestionType,
  /**
   * Whether the library states what was asked. When it does not, the sentences are
   * related facts (marked `related`), never the answer.
   */
  coverage: Coverage,
  /**
   * With status `clarification`: the medicines the question may mean.
   */
  clarification: Clarification | null,
  /**
   * Why an abstained answer gives no facts; `None` otherwise.
   */
  abstention: Abstention | null,
  /**
   * The shown sentences, in order.
   */
  sentences: Array<AnswerSentence>,
  /**
   * Sentences the model wrote that failed verification and are not shown as fact.
   */
  dropped: Array<AnswerSentence>,
  /**
   * The numbered passages the answer may cite: `[1]` is `sources[0]`.
   */
  sources: Array<Source>,
  drugs: Array<ResolvedDrug>,
  /**
   * True when the question named no drug and the previous turn's drugs were used.
   */
  carried_over: boolean,
  /**
   * The profile of each drug the answer is about.
   */
  profiles: Array<ProfileLink>,
  /**
   * The drug classes the question named, each with a class page (`Engine::drug_class`).
   */
  classes: Array<string>,
  /**
   * Each drug's FAQ questions, offered as other questions about it.
   */
  other_questions: Array<OtherQuestions>,
  /**
   * Emergency first, the disclaimer last.
   */
  notices: Array<Notice>,
  timings: Timings,
  /**
   * The generator's file name, or null when no model wrote this answer.
   */
  model: string | null,
};

export type AnswerLength = "short" | "medium" | "long";

export type AnswerSentence = {
  /**
   * Without citation markers.
   */
  text: string,
  citations: Array<number>,
  status: SentenceStatus,
  /**
   * Why a sentence failed.
   */
  reason: string | null,
  /**
   * Best similarity to a sentence of the cited passages.
   */
  support: number | null,
  /**
   * A fact near the question, shown because the library lacks the answer itself.
   */
  related: boolean,
};

export type AnswerStatus = "generated" | "extractive" | "abstained" | "clarification";

export type AppError = {
  /**
   * `invalid` (a bad argument), `not_ready` (still starting), `cancelled`, `engine`, `io`.
   */
  kind: string,
  message: string,
};

/**
 * What an ask streams before its answer is returned.
 */
export type AskEvent =
  | { "event": "started" }
  | { "event": "draft", text: string, }
  | { "event": "verified", sentence: AnswerSentence, };

export type BlockView = {
  text: string,
  span: Span,
};

/**
 * What a build did.
 */
export type BuildReport = {
  library: string,
  files: number,
  drugs: number,
  chunks: number,
  /**
   * Chunks the embedder read in this build; the rest took a vector from the previous
   * generation, the build's cache or the vectors stored with the corpus.
   */
  embedded_chunks: number,
  reused_chunks: number,
  failures: Array<FileFailure>,
  /**
   * False when the corpus and model were unchanged and the live index was kept as it was.
   */
  rebuilt: boolean,
  elapsed: { secs: number, nanos: number },
  index_dir: string,
};

export type Candidate = {
  slug: string,
  title: string,
  library: string,
};

/**
 * Which medicine a question means, when its name is shared.
 */
export type Clarification = {
  /**
   * The words of the question that named several medicines: "insulin".
   */
  matched: string,
  /**
   * What they name: "insulins".
   */
  name: string,
  candidates: Array<Candidate>,
};

/**
 * A class's page.
 */
export type ClassPage = {
  name: string,
  /**
   * The members in every library, sorted by title.
   */
  members: Array<DrugSummary>,
  /**
   * Medicines and classes that two or more members' interaction lists name.
   */
  interactions: Array<SharedFact>,
  /**
   * Contraindications, boxed and other warnings, and serious side effects that two or
   * more members state alike.
   */
  warnings: Array<SharedFact>,
};

/**
 * A class as a list of classes shows it.
 */
export type ClassSummary = {
  /**
   * How answers name it: "ACE inhibitors".
   */
  name: string,
  members: number,
};

/**
 * Whether the library states what the question asks.
 */
export type Coverage =
  | { "kind": "covered" }
  | { "kind": "not_covered", drugs: Array<string>, asked: Array<string>, }
  | { "kind": "pair_not_linked", first: string, second: string, };

/**
 * A drug as a list or an autocomplete shows it.
 */
export type DrugSummary = {
  slug: string,
  title: string,
  synonyms: Array<string>,
  library: string,
  is_banned: boolean,
  description: string,
  /**
   * FDA labels behind an imported drug (0 for a bundled monograph).
   */
  labels: number,
  /**
   * A bundled monograph: whether its facts were checked against an FDA label.
   */
  reviewed: boolean,
};

export type EntryState = "done" | "cancelled" | "error";

/**
 * What is exported; it names the file the dialog suggests.
 */
export type ExportKind = "answer" | "conversation";

/**
 * One frequently asked question, cleaned of markdown and of the seed's answer-in-question quirk.
 */
export type Faq = {
  question: string,
  answer: string,
};

/**
 * A file that could not be read or parsed, with where and why.
 */
export type FileFailure = {
  path: string,
  line: number,
  message: string,
};

/**
 * What the UI lists: every saved conversation, the least recently used first, and why the
 * saved file could not be read at start, if it could not.
 */
export type HistoryView = {
  conversations: Array<StoredConversation>,
  problem: string | null,
};

export type Hit = {
  rank: number,
  /**
   * Fused score: higher is better; comparable within one result list only.
   */
  score: number,
  /**
   * Cosine similarity between question and passage.
   */
  similarity: number,
  vector_rank: number | null,
  lexical_rank: number | null,
  chunk_id: string,
  drug: string,
  drug_slug: string,
  library: string,
  section: string,
  section_path: Array<string>,
  section_kind: SectionKind,
  /**
   * Source file (relative to its library folder) and the passage's byte range in it.
   */
  source: string,
  span: Span,
  text: string,
  /**
   * For imported material: the FDA label the passage quotes.
   */
  label?: LabelSource,
};

export type ImportReport = {
  library: string,
  /**
   * Label records read from the inputs.
   */
  records: number,
  labels_added: number,
  /**
   * A newer version of a label already in the library replaced it.
   */
  labels_updated: number,
  /**
   * Already in the library at this version.
   */
  labels_unchanged: number,
  /**
   * An older version than the one the library keeps.
   */
  labels_older: number,
  /**
   * Records and files left out, all of them counted…
   */
  skipped_count: number,
  /**
   * …and the first 100 of them listed (`MAX_LISTED_SKIPPED`).
   */
  skipped: Array<Skipped>,
  /**
   * Label sections left out (studies, chemistry, packaging…), by name, with counts.
   */
  unmapped_sections: { [key in string]: number },
  /**
   * Labels and drugs in the library after the import.
   */
  labels: number,
  drugs: number,
  /**
   * None when the library holds no usable label at all.
   */
  build: BuildReport | null,
};

export type Intent =
  | "dosage"
  | "pregnancy_breastfeeding"
  | "side_effects"
  | "interactions"
  | "mechanism"
  | "missed_dose"
  | "contraindications"
  | "usage"
  | "storage"
  | "overdose";

/**
 * Where an imported document's text came from: one FDA label version. An imported
 * document's label sections carry the label's `set_id` in their heading, so a citation
 * names the label it quotes.
 */
export type LabelSource = {
  set_id: string,
  version: string,
  /**
   * `YYYY-MM-DD`
   */
  effective_date: string,
  /**
   * The file the label was imported from.
   */
  source_file: string,
  /**
   * The label's own title (brand and form), when it has one.
   */
  title: string,
};

/**
 * What `library list` shows.
 */
export type LibraryInfo = {
  name: string,
  kind: LibraryKind,
  drugs: number,
  chunks: number,
  /**
   * Monographs, or FDA labels for an imported library.
   */
  documents: number,
  source_dir: string,
};

export type LibraryKind = "bundled" | "imported";

export type MatchKind = "generic" | "brand" | "fuzzy" | "class";

/**
 * A member's own line, with the passage that holds it.
 */
export type MemberLine = {
  drug: string,
  drug_slug: string,
  library: string,
  /**
   * The passage's headings: "Drug Interactions".
   */
  section: string,
  /**
   * The passage's byte range in the member's source file, as citations give it.
   */
  span: Span,
  text: string,
};

export type ModelChoice = { "kind": "bundled" } | { "kind": "file", path: string, };

export type ModelRequest = { "kind": "bundled", } | { "kind": "file", };

/**
 * A drug's full document for its profile page. Spans are byte ranges into `source`, the
 * same file citations point into, so a cited span selects the blocks to highlight.
 */
export type MonographView = {
  slug: string,
  title: string,
  library: string,
  is_banned: boolean,
  synonyms: Array<string>,
  description: string,
  last_modified: string | null,
  /**
   * The FDA labels an imported document was made from (empty for bundled monographs).
   */
  labels: Array<LabelSource>,
  /**
   * A bundled monograph: whether its facts were checked against an FDA label, and which
   * (`openfda:<set_id>`, `spl:<file>`, `pdf:<file>`).
   */
  reviewed: boolean,
  checked_against: Array<string>,
  source: string,
  sections: Array<SectionView>,
  faqs: Array<Faq>,
};

/**
 * What an answer must say besides its facts, emergencies first and the disclaimer last.
 * The engine says which; clients word them.
 */
export type Notice =
  | { "kind": "emergency" }
  | { "kind": "banned", drug: string, }
  | { "kind": "not_in_library", names: Array<string>, }
  | { "kind": "unverified", count: number, }
  | { "kind": "no_model" }
  | { "kind": "question_too_long" }
  | { "kind": "disclaimer" };

export type OtherQuestions = {
  drug_slug: string,
  /**
   * The drug's title, which clients name the questions by.
   */
  title: string,
  questions: Array<string>,
};

/**
 * A passage of a monograph: which drug and section it is, and where it is in its file.
 */
export type Passage = {
  chunk_id: string,
  drug: string,
  drug_slug: string,
  library: string,
  section: string,
  section_path: Array<string>,
  section_kind: SectionKind,
  /**
   * Source file (relative to its library folder) and the passage's byte range in it.
   */
  source: string,
  span: Span,
  text: string,
  /**
   * For imported material: the FDA label the passage quotes.
   */
  label?: LabelSource,
};

export type ProfileLink = {
  drug_slug: string,
  /**
   * The library holding the profile (`bundled` or an imported library's name).
   */
  library: string,
  title: string,
};

export type ProgressInfo = {
  task: string,
  stage: string,
  done: number,
  total: number,
};

export type QuestionType =
  | "overdose"
  | "missed_dose"
  | "stopping"
  | "appearance_ingredients"
  | "food_alcohol"
  | "pregnancy_breastfeeding"
  | "dose_kidney_liver"
  | "dose_child"
  | "onset_duration"
  | "storage"
  | "dose"
  | "serious_warnings"
  | "side_effects"
  | "contraindications"
  | "interaction"
  | "mechanism"
  | "used_for"
  | "what_is"
  | "general";

export type ResolvedDrug = {
  slug: string,
  title: string,
  /**
   * The words of the question that named it.
   */
  matched: string,
  how: MatchKind,
  is_banned: boolean,
  /**
   * The library the drug's document is in.
   */
  library: string,
};

/**
 * Stable JSON schema (see README): field names and meanings only ever grow.
 */
export type SearchResults = {
  query: string,
  /**
   * The drugs the question names, in the order it names them.
   */
  drugs: Array<ResolvedDrug>,
  /**
   * True when the question names no drug in the library; answers must then abstain.
   */
  no_matching_drug: boolean,
  /**
   * Words that look like drug names the library does not have.
   */
  unknown_drugs: Array<string>,
  intents: Array<Intent>,
  hits: Array<Hit>,
};

/**
 * What a top-level section is about. Sub-sections share their top-level section's kind.
 * Headings are matched loosely, so imported FDA labels ("Adverse Reactions") map onto the
 * monograph's sections ("Side Effects").
 */
export type SectionKind =
  | "usage"
  | "alternate_names"
  | "how_it_works"
  | "dosage"
  | "side_effects"
  | "contraindications"
  | "drug_interactions"
  | "pregnancy_breastfeeding"
  | "profile_summary"
  | "popular_combinations"
  | "precautions"
  | "faqs"
  | "boxed_warning"
  | "overdosage"
  | "storage"
  | "other";

export type SectionView = {
  heading: string,
  kind: SectionKind,
  level: number,
  /**
   * A stable anchor: the headings' slugs from the top, joined by `/`.
   */
  anchor: string,
  span: Span,
  blocks: Array<BlockView>,
  children: Array<SectionView>,
};

export type SentenceStatus = "verified" | "quoted" | "unverified" | "uncited" | "off_topic";

export type Settings = {
  model: ModelChoice,
  answer_length: AnswerLength,
  /**
   * Show sentences that failed verification, marked, instead of dropping them.
   */
  show_unverified: boolean,
  theme: Theme,
};

/**
 * Settings as the webview sends them. The model is named by its kind only: a file is the
 * one the user last picked in the dialog that Rust opened (`choose_model_file`), or else
 * the one already set, so the webview never names a file to read (SECURITY.md).
 */
export type SettingsRequest = {
  model: ModelRequest,
  answer_length: AnswerLength,
  show_unverified: boolean,
  theme: Theme,
};

/**
 * One fact that several members state, as each states it.
 */
export type SharedFact = {
  /**
   * What the lines are about: the medicine or class an interaction names, or a warning
   * line's label; `None` for warning lines without a common label.
   */
  topic: string | null,
  /**
   * One line per member, in member order.
   */
  lines: Array<MemberLine>,
};

/**
 * A record or file left out, with where it is and why.
 */
export type Skipped = {
  place: string,
  reason: string,
};

/**
 * A numbered passage the answer may cite: `[n]`.
 */
export type Source = {
  n: number,
  chunk_id: string,
  drug: string,
  drug_slug: string,
  library: string,
  section: string,
  section_path: Array<string>,
  section_kind: SectionKind,
  /**
   * Source file (relative to its library folder) and the passage's byte range in it.
   */
  source: string,
  span: Span,
  text: string,
  /**
   * For imported material: the FDA label the passage quotes.
   */
  label?: LabelSource,
};

/**
 * A half-open byte range `[start, end)` into the source file.
 */
export type Span = {
  start: number,
  end: number,
};

export type StartupTimings = {
  engine_open_ms: number | null,
  index_ms: number | null,
  model_load_ms: number | null,
  /**
   * From process start to index and model ready.
   */
  ready_ms: number | null,
};

/**
 * What the UI shows about start-up, the index and the model. Sent whole on every change.
 */
export type Status = {
  /**
   * `starting`, `indexing`, `loading_model`, `ready` or `failed` (the engine could not open).
   */
  phase: string,
  /**
   * The engine is open and has an index: browsing and search work.
   */
  index_ready: boolean,
  /**
   * While `indexing`: there is no index yet (the first run's minutes of embedding), as
   * opposed to checking an existing one against the library (a second, or a few changed
   * monographs).
   */
  first_index_build: boolean,
  drugs: number,
  chunks: number,
  index_error: string | null,
  /**
   * Monographs of the bundled library that could not be read and are left out, each
   * with where and why (the first [`MAX_FAILURES_SHOWN`]), and how many there are.
   */
  index_failures: Array<string>,
  index_failure_count: number,
  /**
   * Progress of the current long step.
   */
  progress: ProgressInfo | null,
  /**
   * The generator's id once loaded.
   */
  model: string | null,
  model_loading: boolean,
  model_error: string | null,
  data_dir: string,
  models_dir: string,
  corpus_dir: string,
  /**
   * Start-up timings, for the cold-start benchmark.
   */
  timings: StartupTimings,
};

/**
 * One conversation: its questions in the order asked.
 */
export type StoredConversation = {
  /**
   * Chosen by the UI when the conversation started.
   */
  id: string,
  entries: Array<StoredEntry>,
};

/**
 * A question and how its ask ended.
 */
export type StoredEntry = {
  question: string,
  /**
   * When the ask ended, in milliseconds since the Unix epoch.
   */
  asked_at: number,
  state: EntryState,
  /**
   * The engine's answer as it was returned (`done` only). Kept as JSON: an answer saved
   * by an older version is shown as far as the UI can read it, never refused whole.
   */
  answer: Answer | null,
  /**
   * What went wrong (`error` only), as the user saw it.
   */
  error: string | null,
};

export type Theme = "system" | "light" | "dark";

export type Timings = {
  retrieval_ms: number,
  /**
   * From the question to the first generated token (null without generation).
   */
  first_token_ms: number | null,
  total_ms: number,
  prompt_tokens: number,
  generated_tokens: number,
  tokens_per_second: number,
};
