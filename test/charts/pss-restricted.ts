/**
 * The Pod Security Standards `restricted` profile (which includes `baseline`), as a pure check of a
 * PodSpec and its pod metadata: every reason the Pod Security admission controller would reject
 * the pod in a namespace labelled `pod-security.kubernetes.io/enforce: restricted`.
 *
 * Written from the standard's tables (kubernetes.io/docs/concepts/security/pod-security-standards,
 * policy version "latest", Linux pods), not from the code under test, and cross-checked on
 * known-good and known-bad pods in `pss-restricted.test.ts`.
 */

// Parsed YAML, read field by field as the API server would; no static shape to give it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** baseline "Sysctls": the safe set. */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
/** baseline "SELinux": allowed types. */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
/** restricted "Volume Types". */
const RESTRICTED_VOLUMES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);
/** restricted "Seccomp": the allowed profile types (pod or container). */
const SECCOMP_ALLOWED = new Set(["RuntimeDefault", "Localhost"]);
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

/** Every container of the pod, with its kind for messages. */
function allContainers(spec: Obj): { at: string; c: Obj }[] {
    return [
        ...(spec.initContainers ?? []).map((c: Obj) => ({ at: `initContainer ${c.name}`, c })),
        ...(spec.containers ?? []).map((c: Obj) => ({ at: `container ${c.name}`, c })),
        ...(spec.ephemeralContainers ?? []).map((c: Obj) => ({ at: `ephemeralContainer ${c.name}`, c })),
    ];
}

function seLinuxProblems(at: string, opts: Obj | undefined | null): string[] {
    if (!opts) return [];
    const out: string[] = [];
    if (!SELINUX_TYPES.has(opts.type ?? "")) out.push(`${at} seLinuxOptions.type ${opts.type}`);
    if (opts.user) out.push(`${at} sets seLinuxOptions.user`);
    if (opts.role) out.push(`${at} sets seLinuxOptions.role`);
    return out;
}

function appArmorProblems(at: string, profile: Obj | undefined | null): string[] {
    if (!profile) return [];
    return profile.type === "RuntimeDefault" || profile.type === "Localhost"
        ? []
        : [`${at} appArmorProfile ${profile.type}`];
}

/**
 * Every `restricted` violation of the pod; empty when it passes.
 * @param spec the PodSpec (a workload's `spec.template.spec`).
 * @param metadata the pod's metadata (for the AppArmor annotations), when known.
 */
export function restrictedViolations(spec: Obj, metadata: Obj = {}): string[] {
    const problems: string[] = [];
    const psc: Obj = spec.securityContext ?? {};
    const containers = allContainers(spec);

    // baseline
    for (const host of ["hostNetwork", "hostPID", "hostIPC"])
        if (spec[host] === true) problems.push(`pod sets ${host}`);
    if (psc.windowsOptions?.hostProcess === true) problems.push("pod sets windowsOptions.hostProcess");
    problems.push(...seLinuxProblems("pod", psc.seLinuxOptions));
    problems.push(...appArmorProblems("pod", psc.appArmorProfile));
    for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) problems.push(`pod sets unsafe sysctl ${s.name}`);
    for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
        if (
            key.startsWith(APPARMOR_ANNOTATION) &&
            value !== "runtime/default" &&
            !String(value).startsWith("localhost/")
        ) {
            problems.push(`annotation ${key}: ${value}`);
        }
    }

    // restricted: pod level
    for (const v of spec.volumes ?? []) {
        for (const type of Object.keys(v).filter((k) => k !== "name")) {
            if (!RESTRICTED_VOLUMES.has(type)) problems.push(`volume ${v.name} is ${type}`);
        }
    }
    if (psc.runAsUser === 0) problems.push("pod runAsUser is 0");
    if (psc.runAsNonRoot === false) problems.push("pod runAsNonRoot is false");
    if (psc.seccompProfile && !SECCOMP_ALLOWED.has(psc.seccompProfile.type))
        problems.push(`pod seccompProfile ${psc.seccompProfile.type}`);

    for (const { at, c } of containers) {
        const sc: Obj = c.securityContext ?? {};
        // baseline
        if (sc.privileged === true) problems.push(`${at} is privileged`);
        if (sc.windowsOptions?.hostProcess === true) problems.push(`${at} sets windowsOptions.hostProcess`);
        if (sc.procMount !== undefined && sc.procMount !== "Default") problems.push(`${at} procMount ${sc.procMount}`);
        problems.push(...seLinuxProblems(at, sc.seLinuxOptions));
        problems.push(...appArmorProblems(at, sc.appArmorProfile));
        for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${at} uses hostPort ${p.hostPort}`);
        // restricted
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${at} allowPrivilegeEscalation is not false`);
        const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
        if (nonRoot !== true) problems.push(`${at} runAsNonRoot is not true (container or pod)`);
        if (sc.runAsUser === 0) problems.push(`${at} runAsUser is 0`);
        const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
        if (!SECCOMP_ALLOWED.has(seccomp))
            problems.push(`${at} seccompProfile is ${seccomp ?? "unset"} (container or pod)`);
        const caps: Obj = sc.capabilities ?? {};
        // restricted narrows baseline's allowed additions to NET_BIND_SERVICE alone.
        if (!(caps.drop ?? []).includes("ALL")) problems.push(`${at} does not drop ALL capabilities`);
        for (const cap of caps.add ?? []) if (cap !== "NET_BIND_SERVICE") problems.push(`${at} adds capability ${cap}`);
    }
    return problems;
}

/** The pod template (metadata and spec) of a workload manifest, or undefined for non-pod kinds. */
export function podTemplateOf(obj: Obj): { metadata: Obj; spec: Obj } | undefined {
    switch (obj.kind) {
        case "Pod":
            return { metadata: obj.metadata ?? {}, spec: obj.spec };
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return { metadata: obj.spec.template.metadata ?? {}, spec: obj.spec.template.spec };
        case "CronJob":
            return {
                metadata: obj.spec.jobTemplate.spec.template.metadata ?? {},
                spec: obj.spec.jobTemplate.spec.template.spec,
            };
        default:
            return undefined;
    }
}
