// The console's link to the classification review, with how many tickets wait there: until a
// person types them they count under no type the plan watches.

import { api, withToken } from './api.js';

export function showReviewCount(link) {
  link.href = withToken('/console/review');
  const poll = () =>
    api('/api/classification/review?limit=1')
      .then((r) => {
        link.querySelector('b').textContent = String(r.total);
        link.dataset.waiting = r.total > 0 ? 'yes' : 'no';
      })
      .catch(() => {});
  poll();
  setInterval(poll, 60_000);
}
