/**
 * Durability of the embedded store (issue 3): an acknowledged write survives `kill -9`, and nothing
 * partial of an atomic unit is ever visible. A child process (test/support/hbase-kill-writer.mjs, on the
 * BUILT package) writes atomic units from concurrent workers and reports each ack on stdout; this test
 * kills it with SIGKILL at random points, round after round on the same directory, and after each kill
 * reopens the store and checks every unit. Randomness is seeded: the seed is in every failure message
 * (rerun with SLUICE_DURABILITY_SEED=<seed>).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { connect as connectFunction } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { ensureSluiceBuilt } from "../support/kernelspec.mjs";
import { REPO_ROOT } from "../support/paths.mjs";
import { batchPadding, CAS_SLOTS, COUNTERS, KILL_FAMILIES, KILL_SPLIT_KEYS, KILL_TABLE, KILL_WRITER, MUTATE_SLOTS } from "../support/hbase-kill-writer.mjs";
import { tempDir, text } from "./hbase-embedded-support.js";
import { seededRandom } from "../support/seeded-random.mjs";

const ROUNDS = 12;
const SEED = Number(process.env.SLUICE_DURABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));

let connect: typeof connectFunction;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  await ensureSluiceBuilt();
  // The child writes with the built package; the checks read with the same build (one key format).
  ({ connect } = (await import(pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "connect.js")).href)) as { connect: typeof connectFunction });
  ({ dir, remove } = await tempDir());
});
afterAll(async () => {
  await remove?.();
});


type UnitKind = "batch" | "mutate" | "cas" | "incr";
interface Unit {
  readonly id: string;
  readonly kind: UnitKind;
  readonly details: { size?: number; slot?: number; version?: number; counter?: number };
  readonly round: number;
  /** Order of `begin` lines over all rounds. */
  readonly order: number;
  acked: boolean;
}
interface ReadyState {
  markers: string[][];
  versions: number[];
}

/** A running child: its stdout parsed line by line into units and acks. */
class WriterRun {
  readonly child: ChildProcessWithoutNullStreams;
  acks = 0;
  ready: ReadyState | undefined;
  cleanlyClosed = false;
  readonly failures: string[] = [];
  exited = false;
  private buffer = "";
  private stderr = "";
  /** Pending waits: each returns true once settled. */
  private checks: (() => boolean)[] = [];
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly round: number,
    private readonly units: Map<string, Unit>,
    private readonly nextOrder: () => number,
    stopOnStdinEnd: boolean,
  ) {
    const args = [KILL_WRITER, dir, String(round), String(SEED)];
    if (stopOnStdinEnd) args.push("--stop-on-stdin-end");
    this.child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.done = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exited = true;
        this.runChecks();
        resolve({ code, signal });
      });
    });
  }

  /** Resolves once `condition` holds; rejects when the child ends first. */
  waitFor(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          resolve();
          return true;
        }
        if (this.exited) {
          reject(new Error(`seed ${SEED} round ${this.round}: the writer ended before ${what}; stderr: ${this.stderr}`));
          return true;
        }
        return false;
      };
      if (!check()) this.checks.push(check);
    });
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    const { signal } = await this.done;
    if (signal !== "SIGKILL") throw new Error(`seed ${SEED} round ${this.round}: the writer ended on its own before the kill; stderr: ${this.stderr}`);
  }

  private runChecks(): void {
    this.checks = this.checks.filter((check) => !check());
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.onLine(line);
    }
    this.runChecks();
  }

  private onLine(line: string): void {
    const [word, rest = ""] = splitOnce(line);
    if (word === "ready") {
      this.ready = JSON.parse(rest) as ReadyState;
    } else if (word === "begin") {
      const [id, tail = ""] = splitOnce(rest);
      const [kind, json = "{}"] = splitOnce(tail);
      this.units.set(id, { id, kind: kind as UnitKind, details: JSON.parse(json) as Unit["details"], round: this.round, order: this.nextOrder(), acked: false });
    } else if (word === "ack") {
      const unit = this.units.get(rest);
      if (unit === undefined) this.failures.push(`ack of ${rest} without its begin`);
      else unit.acked = true;
      this.acks++;
    } else if (word === "fail") {
      this.failures.push(rest);
    } else if (word === "closed") {
      this.cleanlyClosed = true;
    } else {
      this.failures.push(`unexpected line from the writer: ${line}`);
    }
  }
}

