/**
 * The Pod Security Standards `restricted` level (v1.latest), as a check over a recorded pod spec:
 * every reason the API server's admission would reject the pod in a namespace that enforces
 * `restricted`. Written from the standard's table, not from the code under test, so a drift in
 * the components' security settings shows up here.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod specs are walked freely; the checks test each field
type Obj = Record<string, any>;

/** Volume types `restricted` allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);
const SECCOMP_OK = new Set(["RuntimeDefault", "Localhost"]);

/** Every `restricted` violation of `pod` (a PodSpec); empty when the pod passes. */
export function restrictedViolations(pod: Obj): string[] {
    const problems: string[] = [];
    const psc: Obj = pod.securityContext ?? {};
    for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[host]) problems.push(`${host} is set`);
    for (const v of pod.volumes ?? []) {
        const types = Object.keys(v).filter((k) => k !== "name");
        for (const t of types) if (!RESTRICTED_VOLUME_TYPES.has(t)) problems.push(`volume ${v.name} is ${t}`);
    }
    if (psc.runAsUser === 0) problems.push("pod runAsUser is 0");
    if (psc.seccompProfile && !SECCOMP_OK.has(psc.seccompProfile.type))
        problems.push(`pod seccomp ${psc.seccompProfile.type}`);
    const containers: Obj[] = [
        ...(pod.initContainers ?? []),
        ...(pod.containers ?? []),
        ...(pod.ephemeralContainers ?? []),
    ];
    for (const c of containers) {
        const sc: Obj = c.securityContext ?? {};
        const at = `container ${c.name}`;
        if (sc.privileged) problems.push(`${at} is privileged`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${at} allowPrivilegeEscalation is not false`);
        if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true)))
            problems.push(`${at} runAsNonRoot is not true`);
        if (sc.runAsUser === 0) problems.push(`${at} runAsUser is 0`);
        const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
        if (!SECCOMP_OK.has(seccomp)) problems.push(`${at} seccomp is ${seccomp ?? "unset"}`);
        const caps: Obj = sc.capabilities ?? {};
        if (!(caps.drop ?? []).includes("ALL")) problems.push(`${at} does not drop ALL capabilities`);
        for (const cap of caps.add ?? []) if (cap !== "NET_BIND_SERVICE") problems.push(`${at} adds ${cap}`);
        if (sc.procMount && sc.procMount !== "Default") problems.push(`${at} procMount ${sc.procMount}`);
        for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${at} uses hostPort ${p.hostPort}`);
    }
    return problems;
}
