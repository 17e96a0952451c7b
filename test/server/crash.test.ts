/**
 * SIGKILL during a burst: `mla serve` runs as a real process, a burst of PUTs is fired at it, and
 * it is killed mid-burst. After a restart on the same data dir every acknowledged (202) operation
 * is there, with its cluster, and no record is half-written.
 */
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { registryPath } from "../../service/store/registry-schema";
import { body, removeDir, startServer, type TestServer } from "./support";
import { serveEnv } from "../support/serve-env";

const MLA = join(__dirname, "..", "..", "bin", "mla.js");
const BURST = 400;
const IN_FLIGHT = 50;
/** Kill once this many PUTs were acknowledged: the rest are in flight or not yet sent. */
const KILL_AFTER = 120;

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

describe("SIGKILL during a burst of operations", function () {
    this.timeout(240_000);
    let dir: string;
    let child: ChildProcess | undefined;
    let restarted: TestServer | undefined;

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-crash-"));
        mkdirSync(join(dir, "data"));
    });

    after(async () => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        await restarted?.app.close();
        removeDir(dir);
    });

    it("keeps every acknowledged operation and no half-written record", async () => {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const dataDir = join(dir, "data");
        let output = "";
        child = spawn(process.execPath, [MLA, "serve"], {
            env: serveEnv(dir, port, { MLA_QUEUE_SIZE: "1000" }),
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
        const exited = new Promise<NodeJS.Signals | null>((r) => child!.once("exit", (_code, signal) => r(signal)));
        for (
            const deadline = Date.now() + 120_000;
            !(await fetch(`${base}/healthz`).then(
                (r) => r.ok,
                () => false,
            ));
        ) {
            if (Date.now() > deadline || child.exitCode !== null)
                throw new Error(`mla serve did not come up:\n${output}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        const token = readFileSync(join(dataDir, "api-token"), "utf8").trim();

        const acked: Array<{ clusterId: string; operationId: string }> = [];
        let next = 0;
        let killed = false;
        const payload = JSON.stringify(body());
        const worker = async () => {
            while (next < BURST) {
                const clusterId = `crash-${next++}`;
                const res = await fetch(`${base}/v1/clusters/${clusterId}`, {
                    method: "PUT",
                    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                    body: payload,
                }).catch(() => undefined);
                if (!res) continue; // the connection died with the process: not acknowledged
                if (res.status === 202) {
                    acked.push({ clusterId, operationId: ((await res.json()) as { operationId: string }).operationId });
                    if (acked.length >= KILL_AFTER && !killed) {
                        killed = true;
                        child!.kill("SIGKILL");
                    }
                } else {
                    await res.body?.cancel();
                }
            }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        expect(await exited).to.equal("SIGKILL");
        expect(killed, "the burst ended before the kill").to.equal(true);
        expect(acked.length).to.be.at.least(KILL_AFTER).and.below(BURST);

        // No half-written record: the database is consistent and every row is a whole record.
        const db = new Database(registryPath(dataDir), { readonly: true });
        expect(db.pragma("integrity_check", { simple: true })).to.equal("ok");
        for (const table of ["clusters", "operations"]) {
            for (const text of db.prepare(`SELECT record FROM ${table}`).pluck().all() as string[]) {
                const record = JSON.parse(text) as Record<string, unknown>;
                expect(record).to.include.keys("id", "createdAt");
            }
        }
        db.close();

        // Restart on the same dir (the dead process's lock is stale and taken over).
        restarted = await startServer({ dataDir });
        const listed = (
            (await (await restarted.call("/v1/clusters")).json()) as {
                clusters: Array<{ id: string; lastOperationId?: string }>;
            }
        ).clusters;
        const byId = new Map(listed.map((c) => [c.id, c]));
        for (const { clusterId, operationId } of acked) {
            expect(byId.has(clusterId), `acknowledged cluster ${clusterId} lost`).to.equal(true);
            const op = await restarted.call(`/v1/operations/${operationId}`);
            expect(op.status, `acknowledged operation ${operationId} lost`).to.equal(200);
            expect(((await op.json()) as { clusterId: string }).clusterId).to.equal(clusterId);
        }
        for (const c of listed)
            expect(restarted.registry.operation(c.lastOperationId!), `${c.id}'s last operation`).to.not.equal(
                undefined,
            );
        console.log(
            `      crash test: ${acked.length} of ${BURST} PUTs acknowledged before SIGKILL; ${listed.length} clusters after restart, all ${acked.length} acknowledged operations present`,
        );
    });
});
