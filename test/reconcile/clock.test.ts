/**
 * Day two against a wall clock that steps back (NTP, an operator fixing the date): the system
 * clock's timers still fire after their delay, and a last check recorded "in the future" does
 * not hold a cluster's next check beyond one interval.
 */
import { expect } from "chai";
import { systemClock } from "../../service/reconcile/clock";
import { ManualClock } from "../support/manual-clock";
import { body, stopServer } from "../server/support";
import { type DayTwoServer, getJson, type HealthJson, onboard, settle, startDayTwoServer } from "./support";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe("day two when the wall clock steps back", function () {
    this.timeout(20_000);
    const realNow = Date.now;
    let server: DayTwoServer | undefined;
    afterEach(async () => {
        Date.now = realNow;
        server = await stopServer(server);
    });

    it("fires a system-clock timer after its delay although the wall clock went back a day", async () => {
        const clock = systemClock();
        const fired = new Promise<number>((resolve) => {
            const start = performance.now();
            clock.setTimer(() => resolve(performance.now() - start), 40);
        });
        Date.now = () => realNow() - DAY;
        const elapsed = await Promise.race([fired, new Promise<number>((r) => setTimeout(() => r(-1), 2000))]);
        expect(elapsed, "the timer fired (-1: still waiting after 2 s)").to.be.within(35, 1000);
    });

    it("cancels a system-clock timer", async () => {
        const clock = systemClock();
        let fired = false;
        clock.clearTimer(clock.setTimer(() => (fired = true), 10));
        await new Promise((r) => setTimeout(r, 50));
        expect(fired).to.equal(false);
    });

    it("checks a cluster within one interval of a restart whose clock is two days behind its last check", async () => {
        server = await startDayTwoServer();
        await onboard(server, "c1", body());
        server.clock.advance(60_000);
        server.clock.advance(HOUR);
        await settle(server);
        const checkedAt = server.clock.now();
        const { dataDir } = server;
        await server.app.close();
        server = undefined;

        const behind = new ManualClock(checkedAt - 2 * DAY);
        server = await startDayTwoServer({ dataDir, clock: behind });
        const health = await getJson<HealthJson>(server, "/v1/clusters/c1/health");
        expect(Date.parse(health.reconcile.nextCheckAt ?? "")).to.be.at.most(behind.now() + HOUR);
    });
});
