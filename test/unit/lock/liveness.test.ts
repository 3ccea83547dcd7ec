import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { liveness, pidExists, processStart, thisProcess } from '../../../src/core/lock/liveness.js';
import { defined } from '../../helpers/defined.js';

const DEAD_PID = 2 ** 22 + 12_345; // above Linux's pid_max default, so never a live process

describe('process liveness', () => {
  it('names this process by pid, host and (on Linux) boot id + start ticks from /proc', () => {
    const me = thisProcess();
    expect(me).toMatchObject({ pid: process.pid, host: hostname() });
    const ticks = defined(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]).split(' ')[19];
    expect(me.start).toBe(`${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${ticks}`);
    expect(liveness(me)).toBe('alive');
  });

  it('tells a recycled pid from the process that wrote the file', () => {
    // our pid, but another start: the writer died and the pid went to us
    expect(liveness({ ...thisProcess(), start: 'some-other-boot:1' })).toBe('dead');
    expect(liveness({ pid: process.ppid, host: hostname(), start: defined(processStart(process.ppid)) })).toBe('alive');
  });

  it('is exact about a child before and after it exits', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await new Promise((r) => child.once('spawn', r));
    const ref = { pid: defined(child.pid), host: hostname(), start: defined(processStart(defined(child.pid))) };
    expect(liveness(ref)).toBe('alive');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(liveness(ref)).toBe('dead');
    expect(processStart(defined(child.pid))).toBeNull();
  });

  it('falls back to the pid without a start time, and cannot judge another host', () => {
    expect(liveness({ pid: process.ppid, host: hostname() })).toBe('alive');
    expect(liveness({ pid: DEAD_PID, host: hostname() })).toBe('dead');
    expect(liveness({ pid: DEAD_PID })).toBe('dead');
    expect(liveness({ pid: process.pid, host: 'elsewhere.example' })).toBe('unknown');
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(liveness({ pid, host: hostname() })).toBe('dead');
  });

  it('pidExists is false for impossible pids', () => {
    expect(pidExists(process.pid)).toBe(true);
    for (const pid of [0, -1, 2.5, DEAD_PID]) expect(pidExists(pid)).toBe(false);
  });
});
