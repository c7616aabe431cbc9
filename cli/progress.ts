// Progress on stderr for people watching a terminal; nothing at all for logs, pipes, CI or JSON output.
import type { RecordedCall } from './recorder.ts';

export interface TtyLike {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface StatusLine {
  set(text: string): void;
  /** clears the line so the report starts clean */
  done(): void;
}

const SILENT: StatusLine = { set: () => {}, done: () => {} };

/** One line redrawn in place, cut to the terminal's width. */
export function statusLine(stream: TtyLike, enabled: boolean): StatusLine {
  if (!enabled || !stream.isTTY) return SILENT;
  let drawn = false;
  return {
    set: (text) => {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      drawn = true;
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** What a call reads, in a few words: `s3 GetBucketPolicy my-bucket`. */
export function describeCall(call: RecordedCall): string {
  const i = call.input;
  const s = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : undefined);
  const bucket = s('Bucket');
  const target =
    (bucket && s('Key') ? `${bucket}/${s('Key')}` : bucket) ??
    s('Id') ??
    s('Name') ??
    s('KeyId') ??
    s('WebAclArn') ??
    s('AutomationExecutionId') ??
    '';
  return `${call.service} ${call.operation}${target ? ` ${target}` : ''}`;
}

/** Feeds a status line from the calls as they start and end: "checking s3 GetBucketPolicy b (3/9 reads)". */
export function callStatus(line: StatusLine): {
  started: (call: RecordedCall) => void;
  ended: (call: RecordedCall) => void;
} {
  let started = 0;
  let ended = 0;
  const inFlight: RecordedCall[] = [];
  const draw = () => {
    const latest = inFlight[inFlight.length - 1];
    if (latest) line.set(`checking ${describeCall(latest)} (${ended}/${started} reads done)`);
  };
  return {
    started: (call) => {
      started++;
      inFlight.push(call);
      draw();
    },
    ended: (call) => {
      ended++;
      inFlight.splice(inFlight.indexOf(call), 1);
      draw();
    },
  };
}
