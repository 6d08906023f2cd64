// CPU time by process, from /proc (Linux): how much of the machine each side of a benchmark used.
// On a shared machine wall-clock rates move with the neighbours' load; CPU seconds per operation
// move much less, so the bench reports both.
import { readdirSync, readFileSync } from "node:fs";

const TICKS = 100; // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK))

type Stat = { pid: number; ppid: number; own: number; reaped: number };

function readStat(pid: number | "self"): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Fields after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return {
      pid: pid === "self" ? process.pid : pid,
      ppid: Number(f[1]),
      own: (Number(f[11]) + Number(f[12])) / TICKS,
      reaped: (Number(f[13]) + Number(f[14])) / TICKS,
    };
  } catch {
    return null;
  }
}

export function cpuAvailable(): boolean {
  return readStat("self") !== null;
}

/** CPU seconds of a process so far (all its threads). */
export function processCpu(pid: number): number {
  return readStat(pid)?.own ?? 0;
}

/** CPU seconds of this process's children that have ended (pgbench runs, stopped app processes). */
export function reapedChildrenCpu(): number {
  return readStat("self")?.reaped ?? 0;
}

/**
 * CPU seconds a PostgreSQL server has used so far: the postmaster, every live descendant
 * (backends, background workers) and the descendants already gone (counted by their parents).
 */
export function serverCpu(postmasterPid: number): number {
  const stats: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.push(s);
  }
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === postmasterPid);
  if (!root) return 0;
  let total = 0;
  const queue = [root];
  for (let s = queue.pop(); s; s = queue.pop()) {
    total += s.own + s.reaped;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return total;
}

export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
