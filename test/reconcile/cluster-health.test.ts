/** The pure parts of day two: the renewal window, the health assessment, the answer parsers, the scheduler's lanes. */
import { expect } from "chai";
import { earliestExpiry, parseNotAfter, renewalDue, renewalWindowStart } from "../../components/pki/pki-renewal";
import { assessHealth, type HealthInput, worst } from "../../service/health/cluster-health";
import { parseLokiNewest, parsePromVectorValue } from "../../service/health/health-probes";
import { driftOf } from "../../service/reconcile/drift-check";
import { type Job, Scheduler } from "../../service/operations/scheduler";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const H = 3600_000;

describe("renewal window (components/pki/pki-renewal.ts)", () => {
    const cases: [string, number, number, boolean][] = [
        ["well outside", NOW + 1000 * H, 720, false],
        ["one ms before the window", NOW + 720 * H + 1, 720, false],
        ["exactly at the window's start", NOW + 720 * H, 720, true],
        ["inside", NOW + 10 * H, 720, true],
        ["expired", NOW - H, 720, true],
        ["no early renewal, not expired", NOW + 1, 0, false],
    ];
    for (const [name, notAfter, early, due] of cases)
        it(`${name}: ${due ? "due" : "not due"}`, () => expect(renewalDue(notAfter, early, NOW)).to.equal(due));

    it("starts the window earlyRenewalHours before notAfter", () =>
        expect(renewalWindowStart(NOW, 2)).to.equal(NOW - 2 * H));

    it("reads the output, dropping what is not a date, and finds the first expiry", () => {
        const parsed = parseNotAfter({ ca: "2040-01-01T00:00:00Z", server: "2031-01-01T00:00:00Z", bad: "soon", n: 3 });
        expect(parsed).to.deep.equal({
            ca: Date.parse("2040-01-01T00:00:00Z"),
            server: Date.parse("2031-01-01T00:00:00Z"),
        });
        expect(earliestExpiry(parsed)).to.deep.equal({
            name: "server",
            notAfterMs: Date.parse("2031-01-01T00:00:00Z"),
        });
        expect(parseNotAfter("x")).to.deep.equal({});
        expect(earliestExpiry({})).to.equal(undefined);
    });
});

