//! Which drugs a question is about: generic and brand names, misspellings, several at once.

use crate::corpus::Drug;
use crate::text::words;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The drug's title (generic name).
    Generic,
    /// A brand or alternate name.
    Brand,
    /// A misspelling within a small edit distance of either.
    Fuzzy,
    /// A member of a drug class the question names ("statins").
    Class,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResolvedDrug {
    /// Index into the library's drugs.
    #[serde(skip)]
    pub index: usize,
    pub slug: String,
    pub title: String,
    /// The words of the question that named it.
    pub matched: String,
    pub how: MatchKind,
    pub is_banned: bool,
    /// The library the drug's document is in.
    pub library: String,
}

/// What resolution found in a question.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resolution {
    pub drugs: Vec<ResolvedDrug>,
    /// Words that look like drug names but match nothing in the library.
    pub unknown: Vec<String>,
}

/// Name lookup over a library's drugs.
pub struct DrugCatalog {
    /// Normalised name (words joined by one space) → (drug, is the title).
    names: HashMap<String, (usize, bool)>,
    /// The same names grouped by word count, for fuzzy matching.
    by_length: HashMap<usize, Vec<String>>,
    longest: usize,
    /// Names without spaces or hyphens ("amoxicillinclavulanate"), at least
    /// [`MIN_COMPACT`] letters, for names split or run together.
    compact: HashMap<String, usize>,
    /// The keys of `compact`, sorted, for fuzzy matching.
    compact_keys: Vec<String>,
    /// Words the library's own text uses that name no drug ("duration", "fluid",
    /// "prednisolone"): a word spelt as the library spells it is no misspelling of a name.
    known_words: HashSet<String>,
    titles: Vec<(String, String, bool, String)>,
}

/// Generic makers' prefixes before a drug's name ("Apo-Metformin", "Teva clonazepam",
/// "Riva-clonazepam"): they name the maker, not the drug.
const MAKER_PREFIXES: &[&str] =
    &["apo", "auro", "jamp", "mint", "mylan", "novo", "pms", "ratio", "riva", "sandoz", "teva"];

/// Split and run-together names are compared without spaces only from this many letters,
/// so short words joined by chance ("no var") never name a drug.
const MIN_COMPACT: usize = 8;
/// A split or run-together name that is also misspelt needs this many letters.
const MIN_COMPACT_FUZZY: usize = 10;
/// The most words one split name is spread over ("hydro chloro thiazide").
const MAX_SPLIT: usize = 3;

/// Common drug-name endings (INN stems), used to spot names the library does not have.
const DRUG_STEMS: &[&str] = &[
    "mab",
    "nib",
    "pril",
    "sartan",
    "olol",
    "dipine",
    "statin",
    "azole",
    "mycin",
    "cillin",
    "cycline",
    "floxacin",
    "vir",
    "gliptin",
    "gliflozin",
    "glutide",
    "zepam",
    "zolam",
    "oxetine",
    "triptan",
    "profen",
    "parin",
    "semide",
    "thiazide",
    "lukast",
    "afil",
    "setron",
    "tidine",
    "prazole",
    "caine",
    "dronate",
    "terol",
    "olone",
    "asone",
    "barbital",
    "azepine",
    "apine",
    "peridol",
    "xaban",
    "gatran",
    "platin",
    "rubicin",
    "tinib",
    "zumab",
    "ximab",
    "codone",
    "morphone",
    "adol",
    "pramine",
    "triptyline",
    "faxine",
    "dazole",
    "conazole",
    "sporin",
    "penem",
];

/// Words that end like drug stems but are ordinary English.
const NOT_DRUGS: &[&str] = &["survive", "pasteurize", "alcohol", "olive", "revive", "arrive", "wave", "drive"];

fn normalise(name: &str) -> String {
    words(name).join(" ")
}

/// A name without its spaces and hyphens: "hydro chlorothiazide" → "hydrochlorothiazide".
fn compact(phrase: &str) -> String {
    phrase.chars().filter(|&c| c != ' ' && c != '-').collect()
}

/// The run-together form of a phrase that may be a split name: each part at least three
/// letters, so "or alone" is never "Oralone".
fn splittable(phrase: &str) -> Option<String> {
    phrase.split([' ', '-']).all(|part| part.chars().count() >= 3).then(|| compact(phrase))
}

