// "Other questions about <drug>": the engine sends each drug's FAQ questions as the
// monograph words them ("What should I do if I take too much?"), and the client words the
// chips. A chip is asked as it reads, so each must name its drug: a question that names
// none would otherwise lean on the conversation's drugs, and reads as about nothing.

import type { OtherQuestions } from "./types";

/** At most this many chips under an answer, over all its drugs. */
export const MAX_OTHER_QUESTIONS = 6;

/**
 * A drug's title as it reads inside a sentence: "Ibuprofen" → "ibuprofen", "Ascorbic Acid
 * (Vitamin C)" → "ascorbic acid (vitamin C)". Only plain capitalised words are lowered, so
 * "HPV", "mRNA", "COVID-19" and "DTaP" keep their letters.
 */
export function drugPhrase(title: string): string {
  return title
    .split(" ")
    .map((word) => word.replace(/^(\(?)([A-Z][a-z]+)(\)?[,.]?)$/, (_, open: string, core: string, close: string) => open + core.toLowerCase() + close))
    .join(" ");
}

function fold(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, " ");
}

/** Whether the question already names the drug: its title's first word or one of its names. */
function namesDrug(question: string, title: string, names: string[]): boolean {
  const hay = ` ${fold(question)} `;
  const first = fold(title).trim().split(" ")[0] ?? "";
  const candidates = [first, ...names.map((n) => fold(n).trim())].filter((n) => n.length >= 3);
  return candidates.some((name) => hay.includes(` ${name} `));
}

/** Questions ending in a dose with no medicine after it: the name follows "of". */
const DOSE_ENDING = /\b(an extra|a double|the usual|a|my|the) (dose|doses)\?$/i;

/** "take it", "store it", "with it": the pronoun as an object or after a preposition. */
const OBJECT_IT = /\b(take|taking|took|use|using|store|storing|stop|stopping|give|giving|apply|applying|inject|injecting|with|on|for|does|do|will|can|should) it\b/i;

/**
 * The FAQ question worded to name its drug: an amount takes the name ("if I take too much
 * ibuprofen?"), a dose takes "of" ("if I miss a dose of ibuprofen?"), a pronoun becomes
 * the name ("How should I store ibuprofen?"); anything else is prefixed with the title
 * ("Ferrous Sulfate: is it normal…").
 */
export function namedQuestion(question: string, title: string, names: string[] = []): string {
  const q = question.trim();
  if (namesDrug(q, title, names)) return q;
  const drug = drugPhrase(title);
  if (/\btoo much\?$/i.test(q)) return q.replace(/\?$/, ` ${drug}?`);
  if (DOSE_ENDING.test(q)) return q.replace(DOSE_ENDING, `$1 $2 of ${drug}?`);
  const object = q.match(OBJECT_IT);
  if (object) return q.replace(OBJECT_IT, `${object[1]} ${drug}`);
  return `${title}: ${q.charAt(0).toLowerCase()}${q.slice(1)}`;
}

export interface OtherQuestionChips {
  drug_slug: string;
  title: string;
  questions: string[];
}

/**
 * The chips under an answer: each drug's questions named, without the question just asked,
 * taken in turn from each drug (so a second drug is not crowded out) up to `limit`.
 * `namesOf` gives a drug's other names (brands), which also count as naming it.
 */
export function otherQuestionChips(
  asked: string,
  groups: OtherQuestions[],
  namesOf: (slug: string) => string[] = () => [],
  limit = MAX_OTHER_QUESTIONS,
): OtherQuestionChips[] {
  const seen = new Set([fold(asked).trim()]);
  const pools = groups.map((g) => {
    const names = namesOf(g.drug_slug);
    const questions: string[] = [];
    for (const raw of g.questions) {
      const q = namedQuestion(raw, g.title, names);
      const key = fold(q).trim();
      if (seen.has(key) || seen.has(fold(raw).trim())) continue;
      seen.add(key);
      questions.push(q);
    }
    return questions;
  });
  const taken = groups.map((): string[] => []);
  let left = limit;
  for (let round = 0; left > 0; round++) {
    let any = false;
    pools.forEach((pool, i) => {
      if (left > 0 && round < pool.length) {
        taken[i].push(pool[round]);
        left -= 1;
        any = true;
      }
    });
    if (!any) break;
  }
  return groups.map((g, i) => ({ drug_slug: g.drug_slug, title: g.title, questions: taken[i] })).filter((g) => g.questions.length);
}