function splitOnce(s: string): [string, string?] {
  const space = s.indexOf(" ");
  return space < 0 ? [s] : [s.slice(0, space), s.slice(space + 1)];
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a check saw; the next round's writer must start from the same state. */
interface Observed {
  markers: string[][];
  versions: number[];
  counters: bigint[];
}

/**
 * Checks the store against the units: every acked unit is whole, every visible unit is whole, counters
 * are between acked and acked + in flight. Returns the problems found and the state observed.
 */
async function check(conn: Connection, units: Map<string, Unit>, counterBase: readonly bigint[], round: number): Promise<{ problems: string[]; observed: Observed }> {
  const problems: string[] = [];
  const observed: Observed = { markers: [], versions: [], counters: [] };
  const all = [...units.values()];
  if (!(await conn.admin.tableExists(KILL_TABLE))) {
    if (all.length > 0) problems.push(`table ${KILL_TABLE} is missing though ${all.length} units began`);
    for (let s = 0; s < MUTATE_SLOTS; s++) observed.markers.push([]);
    for (let s = 0; s < CAS_SLOTS; s++) observed.versions.push(0);
    for (let c = 0; c < COUNTERS; c++) observed.counters.push(counterBase[c]!);
    return { problems, observed };
  }
  const described = await conn.admin.describeTable(KILL_TABLE);
  const shape = { families: described.families.map((f) => f.name), splitKeys: described.regions.slice(1).map((r) => text(r.startKey)) };
  if (JSON.stringify(shape) !== JSON.stringify({ families: KILL_FAMILIES, splitKeys: KILL_SPLIT_KEYS })) {
    problems.push(`the table's descriptor changed: ${JSON.stringify(shape)}`);
  }
  const t = conn.table(KILL_TABLE);

  // Batches: rows b/<i>/<unit>; a batch is all its rows or none.
  const batches = new Map<string, Set<number>>();
  for await (const row of t.scan({ prefix: "b/" })) {
    const key = text(row.row);
    const match = /^b\/(\d+)\/(.+)$/.exec(key);
    const cells = new Map(row.cells.map((c) => [`${text(c.family)}:${text(c.qualifier)}`, text(c.value)]));
    if (match === null) {
      problems.push(`unexpected batch row ${key}`);
      continue;
    }
    const [, index, id] = match as unknown as [string, string, string];
    const unit = units.get(id);
    if (unit?.kind !== "batch") {
      problems.push(`row ${key} of a batch that never began`);
      continue;
    }
    const wanted = { "a:unit": id, "a:size": String(unit.details.size), "b:i": index, "b:pad": batchPadding(id, Number(index)) };
    if (cells.size !== 4 || Object.entries(wanted).some(([column, value]) => cells.get(column) !== value)) {
      problems.push(`row ${key} is partial or wrong: ${JSON.stringify([...cells].map(([c, v]) => [c, v.length > 40 ? `${v.slice(0, 40)}… (${v.length})` : v]))}`);
    }
    const seen = batches.get(id) ?? new Set<number>();
    seen.add(Number(index));
    batches.set(id, seen);
  }
  for (const unit of all.filter((u) => u.kind === "batch")) {
    const seen = batches.get(unit.id)?.size ?? 0;
    if (seen !== 0 && seen !== unit.details.size) problems.push(`batch ${unit.id} is partial: ${seen} of ${unit.details.size} rows`);
    if (unit.acked && seen === 0) problems.push(`acked batch ${unit.id} is lost`);
  }

  // mutateRow slots: x, y, z and exactly one marker name the same unit, not older than the last acked one.
  for (let slot = 0; slot < MUTATE_SLOTS; slot++) {
    const onSlot = all.filter((u) => u.kind === "mutate" && u.details.slot === slot);
    const lastAcked = onSlot.filter((u) => u.acked).at(-1);
    const row = await t.get(`m/${slot}`);
    if (row === undefined) {
      if (lastAcked !== undefined) problems.push(`slot m/${slot} is empty though ${lastAcked.id} was acked`);
      observed.markers.push([]);
      continue;
    }
    const cells = new Map(row.cells.map((c) => [`${text(c.family)}:${text(c.qualifier)}`, text(c.value)]));
    const markers = [...cells.keys()].filter((k) => k.startsWith("b:u-")).map((k) => k.slice(2));
    observed.markers.push(markers);
    const id = cells.get("a:x");
    const unit = id === undefined ? undefined : units.get(id);
    if (id === undefined || cells.get("a:y") !== id || cells.get("b:z") !== id || markers.length !== 1 || markers[0] !== `u-${id}`) {
      problems.push(`slot m/${slot} shows a partial mutateRow: ${JSON.stringify([...cells])}`);
    } else if (unit === undefined || unit.kind !== "mutate" || unit.details.slot !== slot) {
      problems.push(`slot m/${slot} holds ${id}, which never began there`);
    } else if (lastAcked !== undefined && unit.order < lastAcked.order) {
      problems.push(`slot m/${slot} holds ${id}, older than the acked ${lastAcked.id}: an acked mutateRow is lost`);
    }
  }

  // checkAndMutate slots: the version, and both "by" cells naming the unit that wrote that version.
  for (let slot = 0; slot < CAS_SLOTS; slot++) {
    const onSlot = all.filter((u) => u.kind === "cas" && u.details.slot === slot);
    const ackedVersion = Math.max(0, ...onSlot.filter((u) => u.acked).map((u) => u.details.version!));
    const begunVersion = Math.max(0, ...onSlot.map((u) => u.details.version!));
    const row = await t.get(`c/${slot}`);
    const cells = new Map((row?.cells ?? []).map((c) => [`${text(c.family)}:${text(c.qualifier)}`, text(c.value)]));
    const version = Number(cells.get("a:ver") ?? "0");
    observed.versions.push(version);
    if (version < ackedVersion) problems.push(`slot c/${slot} is at version ${version} though version ${ackedVersion} was acked`);
    if (version > begunVersion) problems.push(`slot c/${slot} is at version ${version}, beyond any begun (${begunVersion})`);
    if (version > 0) {
      const by = cells.get("a:by");
      const unit = by === undefined ? undefined : units.get(by);
      if (cells.size !== 3 || cells.get("b:by") !== by || unit?.kind !== "cas" || unit.details.version !== version) {
        problems.push(`slot c/${slot} shows a partial checkAndMutate: ${JSON.stringify([...cells])}`);
      }
    }
  }

  // Counters: ≥ base + acked increments of this round, ≤ that + increments in flight at the kill.
  for (let counter = 0; counter < COUNTERS; counter++) {
    const mine = all.filter((u) => u.kind === "incr" && u.round === round && u.details.counter === counter);
    const acked = BigInt(mine.filter((u) => u.acked).length);
    const inFlight = BigInt(mine.length) - acked;
    const row = await t.get(`i/${counter}`);
    const bytes = row?.cells[0]?.value;
    const value = bytes === undefined ? 0n : new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0);
    observed.counters.push(value);
    const low = counterBase[counter]! + acked;
    if (value < low || value > low + inFlight) {
      problems.push(`counter i/${counter} is ${value}; expected from ${low} (acked) to ${low + inFlight} (with ${inFlight} in flight)`);
    }
  }
  return { problems, observed };
}