describe("health assessment", () => {
    const base = (over: Partial<HealthInput> = {}): HealthInput => ({
        now: NOW,
        suspended: false,
        monitoringEnabled: true,
        loggingEnabled: true,
        certificates: { server: new Date(NOW + 100 * 24 * H).toISOString() },
        earlyRenewalHours: 720,
        lastOperation: { id: "o", clusterId: "c1", kind: "up", state: "succeeded", createdAt: "t", finishedAt: "t2" },
        reconcile: { clusterId: "c1", state: "inSync", checkedAt: "2029-12-31T23:00:00.000Z" },
        probes: {
            at: NOW,
            gateway: { ok: true, value: "answers" },
            metrics: { ok: true, value: NOW - 60_000 },
            logs: { ok: true, value: NOW - 60_000 },
        },
        ...over,
    });

    it("is ok when every part is", () => {
        const h = assessHealth(base());
        expect(h.state).to.equal("ok");
        expect(Object.values(h.parts).map((p) => p.state)).to.deep.equal(["ok", "ok", "ok", "ok", "ok", "ok"]);
    });

    const table: [string, Partial<HealthInput>, keyof ReturnType<typeof assessHealth>["parts"], string, string][] = [
        [
            "metrics 4 min old",
            {
                probes: {
                    at: NOW,
                    gateway: { ok: true, value: "a" },
                    metrics: { ok: true, value: NOW - 4 * 60_000 },
                    logs: { ok: true, value: NOW },
                },
            },
            "metrics",
            "ok",
            "newest metric sample 4 min old",
        ],
        [
            "metrics 5 min old",
            {
                probes: {
                    at: NOW,
                    gateway: { ok: true, value: "a" },
                    metrics: { ok: true, value: NOW - 5 * 60_000 },
                    logs: { ok: true, value: NOW },
                },
            },
            "metrics",
            "warning",
            "newest metric sample 5 min old",
        ],
        [
            "logs 15 min old",
            {
                probes: {
                    at: NOW,
                    gateway: { ok: true, value: "a" },
                    metrics: { ok: true, value: NOW },
                    logs: { ok: true, value: NOW - 15 * 60_000 },
                },
            },
            "logs",
            "critical",
            "newest log line 15 min old",
        ],
        [
            "logging off",
            { loggingEnabled: false, probes: { at: NOW, gateway: { ok: true, value: "a" } } },
            "logs",
            "ok",
            "logs disabled for this cluster",
        ],
        ["suspended", { suspended: true }, "metrics", "warning", "suspended: the gateway refuses writes"],
        [
            "no read token",
            {
                probes: {
                    at: NOW,
                    gateway: { ok: true, value: "a" },
                    skipped: "no read token (stack output gatewayReadToken)",
                },
            },
            "logs",
            "warning",
            "not queried: no read token (stack output gatewayReadToken)",
        ],
        [
            "gateway down",
            { probes: { at: NOW, gateway: { ok: false, error: "ECONNREFUSED" } } },
            "gateway",
            "critical",
            "the read listener does not answer: ECONNREFUSED",
        ],
        ["never probed", { probes: undefined }, "gateway", "warning", "not probed yet"],
        [
            "cert in window",
            { certificates: { server: new Date(NOW + 20 * 24 * H).toISOString() } },
            "certificates",
            "warning",
            "server is in its renewal window (expires in 20 d); the reconciler renews it",
        ],
        [
            "cert within 7 days",
            {
                certificates: {
                    ca: new Date(NOW + 3000 * 24 * H).toISOString(),
                    logAgent: new Date(NOW + 6 * 24 * H).toISOString(),
                },
            },
            "certificates",
            "critical",
            "logAgent expires in 6 d",
        ],
        [
            "cert expired",
            { certificates: { server: new Date(NOW - 2 * H).toISOString() } },
            "certificates",
            "critical",
            "server expired 2 h ago",
        ],
        [
            "drifted 23 h",
            {
                reconcile: {
                    clusterId: "c1",
                    state: "drifted",
                    checkedAt: "x",
                    driftedSince: new Date(NOW - 23 * H).toISOString(),
                    changeSummary: { update: 2 },
                },
            },
            "drift",
            "warning",
            "drifted for 23 h (update 2)",
        ],
        [
            "drifted 24 h",
            {
                reconcile: {
                    clusterId: "c1",
                    state: "drifted",
                    checkedAt: "x",
                    driftedSince: new Date(NOW - 24 * H).toISOString(),
                    changeSummary: { delete: 1 },
                },
            },
            "drift",
            "critical",
            "drifted for 24 h (delete 1)",
        ],
        [
            "check failed",
            { reconcile: { clusterId: "c1", state: "error", checkedAt: "x", reason: "engine: boom" } },
            "drift",
            "warning",
            "the last check failed: engine: boom",
        ],
        [
            "last up failed",
            {
                lastOperation: {
                    id: "o",
                    clusterId: "c1",
                    kind: "up",
                    state: "failed",
                    createdAt: "t",
                    error: { code: "engine-failed", message: "boom" },
                },
            },
            "lastOperation",
            "critical",
            "up failed: boom",
        ],
        ["never applied", { lastOperation: undefined }, "lastOperation", "warning", "no operation yet"],
    ];
    for (const [name, over, part, state, reason] of table) {
        it(`${name}: ${part} ${state}`, () => {
            const h = assessHealth(base(over));
            expect([h.parts[part].state, h.parts[part].reason]).to.deep.equal([state, reason]);
            expect(h.state).to.equal(worst(Object.values(h.parts).map((p) => p.state)));
        });
    }
});

