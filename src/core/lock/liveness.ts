/**
 * Is the process that wrote a lock, lease or temp file still running? The one place that answers it.
 *
 * A pid alone is not an identity: pids are recycled (in a container the CLI is often pid 1 on every run),
 * so a file left by a dead process can name a pid some unrelated process has now. On Linux a process is
 * told apart by its start time (field 22 of /proc/<pid>/stat, clock ticks since boot) together with the
 * boot id; elsewhere the pid and the host name are all there is.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who a file belongs to: enough to tell later whether that very process still runs. */
export interface ProcessRef {
  pid: number;
  /** os.hostname() of the writer: a process on another machine cannot be checked from here. */
  host: string;
  /** `<boot id>:<start ticks>` on Linux; absent where /proc is not readable. */
  start?: string;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

let bootId: string | undefined;

/** The start identity of `pid` from /proc, undefined when /proc cannot tell (not Linux, hidden pids). */
export function processStart(pid: number): string | undefined | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    // null: /proc works here and has no such process
    return (e as NodeJS.ErrnoException).code === 'ENOENT' && procWorks() ? null : undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[19];
  if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined;
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId ? `${bootId}:${ticks}` : ticks;
}

let procChecked: boolean | undefined;
function procWorks(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync(`/proc/${process.pid}/stat`, 'utf8');
      procChecked = true;
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}

let self: ProcessRef | undefined;

/** This process, as files it writes should name it. */
export function thisProcess(): ProcessRef {
  if (!self) {
    const start = processStart(process.pid);
    self = { pid: process.pid, host: hostname(), ...(start ? { start } : {}) };
  }
  return self;
}

/** Whether a process with this pid exists on this machine (any process: the pid may be recycled). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `ref` describes still runs. 'unknown' for another host. With a start identity the
 * answer is exact (a recycled pid is 'dead'); without one (an old file, no /proc) the pid decides.
 */
export function liveness(ref: { pid: number; host?: string; start?: string }): Liveness {
  const me = thisProcess();
  if (ref.host !== undefined && ref.host !== me.host) return 'unknown';
  if (!Number.isInteger(ref.pid) || ref.pid <= 0) return 'dead';
  if (ref.start !== undefined) {
    const now = processStart(ref.pid);
    if (now === null) return 'dead';
    if (now !== undefined) return now === ref.start ? 'alive' : 'dead';
  }
  return pidExists(ref.pid) ? 'alive' : 'dead';
}
