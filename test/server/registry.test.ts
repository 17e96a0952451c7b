import { expect } from "chai";
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterRecord, OperationRecord } from "../../server/operation-types";
import { Registry } from "../../server/registry";
import { removeDir } from "./support";

const cluster = (id: string): ClusterRecord => ({ id, project: "p", seed: "s", suspended: false, status: "ready", outputs: {}, lockCheckPending: false, createdAt: "t", updatedAt: "t" });
const op = (id: string, clusterId: string, state: OperationRecord["state"]): OperationRecord => ({ id, clusterId, kind: "up", state, createdAt: "t" });

describe("Registry (journal + snapshot)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-registry-"))));
    afterEach(() => removeDir(dir));

    it("replays the journal after a crash, ignoring a torn last line, and compacts it", () => {
        const first = Registry.open(dir);
        first.putCluster(cluster("a"));
        first.putCluster(cluster("b"));
        first.removeCluster("b");
        first.putOperation(op("o1", "a", "succeeded"));
        // A crash mid-append leaves half a line.
        appendFileSync(join(dir, "registry", "journal.jsonl"), '{"cluster":{"id":"half');
        const second = Registry.open(dir);
        expect(second.clusters().map((c) => c.id)).to.deep.equal(["a"]);
        expect(second.operation("o1")?.state).to.equal("succeeded");
        expect(readFileSync(join(dir, "registry", "journal.jsonl"), "utf8")).to.equal("");
        first.close();
        second.close();
    });

    it("marks queued and running operations interrupted and flags only the running ones' stacks", () => {
        const first = Registry.open(dir);
        ["run", "wait"].forEach((id) => first.putCluster(cluster(id)));
        first.putOperation(op("o-run", "run", "running"));
        first.putOperation(op("o-wait", "wait", "queued"));
        const second = Registry.open(dir);
        expect(second.interrupted.map((o) => o.id)).to.deep.equal(["o-run", "o-wait"]);
        expect(second.operation("o-run")?.error?.message).to.match(/lock is cleared before its next operation/);
        expect(second.operation("o-wait")?.error?.message).to.match(/send the request again/);
        expect(second.clusters().map((c) => [c.id, c.lockCheckPending, c.status])).to.deep.equal([["run", true, "interrupted"], ["wait", false, "ready"]]);
        // The recovery itself is durable: a third open finds nothing more to interrupt.
        const third = Registry.open(dir);
        expect(third.interrupted).to.deep.equal([]);
        [first, second, third].forEach((r) => r.close());
    });
});