describe("query answer parsing", () => {
    it("takes the largest value of a Prometheus vector, and undefined for an empty one", () => {
        const answer = (result: unknown[]) =>
            JSON.stringify({ status: "success", data: { resultType: "vector", result } });
        expect(
            parsePromVectorValue(
                answer([
                    { metric: {}, value: [1, "1700000000.5"] },
                    { metric: { a: "b" }, value: [1, "1600000000"] },
                ]),
            ),
        ).to.equal(1700000000.5);
        expect(parsePromVectorValue(answer([]))).to.equal(undefined);
        expect(() => parsePromVectorValue(JSON.stringify({ status: "error", error: "x" }))).to.throw(
            "not a successful Prometheus API answer",
        );
    });

    it("takes the newest entry over all Loki streams, in ms, without losing nanosecond precision first", () => {
        const text = JSON.stringify({
            status: "success",
            data: {
                resultType: "streams",
                result: [
                    { stream: {}, values: [["1700000000123456789", "a"]] },
                    { stream: {}, values: [["1700000000999999999", "b"]] },
                ],
            },
        });
        expect(parseLokiNewest(text)).to.equal(1700000000999);
        expect(
            parseLokiNewest(JSON.stringify({ status: "success", data: { resultType: "streams", result: [] } })),
        ).to.equal(undefined);
    });
});

describe("drift of a check result", () => {
    it("ignores same and read steps", () => {
        const step = (op: string) => ({ op, urn: `u-${op}`, type: "t", name: op, diffs: [] });
        expect(driftOf({ changeSummary: { same: 40, read: 1 }, steps: [step("same"), step("read")] }).drifted).to.equal(
            false,
        );
        expect(
            driftOf({ changeSummary: { same: 40, update: 1 }, steps: [step("same"), step("update")] }),
        ).to.deep.equal({ drifted: true, changeSummary: { update: 1 }, steps: [step("update")] });
    });
});

describe("scheduler lanes", () => {
    function job(id: string, key: string, log: string[], hold?: Promise<void>): Job {
        return {
            id,
            key,
            run: async () => {
                log.push(`start ${id}`);
                await hold;
                log.push(`end ${id}`);
            },
            dropped: () => log.push(`dropped ${id}`),
        };
    }
    const tick = () => new Promise((r) => setTimeout(r, 5));

    it("runs background jobs on their own budget, one queued per key, after a queued user job of the same key", async () => {
        const log: string[] = [];
        let release!: () => void;
        const hold = new Promise<void>((r) => (release = r));
        const s = new Scheduler({ workers: 1, queueLimit: 10, backgroundWorkers: 1 });
        s.submit(job("u1", "a", log, hold)); // holds the only user worker and key a
        expect(s.submitBackground({ ...job("b1", "b", log), lane: "background" })).to.equal(true); // own budget: starts now
        expect(s.submitBackground({ ...job("b2", "a", log), lane: "background" })).to.equal(true);
        expect(
            s.submitBackground({ ...job("b2bis", "a", log), lane: "background" }),
            "one queued check per key",
        ).to.equal(false);
        s.submit(job("u2", "a", log));
        await tick();
        expect(log).to.deep.equal(["start u1", "start b1", "end b1"]);
        release();
        await tick();
        await tick();
        // u2 was queued for key a when it freed: it runs before the background b2.
        expect(log.slice(3)).to.deep.equal(["end u1", "start u2", "end u2", "start b2", "end b2"]);
        expect([s.queuedCount, s.runningCount, s.background.queued, s.background.running]).to.deep.equal([0, 0, 0, 0]);
    });

    it("drops queued background jobs on shutdown and refuses new ones", async () => {
        const log: string[] = [];
        const s = new Scheduler({ workers: 1, queueLimit: 10, backgroundWorkers: 0 });
        s.submitBackground({ ...job("b1", "a", log), lane: "background" });
        await s.shutdown(100);
        expect(log).to.deep.equal(["dropped b1"]);
        expect(s.submitBackground({ ...job("b2", "a", log), lane: "background" })).to.equal(false);
    });
});
