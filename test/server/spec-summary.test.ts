/**
 * The spec store's non-secret summary (what the health listing and the reconciler's schedule
 * read): served from memory while the sealed spec is unchanged, so a listing decrypts nothing.
 * "Decrypts nothing" is shown by zeroing the key the store holds: any decryption would then fail.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toClusterSpec } from "../../service/operations/cluster-request";
import type { ClusterBody } from "../../service/operations/cluster-body";
import { Registry } from "../../service/store/registry";
import { loadOrCreateKey, SpecStore } from "../../service/store/spec-store";
import { body, removeDir, SEED_SECRET, USER_SECRET } from "./support";

describe("SpecStore.summary", () => {
    let dir: string;
    let registry: Registry;
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "mla-spec-summary-"));
        registry = Registry.open(dir);
    });
    afterEach(() => {
        registry.close();
        removeDir(dir);
    });

    const specOf = (id: string, overrides: Record<string, unknown> = {}) => {
        const b = body(overrides) as unknown as ClusterBody;
        return toClusterSpec(id, b, b.seedKubeconfig as string);
    };

    it("answers for a spec it saved without decrypting, and holds nothing secret", () => {
        const key = Buffer.from(loadOrCreateKey(join(dir, "spec.key")));
        const store = new SpecStore(registry, key);
        store.save("a", specOf("a", { logging: { enabled: false }, reconcilePolicy: "remediate" }));
        key.fill(0); // from here, any decryption fails
        const summary = store.summary("a");
        expect(summary).to.deep.equal({
            monitoringEnabled: true,
            loggingEnabled: false,
            earlyRenewalHours: specOf("a").pki.earlyRenewalHours,
            reconcilePolicy: "remediate",
        });
        const text = JSON.stringify(summary);
        for (const secret of [USER_SECRET, SEED_SECRET]) expect(text).to.not.include(secret);
        expect(() => store.load("a"), "the key is really unusable").to.throw();
    });

    it("decrypts once per sealed spec it has not seen (after a restart), then serves it from memory", async () => {
        const key = loadOrCreateKey(join(dir, "spec.key"));
        new SpecStore(registry, key).save("a", specOf("a", { monitoring: { enabled: false } }));
        await registry.durable();
        registry.close();
        registry = Registry.open(dir);
        const copy = Buffer.from(key);
        const store = new SpecStore(registry, copy);
        expect(store.summary("a")?.monitoringEnabled).to.equal(false);
        copy.fill(0);
        expect(store.summary("a")?.monitoringEnabled).to.equal(false);
        expect(store.summary("b")).to.equal(undefined);
    });

    it("follows a newer spec of the cluster and forgets a removed one", () => {
        const store = new SpecStore(registry, loadOrCreateKey(join(dir, "spec.key")));
        store.save("a", specOf("a"));
        expect(store.summary("a")?.reconcilePolicy).to.equal(undefined);
        store.save("a", specOf("a", { reconcilePolicy: "report" }));
        expect(store.summary("a")?.reconcilePolicy).to.equal("report");
        registry.removeCluster("a");
        expect(store.summary("a")).to.equal(undefined);
    });

    it("reads a sealed spec written by another store over the same registry", () => {
        const key = loadOrCreateKey(join(dir, "spec.key"));
        const reader = new SpecStore(registry, key);
        new SpecStore(registry, key).save("a", specOf("a"));
        expect(reader.summary("a")?.loggingEnabled).to.equal(true);
        new SpecStore(registry, key).save("a", specOf("a", { logging: { enabled: false } }));
        expect(reader.summary("a")?.loggingEnabled).to.equal(false);
    });
});
