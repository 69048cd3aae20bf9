// Wording shared by the views.

/** "1 sentence", "2 sentences", "1 library", "3 libraries": never "sentence(s)". */
export function plural(count: number, word: string, many = word.endsWith("y") && !/[aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
