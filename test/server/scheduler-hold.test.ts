/**
 * A job that gives up on work still running (a drift check past its deadline) frees its worker
 * but not its stack: nothing else runs on that key until the work settles, other keys go on, and
 * shutdown waits for the work.
 */
import { expect } from "chai";
import { type Job, Scheduler } from "../../service/operations/scheduler";
import { deferred } from "./support";

const tick = () => new Promise((r) => setTimeout(r, 5));

function job(id: string, key: string, run: Job["run"], lane: Job["lane"] = "user"): Job {
    return { id, key, lane, run, dropped: () => undefined };
}

describe("scheduler: work left holding a stack", () => {
    it("keeps the key busy until the held work settles, while the lane and other keys go on", async () => {
        const scheduler = new Scheduler({ workers: 2, queueLimit: 10, backgroundWorkers: 1 });
        const engine = deferred();
        const ran: string[] = [];
        scheduler.submitBackground(
            job(
                "check-a",
                "a",
                async (_signal, holdKey) => {
                    ran.push("check-a");
                    holdKey(engine.promise);
                },
                "background",
            ),
        );
        await tick();
        scheduler.submit(job("up-a", "a", async () => void ran.push("up-a")));
        scheduler.submitBackground(job("check-b", "b", async () => void ran.push("check-b"), "background"));
        await tick();
        expect(ran, "the lane is free for b; a's stack is not").to.deep.equal(["check-a", "check-b"]);
        expect(scheduler.background.running).to.equal(0);
        engine.resolve();
        await tick();
        expect(ran).to.deep.equal(["check-a", "check-b", "up-a"]);
    });

    it("waits at shutdown for held work, up to its timeout", async () => {
        const scheduler = new Scheduler({ workers: 1, queueLimit: 10 });
        const engine = deferred();
        scheduler.submit(job("op", "a", async (_signal, holdKey) => holdKey(engine.promise)));
        await tick();
        let stopped = false;
        const shutdown = scheduler.shutdown(5_000).then(() => (stopped = true));
        await tick();
        expect(stopped, "still waiting for the engine").to.equal(false);
        engine.resolve();
        await shutdown;
        expect(stopped).to.equal(true);
    });
});
