/** What the CLI writes: tables, sizes, durations, and progress on a terminal or as plain lines. */
import { SingleBar } from 'cli-progress';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A plain text table: a header, then the rows, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Labelled values, one per line: `Label   value`. */
export function fields(entries: readonly (readonly [string, string | undefined])[]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export interface ProgressState {
  readonly state: string;
  readonly percent: number;
  readonly bytes?: number;
  readonly elapsedMs: number;
}

/**
 * Progress of a job on stderr: a live bar on a terminal (cli-progress), plain
 * lines elsewhere, one at each change of state or percent.
 */
export class Progress {
  private bar?: SingleBar;
  private last = '';

  constructor(private readonly io: Io, private readonly label: string) {}

  public update(p: ProgressState): void {
    const payload = { state: p.state.padEnd(9), bytes: formatBytes(p.bytes), elapsed: formatElapsed(p.elapsedMs), label: this.label };
    if (this.io.stderr.isTTY) {
      if (!this.bar) {
        this.bar = new SingleBar({
          format: '{label} {state} |{bar}| {percentage}% | {bytes} | elapsed {elapsed}',
          stream: this.io.stderr,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 30,
        });
        this.bar.start(100, Math.floor(p.percent), payload);
      }
      this.bar.update(Math.floor(p.percent), payload);
      return;
    }
    const line = `${this.label} ${p.state} ${Math.floor(p.percent)}% ${formatBytes(p.bytes)} elapsed ${formatElapsed(p.elapsedMs)}`;
    const key = `${p.state} ${Math.floor(p.percent)}`;
    if (key !== this.last) this.io.stderr.write(`${line}\n`);
    this.last = key;
  }

  public stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
