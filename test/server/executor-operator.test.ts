import { expect } from "chai";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { loadClusterSpec } from "../../programs/cluster-config";
import { ConfigReader } from "../../programs/config-reader";
import { buildApp, type BuiltApp } from "../../service/http/app";
import { toClusterSpec } from "../../service/operations/cluster-request";
import { ExecutorError, type ExecutorEvent } from "../../executors/executor";
import { OperatorExecutor } from "../../executors/operator/executor-operator";
import { connectionFromKubeconfig, loadKubeConnection } from "../../executors/operator/kube-connection";
import { stackObjectName } from "../../executors/operator/operator-stack";
import { FakeKubeApi, type Recorded } from "./fake-kube-api";
import { body, removeDir, SEED_SECRET, TOKEN, USER_SECRET, waitForOperation } from "./support";
import { RECONCILE_DEFAULTS } from "../../service/env";

const MGMT_TOKEN = "management-cluster-token-SECRET-5e1d";
const PASSPHRASE = "passphrase-SECRET-operator-77aa";
const RECEIVER = "receiver-SECRET-slack-hook-0b9f";
const NS = "fleet";
const REPO = "https://git.example/mla.git";
const STACK_PATH = `/apis/pulumi.com/v1/namespaces/${NS}/stacks/mla-cluster-c1`;
const SECRET_PATH = `/api/v1/namespaces/${NS}/secrets/mla-cluster-c1-secrets`;

const clusterSpec = () =>
    toClusterSpec(
        "c1",
        body({
            tenant: { alertmanagerConfig: `route: {receiver: ${RECEIVER}}\nreceivers: [{name: ${RECEIVER}}]` },
        }) as never,
        body().seedKubeconfig as string,
    );

const decode = (data: Record<string, string>) =>
    Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));

