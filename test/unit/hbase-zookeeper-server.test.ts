/**
 * The test helper that runs a real Apache ZooKeeper (test/support/zookeeper.mjs): it starts, answers
 * the four-letter words, restarts on the same port, stops leaving nothing behind, and says what to do
 * when Java or the jar is missing.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startZooKeeper } from "../support/zookeeper.mjs";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startZooKeeper (test/support/zookeeper.mjs)", () => {
  it("runs ZooKeeper on 127.0.0.1 and a free port; restart keeps the port; stop kills it and removes its dir", async () => {
    const zk = await startZooKeeper();
    try {
      expect(zk.connectString).toBe(`127.0.0.1:${zk.port}`);
      expect(await zk.fourLetterWord("ruok")).toBe("imok");
      expect(await zk.fourLetterWord("srvr")).toMatch(/^Zookeeper version: 3\./);
      expect(existsSync(zk.dataDir)).toBe(true);
      const firstPid = zk.pid;

      await zk.restart();
      expect(zk.pid).not.toBe(firstPid);
      expect(alive(firstPid)).toBe(false);
      expect(await zk.fourLetterWord("ruok")).toBe("imok");
      expect(zk.output()).toContain("ZooKeeperServerMain");
    } finally {
      const pid = zk.pid;
      await zk.stop();
      await zk.stop(); // idempotent
      expect(alive(pid)).toBe(false);
      expect(existsSync(zk.dataDir)).toBe(false);
    }
    await expect(zk.restart()).rejects.toThrow("was stopped");
  });

  it("says to run .ci/setup when the jar is missing, and when Java cannot run", async () => {
    await expect(startZooKeeper({ jar: "/nonexistent/zookeeper.jar" })).rejects.toThrow(
      "ZooKeeper is not installed: /nonexistent/zookeeper.jar is missing; run .ci/setup",
    );
    await expect(startZooKeeper({ java: "/nonexistent/bin/java" })).rejects.toThrow(/cannot run Java .*run \.ci\/setup/);
  });
});
