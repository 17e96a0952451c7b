/**
 * Cross-checks of the Pod Security "restricted" checker and the inline-secret scanner on known-good
 * and known-bad objects, so that a checker that passes everything fails here.
 */
import { expect } from "chai";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../../components/common/pod-security";
import { restrictedViolations as agentsChecker } from "../agents/pod-security-check";
import { inlineSecrets, manifestSchemaErrors, missingRequests } from "./manifest-checks";
import { podTemplateOf, restrictedViolations } from "./pss-restricted";

// Parsed YAML, read field by field as the API server would; no static shape to give it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** A pod that meets `restricted` with every field set at the container level. */
function goodPod(): Obj {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "app",
                image: "example:1",
                securityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
            },
        ],
        volumes: [
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
            { name: "cfg", configMap: { name: "cfg" } },
            { name: "tmp", emptyDir: {} },
            { name: "token", projected: { sources: [] } },
        ],
    };
}

/** A known-bad variant: what it breaks and how. */
const BAD: [string, (p: Obj) => void, string][] = [
    ["a host network", (p) => (p.hostNetwork = true), "pod sets hostNetwork"],
    ["a host PID namespace", (p) => (p.hostPID = true), "pod sets hostPID"],
    ["a host IPC namespace", (p) => (p.hostIPC = true), "pod sets hostIPC"],
    [
        "a privileged container",
        (p) => (p.containers[0].securityContext.privileged = true),
        "container app is privileged",
    ],
    ["a hostPath volume", (p) => p.volumes.push({ name: "host", hostPath: { path: "/" } }), "volume host is hostPath"],
    [
        "an NFS volume (baseline allows it, restricted does not)",
        (p) => p.volumes.push({ name: "n", nfs: { server: "x", path: "/" } }),
        "volume n is nfs",
    ],
    [
        "a host port",
        (p) => (p.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]),
        "container app uses hostPort 80",
    ],
    [
        "privilege escalation left at its default",
        (p) => delete p.containers[0].securityContext.allowPrivilegeEscalation,
        "container app allowPrivilegeEscalation is not false",
    ],
    [
        "runAsNonRoot unset everywhere",
        (p) => delete p.securityContext.runAsNonRoot,
        "container app runAsNonRoot is not true (container or pod)",
    ],
    [
        "a container overriding runAsNonRoot with false",
        (p) => (p.containers[0].securityContext.runAsNonRoot = false),
        "container app runAsNonRoot is not true (container or pod)",
    ],
    ["a pod running as uid 0", (p) => (p.securityContext.runAsUser = 0), "pod runAsUser is 0"],
    [
        "a container running as uid 0",
        (p) => (p.containers[0].securityContext.runAsUser = 0),
        "container app runAsUser is 0",
    ],
    [
        "no seccomp profile anywhere",
        (p) => {
            delete p.securityContext.seccompProfile;
            delete p.containers[0].securityContext.seccompProfile;
        },
        "container app seccompProfile is unset (container or pod)",
    ],
    [
        "an Unconfined pod seccomp profile",
        (p) => (p.securityContext.seccompProfile = { type: "Unconfined" }),
        "pod seccompProfile Unconfined",
    ],
    [
        "capabilities not dropped",
        (p) => (p.containers[0].securityContext.capabilities = {}),
        "container app does not drop ALL capabilities",
    ],
    [
        "an added capability other than NET_BIND_SERVICE",
        (p) => (p.containers[0].securityContext.capabilities.add = ["CHOWN"]),
        "container app adds capability CHOWN",
    ],
    [
        "an unsafe sysctl",
        (p) => (p.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
        "pod sets unsafe sysctl kernel.msgmax",
    ],
    [
        "an unmasked /proc",
        (p) => (p.containers[0].securityContext.procMount = "Unmasked"),
        "container app procMount Unmasked",
    ],
    [
        "a custom SELinux user",
        (p) => (p.securityContext.seLinuxOptions = { user: "root" }),
        "pod sets seLinuxOptions.user",
    ],
    [
        "an unconfined AppArmor profile",
        (p) => (p.containers[0].securityContext.appArmorProfile = { type: "Unconfined" }),
        "container app appArmorProfile Unconfined",
    ],
    [
        "a root init container",
        (p) =>
            (p.initContainers = [
                {
                    name: "chown",
                    image: "busybox",
                    securityContext: {
                        runAsUser: 0,
                        runAsNonRoot: false,
                        capabilities: { add: ["CHOWN"], drop: ["ALL"] },
                        allowPrivilegeEscalation: false,
                    },
                },
            ]),
        "initContainer chown runAsNonRoot is not true (container or pod)",
    ],
];

