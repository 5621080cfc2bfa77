import { intVar } from './config.ts';

// Wall-board tuning, read once at start from the environment (the server's config module is
// shared; these belong to the wall-board alone).

export interface WallboardConfig {
  /** how long counter changes gather before one flush to the screens */
  coalesceMs: number;
  /** server → screen heartbeat period; a page that hears nothing for ~3 periods calls itself stale */
  heartbeatMs: number;
  /** a screen with no heartbeat for this long raises a screen alert */
  screenSilentMs: number;
  /** frames kept for reconnecting pages (`/ws?since=`) */
  replayFrames: number;
}

export function wallboardConfig(env: NodeJS.ProcessEnv = process.env): WallboardConfig {
  return {
    coalesceMs: intVar(env, 'WALLBOARD_COALESCE_MS', 250, 0, 10_000),
    heartbeatMs: intVar(env, 'WALLBOARD_HEARTBEAT_MS', 5000, 100, 600_000),
    screenSilentMs: intVar(env, 'SCREEN_SILENT_MS', 60_000, 500, 86_400_000),
    replayFrames: intVar(env, 'WALLBOARD_REPLAY_FRAMES', 5000, 0, 1_000_000),
  };
}
