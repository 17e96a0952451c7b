import { expect } from "chai";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { DataDirLock, DataDirLockedError, processStartTicks } from "../../service/store/data-dir-lock";
import { readRegistry } from "../../service/store/registry-view";
import { body, removeDir } from "./support";
import { serveEnv } from "../support/serve-env";

const MLA = join(__dirname, "..", "..", "bin", "mla.js");

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

/** The pid of a process that has exited. */
function deadPid(): number {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    return Number(child.stdout.toString());
}

describe("data dir lock", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-lock-"))));
    afterEach(() => removeDir(dir));

    const writeLock = (holder: object) =>
        writeFileSync(
            join(dir, "lock"),
            JSON.stringify({ since: "2026-01-01T00:00:00.000Z", purpose: "mla serve", ...holder }),
        );

    it("refuses a second holder while the first lives, naming its pid and host, and frees on release", () => {
        const first = DataDirLock.acquire(dir, "mla serve");
        const error = (() => {
            try {
                DataDirLock.acquire(dir, "mla preview-fleet");
                return undefined;
            } catch (e) {
                return e;
            }
        })();
        expect(error).to.be.instanceOf(DataDirLockedError);
        expect((error as Error).message).to.include(
            `locked by mla serve (pid ${process.pid} on this host (${hostname()})`,
        );
        first.release();
        DataDirLock.acquire(dir, "mla serve").release();
    });

    it("takes over a stale lock: the pid is dead, or now belongs to a process started at another time", () => {
        writeLock({ pid: deadPid(), host: hostname() });
        const taken = DataDirLock.acquire(dir, "mla serve");
        expect(JSON.parse(readFileSync(join(dir, "lock"), "utf8")).pid).to.equal(process.pid);
        taken.release();
        // Our own pid, but with another start time: the pid was reused after a crash.
        writeLock({ pid: process.pid, host: hostname(), startTicks: (processStartTicks(process.pid) ?? 0) + 1 });
        DataDirLock.acquire(dir, "mla serve").release();
    });

    it("never takes over a lock held from another host, and says which host", () => {
        writeLock({ pid: deadPid(), host: "other-host.example" });
        expect(() => DataDirLock.acquire(dir, "mla serve")).to.throw(
            DataDirLockedError,
            /on host other-host\.example.*remove .*lock if that host is gone/,
        );
    });

    it("takes over an unreadable lock file (damage, not a writer mid-way: locks are linked whole)", () => {
        writeFileSync(join(dir, "lock"), "");
        const lock = DataDirLock.acquire(dir, "mla serve");
        expect(JSON.parse(readFileSync(join(dir, "lock"), "utf8"))).to.include({ pid: process.pid, host: hostname() });
        lock.release();
    });
});

describe("two `mla serve` on one data dir", function () {
    this.timeout(240_000);
    let dir: string;
    let first: ChildProcess | undefined;

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-two-serve-"));
        mkdirSync(join(dir, "data"));
    });

    after(() => {
        if (first && first.exitCode === null) first.kill("SIGKILL");
        removeDir(dir);
    });

    it("the second exits non-zero naming the first; the first keeps serving with its registry intact", async () => {
        const env = (port: number) => serveEnv(dir, port);
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        let output = "";
        first = spawn(process.execPath, [MLA, "serve"], { env: env(port), stdio: ["ignore", "pipe", "pipe"] });
        first.stdout!.on("data", (c: Buffer) => (output += c.toString()));
        first.stderr!.on("data", (c: Buffer) => (output += c.toString()));
        for (
            const deadline = Date.now() + 120_000;
            !(await fetch(`${base}/healthz`).then(
                (r) => r.ok,
                () => false,
            ));
        ) {
            if (Date.now() > deadline || first.exitCode !== null)
                throw new Error(`the first mla serve did not come up:\n${output}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        const token = readFileSync(join(dir, "data", "api-token"), "utf8").trim();
        const call = (path: string, init: RequestInit = {}) =>
            fetch(base + path, {
                ...init,
                headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            });
        expect((await call("/v1/clusters/c1", { method: "PUT", body: JSON.stringify(body()) })).status).to.equal(202);
        const listing = async () =>
            (
                (await (await call("/v1/clusters")).json()) as { clusters: Array<{ id: string; createdAt: string }> }
            ).clusters.map((c) => [c.id, c.createdAt]);
        const before = await listing();

        const second = spawnSync(process.execPath, [MLA, "serve"], {
            env: env(await freePort()),
            encoding: "utf8",
            timeout: 120_000,
        });
        expect(second.status).to.not.equal(0);
        expect(second.stderr).to.include(
            `data dir ${join(dir, "data")} is locked by mla serve (pid ${first.pid} on this host`,
        );

        const fleet = spawnSync(
            process.execPath,
            [MLA, "preview-fleet", "--data-dir", join(dir, "data"), "--executor", "memory"],
            { env: env(port), encoding: "utf8", timeout: 120_000 },
        );
        expect(fleet.status).to.equal(2);
        expect(fleet.stderr).to.include(`locked by mla serve (pid ${first.pid}`);

        // The first is untouched: same listing over HTTP, same records on disk, still accepting writes.
        expect(await listing()).to.deep.equal(before);
        expect(readRegistry(join(dir, "data"))?.clusters.map((c) => c.id)).to.deep.equal(["c1"]);
        expect((await call("/v1/clusters/c2", { method: "PUT", body: JSON.stringify(body()) })).status).to.equal(202);
        first.kill("SIGTERM");
        expect(await new Promise((r) => first!.once("exit", r))).to.equal(0);
        expect(readRegistry(join(dir, "data"))?.clusters.map((c) => c.id)).to.deep.equal(["c1", "c2"]);
    });
});
