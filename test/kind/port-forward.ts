/**
 * `kubectl port-forward` to a Service on a free loopback port, for the length of one callback.
 *
 * A forward is bound to one pod, and the gateway's pods roll whenever its config changes (suspend,
 * resume), so the checks open a fresh forward per attempt instead of keeping one open.
 */
import { spawn } from "node:child_process";

/** Where a Service lives: `svc/<name>` in `namespace`, on Service port `port`. */
export interface ServiceTarget {
    namespace: string;
    service: string;
    port: number;
}

/**
 * The Service an in-cluster URL points at: `http://<svc>.<ns>.svc[...]:<port>/<path>`; the port
 * defaults to the scheme's. `path` is the URL's own path without a trailing slash ("" for none).
 */
export function serviceOfUrl(url: string): ServiceTarget & { path: string } {
    const u = new URL(url);
    const [service, namespace, svc] = u.hostname.split(".");
    if (!service || !namespace || svc !== "svc") throw new Error(`not an in-cluster Service URL: ${url}`);
    const port = u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
    return { service, namespace, port, path: u.pathname.replace(/\/+$/, "") };
}

const FORWARDING = /Forwarding from 127\.0\.0\.1:(\d+)/;

/**
 * Opens a forward (kubectl picks the local port), runs `fn` with it, and always ends the kubectl
 * process. Rejects when the forward is not up within `startTimeoutMs`.
 */
export async function withPortForward<T>(
    kubeconfig: string,
    target: ServiceTarget,
    fn: (localPort: number) => Promise<T>,
    startTimeoutMs = 30_000,
): Promise<T> {
    const child = spawn(
        "kubectl",
        [
            "--kubeconfig",
            kubeconfig,
            "-n",
            target.namespace,
            "port-forward",
            "--address",
            "127.0.0.1",
            `svc/${target.service}`,
            `:${target.port}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
        const localPort = await new Promise<number>((resolve, reject) => {
            let stderr = "";
            const timer = setTimeout(
                () =>
                    reject(
                        new Error(
                            `port-forward to ${describe(target)} not up within ${startTimeoutMs} ms: ${stderr.trim()}`,
                        ),
                    ),
                startTimeoutMs,
            );
            child.stdout.setEncoding("utf8");
            child.stderr.setEncoding("utf8");
            child.stdout.on("data", (chunk: string) => {
                const match = FORWARDING.exec(chunk);
                if (match) {
                    clearTimeout(timer);
                    resolve(Number(match[1]));
                }
            });
            child.stderr.on("data", (chunk: string) => (stderr += chunk));
            child.on("error", (e) => {
                clearTimeout(timer);
                reject(new Error(`kubectl port-forward could not start: ${e.message}`));
            });
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`port-forward to ${describe(target)} exited (${code}): ${stderr.trim()}`));
            });
        });
        return await fn(localPort);
    } finally {
        child.kill("SIGTERM");
    }
}

function describe(t: ServiceTarget): string {
    return `svc/${t.service} -n ${t.namespace} :${t.port}`;
}
