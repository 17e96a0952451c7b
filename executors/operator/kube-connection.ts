/**
 * How the operator executor reaches the management cluster's Kubernetes API: the few kubeconfig
 * fields it understands, turned into one connection (pure apart from reading referenced files).
 *
 * Supported: the current context (or the only one); the cluster's `server`,
 * `certificate-authority-data` / `certificate-authority` and `insecure-skip-tls-verify`; the
 * user's `token` / `tokenFile`, or `client-certificate(-data)` + `client-key(-data)`. Relative
 * file paths resolve against the kubeconfig's directory, as kubectl does. Exec and auth-provider
 * plugins are not supported (they would mean running a program): use a ServiceAccount token.
 * Error messages name fields, never values.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { QUIET_YAML } from "../../spec/yaml-quiet";

/** Everything needed to call the API server. */
export interface KubeConnection {
    /** `https://host:port` (or `http://` for a local proxy), without a trailing slash. */
    server: string;
    /** PEM of the CA that signed the server's certificate; the system CAs when absent. */
    ca?: string;
    /** Skip server certificate verification (kubeconfig `insecure-skip-tls-verify`). */
    insecure: boolean;
    /** Bearer token. */
    token?: string;
    /** A file holding the bearer token, re-read on every request (projected tokens rotate). */
    tokenFile?: string;
    /** Client certificate and key (PEM). */
    cert?: string;
    key?: string;
}

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function named(root: Obj, list: string, name: unknown, field: string): Obj {
    const entries = Array.isArray(root[list]) ? (root[list] as unknown[]).map(asObj) : [];
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`the kubeconfig's context names a ${list.slice(0, -1)} that does not exist`);
    return asObj(entry[field]);
}

/** Parses kubeconfig `text` (found in `dir`, for relative paths) into a connection; throws on anything unusable. */
export function connectionFromKubeconfig(text: string, dir: string): KubeConnection {
    let root: Obj;
    try {
        root = asObj(parse(text, QUIET_YAML));
    } catch {
        throw new Error("the kubeconfig is not valid YAML");
    }
    const contexts = Array.isArray(root.contexts) ? (root.contexts as unknown[]).map(asObj) : [];
    const current = str(root["current-context"]);
    const context = current
        ? contexts.find((c) => c.name === current)
        : contexts.length === 1
          ? contexts[0]
          : undefined;
    if (!context)
        throw new Error("the kubeconfig has no current context (set current-context, or keep exactly one context)");
    const ctx = asObj(context.context);
    const cluster = named(root, "clusters", ctx.cluster, "cluster");
    const user = named(root, "users", ctx.user, "user");
    const abs = (path: string) => (isAbsolute(path) ? path : join(dir, path));
    const file = (path: string) => readFileSync(abs(path), "utf8");
    const data = (inline: unknown, path: unknown) => {
        const b64 = str(inline);
        if (b64) return Buffer.from(b64, "base64").toString("utf8");
        const p = str(path);
        return p ? file(p) : undefined;
    };
    const server = str(cluster.server)?.replace(/\/+$/, "");
    if (!server || !/^https?:\/\//.test(server))
        throw new Error("the kubeconfig's cluster has no http(s) server address");
    if (user.exec !== undefined || user["auth-provider"] !== undefined) {
        throw new Error(
            "the kubeconfig's user uses an exec or auth-provider plugin, which is not supported; use a ServiceAccount token or a client certificate",
        );
    }
    const tokenFile = str(user.tokenFile);
    const connection: KubeConnection = {
        server,
        ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
        insecure: cluster["insecure-skip-tls-verify"] === true,
        token: str(user.token),
        tokenFile: str(user.token) || !tokenFile ? undefined : abs(tokenFile),
        cert: data(user["client-certificate-data"], user["client-certificate"]),
        key: data(user["client-key-data"], user["client-key"]),
    };
    if ((connection.cert === undefined) !== (connection.key === undefined))
        throw new Error("the kubeconfig's user has a client certificate without a key, or a key without a certificate");
    if (!connection.token && !connection.tokenFile && !connection.cert)
        throw new Error("the kubeconfig's user has no token, tokenFile or client certificate");
    return connection;
}

/** Where a pod finds its ServiceAccount's token and CA. */
export const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The connection from the kubeconfig at `path`, or, without one, the pod's own ServiceAccount
 * (`KUBERNETES_SERVICE_HOST`/`_PORT` and the files in `saDir`) when running in a cluster.
 */
export function loadKubeConnection(
    path: string | undefined,
    env: NodeJS.ProcessEnv,
    saDir = IN_CLUSTER_DIR,
): KubeConnection {
    if (path) return connectionFromKubeconfig(readFileSync(path, "utf8"), dirname(path));
    const host = env.KUBERNETES_SERVICE_HOST;
    if (!host)
        throw new Error(
            "set MLA_OPERATOR_KUBECONFIG to the management cluster's kubeconfig (or run the service in that cluster)",
        );
    const hostPart = host.includes(":") ? `[${host}]` : host;
    return {
        server: `https://${hostPart}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
        ca: readFileSync(join(saDir, "ca.crt"), "utf8"),
        insecure: false,
        tokenFile: join(saDir, "token"),
    };
}
