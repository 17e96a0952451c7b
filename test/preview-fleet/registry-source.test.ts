import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { MemoryExecutor } from "../../executors/memory/executor-memory";
import { NoRegistryError, RegistrySource } from "../../fleet-preview/registry-source";
import { USER_SECRET } from "../server/support";
import { fleetDirs, ready, replacement, step } from "./fleet-fixture";

describe("RegistrySource", () => {
    const dirs = fleetDirs();
    const fleet = dirs.make;
    const source = (dataDir: string, executor = new MemoryExecutor({ delayMs: 0 })) =>
        new RegistrySource({ dataDir, specKeyFile: join(dataDir, "spec.key"), executor });
    after(() => dirs.removeAll());

    it("lists deployed clusters and skips ones being deleted or never deployed, saying why", async () => {
        const dir = fleet([
            ready("c-ready"),
            {
                id: "c-failed-later",
                status: "failed",
                operations: [
                    ["up", "succeeded"],
                    ["up", "failed"],
                ],
            },
            {
                id: "c-resumed",
                status: "interrupted",
                operations: [
                    ["resume", "succeeded"],
                    ["up", "running"],
                ],
            },
            {
                id: "c-deleting",
                status: "deleting",
                operations: [
                    ["up", "succeeded"],
                    ["destroy", "running"],
                ],
            },
            { id: "c-new", status: "pending", operations: [["up", "running"]] },
            {
                id: "c-never",
                status: "failed",
                operations: [
                    ["up", "failed"],
                    ["preview", "succeeded"],
                ],
            },
        ]);
        const s = source(dir);
        expect(await s.listClusters()).to.deep.equal(["c-failed-later", "c-ready", "c-resumed"]);
        expect(s.skipped).to.deep.equal([
            { clusterId: "c-deleting", reason: "being deleted" },
            { clusterId: "c-never", reason: "never deployed" },
            { clusterId: "c-new", reason: "never deployed" },
        ]);
    });

    it("reads the registry without changing a byte of the data dir's registry", async () => {
        const dir = fleet([{ id: "c1", status: "pending", operations: [["up", "running"]] }, ready("c2")]);
        const registryDir = join(dir, "registry");
        // SQLite's read-only WAL connection may create the empty -wal/-shm side files; the database is untouched.
        const files = () =>
            readdirSync(registryDir)
                .filter((f) => !/-(shm|wal)$/.test(f))
                .map((f) => [f, readFileSync(join(registryDir, f), "base64"), statSync(join(registryDir, f)).mtimeMs]);
        const before = files();
        await source(dir).listClusters();
        expect(files()).to.deep.equal(before);
        const wal = join(registryDir, "registry.db-wal");
        if (existsSync(wal)) expect(statSync(wal).size).to.equal(0);
    });

    it("previews each cluster from its stored spec and maps the engine's steps", async () => {
        const dir = fleet([ready("c1")]);
        const planned = [
            step("c1", "same", "kubernetes:apps/v1:Deployment", "gateway"),
            step("c1", "update", "kubernetes:core/v1:ConfigMap", "gateway-config", ["data"]),
            ...replacement("c1", "kubernetes:apps/v1:StatefulSet", "loki", ["spec"]),
        ];
        const executor = new MemoryExecutor({ delayMs: 0, previewSteps: () => planned });
        const steps = await source(dir, executor).preview("c1");
        expect(steps).to.deep.equal(planned.map(({ op, urn, type, diffs }) => ({ op, urn, type, diffs })));
        expect(executor.calls.map((c) => [c.method, c.clusterId, c.spec?.clusterId])).to.deep.equal([
            ["preview", "c1", "c1"],
        ]);
        expect(executor.calls[0].spec?.userKubeconfig).to.contain(USER_SECRET);
    });

    it("keeps the kubeconfigs' secrets out of a failed preview's message", async () => {
        const dir = fleet([ready("c1")]);
        const executor = new MemoryExecutor({ delayMs: 0, failWith: () => `provider rejected token ${USER_SECRET}` });
        const error = await source(dir, executor)
            .preview("c1")
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(error?.message).to.equal("provider rejected token [redacted]");
    });

    it("fails a cluster with no stored spec with a message saying how to fix it", async () => {
        const dir = fleet([{ ...ready("c1"), noSpec: true }]);
        const error = await source(dir)
            .preview("c1")
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(error?.message).to.equal("no stored spec for c1; PUT the cluster again through the service");
    });

    it("never creates a spec key: a new key could not decrypt the stored specs", async () => {
        const dir = fleet([ready("c1")]);
        rmSync(join(dir, "spec.key"));
        const error = await source(dir)
            .preview("c1")
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(error?.message).to.match(/spec key .*spec\.key not found; set MLA_SPEC_KEY_FILE/);
        expect(existsSync(join(dir, "spec.key"))).to.equal(false);
    });

    it("refuses a data dir without a registry rather than reporting an empty fleet", async () => {
        const dir = fleet([]);
        rmSync(join(dir, "registry"), { recursive: true });
        const error = await source(dir)
            .listClusters()
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(error).to.be.instanceOf(NoRegistryError);
    });
});