describe("Pulumi Kubernetes Operator executor against a fake Kubernetes API", () => {
    let dir: string;
    let api: FakeKubeApi;
    let executor: OperatorExecutor;
    let events: ExecutorEvent[];
    const request = (signal = new AbortController().signal) => ({
        clusterId: "c1",
        spec: clusterSpec(),
        signal,
        onEvent: (e: ExecutorEvent) => events.push(e),
    });
    const sent = (method: string, path: string): Recorded[] =>
        api.requests.filter((r) => r.method === method && r.path.split("?")[0] === path);

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "mla-operator-"));
        api = new FakeKubeApi();
        await api.start();
        const kubeconfig = join(dir, "mgmt.yaml");
        writeFileSync(
            kubeconfig,
            [
                "apiVersion: v1",
                "kind: Config",
                "clusters: [{name: m, cluster: {server: " + api.url + "}}]",
                `users: [{name: svc, user: {token: ${MGMT_TOKEN}}}]`,
                "contexts: [{name: m, context: {cluster: m, user: svc}}]",
                "current-context: m",
                "",
            ].join("\n"),
        );
        executor = new OperatorExecutor({
            connection: loadKubeConnection(kubeconfig, {}),
            settings: {
                namespace: NS,
                repo: REPO,
                ref: "v1.4.0",
                projectDir: "infra",
                backend: "s3://state-bucket/mla",
                resyncSeconds: RECONCILE_DEFAULTS.intervalSeconds,
            },
            env: { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE },
            pollMs: { initial: 2, max: 10 },
        });
    });

    beforeEach(() => {
        api.requests.length = 0;
        api.crdInstalled = true;
        api.script = {
            pollsBeforeDone: 2,
            outcome: "succeeded",
            outputs: { gatewayHostname: "gw.example", agentKey: "[secret]" },
            pollsBeforeGone: 2,
        };
        events = [];
    });

    after(async () => {
        executor?.close();
        await api?.stop();
        removeDir(dir);
    });

    it("server-side-applies the Secret, then a Stack with exactly the expected spec", async () => {
        await executor.up(request());
        const spec = clusterSpec();
        const [secretApply] = sent("PATCH", SECRET_PATH);
        const [stackApply] = sent("PATCH", STACK_PATH);
        expect(api.requests.indexOf(secretApply)).to.be.lessThan(api.requests.indexOf(stackApply));
        for (const r of [secretApply, stackApply]) {
            expect(r.contentType).to.equal("application/apply-patch+yaml");
            expect(new URL(r.path, "http://x").searchParams.get("fieldManager")).to.equal("mla");
        }
        const stack = JSON.parse(stackApply.body);
        expect(stack.apiVersion).to.equal("pulumi.com/v1");
        expect(stack.kind).to.equal("Stack");
        expect(stack.metadata.name).to.equal("mla-cluster-c1");
        expect(stack.metadata.namespace).to.equal(NS);
        expect(stack.metadata.annotations["pulumi.com/reconciliation-request"]).to.match(/^[0-9a-f-]{36}$/);
        const ref = (key: string) => ({ type: "Secret", secret: { name: "mla-cluster-c1-secrets", key } });
        expect(stack.spec).to.deep.equal({
            stack: "c1",
            projectRepo: REPO,
            branch: "v1.4.0",
            repoDir: "infra",
            backend: "s3://state-bucket/mla",
            config: {
                "pulumi:disable-default-providers": '["kubernetes"]',
                "mla:kind": "cluster",
                "mla:clusterId": "c1",
                "mla:project": "team-a",
                "mla:seedStack": spec.seedStack,
                "mla:suspended": "false",
                "mla:gateway": JSON.stringify(spec.gateway),
                "mla:pki": JSON.stringify(spec.pki),
                "mla:monitoring": JSON.stringify(spec.monitoring),
                "mla:logging": JSON.stringify(spec.logging),
                "mla:seedApi": JSON.stringify(spec.seedApi),
            },
            secretsRef: {
                "mla:seedKubeconfig": ref("seedKubeconfig"),
                "mla:userKubeconfig": ref("userKubeconfig"),
                "mla:tenant": ref("tenant"),
            },
            envRefs: { PULUMI_CONFIG_PASSPHRASE: ref("PULUMI_CONFIG_PASSPHRASE") },
            refresh: true,
            resyncFrequencySeconds: 14400,
            continueResyncOnCommitMatch: true,
            destroyOnFinalize: false,
        });
    });

    it("puts the kubeconfigs, the Alertmanager config and the passphrase in the Secret and none of them in the Stack", async () => {
        await executor.up(request());
        const stackBody = sent("PATCH", STACK_PATH)[0].body;
        for (const secret of [USER_SECRET, SEED_SECRET, RECEIVER, PASSPHRASE, MGMT_TOKEN])
            expect(stackBody).not.to.include(secret);
        const data = decode(api.secrets.get("mla-cluster-c1-secrets")!.data);
        expect(data.userKubeconfig).to.include(USER_SECRET);
        expect(data.seedKubeconfig).to.include(SEED_SECRET);
        expect(JSON.parse(data.tenant).alertmanagerConfig).to.include(RECEIVER);
        expect(data.PULUMI_CONFIG_PASSPHRASE).to.equal(PASSPHRASE);
        expect(events.map((e) => e.message).join("\n")).not.to.match(/SECRET/);
    });

    it("hands the cluster config loader the same spec through the Stack's config and the Secret", async () => {
        await executor.up(request());
        const config: Record<string, string> = JSON.parse(sent("PATCH", STACK_PATH)[0].body).spec.config;
        const secrets = decode(api.secrets.get("mla-cluster-c1-secrets")!.data);
        const fromRef: Record<string, string> = {
            seedKubeconfig: secrets.seedKubeconfig,
            userKubeconfig: secrets.userKubeconfig,
            tenant: secrets.tenant,
        };
        // As programs/config.ts reads it: plain values, JSON text parsed.
        const text = (key: string) => fromRef[key] ?? config[`mla:${key}`];
        const loaded = loadClusterSpec(
            new ConfigReader({
                namespace: "mla",
                get: (key) =>
                    text(key) !== undefined && /^\s*[[{]/.test(text(key)) ? JSON.parse(text(key)) : text(key),
                getSecret: (key) => (fromRef[key] !== undefined ? pulumi.secret(fromRef[key]) : undefined),
            }),
        );
        const { seedKubeconfig, userKubeconfig, ...rest } = loaded;
        const { seedKubeconfig: _s, userKubeconfig: _u, ...expected } = clusterSpec();
        expect(rest).to.deep.equal(expected);
        expect(config["mla:kind"]).to.equal("cluster");
        expect(seedKubeconfig).to.not.equal(undefined);
        expect(userKubeconfig).to.not.equal(undefined);
    });

    it("polls the Stack's status until the run succeeds and returns its outputs, secret ones masked", async () => {
        const result = await executor.up(request());
        expect(result.outputs).to.deep.equal({
            gatewayHostname: { value: "gw.example", secret: false },
            agentKey: { value: undefined, secret: true },
        });
        expect(sent("GET", STACK_PATH)).to.have.length(3);
        expect(events.some((e) => /Reconciling=True \(StackProcessing/.test(e.message))).to.equal(true);
    });

    it("fails with the operator's message when the run fails", async () => {
        api.script = { ...api.script, outcome: "failed", failureMessage: "error: gateway Service: connection refused" };
        const error = await executor.up(request()).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ExecutorError);
        expect((error as ExecutorError).code).to.equal("engine-failed");
        expect((error as ExecutorError).message).to.include("error: gateway Service: connection refused");
        expect(
            sent(
                "GET",
                `/apis/auto.pulumi.com/v1alpha1/namespaces/${NS}/updates/mla-cluster-c1-update-${api.stacks.get("mla-cluster-c1")!.metadata.generation}`,
            ),
        ).to.have.length(1);
    });

    it("stops waiting when cancelled and leaves the Stack to the operator", async () => {
        api.script = { ...api.script, pollsBeforeDone: 1000 };
        const controller = new AbortController();
        const running = executor.up(request(controller.signal));
        await new Promise((r) => setTimeout(r, 30));
        controller.abort();
        const error = await running.then(
            () => undefined,
            (e: unknown) => e,
        );
        expect((error as ExecutorError).code).to.equal("cancelled");
        expect(api.requests.filter((r) => r.method === "DELETE")).to.have.length(0);
        expect(api.stacks.has("mla-cluster-c1")).to.equal(true);
    });

    it("destroys by setting destroyOnFinalize, deleting the Stack, waiting until it is gone, then deleting the Secret", async () => {
        await executor.up(request());
        api.requests.length = 0;
        await executor.destroy({ ...request(), purge: false });
        const calls = api.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
        const patch = sent("PATCH", STACK_PATH)[0];
        expect(patch.contentType).to.equal("application/merge-patch+json");
        expect(JSON.parse(patch.body)).to.deep.equal({ spec: { destroyOnFinalize: true } });
        const order = [`PATCH ${STACK_PATH}`, `DELETE ${STACK_PATH}`, `DELETE ${SECRET_PATH}`].map((c) =>
            calls.indexOf(c),
        );
        expect(order.every((i) => i >= 0)).to.equal(true);
        expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
        // The Secret goes only after the operator's finalizer (which needs it) removed the Stack.
        expect(calls.slice(order[1], order[2]).filter((c) => c === `GET ${STACK_PATH}`)).to.have.length(
            api.script.pollsBeforeGone + 1,
        );
        expect(api.stacks.size).to.equal(0);
        expect(api.secrets.size).to.equal(0);
    });

    it("reports a missing Stack CRD with what to install, and a present one as ready", async () => {
        api.crdInstalled = false;
        const missing = await executor.checkReady();
        const crd = missing.find((c) => c.name === "stack-crd")!;
        expect(crd.ok).to.equal(false);
        expect(crd.detail).to.include("Pulumi Kubernetes Operator");
        api.crdInstalled = true;
        const ready = await executor.checkReady();
        expect(ready.map((c) => [c.name, c.ok])).to.deep.equal([
            ["kubernetes-api", true],
            ["stack-crd", true],
            ["operator-namespace", true],
        ]);
    });

    it("sends the kubeconfig's bearer token on every request", async () => {
        await executor.up(request());
        await executor.checkReady();
        expect(api.requests.length).to.be.greaterThan(3);
        for (const r of api.requests) expect(r.authorization).to.equal(`Bearer ${MGMT_TOKEN}`);
    });

    describe("through the HTTP API", () => {
        let built: BuiltApp;
        let url: string;
        const call = (path: string, init: RequestInit = {}) =>
            fetch(url + path, {
                ...init,
                headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            });

        before(async () => {
            const dataDir = join(dir, "service");
            mkdirSync(dataDir);
            built = await buildApp({
                dataDir,
                executor,
                token: TOKEN,
                workers: 2,
                queueLimit: 10,
                shutdownTimeoutMs: 2000,
                log: { level: "silent" },
            });
            await built.app.listen({ host: "127.0.0.1", port: 0 });
            url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
        });

        after(async () => {
            await built?.app.close();
        });

        it("records a failed run as a failed operation carrying the operator's message", async () => {
            api.script = { ...api.script, outcome: "failed", failureMessage: "error: helm release agent: timeout" };
            const res = await call("/v1/clusters/c1", { method: "PUT", body: JSON.stringify(body()) });
            expect(res.status).to.equal(202);
            const op = await waitForOperation(
                { call } as never,
                ((await res.json()) as { operationId: string }).operationId,
            );
            expect(op.state).to.equal("failed");
            expect((op.error as { message: string }).message).to.include("error: helm release agent: timeout");
        });

        it("answers a preview with a failed operation whose status is 501", async () => {
            const res = await call("/v1/clusters/c1/preview", { method: "POST", body: JSON.stringify(body()) });
            const op = await waitForOperation(
                { call } as never,
                ((await res.json()) as { operationId: string }).operationId,
            );
            expect(op.state).to.equal("failed");
            expect(op.error).to.include({ code: "unsupported", status: 501 });
        });
    });
});

