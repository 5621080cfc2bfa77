import { setImmediate as nextTurn } from 'node:timers/promises';

// Long work at start in turns of a few tens of ms: the port's 503 answers and the counting lease's
// renewals run between them (audit CO1: one go held the event loop for 25–55 s over 3 M events).

/** Yields to the event loop once `budgetMs` have passed since the last yield. */
export class TurnBudget {
  private last: number;
  constructor(
    private readonly budgetMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.last = clock();
  }

  async spent(): Promise<void> {
    if (this.clock() - this.last < this.budgetMs) return;
    await nextTurn();
    this.last = this.clock();
  }
}

/**
 * The rows of a JSON*EachRow answer, parsed a few thousand at a time (`ResultSet.json` parsed
 * the case events of a 3 M-event year in one turn of seconds).
 */
export async function parseLinesInTurns<T>(text: string, budget = new TurnBudget(25)): Promise<T[]> {
  const rows: T[] = [];
  for (let from = 0; from < text.length; ) {
    const nl = text.indexOf('\n', from);
    const end = nl < 0 ? text.length : nl;
    if (end > from) rows.push(JSON.parse(text.slice(from, end)) as T);
    from = end + 1;
    if (rows.length % 1024 === 0) await budget.spent();
  }
  return rows;
}
