// The year before's names of the types and branches that its carried cases have and the loaded
// plan dropped (the headline's carriedNames, as the wall shows them). Kept once learnt: a carried
// case closed since, shown with the resolved ones, still reads by its name, not its code.

export const namesBefore = { types: {}, branches: {} };

/** Takes the names a headline (snapshot or frame) gives; true when one was new. */
export function learnNamesBefore(headline) {
  let learnt = false;
  for (const part of ['types', 'branches']) {
    for (const [code, name] of Object.entries(headline?.alerts?.carriedNames?.[part] ?? {})) {
      if (namesBefore[part][code] === name) continue;
      namesBefore[part][code] = name;
      learnt = true;
    }
  }
  return learnt;
}
