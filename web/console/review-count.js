// The console's link to the classification review, with how many tickets wait there: until a
// person types them they count under no type the plan watches.

import { api, withToken } from './api.js';
import { keepFresh } from './keep-fresh.js';

/** Shows the count in `link` and keeps it current; `soon()` re-reads it early (the pipeline moved). */
export function showReviewCount(link) {
  link.href = withToken('/console/review');
  const read = () =>
    api('/api/classification/review?limit=1')
      .then((r) => {
        // the tickets that move a not-agreed count once typed, of all that wait
        link.querySelector('b').textContent = r.notAgreed > 0 ? `${r.notAgreed} / ${r.total}` : String(r.total);
        link.title = `${r.notAgreed} 件首次接触未达成一致，共 ${r.total} 件待确认 (not agreed / all waiting)`;
        link.dataset.waiting = r.notAgreed > 0 ? 'yes' : 'no';
        return `${r.notAgreed}/${r.total}`;
      })
      .catch(() => null);
  return keepFresh(read);
}