describe("Pod Security restricted checker", () => {
    it("passes a known-good pod", () => {
        expect(restrictedViolations(goodPod())).to.deep.equal([]);
    });

    it("passes a pod built from components/common/pod-security.ts, the pod-level fields inherited", () => {
        const pod = {
            securityContext: restrictedPodSecurity(),
            containers: [{ name: "c", securityContext: restrictedContainerSecurity() }],
        };
        expect(restrictedViolations(pod)).to.deep.equal([]);
        // Seccomp and runAsNonRoot may come from the pod alone.
        const inherited = {
            securityContext: restrictedPodSecurity(),
            containers: [
                { name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
            ],
        };
        expect(restrictedViolations(inherited)).to.deep.equal([]);
    });

    for (const [what, breakIt, expected] of BAD) {
        it(`refuses ${what}`, () => {
            const pod = goodPod();
            breakIt(pod);
            expect(restrictedViolations(pod)).to.include(expected);
        });
    }

    it("refuses an AppArmor annotation other than runtime/default or localhost/*", () => {
        const annotations = { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" };
        expect(restrictedViolations(goodPod(), { annotations })).to.deep.equal([
            "annotation container.apparmor.security.beta.kubernetes.io/app: unconfined",
        ]);
        expect(
            restrictedViolations(goodPod(), {
                annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" },
            }),
        ).to.deep.equal([]);
    });

    it("agrees with the agents' restricted check on every known-bad pod they both cover", () => {
        for (const [what, breakIt] of BAD) {
            const pod = goodPod();
            breakIt(pod);
            if (agentsChecker(pod).length > 0) expect(restrictedViolations(pod), what).to.not.deep.equal([]);
        }
        expect(agentsChecker(goodPod())).to.deep.equal([]);
    });

    it("finds the pod template of every workload kind", () => {
        const spec = goodPod();
        const template = { metadata: { labels: { a: "b" } }, spec };
        expect(podTemplateOf({ kind: "Deployment", spec: { template } })?.spec).to.equal(spec);
        expect(podTemplateOf({ kind: "Job", spec: { template } })?.metadata).to.deep.equal({ labels: { a: "b" } });
        expect(podTemplateOf({ kind: "CronJob", spec: { jobTemplate: { spec: { template } } } })?.spec).to.equal(spec);
        expect(podTemplateOf({ kind: "Pod", metadata: {}, spec })?.spec).to.equal(spec);
        expect(podTemplateOf({ kind: "ConfigMap" })).to.equal(undefined);
    });
});

describe("inline-secret scanner", () => {
    const deployment = (env: Obj[], args: string[] = []): Obj => ({
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { template: { spec: { containers: [{ name: "c", env, args }] } } },
    });

    it("accepts Secret references, env expansion and key names", () => {
        const objects = [
            deployment([
                { name: "S3_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                { name: "GF_SECURITY_ADMIN_PASSWORD_FILE", value: "/run/secrets/pw" },
                { name: "LOG_LEVEL", value: "info" },
            ]),
            {
                kind: "ConfigMap",
                metadata: { name: "cfg" },
                data: {
                    "config.yaml":
                        "s3:\n  secret_access_key: ${S3_SECRET_ACCESS_KEY}\n  access_key_id: ${S3_ACCESS_KEY_ID}\nnum_tokens: 128\n",
                    "grafana.ini": "[database]\npassword = $__env{GF_DATABASE_PASSWORD}\n",
                },
            },
        ];
        expect(inlineSecrets(objects)).to.deep.equal([]);
    });

    it("finds a literal password in env, args, a ConfigMap and a chart-made config Secret", () => {
        const objects = [
            deployment([{ name: "GF_DATABASE_PASSWORD", value: "hunter2" }], ["-s3.secret-access-key=abc"]),
            {
                kind: "ConfigMap",
                metadata: { name: "cfg" },
                data: { "grafana.ini": "[database]\npassword = hunter2\n" },
            },
            {
                kind: "Secret",
                metadata: { name: "cortex" },
                data: { "cortex.yaml": Buffer.from("s3:\n  secret_access_key: abc\n").toString("base64") },
            },
        ];
        expect(inlineSecrets(objects)).to.deep.equal([
            "Deployment/d c env GF_DATABASE_PASSWORD has a literal value",
            "Deployment/d c arg s3.secret-access-key",
            'ConfigMap/cfg grafana.ini: password = "hunter2"',
            'Secret/cortex cortex.yaml: secret_access_key = "abc"',
        ]);
    });
});

describe("rendered-manifest checks", () => {
    const deployment = (spec: Obj): Obj => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", namespace: "mla" },
        spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec } },
    });

    it("accepts a valid Deployment and reports a schema violation with the object's name", async () => {
        const good = deployment({ containers: [{ name: "c", image: "x:1" }] });
        expect(await manifestSchemaErrors([good])).to.deep.equal([]);
        const bad = { ...good, spec: { ...good.spec, replicas: "two" } };
        const errors = await manifestSchemaErrors([bad]);
        expect(errors).to.have.length(1);
        expect(errors[0]).to.contain("Deployment/d").and.to.contain("replicas");
    });

    it("names every container, init containers included, that lacks a CPU or memory request", () => {
        const d = deployment({
            initContainers: [{ name: "init", resources: { requests: { cpu: "10m" } } }],
            containers: [{ name: "ok", resources: { requests: { cpu: "10m", memory: "16Mi" } } }, { name: "none" }],
        });
        expect(missingRequests([d])).to.deep.equal([
            'Deployment/d init: requests {"cpu":"10m"}',
            "Deployment/d none: requests null",
        ]);
    });
});
