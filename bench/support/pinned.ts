/**
 * Starting the benchmark's processes pinned to one CPU each (`taskset -c`): the gateway under test
 * gets one core, the load generator and the sink the other. Gateways also run in a one-CPU cgroup
 * (the pod's `limits.cpu: 1`) where the machine lets the benchmark create one.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, rmdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { nginxBinary } from "../../test/support/nginx";

/** A running, pinned server process. */
export interface PinnedProcess {
    readonly pid: number;
    /** Whether it runs in a one-CPU cgroup (else only pinned). */
    readonly quota: boolean;
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
            if (child.exitCode !== null || Date.now() > deadline)
                throw new Error(`${what} did not start on ${port}:\n${stderr()}`);
            await new Promise((r) => setTimeout(r, 50));
        }
    }
}

const CPU_CGROUP_ROOT = "/sys/fs/cgroup/cpu";
let cgroups = 0;

/**
 * A cgroup (v1 `cpu` controller) limited to one CPU, like a pod's `limits.cpu: 1`, or undefined
 * where this machine offers none. Beyond the quota it makes the scheduler share CPU between
 * groups, not processes: under load from other processes, a two-worker nginx gets no more CPU
 * than a one-worker one, as in a pod.
 */
export function oneCpuCgroup(name: string): { path: string; remove(): void } | undefined {
    const path = join(CPU_CGROUP_ROOT, `mla-bench-${process.pid}-${cgroups++}-${name}`);
    try {
        mkdirSync(path);
        writeFileSync(join(path, "cpu.cfs_period_us"), "100000");
        writeFileSync(join(path, "cpu.cfs_quota_us"), "100000");
    } catch {
        try {
            rmdirSync(path);
        } catch {
            // Never created.
        }
        return undefined;
    }
    return {
        path,
        remove: () => {
            try {
                rmdirSync(path);
            } catch {
                // Still busy or already gone; the next run does not depend on it.
            }
        },
    };
}

/**
 * Spawns `argv` under `taskset -c <cpu>`, inside a one-CPU cgroup when the machine offers one
 * (every process it forks inherits both), with stdout going to `stdoutFile` (an access log
 * written to /dev/stdout lands there, as a container runtime would collect it), and waits for
 * `ports`.
 */
export async function startPinned(options: {
    argv: string[];
    cpu: string;
    ports: number[];
    stdoutFile: string;
    what: string;
    quota?: boolean;
}): Promise<PinnedProcess> {
    const out = openSync(options.stdoutFile, "a");
    const group = options.quota ? oneCpuCgroup(options.what.replace(/[^A-Za-z0-9-]/g, "")) : undefined;
    const argv = ["taskset", "-c", options.cpu, ...options.argv];
    // The shell joins the cgroup, then becomes the process (exec), so the group holds it from its start.
    const child = group
        ? spawn("sh", ["-c", `echo $$ > ${group.path}/cgroup.procs && exec "$@"`, "sh", ...argv], {
              stdio: ["ignore", out, "pipe"],
          })
        : spawn(argv[0], argv.slice(1), { stdio: ["ignore", out, "pipe"] });
    closeSync(out);
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.once("exit", () => child.kill("SIGKILL"));
    await waitForPorts(child, options.ports, options.what, () => stderr);
    return {
        pid: child.pid as number,
        quota: group !== undefined,
        stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exited;
            clearTimeout(timer);
            // nginx workers may outlive the master by a moment.
            await new Promise((r) => setTimeout(r, 200));
            group?.remove();
        },
    };
}

/** Writes `config` under `prefix`, checks it with `nginx -t` and starts nginx pinned to `cpu`. */
export function startPinnedNginx(options: {
    prefix: string;
    config: string;
    cpu: string;
    ports: number[];
    quota?: boolean;
}): Promise<PinnedProcess> {
    chmodSync(options.prefix, 0o755);
    const conf = join(options.prefix, "nginx.conf");
    writeFileSync(conf, options.config);
    // `nginx -t` opens the access log too; /dev/stdout must be a file, not Node's pipe (a socket).
    const out = openSync(join(options.prefix, "stdout.log"), "a");
    try {
        execFileSync(
            nginxBinary(),
            ["-t", "-q", "-p", options.prefix, "-c", conf, "-e", join(options.prefix, "nginx-t.log")],
            { stdio: ["ignore", out, "pipe"] },
        );
    } finally {
        closeSync(out);
    }
    return startPinned({
        argv: [nginxBinary(), "-p", options.prefix, "-c", conf, "-e", "stderr", "-g", "daemon off;"],
        cpu: options.cpu,
        ports: options.ports,
        stdoutFile: join(options.prefix, "stdout.log"),
        what: `nginx-${options.prefix.split("/").at(-1)}`,
        quota: options.quota,
    });
}

/** Compiles loadgen.c into `dir`; throws how to get a compiler and OpenSSL's headers otherwise. */
export function buildLoadgen(dir: string): string {
    const bin = join(dir, "loadgen");
    try {
        execFileSync("gcc", ["-O2", "-pthread", join(__dirname, "loadgen.c"), "-o", bin, "-lssl", "-lcrypto"], {
            stdio: ["ignore", "ignore", "pipe"],
        });
    } catch (e) {
        throw new Error(
            `cannot build bench/support/loadgen.c (apt-get install -y gcc libssl-dev): ${(e as Error).message}`,
            { cause: e },
        );
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
