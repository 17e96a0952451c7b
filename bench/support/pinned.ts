/**
 * Starting the benchmark's processes pinned to one CPU each (`taskset -c`), as a stand-in for the
 * pod's 1-CPU limit on a machine without cgroup control: the gateway under test gets one core,
 * the load generator and the sink the other.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, closeSync, openSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { nginxBinary } from "../../test/support/nginx";

/** A running, pinned server process. */
export interface PinnedProcess {
    readonly pid: number;
    stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

async function waitForPorts(child: ChildProcess, ports: number[], what: string, stderr: () => string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (const port of ports) {
        while (!(await accepts(port))) {
            if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start on ${port}:\n${stderr()}`);
            await new Promise((r) => setTimeout(r, 50));
        }
    }
}

/**
 * Spawns `argv` under `taskset -c <cpu>` with stdout going to `stdoutFile` (an access log
 * written to /dev/stdout lands there, as a container runtime would collect it), and waits for
 * `ports`.
 */
export async function startPinned(options: { argv: string[]; cpu: string; ports: number[]; stdoutFile: string; what: string }): Promise<PinnedProcess> {
    const out = openSync(options.stdoutFile, "a");
    const child = spawn("taskset", ["-c", options.cpu, ...options.argv], { stdio: ["ignore", out, "pipe"] });
    closeSync(out);
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.once("exit", () => child.kill("SIGKILL"));
    await waitForPorts(child, options.ports, options.what, () => stderr);
    return {
        pid: child.pid as number,
        stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exited;
            clearTimeout(timer);
        },
    };
}

/** Writes `config` under `prefix`, checks it with `nginx -t` and starts nginx pinned to `cpu`. */
export function startPinnedNginx(options: { prefix: string; config: string; cpu: string; ports: number[] }): Promise<PinnedProcess> {
    chmodSync(options.prefix, 0o755);
    const conf = join(options.prefix, "nginx.conf");
    writeFileSync(conf, options.config);
    // `nginx -t` opens the access log too; /dev/stdout must be a file, not Node's pipe (a socket).
    const out = openSync(join(options.prefix, "stdout.log"), "a");
    try {
        execFileSync(nginxBinary(), ["-t", "-q", "-p", options.prefix, "-c", conf, "-e", join(options.prefix, "nginx-t.log")], { stdio: ["ignore", out, "pipe"] });
    } finally {
        closeSync(out);
    }
    return startPinned({
        argv: [nginxBinary(), "-p", options.prefix, "-c", conf, "-e", "stderr", "-g", "daemon off;"],
        cpu: options.cpu,
        ports: options.ports,
        stdoutFile: join(options.prefix, "stdout.log"),
        what: `nginx (${options.prefix})`,
    });
}

/** Compiles loadgen.c into `dir`; throws how to get a compiler and OpenSSL's headers otherwise. */
export function buildLoadgen(dir: string): string {
    const bin = join(dir, "loadgen");
    try {
        execFileSync("gcc", ["-O2", "-pthread", join(__dirname, "loadgen.c"), "-o", bin, "-lssl", "-lcrypto"], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
        throw new Error(`cannot build bench/support/loadgen.c (apt-get install -y gcc libssl-dev): ${(e as Error).message}`, { cause: e });
    }
    return bin;
}

/** Runs the load generator pinned to `cpu` and parses its JSON line. */
export function runLoadgen<T>(bin: string, cpu: string, args: (string | number)[]): Promise<T> {
    return new Promise((resolve, reject) => {
        const child = spawn("taskset", ["-c", cpu, bin, ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += String(d)));
        child.stderr.on("data", (d) => (err += String(d)));
        child.once("exit", (code) => {
            if (code !== 0) return reject(new Error(`loadgen exited ${code}: ${err}`));
            if (err !== "") process.stderr.write(err);
            resolve(JSON.parse(out) as T);
        });
    });
}