describe("operator executor helpers", () => {
    it("keeps Stack names within PKO's 42 characters and distinct for long ids", () => {
        const a = stackObjectName("a".repeat(50));
        const b = stackObjectName(`${"a".repeat(49)}b`);
        expect(a.length).to.be.at.most(42);
        expect(a).to.not.equal(b);
        expect(stackObjectName("c1")).to.equal("mla-cluster-c1");
    });

    it("reads client certificates and relative token files from a kubeconfig, and refuses exec plugins", () => {
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const b64 = Buffer.from(pem).toString("base64");
        const doc = (user: string) =>
            `clusters: [{name: m, cluster: {server: "https://10.1.2.3:6443/", certificate-authority-data: ${b64}}}]\nusers: [{name: u, user: ${user}}]\ncontexts: [{name: m, context: {cluster: m, user: u}}]\n`;
        const cert = connectionFromKubeconfig(
            doc(`{client-certificate-data: ${b64}, client-key-data: ${b64}}`),
            "/etc/mla",
        );
        expect(cert).to.deep.include({
            server: "https://10.1.2.3:6443",
            ca: pem,
            cert: pem,
            key: pem,
            insecure: false,
        });
        expect(connectionFromKubeconfig(doc("{tokenFile: sa/token}"), "/etc/mla").tokenFile).to.equal(
            "/etc/mla/sa/token",
        );
        expect(() => connectionFromKubeconfig(doc("{exec: {command: aws}}"), "/etc/mla")).to.throw(
            /exec or auth-provider plugin/,
        );
        expect(() => connectionFromKubeconfig(doc("{}"), "/etc/mla")).to.throw(
            /no token, tokenFile or client certificate/,
        );
    });
});
