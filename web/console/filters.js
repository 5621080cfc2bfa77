// The list's filter selects. The alerts (GET /api/alerts) and the plan (the /ws snapshot) arrive
// in either order: an option added while the plan was not in yet is labelled with its code, so
// every fill writes the labels again, not only those of new options.

/** Adds the values the select lacks and (re)labels every one; keeps what was chosen. */
export function fillSelect(sel, values, label = (v) => v) {
  const current = sel.value;
  for (const v of values) {
    const option = [...sel.options].find((o) => o.value === v) ?? sel.appendChild(new Option(v, v));
    const text = label(v);
    if (option.textContent !== text) option.textContent = text;
  }
  sel.value = current;
}
