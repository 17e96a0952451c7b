import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/cli";
import type { CommandIo } from "../../cli/commands/command";
import { EXIT, previewFleetCommandWith } from "../../cli/commands/preview-fleet";
import { MemoryExecutor, type MemoryExecutorOptions } from "../../executors/memory/executor-memory";
import { USER_SECRET } from "../server/support";
import { fleetDirs, ready, replacement, step } from "./fleet-fixture";

/** An io that keeps what the command writes. */
function captured(): CommandIo & { stdout: string; stderr: string } {
    const io = {
        stdout: "",
        stderr: "",
        out: (t: string) => void (io.stdout += t),
        err: (t: string) => void (io.stderr += t),
    };
    return io;
}

/** The table row the summary renders for a cluster (counts create, update, replace, delete). */
const row = (id: string, counts: [number, number, number, number]) => `| \`${id}\` | ${counts.join(" | ")} |`;

describe("mla preview-fleet", () => {
    const dirs = fleetDirs();
    const fleet = dirs.make;
    after(() => dirs.removeAll());

    /** Runs the command with an in-memory executor and no MLA_* variables from this process. */
    async function run(args: string[], options: MemoryExecutorOptions = {}) {
        const executor = new MemoryExecutor({ delayMs: 5, ...options });
        const io = captured();
        const code = await previewFleetCommandWith(async () => executor, {}).run(args, io);
        return { code, executor, ...io };
    }

    // c1 replaces a StatefulSet (data-bearing); c2 only updates a ConfigMap.
    const flaggedPlan: MemoryExecutorOptions["previewSteps"] = ({ clusterId }) =>
        clusterId === "c1"
            ? [
                  ...replacement("c1", "kubernetes:apps/v1:StatefulSet", "loki", ["spec"]),
                  step("c1", "same", "kubernetes:core/v1:Namespace", "ns"),
              ]
            : [step(clusterId, "update", "kubernetes:core/v1:ConfigMap", "gateway-config", ["data"])];

    it("exits 3 with --fail-on-replace when a data-bearing resource would be replaced", async () => {
        const dir = fleet([ready("c1"), ready("c2")]);
        const result = await run(["--data-dir", dir, "--fail-on-replace"], { previewSteps: flaggedPlan });
        expect(result.code).to.equal(EXIT.flagged);
        expect(result.stdout).to.contain(`${row("c1", [0, 0, 1, 0])} :warning: 1 data-bearing replace/delete |`);
        expect(result.stderr).to.equal(
            "mla preview-fleet: 2 cluster(s) previewed, 2 with changes, 1 with data-bearing replacements or deletions, 0 failed, 0 skipped\n",
        );
    });

    it("exits 0 for the same fleet without --fail-on-replace", async () => {
        const dir = fleet([ready("c1"), ready("c2")]);
        expect((await run(["--data-dir", dir], { previewSteps: flaggedPlan })).code).to.equal(EXIT.ok);
    });

    it("exits 0 with --fail-on-replace when only resources that bear no data are replaced", async () => {
        const dir = fleet([ready("c1")]);
        const result = await run(["--data-dir", dir, "--fail-on-replace"], {
            previewSteps: () => replacement("c1", "kubernetes:apps/v1:Deployment", "gateway", ["spec"]),
        });
        expect(result.code).to.equal(EXIT.ok);
        expect(result.stdout).to.contain(`${row("c1", [0, 0, 1, 0])}  |`);
    });

    it("writes the summary table to --out, names the skipped clusters, and keeps stdout empty", async () => {
        const dir = fleet([
            ready("c1"),
            ready("c2"),
            { id: "c3", status: "deleting", operations: [["up", "succeeded"]] },
        ]);
        const out = join(dir, "reports", "fleet-preview.md");
        const result = await run(["--data-dir", dir, "--out", out], { previewSteps: flaggedPlan });
        expect(result.code).to.equal(EXIT.ok);
        expect(result.stdout).to.equal("");
        const markdown = readFileSync(out, "utf8");
        expect(markdown).to.contain("| cluster | create | update | replace | delete | notes |");
        expect(markdown).to.contain(`${row("c2", [0, 1, 0, 0])}  |`);
        expect(markdown).to.contain("| update | `kubernetes:core/v1:ConfigMap` | gateway-config | data |");
        expect(markdown).to.contain("_Not previewed: `c3` (being deleted)._");
        expect(result.stderr).to.match(/1 skipped; summary in .*fleet-preview\.md\n$/);
    });

    for (const parallel of [1, 2, 4]) {
        it(`runs at most --parallel ${parallel} previews at once, and that many when there are enough`, async () => {
            const dir = fleet(Array.from({ length: 9 }, (_, i) => ready(`c${i}`)));
            const result = await run(["--data-dir", dir, "--parallel", String(parallel)], { delayMs: 15 });
            expect(result.code).to.equal(EXIT.ok);
            expect(result.executor.calls.filter((c) => c.method === "preview")).to.have.length(9);
            expect(result.executor.maxConcurrency).to.equal(parallel);
        });
    }

    it("reports a failed preview in the summary and exits 1, before --fail-on-replace's 3", async () => {
        const dir = fleet([ready("c1"), ready("c2"), ready("c9")]);
        const result = await run(["--data-dir", dir, "--fail-on-replace"], {
            previewSteps: flaggedPlan,
            failWith: ({ clusterId }) =>
                clusterId === "c9" ? `cannot reach the cluster with ${USER_SECRET}` : undefined,
        });
        expect(result.code).to.equal(EXIT.failed);
        expect(result.stdout).to.contain("| `c9` | – | – | – | – | :x: preview failed |");
        expect(result.stdout).to.contain("cannot reach the cluster with [redacted]");
        expect(result.stdout + result.stderr).not.to.contain(USER_SECRET);
        expect(result.stderr).to.contain("1 failed");
    });

    it("exits 2 for a data dir without a registry, and for --parallel 0", async () => {
        const empty = fleet([]);
        const missing = captured();
        expect(
            await main(["preview-fleet", "--data-dir", join(empty, "nothing-here"), "--executor", "memory"], missing),
        ).to.equal(EXIT.usage);
        expect(missing.stderr).to.contain("no registry in");
        const io = captured();
        expect(
            await main(["preview-fleet", "--data-dir", empty, "--parallel", "0", "--executor", "memory"], io),
        ).to.equal(EXIT.usage);
        expect(io.stderr).to.contain("--parallel must be at least 1");
    });

    it("is registered in `mla`: runs with --executor memory and documents its exit codes in --help", async () => {
        const dir = fleet([ready("c1")]);
        const io = captured();
        // The demo executor plans a create of every resource; nothing is flagged.
        expect(
            await main(
                ["preview-fleet", "--data-dir", dir, "--executor", "memory", "--parallel", "4", "--fail-on-replace"],
                io,
            ),
        ).to.equal(EXIT.ok);
        expect(io.stdout).to.contain(row("c1", [4, 0, 0, 0]));
        const help = captured();
        expect(await main(["preview-fleet", "--help"], help)).to.equal(0);
        for (const line of [
            "0  every preview ran",
            "1  at least one preview failed",
            "2  usage or environment error",
            "3  --fail-on-replace",
        ]) {
            expect(help.stdout).to.contain(line);
        }
    });
});