describe("embedded store: durability under kill -9 (child process on the built package)", () => {
  it(`keeps every acknowledged unit and shows no partial atomic unit over ${ROUNDS} rounds (seed ${SEED})`, async () => {
    const rand = seededRandom(SEED);
    const units = new Map<string, Unit>();
    let order = 0;
    const nextOrder = () => order++;
    let counterBase: bigint[] = Array.from({ length: COUNTERS }, () => 0n);
    let previous: Observed | undefined;
    const where = (round: number) => `seed ${SEED} round ${round} (rerun with SLUICE_DURABILITY_SEED=${SEED})`;
    let kills = 0;
    let ackedTotal = 0;
    let inFlightAtKills = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const clean = round === ROUNDS - 1;
      const run = new WriterRun(round, units, nextOrder, clean);
      try {
        if (round === 0) {
          // Possibly before the table exists, or while it is being created.
          await delay(Math.floor(rand() * 300));
          if (run.exited) throw new Error(`${where(round)}: the writer ended on its own`);
        } else {
          await run.waitFor(() => run.ready !== undefined, "ready");
          // The writer starts from what the last check saw (the same bytes through another process).
          expect({ markers: run.ready!.markers.map((m) => [...m].sort()), versions: run.ready!.versions }, where(round)).toEqual({
            markers: previous!.markers.map((m) => [...m].sort()),
            versions: previous!.versions,
          });
          // A second process is refused with a clear error, and the holder keeps working.
          const before = run.acks;
          await expect(connect({ path: dir }), where(round)).rejects.toThrow(`the HBase data directory ${path.resolve(dir)} is in use by another process`);
          await run.waitFor(() => run.acks >= before + 5, "5 more acks after a second open was refused");
          if (rand() < 0.5) {
            const target = run.acks + 1 + Math.floor(rand() * 400);
            await run.waitFor(() => run.acks >= target, `${target} acks`);
          } else {
            await delay(Math.floor(rand() * 250));
          }
        }
        if (clean) {
          run.child.stdin.end();
          const { code } = await run.done;
          expect(code, where(round)).toBe(0);
          expect(run.cleanlyClosed, where(round)).toBe(true);
          const roundUnits = [...units.values()].filter((u) => u.round === round);
          expect(roundUnits.filter((u) => !u.acked).map((u) => u.id), `${where(round)}: a clean stop leaves no unit in flight`).toEqual([]);
        } else {
          await run.kill();
          kills++;
          inFlightAtKills += [...units.values()].filter((u) => u.round === round && !u.acked).length;
        }
      } finally {
        if (!run.exited) await run.kill().catch(() => undefined);
      }
      expect(run.failures, where(round)).toEqual([]);
      ackedTotal += [...units.values()].filter((u) => u.round === round && u.acked).length;

      const conn = await connect({ path: dir });
      try {
        const { problems, observed } = await check(conn, units, counterBase, round);
        expect(problems, where(round)).toEqual([]);
        counterBase = observed.counters;
        previous = observed;
      } finally {
        await conn.close();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    // The rounds did write: something was acked and checked (a kill too early every time proves nothing).
    expect(ackedTotal, where(ROUNDS)).toBeGreaterThan(100);
    // Kills landed while units were in flight (begun, not acked): the all-or-nothing checks had work.
    expect(inFlightAtKills, where(ROUNDS)).toBeGreaterThan(10);
    const kinds = new Set([...units.values()].filter((u) => u.acked).map((u) => u.kind));
    expect([...kinds].sort(), where(ROUNDS)).toEqual(["batch", "cas", "incr", "mutate"]);
  }, 90_000);
});
