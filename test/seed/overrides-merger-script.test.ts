import { expect } from "chai";
import { parse } from "yaml";
import { renderMergerScript, type MergerScriptArgs } from "../../components/seed/overrides-merger-script";
import { MergerHarness, requireMergerTools } from "../support/fake-kubectl";

const ARGS: MergerScriptArgs = {
    namespace: "mla",
    selector: "mla.k8c.io/overrides=cortex",
    fragmentKey: "overrides.yaml",
    tenantLabel: "mla.k8c.io/cluster-id",
    targetConfigMap: "cortex-runtime-config",
    targetKey: "runtime_config.yaml",
    intervalSeconds: 30,
};

const TENANT_A = '  "cluster-a":\n    ingestion_rate: 10000\n    ingestion_burst_size: 20000\n';
const TENANT_B = '  "cluster-b":\n    ingestion_rate: 500\n';

describe("overrides merger script (real sh, fake kubectl)", () => {
    let h: MergerHarness;

    before(() => requireMergerTools());
    beforeEach(() => {
        h = new MergerHarness(ARGS);
    });
    afterEach(() => h.cleanup());

    /** ConfigMap `tenant-<x>`, labelled as tenant `cluster-<x>` unless `tenant` says otherwise. */
    const fragment = (name: string, text: string | undefined, tenant = name.replace(/^tenant-/, "cluster-")) =>
        h.fragment(name, text, tenant);
    const runOnce = () => h.runOnce();
    const patchCount = () => h.patchCount();

    it("merges two tenants' fragments, sorted by ConfigMap name, into YAML with one overrides key", () => {
        fragment("tenant-b", TENANT_B);
        fragment("tenant-a", TENANT_A);
        const r = runOnce();
        expect(r.status, r.stderr).to.equal(0);
        expect(r.target).to.equal(`overrides:\n${TENANT_A}${TENANT_B}`);
        expect(parse(r.target)).to.deep.equal({
            overrides: {
                "cluster-a": { ingestion_rate: 10000, ingestion_burst_size: 20000 },
                "cluster-b": { ingestion_rate: 500 },
            },
        });
    });

    it("keeps tenant A's bytes unchanged while tenant B is added, changed and removed", () => {
        fragment("tenant-a", TENANT_A);
        const states: string[] = [];
        states.push(runOnce().target);
        fragment("tenant-b", TENANT_B);
        states.push(runOnce().target);
        fragment("tenant-b", '  "cluster-b":\n    ingestion_rate: 999\n    max_global_series_per_user: 1\n');
        states.push(runOnce().target);
        fragment("tenant-b", undefined);
        states.push(runOnce().target);
        for (const s of states) {
            expect(s.startsWith(`overrides:\n${TENANT_A}`), s).to.equal(true);
            expect((parse(s) as { overrides: Record<string, unknown> }).overrides["cluster-a"]).to.deep.equal({
                ingestion_rate: 10000,
                ingestion_burst_size: 20000,
            });
        }
        expect((parse(states[2]) as { overrides: Record<string, unknown> }).overrides["cluster-b"]).to.deep.equal({
            ingestion_rate: 999,
            max_global_series_per_user: 1,
        });
        expect(states[3]).to.equal(`overrides:\n${TENANT_A}`);
    });

    it("writes an empty overrides map when no fragment is left", () => {
        fragment("tenant-a", TENANT_A);
        runOnce();
        fragment("tenant-a", undefined);
        const r = runOnce();
        expect(r.target).to.equal("overrides: {}\n");
        expect(parse(r.target)).to.deep.equal({ overrides: {} });
    });

    it("skips a fragment with a top-level line with a warning and keeps the other tenants", () => {
        fragment("tenant-a", TENANT_A);
        fragment("tenant-z", '"cluster-z":\n  ingestion_rate: 1\n');
        const r = runOnce();
        expect(r.status).to.equal(0);
        expect(r.stderr).to.contain(
            `overrides-merger: skipping tenant-z: the first line must be exactly '  "cluster-z":'`,
        );
        expect(r.target).to.equal(`overrides:\n${TENANT_A}`);
    });

    it("skips a fragment keyed by another tenant and one with a second key, merging the rest", () => {
        fragment("tenant-a", TENANT_A);
        fragment("tenant-b", TENANT_B);
        // The ConfigMap of cluster-x trying to set cluster-a's limits.
        fragment("tenant-x", '  "cluster-a":\n    ingestion_rate: 99999999\n', "cluster-x");
        // The ConfigMap of cluster-y adding a second tenant's entry after its own.
        fragment("tenant-y", '  "cluster-y":\n    ingestion_rate: 1\n  "cluster-b":\n    ingestion_rate: 99999999\n');
        const r = runOnce();
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stderr).to.contain(
            `overrides-merger: skipping tenant-x: the first line must be exactly '  "cluster-x":'`,
        );
        expect(r.stderr).to.contain(
            "overrides-merger: skipping tenant-y: every line after the first must be indented by four spaces",
        );
        expect(r.target).to.equal(`overrides:\n${TENANT_A}${TENANT_B}`);
        expect(Object.keys((parse(r.target) as { overrides: object }).overrides)).to.deep.equal([
            "cluster-a",
            "cluster-b",
        ]);
    });

    it("skips a fragment whose ConfigMap has no tenant label", () => {
        fragment("tenant-a", TENANT_A, "");
        const r = runOnce();
        expect(r.stderr).to.contain("overrides-merger: skipping tenant-a: no mla.k8c.io/cluster-id label");
        expect(r.target).to.equal("overrides: {}\n");
    });

    it("does not patch when the merged config already matches the live ConfigMap", () => {
        fragment("tenant-a", TENANT_A);
        runOnce();
        expect(patchCount()).to.equal(1);
        runOnce();
        expect(patchCount()).to.equal(1);
    });

    it("keeps the current config and fails the round when kubectl cannot list", () => {
        fragment("tenant-a", TENANT_A);
        h.failKubectl();
        const r = runOnce();
        expect(r.status).to.not.equal(0);
        expect(r.stderr).to.contain("reading fragments failed; keeping the current config");
        expect(r.target).to.equal("overrides: {}\n");
        expect(patchCount()).to.equal(0);
    });

    it("refuses arguments that would break out of shell quoting, naming each", () => {
        expect(() => renderMergerScript({ ...ARGS, namespace: "mla'; rm -rf /", intervalSeconds: 0 })).to.throw(
            `overrides merger script: namespace "mla'; rm -rf /" has characters outside [A-Za-z0-9._/=-]; intervalSeconds must be a whole number >= 1, got 0`,
        );
    });

    it("renders the target and selector into the script", () => {
        const text = renderMergerScript(ARGS);
        expect(text).to.contain("SELECTOR='mla.k8c.io/overrides=cortex'");
        expect(text).to.contain("jsonpath={.data.runtime_config\\.yaml}");
        expect(text).to.contain("INTERVAL=30");
    });
});