impl DrugCatalog {
    pub fn new(drugs: &[Drug]) -> DrugCatalog {
        let mut names = HashMap::new();
        let add = |name: &str, drug: usize, is_title: bool, names: &mut HashMap<String, (usize, bool)>| {
            let key = normalise(name);
            // "Pepto-Bismol" is also written "Pepto Bismol".
            let spaced = key.replace('-', " ");
            for key in [key, spaced] {
                // A title always wins over another drug's brand of the same spelling.
                let keep_existing = names.get(&key).is_some_and(|&(_, existing_title)| existing_title && !is_title);
                if !key.is_empty() && !keep_existing {
                    names.insert(key, (drug, is_title));
                }
            }
        };
        for (i, drug) in drugs.iter().enumerate() {
            add(&drug.title, i, true, &mut names);
            // "Amoxicillin and Clavulanate" is also asked as "amoxicillin/clavulanate".
            if drug.title.contains(" and ") {
                add(&drug.title.replace(" and ", " "), i, true, &mut names);
            }
            add(&drug.slug.replace('-', " "), i, true, &mut names);
            for variant in title_variants(&drug.title) {
                add(&variant, i, true, &mut names);
            }
            for synonym in &drug.synonyms {
                add(synonym, i, false, &mut names);
            }
        }
        // "Ventolin HFA" is asked as "Ventolin"; never in place of another drug's name.
        for (i, drug) in drugs.iter().enumerate() {
            for synonym in &drug.synonyms {
                if let Some(stem) = without_form(synonym) {
                    names.entry(normalise(&stem)).or_insert((i, false));
                }
            }
        }
        // "glargine" names insulin glargine: a word of one drug's title, and of no other's.
        for (word, drug) in unique_title_words(drugs) {
            names.entry(word).or_insert((drug, false));
        }
        let mut by_length: HashMap<usize, Vec<String>> = HashMap::new();
        for name in names.keys() {
            by_length.entry(name.split(' ').count()).or_default().push(name.clone());
        }
        for list in by_length.values_mut() {
            list.sort();
        }
        let longest = by_length.keys().copied().max().unwrap_or(1);
        let mut compact_names: HashMap<String, usize> = HashMap::new();
        let mut sorted: Vec<(&String, &(usize, bool))> = names.iter().collect();
        // Titles first, so a title keeps its run-together form against another drug's brand.
        sorted.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
        for (name, &(drug, _)) in sorted {
            let joined = compact(name);
            if joined.chars().count() >= MIN_COMPACT {
                compact_names.entry(joined).or_insert(drug);
            }
        }
        let mut compact_keys: Vec<String> = compact_names.keys().cloned().collect();
        compact_keys.sort();
        let titles = drugs.iter().map(|d| (d.slug.clone(), d.title.clone(), d.is_banned, d.library.clone())).collect();
        DrugCatalog {
            names,
            by_length,
            longest,
            compact: compact_names,
            compact_keys,
            known_words: HashSet::new(),
            titles,
        }
    }

