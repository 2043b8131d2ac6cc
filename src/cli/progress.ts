// The command line's transfer progress: a cli-progress bar on stderr with bytes, rate and ETA,
// fed by the connector's onProgress. Only the CLI uses it; the runtime never draws anything.
import cliProgress from 'cli-progress';
import type { Progress } from '../runtime/operation.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** 75 → "1m15s"; unknown → "--". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** How often the bar takes a new value (and redraws at most). */
const UPDATE_EVERY_MS = 200;
/** Rate and ETA are measured over the last few seconds, so they follow the current speed. */
const RATE_WINDOW_MS = 5000;

export interface TransferBar {
  /** Pass as the invoke's onProgress. */
  onProgress(progress: Progress): void;
  /** Draws the final state and leaves the line; safe to call when nothing was drawn. */
  stop(): void;
}

/** A bar labelled `label`, drawn on `stream` once the first bytes move. */
export function transferBar(label: string, stream: NodeJS.WriteStream = process.stderr): TransferBar {
  let bar: cliProgress.SingleBar | undefined;
  const started = Date.now();
  let lastUpdate = 0;
  let latest: Progress | undefined;

  const samples: { at: number; loaded: number }[] = [];

  const payload = (p: Progress) => {
    const now = Date.now();
    samples.push({ at: now, loaded: p.loaded });
    while (samples.length > 2 && now - samples[0]!.at > RATE_WINDOW_MS) samples.shift();
    const first = samples[0]!;
    // Over the window once it spans half a second; over the whole transfer before that.
    const [since, from] = now - first.at >= 500 ? [first.at, first.loaded] : [started, 0];
    const rate = now > since ? ((p.loaded - from) * 1000) / (now - since) : 0;
    const remaining = p.total !== undefined ? Math.max(0, p.total - p.loaded) : undefined;
    return {
      label,
      loadedText: formatBytes(p.loaded),
      totalText: p.total !== undefined ? formatBytes(p.total) : '?',
      rateText: `${formatBytes(Math.round(rate))}/s`,
      etaText:
        remaining === 0 ? '0s' : formatDuration(remaining !== undefined && rate > 0 ? remaining / rate : undefined),
    };
  };

  let stopped = false;

  const draw = (p: Progress) => {
    const values = payload(p);
    if (!bar) {
      const known = p.total !== undefined && p.total > 0;
      bar = new cliProgress.SingleBar({
        stream,
        format: known
          ? '{label} |{bar}| {percentage}% | {loadedText} / {totalText} | {rateText} | ETA {etaText}'
          : '{label} {loadedText} | {rateText}',
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        barsize: 30,
        hideCursor: false,
        clearOnComplete: false,
        stopOnComplete: false,
      });
      bar.start(known ? p.total! : 1, known ? p.loaded : 0, values);
    }
    bar.update(p.total !== undefined && p.total > 0 ? p.loaded : 0, values);
  };

  return {
    onProgress(p) {
      if (stopped) return;
      latest = p;
      const now = Date.now();
      if (bar && now - lastUpdate < UPDATE_EVERY_MS) return;
      lastUpdate = now;
      draw(p);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (latest) draw(latest);
      bar?.stop();
      bar = undefined;
    },
  };
}
