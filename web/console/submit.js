// What the detail pane's forms send, and what the page says of the answer. Two flows:
// - a correction is a ticket event: it flows through the pipeline and amends the alerts it
//   touches, so its answer changes no alert here;
// - an action (acknowledge, escalate, note, assign, resolve) answers with the alert as it is
//   after it, which the page shows unless /ws already brought that change or a later one.
// An action that took effect but is not in the alert log yet (503 ALERT_LOG_UNAVAILABLE) is not
// an error to retry: the page says so, and later says whether it was stored.
// The page's state comes in as `deps`, so that the flows run the same with a page's fakes.

import { ACTION_MAYBE_LOST, ACTION_STORED_AT_LAST, notYetStoredText } from './words.js';
import { whenAlertLogStored } from './log-stored.js';
import { RACE_CODES, raceText } from './race-words.js';

/** `fields` without those of `names` the person left empty (the server refuses an empty note). */
export function withoutEmpty(fields, ...names) {
  const out = { ...fields };
  for (const name of names) if (!out[name]) delete out[name];
  return out;
}

/**
 * The submit flows over the page's state: `api` and `sendCorrection` (api.js), the detail `pane`,
 * the `alerts` map and its `upsert`, `liveMarks`, `render`, `say` (text, the alert it is about:
 * the answer may come after another alert was selected) and `lastSaid` (what `say` set last).
 */
export function submitFlows({ api, sendCorrection, pane, alerts, liveMarks, upsert, render, say, lastSaid }) {
  /** Sends the correction form's `fields` about alert `id`. */
  async function submitCorrection(form, id, fields) {
    const body = withoutEmpty(fields, 'outcome', 'reason');
    pane.sending(id); // its own withdrawal of the case is no news to the person
    try {
      const r = await sendCorrection(body);
      form.reset();
      say(`已提交更正 ${r.eventId} — correction sent`, id);
    } catch (err) {
      say(err.message, id);
    } finally {
      pane.answered(id);
    }
  }

  /** Sends the form's action on alert `id`, unless the alert changed under the form. */
  async function submitAction(form, id, fields) {
    const body = withoutEmpty(fields, 'note');
    const stale = pane.staleAction(alerts.get(id), form.dataset.action);
    if (stale) { render(); say(stale, id); return; }
    pane.sending(id);
    let status;
    try {
      const asked = liveMarks.mark();
      const a = await api(`/api/alerts/${encodeURIComponent(id)}/${form.dataset.action}`, body);
      if (liveMarks.copyIsCurrent(a.id, asked)) upsert(a, false); // else /ws already brought it, or later
      form.reset(); // sent: what it held is in the history now
      status = alerts.get(id)?.status;
    } catch (err) {
      if (err.code === 'ALERT_LOG_UNAVAILABLE') {
        // it took effect (the screens show it), so it must not be sent again: it would be done twice
        form.reset();
        status = alerts.get(id)?.status;
        sayNotYetStored(err, id);
      } else if (RACE_CODES.has(err.code)) {
        await sayLostRace(id, form.dataset.action);
      } else {
        say(err.message, id);
      }
    } finally {
      pane.answered(id, status);
    }
    render();
  }

  /** Another change came first: the alert as it is now is shown, and who changed it is said. */
  async function sayLostRace(id, action) {
    const asked = liveMarks.mark();
    const now = await api(`/api/alerts/${encodeURIComponent(id)}`).catch(() => undefined);
    if (now && liveMarks.copyIsCurrent(now.id, asked)) upsert(now, false);
    say(raceText(now ?? alerts.get(id), action), id);
  }

  /**
   * Says the action is not stored yet; later, that it was stored or may be lost, unless something
   * else was said since.
   */
  function sayNotYetStored(err, id) {
    say(notYetStoredText(err.answer?.keptOnDisk, err.message), id);
    const said = lastSaid();
    const sayIfCurrent = (text) => {
      if (lastSaid() !== said) return; // something else was said since
      say(text, id);
      render();
    };
    whenAlertLogStored(api, err.answer ?? {}, {
      stored: () => sayIfCurrent(ACTION_STORED_AT_LAST),
      lost: () => sayIfCurrent(ACTION_MAYBE_LOST),
    });
  }

  return { submitCorrection, submitAction };
}