    /// Tells the catalog the words of the library's text, so a word it uses that is not a
    /// name ("fluid", "duration") is never taken for a misspelt name ("Fluad", "Duraclon").
    pub fn with_text<'t>(mut self, texts: impl IntoIterator<Item = &'t str>) -> DrugCatalog {
        for text in texts {
            for word in words(text) {
                if !self.names.contains_key(&word) {
                    self.known_words.insert(word);
                }
            }
        }
        self
    }

    /// Whether every word of `phrase` is one the library's text uses: then it is English
    /// (or another drug's name) as written, not a misspelling.
    fn all_known(&self, phrase: &str) -> bool {
        let known = |w: &str| self.known_words.contains(w);
        phrase.split(' ').all(|w| known(w) || w.split('-').all(known))
    }

    /// The drug at `index` as a question naming it by `matched` resolves it.
    pub fn resolved(&self, index: usize, matched: &str, how: MatchKind) -> ResolvedDrug {
        let (slug, title, is_banned, library) = self.titles[index].clone();
        ResolvedDrug { index, slug, title, matched: matched.to_string(), how, is_banned, library }
    }

    /// Finds every drug named in the question, longest names first: by name, then split or
    /// run together, then misspelt, then split and misspelt.
    pub fn resolve(&self, question: &str) -> Resolution {
        let tokens = self.tokens(question);
        let mut used = vec![false; tokens.len()];
        let mut found: Vec<(usize, ResolvedDrug)> = Vec::new();
        self.pass(&tokens, self.longest, &mut used, &mut found, |phrase: &str, n| {
            let hyphens_as_spaces = (n == 1 && phrase.contains('-')).then(|| phrase.replace('-', " "));
            let &(drug, is_title) =
                self.names.get(phrase).or_else(|| hyphens_as_spaces.and_then(|p| self.names.get(&p)))?;
            Some((drug, if is_title { MatchKind::Generic } else { MatchKind::Brand }))
        });
        // "flu shots", "statin's": a name's plural or possessive; "iron tablet" for "iron
        // tablets" (of several words only: "tum" is not "Tums").
        self.pass(&tokens, self.longest, &mut used, &mut found, |phrase: &str, n| {
            let singular = phrase.strip_suffix('s').and_then(|p| self.names.get(p));
            let plural = || (n > 1).then(|| self.names.get(&format!("{phrase}s"))).flatten();
            let &(drug, is_title) = singular.or_else(plural)?;
            Some((drug, if is_title { MatchKind::Generic } else { MatchKind::Brand }))
        });
        self.pass(&tokens, MAX_SPLIT, &mut used, &mut found, |phrase: &str, _| {
            Some((*self.compact.get(&splittable(phrase)?)?, MatchKind::Fuzzy))
        });
        self.pass(&tokens, self.longest, &mut used, &mut found, |phrase: &str, n| {
            if self.all_known(phrase) {
                return None;
            }
            Some((self.names[&self.closest(phrase, n)?].0, MatchKind::Fuzzy))
        });
        self.pass(&tokens, MAX_SPLIT, &mut used, &mut found, |phrase: &str, _| {
            if self.all_known(phrase) {
                return None;
            }
            Some((self.closest_compact(&splittable(phrase)?)?, MatchKind::Fuzzy))
        });
        found.sort_by_key(|(position, _)| *position);
        let unknown =
            tokens.iter().zip(&used).filter(|(t, u)| !**u && looks_like_drug(t)).map(|(t, _)| t.clone()).collect();
        Resolution { drugs: found.into_iter().map(|(_, r)| r).collect(), unknown }
    }

    /// One matching pass over the phrases of at most `longest` words not yet matched,
    /// longest first; `lookup` names the drug a phrase (of `n` words) matches.
    fn pass(
        &self,
        tokens: &[String],
        longest: usize,
        used: &mut [bool],
        found: &mut Vec<(usize, ResolvedDrug)>,
        lookup: impl Fn(&str, usize) -> Option<(usize, MatchKind)>,
    ) {
        for n in (1..=longest.min(tokens.len())).rev() {
            for start in 0..=tokens.len() - n {
                if used[start..start + n].iter().any(|&u| u) {
                    continue;
                }
                let phrase = tokens[start..start + n].join(" ");
                if let Some((drug, how)) = lookup(&phrase, n) {
                    used[start..start + n].iter_mut().for_each(|u| *u = true);
                    if !found.iter().any(|(_, r)| r.index == drug) {
                        found.push((start, self.resolved(drug, &phrase, how)));
                    }
                }
            }
        }
    }

    /// The question's words, a generic maker's prefix taken off ("apo-metformin" names
    /// metformin). A maker written apart ("Teva clonazepam") is a word that names nothing,
    /// and stays: "riva stigmine" is rivastigmine split.
    fn tokens(&self, question: &str) -> Vec<String> {
        let strip = |token: String| {
            if self.names.contains_key(&token) {
                return token;
            }
            // Only with the hyphen: "apomorphine" is a drug of its own.
            let rest = MAKER_PREFIXES.iter().find_map(|prefix| token.strip_prefix(prefix)?.strip_prefix('-'));
            rest.filter(|rest| !rest.is_empty()).map_or(token.clone(), str::to_string)
        };
        words(question).into_iter().map(strip).collect()
    }

    /// The library name within a small edit distance of `phrase`, if exactly one is closest.
    fn closest(&self, phrase: &str, word_count: usize) -> Option<String> {
        let len = phrase.chars().count();
        if len < 5 || phrase.chars().all(|c| c.is_ascii_digit() || c == ' ') {
            return None;
        }
        // A word shaped like a drug name ("famciclovir", "prednisolone") may be another
        // drug the library lacks: only one letter from a name is a misspelling of it.
        let allowed = if len >= 8 && !looks_like_drug(phrase) { 2 } else { 1 };
        let mut best: Option<(usize, &String)> = None;
        let mut tie = false;
        for name in self.by_length.get(&word_count)? {
            if name.chars().count().abs_diff(len) > allowed {
                continue;
            }
            let d = strsim::damerau_levenshtein(phrase, name);
            if d <= allowed {
                match best {
                    Some((bd, _)) if d > bd => {}
                    Some((bd, bn)) if d == bd => tie |= self.names[bn].0 != self.names[name].0,
                    _ => {
                        best = Some((d, name));
                        tie = false;
                    }
                }
            }
        }
        match best {
            Some((_, name)) if !tie => Some(name.clone()),
            _ => None,
        }
    }

    /// The drug whose run-together name is one edit from `joined` ("leveliracetam"), if
    /// exactly one is.
    fn closest_compact(&self, joined: &str) -> Option<usize> {
        let len = joined.chars().count();
        if len < MIN_COMPACT_FUZZY {
            return None;
        }
        let mut matches = self
            .compact_keys
            .iter()
            .filter(|name| name.chars().count().abs_diff(len) <= 1 && strsim::damerau_levenshtein(joined, name) <= 1);
        let drug = self.compact[matches.next()?];
        matches.all(|other| self.compact[other] == drug).then_some(drug)
    }
}

