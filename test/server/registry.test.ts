import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { toClusterSpec } from "../../service/operations/cluster-request";
import type { ClusterBody } from "../../service/operations/cluster-body";
import type { OperationRecord } from "../../executors/operation-types";
import { Registry } from "../../service/store/registry";
import { registryPath } from "../../service/store/registry-schema";
import { readRegistry } from "../../service/store/registry-view";
import { loadOrCreateKey, sealSpec, SpecStore } from "../../service/store/spec-store";
import { body, clusterRecord, removeDir, USER_SECRET } from "./support";

const cluster = clusterRecord;
const op = (
    id: string,
    clusterId: string,
    state: OperationRecord["state"],
    extra: Partial<OperationRecord> = {},
): OperationRecord => ({ id, clusterId, kind: "up", state, createdAt: "t", ...extra });

describe("Registry (SQLite)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-registry-"))));
    afterEach(() => removeDir(dir));

    it("uses WAL and commits a burst of writes as one transaction, acknowledged only after it", async () => {
        const registry = Registry.open(dir);
        const commitsBefore = registry.commits;
        for (let i = 0; i < 50; i++) {
            registry.putCluster(cluster(`c${i}`));
            registry.putOperation(op(`o${i}`, `c${i}`, "queued"));
        }
        // Not on disk yet: a reader sees nothing until the batch commits.
        expect(readRegistry(dir)?.clusters).to.deep.equal([]);
        await registry.durable();
        expect(registry.commits - commitsBefore).to.equal(1);
        expect(readRegistry(dir)?.clusters.map((c) => c.id)).to.have.length(50);
        const db = new Database(registryPath(dir), { readonly: true });
        expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
        db.close();
        registry.close();
    });

    it("commits each write on its own in per-write mode", () => {
        const registry = Registry.open(dir, { commit: "per-write" });
        const before = registry.commits;
        registry.putCluster(cluster("a"));
        registry.putOperation(op("o1", "a", "queued"));
        expect(registry.commits - before).to.equal(2);
        expect(readRegistry(dir)?.operations.map((o) => o.id)).to.deep.equal(["o1"]);
        registry.close();
    });

    it("keeps only committed writes after a crash, and a removed cluster's spec goes with it in the same commit", async () => {
        const first = Registry.open(dir);
        first.putCluster(cluster("a"));
        first.putCluster(cluster("b"));
        first.putSealedSpec("b", JSON.stringify({ sealed: true }));
        await first.durable();
        first.removeCluster("b");
        first.putOperation(op("o1", "a", "succeeded"));
        await first.durable();
        first.putCluster(cluster("never-acknowledged"));
        first.abandon(); // the process dies before the next commit
        const second = Registry.open(dir);
        expect(second.clusters().map((c) => c.id)).to.deep.equal(["a"]);
        expect(second.operation("o1")?.state).to.equal("succeeded");
        expect(second.sealedSpec("b")).to.equal(undefined);
        second.close();
    });

    it("checks readiness without touching the disk on the caller's thread: the probe rides on the next commit, and a failed commit fails it", async () => {
        const registry = Registry.open(dir);
        const commits = registry.commits;
        expect(registry.checkWritable().ok).to.equal(true);
        expect(registry.commits, "nothing committed synchronously").to.equal(commits);
        await registry.durable();
        expect(registry.commits).to.equal(commits + 1);
        const db = new Database(registryPath(dir), { readonly: true });
        expect(db.prepare("SELECT value FROM meta WHERE key = 'probe'").pluck().get()).to.be.a("string");
        db.close();
        // A record the database refuses (not JSON) fails its commit: readiness then says so.
        registry.appendEvent("o1", 1, "{not json");
        let error: unknown;
        await registry.durable().catch((e: unknown) => (error = e));
        expect(String(error)).to.match(/could not commit/);
        const check = registry.checkWritable();
        expect(check.ok).to.equal(false);
        expect(check.detail).to.match(/a commit failed .*restart the service/);
        registry.close();
    });

    it("refuses a half-written record at the database level", () => {
        Registry.open(dir).close();
        const db = new Database(registryPath(dir));
        expect(() => db.prepare("INSERT INTO clusters (id, record) VALUES ('x', '{\"id\":\"x')").run()).to.throw(
            /CHECK constraint failed/,
        );
        db.close();
    });

    it("drops the index on operations' clusters that earlier versions made, keeping the rows", async () => {
        const first = Registry.open(dir);
        first.putCluster(cluster("a"));
        first.putOperation(op("o1", "a", "succeeded"));
        first.close();
        const old = new Database(registryPath(dir));
        old.exec("CREATE INDEX operations_by_cluster ON operations (cluster_id)");
        old.close();
        const reopened = Registry.open(dir);
        const db = new Database(registryPath(dir), { readonly: true });
        expect(
            db
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'operations' AND sql IS NOT NULL",
                )
                .all(),
        ).to.deep.equal([]);
        db.close();
        expect(reopened.operationsOf("a").map((o) => o.id)).to.deep.equal(["o1"]);
        reopened.close();
    });

    it("marks queued and running operations interrupted, moves only the newest request's cluster, and flags the running ones' stacks", async () => {
        const first = Registry.open(dir);
        first.putCluster(cluster("run"));
        first.putCluster(cluster("wait", { generation: 2, lastOperationId: "o-wait" }));
        first.putCluster(cluster("old", { generation: 3 }));
        first.putOperation(op("o-run", "run", "running"));
        first.putOperation(op("o-wait", "wait", "queued", { generation: 2 }));
        first.putOperation(op("o-old", "old", "queued", { generation: 2 }));
        await first.durable();
        first.abandon();
        const second = Registry.open(dir);
        expect(second.interrupted.map((o) => o.id).sort()).to.deep.equal(["o-old", "o-run", "o-wait"]);
        expect(second.operation("o-run")?.error?.message).to.match(/lock is cleared before its next operation/);
        expect(second.operation("o-wait")?.error?.message).to.match(/send the request again/);
        expect(second.clusters().map((c) => [c.id, c.lockCheckPending, c.status])).to.deep.equal([
            ["old", false, "ready"], // its queued operation was not the newest request
            ["run", true, "interrupted"],
            ["wait", false, "interrupted"],
        ]);
        second.close();
        // The recovery itself is durable: a third open finds nothing more to interrupt.
        const third = Registry.open(dir);
        expect(third.interrupted).to.deep.equal([]);
        third.close();
    });

    it("imports an old JSON-lines journal, snapshot and spec files on first start, once, and keeps them renamed", async () => {
        const key = loadOrCreateKey(join(dir, "spec.key"));
        const b = body() as unknown as ClusterBody;
        mkdirSync(join(dir, "registry"));
        mkdirSync(join(dir, "specs"));
        writeFileSync(
            join(dir, "registry", "snapshot.json"),
            JSON.stringify({ clusters: [cluster("a"), cluster("gone")], operations: [op("o1", "a", "succeeded")] }),
        );
        writeFileSync(
            join(dir, "registry", "journal.jsonl"),
            [
                JSON.stringify({ cluster: cluster("b", { status: "failed" }) }),
                JSON.stringify({ removeCluster: "gone" }),
                JSON.stringify({ operation: op("o2", "b", "running") }),
                '{"cluster":{"id":"half',
            ].join("\n"),
        );
        writeFileSync(
            join(dir, "specs", "a.enc"),
            sealSpec(key, "a", toClusterSpec("a", b, b.seedKubeconfig as string)),
        );

        const registry = Registry.open(dir);
        expect(registry.imported.map((p) => p.slice(dir.length))).to.deep.equal([
            "/registry/snapshot.json",
            "/registry/journal.jsonl",
            "/specs",
        ]);
        expect(registry.clusters().map((c) => [c.id, c.status])).to.deep.equal([
            ["a", "ready"],
            ["b", "interrupted"],
        ]);
        expect(registry.operation("o2")?.state).to.equal("interrupted");
        expect(new SpecStore(registry, key).load("a")?.userKubeconfig).to.include(USER_SECRET);
        expect(readdirSync(join(dir, "registry")).sort()).to.include.members([
            "journal.jsonl.imported",
            "registry.db",
            "snapshot.json.imported",
        ]);
        expect(existsSync(join(dir, "specs.imported", "a.enc"))).to.equal(true);
        registry.close();

        // A later start reads only the database (the renamed files, or a stray journal, are never read again).
        writeFileSync(join(dir, "registry", "journal.jsonl"), JSON.stringify({ cluster: cluster("late") }));
        const again = Registry.open(dir);
        expect(again.imported).to.deep.equal([]);
        expect(again.clusters().map((c) => c.id)).to.deep.equal(["a", "b"]);
        again.close();
    });

    it("reruns an import that a crash cut off before it committed", () => {
        mkdirSync(join(dir, "registry"));
        writeFileSync(join(dir, "registry", "journal.jsonl"), JSON.stringify({ cluster: cluster("a") }));
        // The database file exists (created by the crashed start) but holds no import.
        Registry.open(dir).abandon();
        const db = new Database(registryPath(dir));
        db.exec("DELETE FROM clusters; DELETE FROM meta");
        db.close();
        writeFileSync(join(dir, "registry", "journal.jsonl"), JSON.stringify({ cluster: cluster("a") }));
        const registry = Registry.open(dir);
        expect(registry.clusters().map((c) => c.id)).to.deep.equal(["a"]);
        registry.close();
    });

    it("stores specs encrypted: the database never holds a kubeconfig in clear", async () => {
        const registry = Registry.open(dir);
        const key = loadOrCreateKey(join(dir, "spec.key"));
        const b = body() as unknown as ClusterBody;
        const store = new SpecStore(registry, key);
        store.save("a", toClusterSpec("a", b, b.seedKubeconfig as string));
        await registry.durable();
        expect(registry.sealedSpec("a")).to.not.include(USER_SECRET);
        const view = readRegistry(dir)!;
        expect(new SpecStore(view, key).load("a")?.userKubeconfig).to.include(USER_SECRET);
        // Bound to the id: a sealed spec moved to another cluster does not open.
        expect(() => new SpecStore({ sealedSpec: () => view.sealedSpec("a") }, key).load("b")).to.throw();
        registry.close();
    });
});
