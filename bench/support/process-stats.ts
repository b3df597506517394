/**
 * Memory and CPU of the processes a bench runs, read from Linux /proc: the resident set of one pid,
 * CPU seconds of a pid (and of a process tree such as PostgreSQL's postmaster and its backends, also
 * split by the database each backend serves), the whole machine's busy time, and snapshots of all of
 * them to give CPU use per phase (parts of a figure, e.g. one service of a Temporal cluster, nested
 * under it), since other jobs on the machine compete for the same cores.
 */
import * as fs from 'node:fs';
import { round } from './distribution';

/** Kernel clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat and /proc/stat. */
const CLK_TCK = 100;

/** Current (VmRSS) and peak (VmHWM) resident set of a process, MB; null once it is gone. */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMb: round(kb('VmRSS') / 1024), peakRssMb: round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat after the command name: [0] is field 3 (state). */
function statFields(pid: number | string): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime, stime, cutime, cstime in seconds (cutime/cstime: its children that exited and were waited for). */
function cpuTimes(pid: number): number[] | null {
  try {
    const fields = statFields(pid);
    // utime is field 14 -> index 11.
    return [11, 12, 13, 14].map((i) => Number(fields[i]) / CLK_TCK);
  } catch {
    return null;
  }
}

/** User + system CPU seconds of one process; null once it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  const times = cpuTimes(pid);
  return times ? times[0] + times[1] : null;
}

/** CPU seconds of a process, its exited children (cutime/cstime) and its live children: a postmaster and its backends. */
export function treeCpuSecondsOf(pid: number): number | null {
  const own = cpuTimes(pid);
  if (!own) return null;
  return own.reduce((a, b) => a + b, 0) + childPids(pid).reduce((acc, child) => acc + (cpuSecondsOf(child) ?? 0), 0);
}

/**
 * CPU seconds of the live backends of a postmaster, per database, told apart by their process title
 * (`postgres: <user> <database> <host>(<port>) <activity>`, update_process_title is on by default);
 * `other`: the postmaster, its background processes and the backends that exited (cutime/cstime), so
 * the parts add up to treeCpuSecondsOf. Empty once the postmaster is gone.
 */
export function backendCpuSecondsByDatabase(postmaster: number): Record<string, number> {
  const tree = treeCpuSecondsOf(postmaster);
  if (tree === null) return {};
  const out: Record<string, number> = {};
  let backends = 0;
  for (const child of childPids(postmaster)) {
    const database = backendDatabase(child);
    const seconds = database === undefined ? null : cpuSecondsOf(child);
    if (database === undefined || seconds === null) continue;
    out[database] = (out[database] ?? 0) + seconds;
    backends += seconds;
  }
  out.other = tree - backends;
  return out;
}

/** The database a PostgreSQL backend serves, from its process title; undefined for other processes. */
function backendDatabase(pid: number): string | undefined {
  try {
    const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    // An optional `<cluster_name>: ` before the user; a client backend names its peer as host(port) or [local].
    return /^postgres: (?:[^ ]+: )?[^ ]+ ([^ ]+) (?:[^ ]+\(\d+\)|\[local\])/.exec(title)?.[1];
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of this process. */
export function thisProcessCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(entry)[1]) === ppid) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** node's flags for a bench child: with BENCH_CPU_PROF_DIR=<dir> it writes a V8 CPU profile there when it exits. */
export function cpuProfileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** A named source of CPU seconds, read at each snapshot. */
export interface CpuProbe {
  label: string;
  seconds(): number | null;
  /**
   * A share of another probe's figure (e.g. one Temporal service of `temporal`, the sum of them all):
   * reported as `name` inside an object under `key`, and left out of totals.
   */
  partOf?: { key: string; name: string };
  /** Reported on its own but left out of `total` (the bench's own process: load generator, poller). */
  outsideTotal?: boolean;
}

/** Per probe (its parts nested under their `partOf` key), plus what the caller adds. */
export type CpuFigures = Record<string, number | null | Record<string, number | null>>;

export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  /** Seconds per probe label. */
  per: Record<string, number | null>;
  /** The `partOf` of each probe that has one, by label. */
  partOf: Record<string, { key: string; name: string }>;
  /** The labels of the probes left out of `total`. */
  outsideTotal: string[];
}

export function cpuSnapshot(probes: CpuProbe[]): CpuSnapshot {
  return {
    at: Date.now(),
    machine: machineCpu(),
    per: Object.fromEntries(probes.map((p) => [p.label, p.seconds()])),
    partOf: Object.fromEntries(probes.filter((p) => p.partOf).map((p) => [p.label, p.partOf!])),
    outsideTotal: probes.filter((p) => p.outsideTotal).map((p) => p.label),
  };
}

/**
 * `figure(seconds)` of each probe's CPU seconds between two snapshots, parts nested under their
 * `partOf` key; `total`: the sum over the probes that are no part and not `outsideTotal` (null figures left out).
 */
export function perProbe(a: CpuSnapshot, b: CpuSnapshot, figure: (delta: number) => number, opts: { total?: boolean } = {}): CpuFigures {
  const out: CpuFigures = {};
  let total = 0;
  for (const label of Object.keys(b.per)) {
    const x = a.per[label];
    const y = b.per[label];
    const value = x === null || x === undefined || y === null ? null : figure(y - x);
    const part = b.partOf[label];
    if (part) {
      const parts = (out[part.key] ??= {}) as Record<string, number | null>;
      parts[part.name] = value;
    } else {
      out[label] = value;
      if (value !== null && !b.outsideTotal.includes(label)) total += value;
    }
  }
  if (opts.total) out.total = total;
  return out;
}

/** CPU use between two snapshots, in percent of one core (200 = both cores of a 2-core machine), per probe and for the machine. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuFigures {
  const wall = (b.at - a.at) / 1000;
  const out = perProbe(a, b, (delta) => Math.round((delta / wall) * 100));
  out.machineBusy = Math.round(((b.machine.busy - a.machine.busy) / wall) * 100);
  return out;
}
