/**
 * What the endpoint's master keeps beside the store: which tables are disabled (HBase's table state;
 * in memory — every table is enabled again when the endpoint restarts), and the procedure ids it
 * answered (every procedure runs to its end before the call returns, so a known id is FINISHED).
 */
import type { TableName } from "../model/table-descriptor.js";
import { tableLabel } from "./table-schema-wire.js";

/** Table states and procedure ids of one endpoint. */
export class MasterState {
  private readonly disabled = new Set<string>();
  private readonly procedures = new Map<bigint, number>();
  private nextProcId = 1n;

  /** Whether `table` ("name" or "ns:name") is disabled. */
  isDisabled(table: string | TableName): boolean {
    return this.disabled.has(typeof table === "string" ? table : tableLabel(table));
  }

  /** Marks the table disabled (true) or enabled (false). */
  setDisabled(table: TableName, disabled: boolean): void {
    if (disabled) this.disabled.add(tableLabel(table));
    else this.disabled.delete(tableLabel(table));
  }

  /** Records a finished procedure; returns its id. */
  finished(): bigint {
    const id = this.nextProcId++;
    this.procedures.set(id, Date.now());
    if (this.procedures.size > 10_000) this.procedures.delete(this.procedures.keys().next().value as bigint);
    return id;
  }

  /** When the procedure finished (ms), or undefined when the id is unknown. */
  finishedAt(id: bigint): number | undefined {
    return this.procedures.get(id);
  }
}
