import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecutorEvent } from "../../executors/executor";
import { OperatorExecutor } from "../../executors/operator/executor-operator";
import { loadKubeConnection } from "../../executors/operator/kube-connection";
import { FakeKubeApi } from "./fake-kube-api";
import { removeDir } from "./support";
import { RECONCILE_DEFAULTS } from "../../service/env";
import {
    projectObjectName,
    projectSecretData,
    projectSecretObject,
    projectStackIdentity,
} from "../../executors/operator/operator-project";
import { programStackObject } from "../../executors/operator/operator-stack";

const SETTINGS = {
    namespace: "pulumi",
    repo: "https://git.example.com/mla.git",
    ref: "main",
    backend: "s3://state",
    resyncSeconds: RECONCILE_DEFAULTS.intervalSeconds,
};

describe("operator objects of a project stack (pure)", () => {
    it("names the Stack object after the project, kept apart per seed by a hash, within PKO's 42 characters", () => {
        const a = projectObjectName("acme/mla/seed-eu1.shop", "shop");
        const b = projectObjectName("acme/mla/seed-us1.shop", "shop");
        expect(a).to.match(/^mla-project-shop-[0-9a-f]{8}$/);
        expect(a).to.not.equal(b);
        const long = projectObjectName(
            "seed.a-very-long-project-name-for-the-limit",
            "a-very-long-project-name-for-the-limit",
        );
        expect(long.length).to.be.at.most(42);
        expect(long).to.match(/^mla-project-a-very-long-project-n-[0-9a-f]{8}$/);
    });

    it("runs index.ts with mla:kind project, the members as JSON, both default providers off, and no secret config", () => {
        const spec = {
            project: "shop",
            seedStack: "acme/mla/seed-eu1",
            members: [{ login: "bob", role: "Editor" as const }],
            grafanaUrl: "https://grafana.example.com",
        };
        const identity = projectStackIdentity("acme/mla/seed-eu1.shop", spec);
        const stack = programStackObject(identity, SETTINGS, {
            reconcileRequest: "r1",
            destroyOnFinalize: false,
            secretKeys: ["PULUMI_CONFIG_PASSPHRASE"],
        }) as {
            metadata: Record<string, unknown>;
            spec: Record<string, unknown>;
        };
        expect(stack.metadata.name).to.equal(identity.objectName);
        expect(stack.metadata.labels).to.deep.equal({ "app.kubernetes.io/managed-by": "mla", "mla/project": "shop" });
        expect(stack.spec.stack).to.equal("acme/mla/seed-eu1.shop");
        expect(stack.spec.config).to.deep.equal({
            "pulumi:disable-default-providers": '["kubernetes","grafana"]',
            "mla:kind": "project",
            "mla:project": "shop",
            "mla:seedStack": "acme/mla/seed-eu1",
            "mla:members": '[{"login":"bob","role":"Editor"}]',
            "mla:seedApi": '{"grafanaUrl":"https://grafana.example.com"}',
        });
        expect(stack.spec.secretsRef).to.deep.equal({});
        expect(stack.spec.envRefs).to.deep.equal({
            PULUMI_CONFIG_PASSPHRASE: {
                type: "Secret",
                secret: { name: identity.secretName, key: "PULUMI_CONFIG_PASSPHRASE" },
            },
        });
    });

    it("puts only the forwarded Pulumi credentials into the Secret", () => {
        const data = projectSecretData({ PULUMI_CONFIG_PASSPHRASE: "pass", HOME: "/root", PULUMI_ACCESS_TOKEN: "" });
        expect(data).to.deep.equal({ PULUMI_CONFIG_PASSPHRASE: "pass" });
        const identity = projectStackIdentity("seed.shop", { project: "shop", seedStack: "seed", members: [] });
        expect(projectSecretObject(identity, "pulumi", data)).to.deep.equal({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: identity.secretName, namespace: "pulumi", labels: identity.labels },
            type: "Opaque",
            data: { PULUMI_CONFIG_PASSPHRASE: Buffer.from("pass").toString("base64") },
        });
    });
});

describe("operator executor: project stacks against a fake Kubernetes API", () => {
    const NS = "fleet";
    const STACK = "acme/mla/seed-eu1.shop";
    const spec = {
        project: "shop",
        seedStack: "acme/mla/seed-eu1",
        members: [{ email: "zoe@example.com", role: "Viewer" as const }],
    };
    const name = projectObjectName(STACK, "shop");
    const stackPath = `/apis/pulumi.com/v1/namespaces/${NS}/stacks/${name}`;
    const secretPath = `/api/v1/namespaces/${NS}/secrets/${name}-secrets`;
    let dir: string;
    let api: FakeKubeApi;
    let executor: OperatorExecutor;
    const events: ExecutorEvent[] = [];
    const request = () => ({
        stack: STACK,
        spec,
        signal: new AbortController().signal,
        onEvent: (e: ExecutorEvent) => events.push(e),
    });

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "mla-operator-project-"));
        api = new FakeKubeApi();
        await api.start();
        const kubeconfig = join(dir, "mgmt.yaml");
        writeFileSync(
            kubeconfig,
            [
                "apiVersion: v1",
                "kind: Config",
                `clusters: [{name: m, cluster: {server: ${api.url}}}]`,
                "users: [{name: svc, user: {token: t0k3n}}]",
                "contexts: [{name: m, context: {cluster: m, user: svc}}]",
                "current-context: m",
                "",
            ].join("\n"),
        );
        executor = new OperatorExecutor({
            connection: loadKubeConnection(kubeconfig, {}),
            settings: {
                namespace: NS,
                repo: "https://git.example/mla.git",
                ref: "main",
                backend: "s3://state",
                resyncSeconds: RECONCILE_DEFAULTS.intervalSeconds,
            },
            env: { PULUMI_CONFIG_PASSPHRASE: "pass" },
            pollMs: { initial: 2, max: 10 },
        });
    });
    after(async () => {
        executor?.close();
        await api?.stop();
        removeDir(dir);
    });

    it("applies the project's Secret and Stack, waits for the run and returns the org id output", async () => {
        api.script = {
            pollsBeforeDone: 2,
            outcome: "succeeded",
            outputs: { grafanaOrgId: 5, project: "shop" },
            pollsBeforeGone: 2,
        };
        const result = await executor.upProject(request());
        expect(result.outputs.grafanaOrgId).to.deep.include({ value: 5 });
        const applied = api.stacks.get(name) as { spec: { stack: string; config: Record<string, string> } };
        expect(applied.spec.stack).to.equal(STACK);
        expect(applied.spec.config["mla:kind"]).to.equal("project");
        expect(JSON.parse(applied.spec.config["mla:members"])).to.deep.equal(spec.members);
        const paths = api.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
        expect(paths.indexOf(`PATCH ${secretPath}`)).to.be.lessThan(paths.indexOf(`PATCH ${stackPath}`));
    });

    it("destroys with destroyOnFinalize, waits until the Stack is gone, then deletes the Secret", async () => {
        api.requests.length = 0;
        await executor.destroyProject(request());
        const calls = api.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
        const order = [`PATCH ${stackPath}`, `DELETE ${stackPath}`, `DELETE ${secretPath}`].map((c) =>
            calls.indexOf(c),
        );
        expect(order.every((i) => i >= 0)).to.equal(true);
        expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
        expect(api.stacks.has(name)).to.equal(false);
        // A second destroy finds no Stack and is no error.
        await executor.destroyProject(request());
    });
});
