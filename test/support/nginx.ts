/**
 * Real nginx for tests, plus an upstream that records what reaches it.
 *
 *   const nginx = await startNginx({ prefix: dir, config: text, ports: [writePort, readPort] });
 *   ...
 *   await nginx.stop();                     // in `after`, also on failure
 *
 * nginx runs in the foreground (`-g "daemon off;"`) as a child of the test process, with `-p` and
 * `-c` pointing into the test's temp dir, so rendered configs that keep their pid, temp and log
 * paths under the runtime dir work as root or not. The Debian package `nginx` provides the binary;
 * a missing binary fails the test with that hint rather than skipping it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";

/** Locates the nginx binary (NGINX_BIN, /usr/sbin/nginx, then PATH), or throws how to get it. */
export function nginxBinary(): string {
    const candidates = [process.env.NGINX_BIN, "/usr/sbin/nginx", "/usr/local/sbin/nginx"].filter(Boolean) as string[];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
    const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
    if (which.status === 0 && which.stdout.trim() !== "") return which.stdout.trim();
    throw new Error("nginx is not installed: install the Debian package `nginx` (apt-get install nginx)");
}

/** Runs `nginx -t` on a config file; returns whether it passed and nginx's output. */
export function nginxTest(prefix: string, configPath: string): { ok: boolean; output: string } {
    const r = spawnSync(nginxBinary(), ["-t", "-p", prefix, "-c", configPath, "-e", join(prefix, "nginx-t.log")], {
        encoding: "utf8",
    });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** A running nginx master process. */
export interface RunningNginx {
    readonly configPath: string;
    readonly pid: number;
    /** Everything nginx wrote to stdout and stderr so far. */
    output(): string;
    /** Writes a new config, checks it with `nginx -t`, sends SIGHUP and waits for the new workers. */
    reload(config: string): Promise<void>;
    /** Stops nginx (SIGTERM, then SIGKILL); safe to call twice. */
    stop(): Promise<void>;
}

/** Options for `startNginx`. */
export interface StartNginxOptions {
    /** The `-p` prefix; the config is written to `<prefix>/nginx.conf`. */
    prefix: string;
    config: string;
    /** Loopback ports to wait for before resolving. */
    ports: number[];
    /** Defaults to 10 s. */
    timeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((p) => p.kill("SIGKILL")));

/** Writes the config, checks it with `nginx -t`, starts nginx and waits until every port accepts. */
export async function startNginx(options: StartNginxOptions): Promise<RunningNginx> {
    const configPath = join(options.prefix, "nginx.conf");
    // Started as root, nginx runs its workers as `nobody`; they must reach the temp dirs inside
    // the prefix, which mkdtemp creates 0700.
    chmodSync(options.prefix, 0o755);
    writeConfigChecked(options.prefix, configPath, options.config);
    const child = spawn(nginxBinary(), ["-p", options.prefix, "-c", configPath, "-e", "stderr", "-g", "daemon off;"], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let output = "";
    child.stdout?.on("data", (d) => (output += String(d)));
    child.stderr?.on("data", (d) => (output += String(d)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (const port of options.ports) {
        while (!(await accepts(port))) {
            if (child.exitCode !== null || Date.now() > deadline) {
                child.kill("SIGKILL");
                throw new Error(`nginx did not start listening on ${port}:\n${output}`);
            }
            await sleep(25);
        }
    }
    const pid = child.pid as number;
    return {
        configPath,
        pid,
        output: () => output,
        async reload(config: string) {
            writeConfigChecked(options.prefix, configPath, config);
            const before = new Set(workerPids(pid));
            child.kill("SIGHUP");
            const until = Date.now() + 10_000;
            // The reload is done when none of the old workers remains and new ones are up.
            while (Date.now() < until) {
                const now = workerPids(pid);
                if (now.length > 0 && now.every((w) => !before.has(w))) return;
                await sleep(25);
            }
            throw new Error(`nginx did not finish reloading:\n${output}`);
        },
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
                await exited;
                clearTimeout(timer);
            }
            running.delete(child);
        },
    };
}

function writeConfigChecked(prefix: string, configPath: string, config: string): void {
    writeFileSync(configPath, config);
    const check = nginxTest(prefix, configPath);
    if (!check.ok) throw new Error(`nginx -t rejected ${configPath}:\n${check.output}`);
}

/** Child pids of the master (its workers), from /proc. */
function workerPids(masterPid: number): number[] {
    try {
        const text = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, "utf8").trim();
        return text === "" ? [] : text.split(/\s+/).map(Number);
    } catch {
        return [];
    }
}

function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One request as the upstream saw it. */
export interface RecordedRequest {
    method: string;
    /** Path and query, as received. */
    path: string;
    headers: IncomingHttpHeaders;
    bodySize: number;
    /** The client's port: equal ports on two requests mean one kept-alive connection. */
    remotePort: number;
}

/** A loopback HTTP server that answers 200 "ok" and records every request it receives. */
export interface Recorder {
    readonly port: number;
    /** `http://127.0.0.1:<port><path>`. */
    url(path?: string): string;
    readonly requests: RecordedRequest[];
    /** Requests whose body never completed (the proxy cut the stream): path and bytes received. */
    readonly incomplete: { path: string; bodySize: number }[];
    close(): Promise<void>;
}

/** Starts a recorder on a kernel-chosen loopback port. */
export function startRecorder(): Promise<Recorder> {
    const requests: RecordedRequest[] = [];
    const incomplete: { path: string; bodySize: number }[] = [];
    const server = createServer((req, res) => {
        let bodySize = 0;
        let ended = false;
        req.on("data", (chunk: Buffer) => (bodySize += chunk.length));
        req.on("close", () => {
            if (!ended) incomplete.push({ path: req.url ?? "", bodySize });
        });
        req.on("end", () => {
            ended = true;
            requests.push({
                method: req.method ?? "",
                path: req.url ?? "",
                headers: req.headers,
                bodySize,
                remotePort: req.socket.remotePort ?? 0,
            });
            res.writeHead(200, { "content-type": "text/plain" });
            res.end("ok");
        });
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            resolve({
                port,
                url: (path = "") => `http://127.0.0.1:${port}${path}`,
                requests,
                incomplete,
                close: () =>
                    new Promise<void>((done) => {
                        server.closeAllConnections();
                        server.close(() => done());
                    }),
            });
        });
    });
}
