// What a person has typed or chosen in the detail pane's forms, and where their caret is, so that
// a rebuild of those forms (the plan's reasons arrived, the caller's rights changed) puts back
// their edits instead of the defaults. Only fields that differ from their default are carried:
// a rebuilt form's new defaults (another ticket id) show where the person changed nothing.

const FIELDS = 'input[name], select[name], textarea[name]';
const fieldKey = (el) => `${el.form?.dataset.action ?? ''}:${el.name}`;

function defaultValue(el) {
  if (el instanceof HTMLSelectElement) return ([...el.options].find((o) => o.defaultSelected) ?? el.options[0])?.value ?? '';
  return el.defaultValue;
}

const edited = (el) => el.value !== defaultValue(el);

/** whether a person changed anything in `form` since it was drawn (or last reset) */
export const formHasEdits = (form) => [...form.querySelectorAll(FIELDS)].some(edited);

/** the changed fields under `root`, and the focused one with its selection */
export function takeEdits(root) {
  const changed = new Map();
  for (const el of root.querySelectorAll(FIELDS)) if (edited(el)) changed.set(fieldKey(el), el.value);
  const f = document.activeElement;
  const focus = f && f !== document.body && root.contains(f) && f.name
    ? { key: fieldKey(f), start: f.selectionStart ?? null, end: f.selectionEnd ?? null, direction: f.selectionDirection ?? undefined }
    : null;
  return { changed, focus };
}

/** puts edits taken by `takeEdits` into the rebuilt fields under `root` */
export function putEdits(root, { changed, focus }) {
  for (const el of root.querySelectorAll(FIELDS)) {
    const key = fieldKey(el);
    if (changed.has(key)) el.value = changed.get(key);
    if (focus?.key !== key) continue;
    el.focus();
    if (focus.start !== null && typeof el.setSelectionRange === 'function') {
      try { el.setSelectionRange(focus.start, focus.end, focus.direction); } catch { /* a field type without a caret */ }
    }
  }
}