/// Title words that are everyday words or name other things too ("regular use",
/// "calcium channel blockers", "hepatitis C"), never a drug by themselves.
const NOT_PARTIAL_NAMES: &[&str] = &[
    "regular",
    "calcium",
    "potassium",
    "sodium",
    "chloride",
    "carbonate",
    "sulfate",
    "vitamin",
    "hepatitis",
    "conjugate",
    "recombinant",
    "vaccine",
    "insulin",
    "mononitrate",
    "glycol",
];

/// Words of multi-word titles (5 letters or more) that belong to exactly one drug.
fn unique_title_words(drugs: &[Drug]) -> Vec<(String, usize)> {
    let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, drug) in drugs.iter().enumerate() {
        let title = words(&drug.title);
        if title.len() < 2 {
            continue;
        }
        for word in title {
            if word.len() >= 5 && !NOT_PARTIAL_NAMES.contains(&word.as_str()) {
                let entry = owners.entry(word).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
    }
    let mut unique: Vec<(String, usize)> =
        owners.into_iter().filter(|(_, o)| o.len() == 1).map(|(w, o)| (w, o[0])).collect();
    unique.sort();
    unique
}

/// Other ways people name a drug, derived from its title: the parts of
/// "Cholecalciferol (vitamin D3)", "regular insulin" for "Insulin Regular", "Tdap shot"
/// for "Tdap Vaccine".
fn title_variants(title: &str) -> Vec<String> {
    let mut variants = Vec::new();
    if let Some((outer, inner)) = title.split_once('(') {
        variants.push(outer.trim().to_string());
        variants.push(inner.trim_end_matches(')').trim().to_string());
    }
    let words: Vec<&str> = title.split_whitespace().collect();
    if words.len() == 2 && words[0].eq_ignore_ascii_case("insulin") {
        variants.push(format!("{} insulin", words[1]));
    }
    // FDA labels name the salt ("Metformin Hydrochloride"); people name the drug.
    let base = without_salts(title);
    if !base.is_empty() && base.len() < title.len() {
        variants.push(base);
    }
    if let Some(stem) = title.strip_suffix(" Vaccine") {
        variants.push(format!("{stem} shot"));
        variants.push(format!("{stem} vaccination"));
    }
    variants
}

/// Release and device suffixes of brand names ("Ventolin HFA", "Keppra XR").
const FORM_SUFFIXES: &[&str] = &["hfa", "xr", "er", "cr", "sr", "xl", "la", "odt", "dr", "ec"];

/// A brand name without its release or device suffix, when it has one.
fn without_form(brand: &str) -> Option<String> {
    let (stem, last) = brand.trim().rsplit_once(' ')?;
    FORM_SUFFIXES.contains(&last.to_lowercase().as_str()).then(|| stem.trim().to_string())
}

/// Salt and ester names that follow a drug's name on labels.
const SALTS: &[&str] = &[
    "hydrochloride",
    "hcl",
    "dihydrochloride",
    "hydrobromide",
    "sodium",
    "potassium",
    "calcium",
    "magnesium",
    "maleate",
    "mesylate",
    "besylate",
    "succinate",
    "tartrate",
    "citrate",
    "sulfate",
    "phosphate",
    "acetate",
    "bromide",
    "chloride",
    "fumarate",
    "hyclate",
    "monohydrate",
    "dihydrate",
    "trihydrate",
    "propionate",
    "dipropionate",
    "furoate",
    "valerate",
    "tromethamine",
    "bitartrate",
    "lactate",
    "gluconate",
    "carbonate",
    "disodium",
];

/// "Atorvastatin Calcium Trihydrate" → "Atorvastatin": the name without trailing salt
/// and hydrate words (kept whole when it is nothing but such words).
pub fn without_salts(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut end = words.len();
    while end > 1 && SALTS.contains(&words[end - 1].to_lowercase().trim_end_matches(',')) {
        end -= 1;
    }
    words[..end].join(" ")
}

fn looks_like_drug(word: &str) -> bool {
    word.len() >= 6 && !NOT_DRUGS.contains(&word) && DRUG_STEMS.iter().any(|s| word.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drug(slug: &str, title: &str, synonyms: &[&str]) -> Drug {
        Drug {
            slug: slug.into(),
            title: title.into(),
            description: String::new(),
            synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            is_banned: false,
            faqs: vec![],
            library: "test".into(),
            source: Default::default(),
            content_hash: String::new(),
            labels: vec![],
            reviewed: false,
            checked_against: vec![],
        }
    }

    fn catalog() -> DrugCatalog {
        DrugCatalog::new(&[
            drug("imiquimod", "Imiquimod", &["Aldara", "Zyclara"]),
            drug("rivastigmine", "Rivastigmine", &["Exelon"]),
            drug("ibuprofen", "Ibuprofen", &["Advil", "Motrin"]),
            drug("lisinopril", "Lisinopril", &["Zestril"]),
            drug("amoxicillin", "Amoxicillin", &["Amoxil"]),
            drug("amoxicillin-and-clavulanate", "Amoxicillin and Clavulanate", &["Augmentin"]),
            drug("insulin-glargine", "Insulin Glargine", &["Lantus"]),
            drug("insulin-regular", "Insulin Regular", &["Humulin R"]),
            drug("cholecalciferol-vitamin-d3", "Cholecalciferol (vitamin D3)", &[]),
            drug("tdap-vaccine", "Tdap Vaccine", &["Boostrix"]),
        ])
    }

    fn slugs(r: &Resolution) -> Vec<&str> {
        r.drugs.iter().map(|d| d.slug.as_str()).collect()
    }

    #[test]
    fn generic_brand_and_several() {
        let c = catalog();
        assert_eq!(slugs(&c.resolve("Aldara side effects")), ["imiquimod"]);
        assert_eq!(c.resolve("Aldara side effects").drugs[0].how, MatchKind::Brand);
        assert_eq!(slugs(&c.resolve("can I take ibuprofen with lisinopril?")), ["ibuprofen", "lisinopril"]);
        assert_eq!(slugs(&c.resolve("How much Lantus?")), ["insulin-glargine"]);
    }

    #[test]
    fn misspellings() {
        let c = catalog();
        let r = c.resolve("rivatigmine dose");
        assert_eq!(slugs(&r), ["rivastigmine"]);
        assert_eq!(r.drugs[0].how, MatchKind::Fuzzy);
        assert_eq!(slugs(&c.resolve("ibuprofin for a headache")), ["ibuprofen"]);
        assert_eq!(slugs(&c.resolve("insulin glargin timing")), ["insulin-glargine"]);
    }

    #[test]
    fn title_variants_resolve() {
        let c = catalog();
        assert_eq!(slugs(&c.resolve("when do I inject regular insulin")), ["insulin-regular"]);
        assert_eq!(slugs(&c.resolve("vitamin D3 for a breastfed baby")), ["cholecalciferol-vitamin-d3"]);
        assert_eq!(slugs(&c.resolve("Should I get the Tdap shot while pregnant?")), ["tdap-vaccine"]);
    }

    #[test]
    fn longest_name_wins() {
        let c = catalog();
        assert_eq!(slugs(&c.resolve("amoxicillin/clavulanate for sinusitis")), ["amoxicillin-and-clavulanate"]);
        assert_eq!(slugs(&c.resolve("amoxicillin and clavulanate dose")), ["amoxicillin-and-clavulanate"]);
        assert_eq!(slugs(&c.resolve("amoxicillin dose")), ["amoxicillin"]);
    }

    #[test]
    fn makers_prefixes_are_not_the_name() {
        let c = catalog();
        assert_eq!(slugs(&c.resolve("apo-lisinopril dose")), ["lisinopril"]);
        assert_eq!(slugs(&c.resolve("Is Teva ibuprofen the same as Advil?")), ["ibuprofen"]);
        assert_eq!(slugs(&c.resolve("Riva-Amoxicillin for a child")), ["amoxicillin"]);
        assert_eq!(slugs(&c.resolve("PMS-Rivastigmine patch")), ["rivastigmine"]);
        assert!(c.resolve("Sandoz makes it").drugs.is_empty());
    }

    #[test]
    fn split_and_run_together_names() {
        let c = catalog();
        let r = c.resolve("riva stigmine side effects");
        assert_eq!(slugs(&r), ["rivastigmine"]);
        assert_eq!(r.drugs[0].how, MatchKind::Fuzzy, "not the name as written");
        assert_eq!(slugs(&c.resolve("amoxicillinclavulanate for an ear infection")), ["amoxicillin-and-clavulanate"]);
        assert_eq!(slugs(&c.resolve("imi quimod cream")), ["imiquimod"]);
        assert_eq!(slugs(&c.resolve("ibu profen")), ["ibuprofen"]);
        // Split and misspelt: "lisino pril" with a letter wrong.
        assert_eq!(slugs(&c.resolve("lisinu pril and potassium")), ["lisinopril"]);
        assert_eq!(slugs(&c.resolve("insulin-glargine pen")), ["insulin-glargine"]);
    }

    #[test]
    fn short_words_joined_by_chance_name_nothing() {
        let c = DrugCatalog::new(&[drug("triamcinolone", "Triamcinolone", &["Oralone"])]);
        assert!(c.resolve("with a statin, or alone").drugs.is_empty());
        assert_eq!(slugs(&c.resolve("oralone paste")), ["triamcinolone"]);
    }

    #[test]
    fn words_the_library_uses_are_not_misspelt_names() {
        let drugs = [
            drug("influenza-vaccine", "Influenza Vaccine", &["Fluad", "flu shot"]),
            drug("clonidine", "Clonidine", &["Duraclon"]),
            drug("prednisone", "Prednisone", &[]),
        ];
        let plain = DrugCatalog::new(&drugs);
        assert_eq!(slugs(&plain.resolve("fluid retention")), ["influenza-vaccine"], "the mistake this guards against");
        let c = DrugCatalog::new(&drugs).with_text(["Fluid retention lasts the duration of treatment."]);
        assert!(c.resolve("does it cause fluid retention?").drugs.is_empty());
        assert!(c.resolve("for the duration").drugs.is_empty());
        assert_eq!(slugs(&c.resolve("fluadd side effects")), ["influenza-vaccine"]);
        assert_eq!(slugs(&c.resolve("duraclonn patch")), ["clonidine"]);
    }

    #[test]
    fn another_drug_shaped_word_is_not_a_misspelling() {
        let c = catalog();
        // Two letters from "lisinopril", and shaped like a drug: another ACE inhibitor.
        assert!(c.resolve("fosinopril dose").drugs.is_empty());
        assert_eq!(c.resolve("fosinopril dose").unknown, ["fosinopril"]);
        assert_eq!(slugs(&c.resolve("lisinoprill dose")), ["lisinopril"]);
        // Not drug-shaped, two letters off: still a misspelling.
        assert_eq!(slugs(&c.resolve("ibuprufan")), ["ibuprofen"]);
    }

    #[test]
    fn plurals_and_brands_without_their_form() {
        let c = DrugCatalog::new(&[
            drug("tdap-vaccine", "Tdap Vaccine", &["tetanus shot"]),
            drug("albuterol", "Albuterol", &["Ventolin HFA", "ProAir HFA"]),
            drug("ferrous-sulfate", "Ferrous Sulfate", &["iron pills"]),
            drug("calcium-carbonate", "Calcium Carbonate", &["Tums"]),
        ]);
        assert_eq!(slugs(&c.resolve("tetanus shots")), ["tdap-vaccine"]);
        assert_eq!(slugs(&c.resolve("my iron pill")), ["ferrous-sulfate"]);
        assert_eq!(slugs(&c.resolve("Ventolin or ProAir?")), ["albuterol"]);
        assert!(c.resolve("my tum hurts").drugs.is_empty());
    }

    #[test]
    fn unknown_drugs_and_plain_words() {
        let c = catalog();
        let r = c.resolve("What is the dose of zolmitriptan for migraine?");
        assert!(r.drugs.is_empty());
        assert_eq!(r.unknown, ["zolmitriptan"]);
        assert!(c.resolve("what helps a headache when pregnant").drugs.is_empty());
        assert!(c.resolve("is it safe with alcohol").drugs.is_empty());
    }
}
