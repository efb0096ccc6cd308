/**
 * Key groups (as Flink's): every key hashes to one of {@link KEY_GROUPS} groups, and a worker owns a
 * contiguous range of groups. State is split and merged by key group, so a checkpoint taken with one
 * parallelism restores with any other. The hash is of the key's {@link keyId} text, so it is the same
 * in every thread and every run.
 */
import { keyId } from "../key-id.js";

/** The number of key groups (the maximum parallelism). */
export const KEY_GROUPS = 128;

/** The key group of a key id (a {@link keyId} string): a 32-bit FNV-1a hash with a final mix, modulo the groups. */
export function keyGroupOfId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % KEY_GROUPS;
}

/** The key group of a key. */
export function keyGroupOf(key: unknown): number {
  return keyGroupOfId(keyId(key));
}

/** The worker (0 … parallelism − 1) that owns key group `group`: contiguous ranges, as Flink's. */
export function workerOfGroup(group: number, parallelism: number): number {
  return Math.floor((group * parallelism) / KEY_GROUPS);
}
