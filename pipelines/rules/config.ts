// Alert rule configuration: the optional `alerts:` section of the plan file, with defaults.
// Defaults are the contract's floor (a level alert resolves as soon as its level is ok again; an
// alert not acknowledged in its time climbs to the next on-call level: supervisors, then admins);
// hysteresis, burn-rate paging and named people on the ladder come from the plan.

export interface BurnWindow {
  /** window length in hours (fast: 24, slow: 168) */
  hours: number;
  /** burn rate at or above which the window fires */
  threshold: number;
  /** minimum not-agreed customers added in the window before it may fire */
  minCount: number;
}

export interface OnCallLevel {
  /** people or roles (`role:supervisor`) notified at this level */
  notify: string[];
  /** minutes without acknowledgement before the next level (decimals allowed) */
  afterMinutes: number;
}

export interface AlertRulesConfig {
  recovery: {
    /** resolve only when the ratio is under watch − margin … */
    margin: number;
    /** … for this many whole statistical weeks (0: as soon as it is, at the evaluation) */
    weeks: number;
  };
  cases: {
    /** no progress (escalation or contact) for this long raises a case to `stale` */
    noProgressHours: number;
    /** regulatory handling deadline from the ticket's receipt: `overdue` after it */
    deadlineDays: number;
  };
  burnRate: { fast: BurnWindow; slow: BurnWindow; /** open `burn` alerts (else shown on level alerts only) */ alert: boolean };
  forecast: { /** pace is measured over this many days before now */ paceDays: number };
  onCall: { levels: OnCallLevel[]; /** how many times the ladder is walked again from the top */ repeat: number };
  /** reason codes an acknowledgement must use */
  ackReasons: string[];
}

export const DEFAULT_ACK_REASONS = ['investigating', 'contacting_customer', 'case_meeting', 'known_cause', 'false_positive'];

export const DEFAULT_ALERT_CONFIG: AlertRulesConfig = Object.freeze({
  recovery: { margin: 0, weeks: 0 },
  cases: { noProgressHours: 72, deadlineDays: 15 },
  burnRate: {
    fast: { hours: 24, threshold: 10, minCount: 3 },
    slow: { hours: 168, threshold: 2, minCount: 5 },
    alert: false,
  },
  forecast: { paceDays: 28 },
  // a plan that names nobody still has someone on call: the roles every deployment has
  onCall: { levels: [{ notify: ['role:supervisor'], afterMinutes: 15 }, { notify: ['role:admin'], afterMinutes: 30 }], repeat: 0 },
  ackReasons: DEFAULT_ACK_REASONS,
}) as AlertRulesConfig;

/** The plan's `alerts:` section as parsed (every field optional). */
export interface PlanAlerts {
  recovery?: { margin?: number; weeks?: number };
  cases?: { noProgressHours?: number; deadlineDays?: number };
  burnRate?: { fast?: Partial<BurnWindow>; slow?: Partial<BurnWindow>; alert?: boolean };
  forecast?: { paceDays?: number };
  onCall?: { levels?: OnCallLevel[]; repeat?: number };
  ackReasons?: string[];
}

export function resolveAlertConfig(section: PlanAlerts | undefined): AlertRulesConfig {
  const d = DEFAULT_ALERT_CONFIG;
  const s = section ?? {};
  return {
    recovery: { ...d.recovery, ...s.recovery },
    cases: { ...d.cases, ...s.cases },
    burnRate: {
      fast: { ...d.burnRate.fast, ...s.burnRate?.fast },
      slow: { ...d.burnRate.slow, ...s.burnRate?.slow },
      alert: s.burnRate?.alert ?? d.burnRate.alert,
    },
    forecast: { ...d.forecast, ...s.forecast },
    onCall: { levels: s.onCall?.levels ?? d.onCall.levels, repeat: s.onCall?.repeat ?? d.onCall.repeat },
    ackReasons: s.ackReasons ?? d.ackReasons,
  };
}
