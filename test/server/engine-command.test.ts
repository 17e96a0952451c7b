/**
 * The engine command on abort: SIGINT first, and SIGKILL after the grace period for an engine
 * that ignores it, so an aborted run always ends and frees its stack. Real processes.
 */
import { expect } from "chai";
import { runIsolated } from "../../executors/automation/engine-command";

const ENV = { PATH: "/usr/bin:/bin" };

/** Runs `script` under /bin/sh through the engine command, aborting it after `abortAfterMs`. */
async function runAborted(script: string, killAfterMs: number, abortAfterMs = 100): Promise<number> {
    const run = runIsolated("/bin/sh", undefined, killAfterMs);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), abortAfterMs);
    await run(["-c", script], "/", ENV, undefined, undefined, controller.signal).then(
        () => undefined,
        () => undefined,
    );
    return Date.now() - started;
}

describe("the engine command on abort (real processes)", function () {
    this.timeout(20_000);

    it("stops an engine that honours SIGINT at once", async () => {
        const elapsed = await runAborted("exec sleep 30", 5_000);
        expect(elapsed).to.be.below(2_000);
    });

    it("kills an engine that ignores SIGINT once the grace period has passed", async () => {
        const elapsed = await runAborted("trap '' INT; exec sleep 30", 500);
        expect(elapsed, "ended by SIGKILL after the grace, not by sleep's 30 s").to.be.within(550, 5_000);
    });

    it("signals an engine whose abort came before it started", async () => {
        const run = runIsolated("/bin/sh", undefined, 500);
        const controller = new AbortController();
        controller.abort();
        const started = Date.now();
        await run(["-c", "exec sleep 30"], "/", ENV, undefined, undefined, controller.signal).catch(() => undefined);
        expect(Date.now() - started).to.be.below(2_000);
    });
});
