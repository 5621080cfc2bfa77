// The console's detail pane. A live update (any alert's frame, the first list, /api/me) redraws
// the head and the history only: rebuilding the forms had reset the acknowledgement's reason and
// emptied the notes under the person's hands, and a click then sent the default reason without a
// note. The forms are rebuilt only when what they offer changes (the caller's
// rights, the plan's reasons or types, the alert's ticket), with the person's edits put back.
// When the alert changes under the forms (acknowledged by someone else), the pane says so, and an
// action filled in for the older alert is not sent.

import { STATUS_ZH } from './words.js';
import { actionsPartHtml, detailHtml, endedHtml, headHtml, historyHtml } from './alert-view.js';
import { formHasEdits, putEdits, takeEdits } from './form-edits.js';

const HINT = '<p class="meta hint">选择左侧的预警：查看历史，确认、上报、指派、解除或更正工单（勾选「含已解除」可重开）。<br>Select an alert on the left to see its history and act on it.</p>';

export class DetailPane {
  /**
   * What the pane holds: { id, formsKey, seen, shown } for an open alert, where `seen` is the
   * status the person last saw while the forms held their work (their own actions move it) and
   * `shown` the status drawn now; { id, ended, unsent } for one that ended while shown.
   */
  #now = null;
  /** alert id → actions of this page still waiting for their answer */
  #own = new Map();

  constructor(element) {
    this.element = element;
  }

  /** nothing selected: an empty pane beside the list looked broken on a wide screen; say what it is for */
  showHint() {
    this.#now = null;
    this.element.innerHTML = HINT;
  }

  /** the selected alert ended while shown; whether the person lost unsent work is said once, and kept */
  showEnded(a, ctx) {
    if (!this.#now?.ended || this.#now.id !== a.id) {
      const unsent = this.#now?.id === a.id && !this.#own.get(a.id) && [...this.element.querySelectorAll('form')].some(formHasEdits);
      this.#now = { id: a.id, ended: true, unsent };
    }
    this.element.innerHTML = endedHtml(a, { ...ctx, unsent: this.#now.unsent });
  }

  /** the selected open alert; `formsKey` names what its forms offer */
  show(a, ctx, formsKey) {
    const d = this.element;
    if (this.#now?.id !== a.id || this.#now.ended) {
      d.innerHTML = detailHtml(a, ctx);
      this.#now = { id: a.id, formsKey, seen: a.status };
    } else {
      d.querySelector('[data-part="head"]').innerHTML = headHtml(a, ctx);
      d.querySelector('[data-part="history"]').innerHTML = historyHtml(a);
      if (formsKey !== this.#now.formsKey) {
        const part = d.querySelector('[data-part="actions"]');
        const edits = takeEdits(part);
        part.innerHTML = actionsPartHtml(a, ctx);
        putEdits(part, edits);
        this.#now.formsKey = formsKey;
      }
    }
    this.#now.shown = a.status;
    if (this.#own.get(a.id)) this.#now.seen = a.status;
    this.#showStatusChange(a);
  }

  #showStatusChange(a) {
    const ackButton = this.element.querySelector('form[data-action="ack"] button');
    if (ackButton) ackButton.disabled = a.status !== 'open';
    const line = this.element.querySelector('#d-stale');
    if (!line) return;
    const { seen } = this.#now;
    line.hidden = a.status === seen;
    line.textContent = line.hidden ? ''
      : a.status === 'acknowledged' && seen === 'open'
        ? `此预警已由 ${a.ack?.by ?? '他人'} 确认，你的确认不会发送；其他填写内容仍保留。Acknowledged by someone else meanwhile: your acknowledgement will not be sent.`
        : `此预警状态已变为「${STATUS_ZH[a.status] ?? a.status}」，请核对后再操作。The alert changed to ${a.status} while you were here: check before acting.`;
  }

  /** Why `action` on `a` (undefined: it ended) must not go out as filled in; null when it may. */
  staleAction(a, action) {
    if (!a) return '此预警已解除，未发送。The alert has ended: nothing was sent.';
    // a change that came but is not drawn yet: the person filled the form in for the older alert
    if (a.status !== this.#now?.shown) return `此预警状态刚变为「${STATUS_ZH[a.status] ?? a.status}」，未发送；请核对后再提交。The alert just changed: nothing was sent; check and submit again.`;
    if (action === 'ack' && a.status !== 'open') return '此预警已被确认，你的确认未发送。Already acknowledged: your acknowledgement was not sent.';
    return null;
  }

  /** an action of this page on alert `id` is out: the changes it brings are the person's own */
  sending(id) {
    this.#own.set(id, (this.#own.get(id) ?? 0) + 1);
  }

  /** the action's answer came (`status`: the alert's status after it, when it was accepted) */
  answered(id, status) {
    this.#own.set(id, this.#own.get(id) - 1);
    if (status && this.#now?.id === id && !this.#now.ended) this.#now.seen = status;
  }
}
