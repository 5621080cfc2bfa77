// Which copy of an alert the page may show. /ws brings every change of an alert in the order the
// monitor made them; an action's HTTP answer and the page's first list are copies taken at one
// moment, and can reach the page after a later change already came live (the answer waits for
// the audit row's write; a busy monitor takes seconds). Such a late copy would put back the
// older alert (an escalation vanished from the history, CI of 2026-11-27). A copy is used only
// when nothing of its alert came live after it was asked for.

export class LiveMarks {
  #seq = 0;
  #byAlert = new Map();
  #snapshot = 0;

  /** an alert's change came over /ws */
  sawAlert(id) {
    this.#byAlert.set(id, ++this.#seq);
  }

  /** a whole snapshot came over /ws: it is newer than every copy asked for before it */
  sawSnapshot() {
    this.#snapshot = ++this.#seq;
  }

  /** the mark to keep while a request is out */
  mark() {
    return this.#seq;
  }

  /** whether a copy of alert `id` asked for at `mark` may still be shown */
  copyIsCurrent(id, mark) {
    return this.#snapshot <= mark && (this.#byAlert.get(id) ?? 0) <= mark;
  }
}
