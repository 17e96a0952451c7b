/**
 * Starting the benchmark's processes pinned to one CPU each (`taskset -c`): the gateway under test
 * gets one core, the load generator and the sink the other. Gateways also run in a one-CPU cgroup
 * (the pod's `limits.cpu: 1`) and in a memory cgroup of their own (what a container's memory is
 * counted in) where the machine lets the benchmark create them.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { nginxBinary } from "../../test/support/nginx";

/** A running, pinned server process. */
export interface PinnedProcess {
    readonly pid: number;
    /** Whether it runs in a one-CPU cgroup (else only pinned). */
    readonly quota: boolean;
    /** Its own memory cgroup (v1), holding it and every process it forks; undefined where none could be made. */
    readonly memoryCgroup?: string;
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

/**
 * The user the nginx peers run as, like the pod's uid 101: as root, nginx's worker switches to
 * `nobody` and loads the NSS libraries for it, which a non-root pod never does.
 */
export const UNPRIVILEGED_USER = "nobody";

/** `{uid, gid}` of `user` when this process may switch to it (root, setpriv present); else undefined. */
export function unprivilegedIds(user = UNPRIVILEGED_USER): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    try {
        execFileSync("sh", ["-c", "command -v setpriv"], { stdio: "ignore" });
        const id = (flag: string) => Number(execFileSync("id", [flag, user]).toString().trim());
        return { uid: id("-u"), gid: id("-g") };
    } catch {
        return undefined;
    }
}

/** Every process started here that still runs; one exit hook kills them all if the bench dies. */
const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((child) => child.kill("SIGKILL")));

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
    return { path, remove: () => removeCgroup(path) };
}

/** Removes a cgroup directory made by this benchmark; one still busy or already gone is left (the next run does not depend on it). */
function removeCgroup(path: string): void {
    try {
        rmdirSync(path);
    } catch {
        // Still busy or already gone.
    }
}

/**
 * The memory cgroup (v1) this benchmark itself runs in, from /proc/self/cgroup; groups are made
 * inside it, so the machine's own accounting still contains them.
 */
function ownMemoryCgroup(): string | undefined {
    const line = readFileSync("/proc/self/cgroup", "utf8")
        .split("\n")
        .find((l) => /^\d+:memory:/.test(l));
    return line ? join("/sys/fs/cgroup/memory", line.slice(line.indexOf(":memory:") + ":memory:".length)) : undefined;
}

/**
 * A memory cgroup (v1) without a limit, so a peer's memory can be read the way the kubelet reads a
 * container's: usage, and the working set (usage minus inactive file pages). Undefined where the
 * machine offers none.
 */
export function memoryCgroup(name: string): { path: string; remove(): void } | undefined {
    const parent = ownMemoryCgroup();
    if (!parent) return undefined;
    const path = join(parent, `mla-bench-${process.pid}-${cgroups++}-${name}`);
    try {
        mkdirSync(path);
    } catch {
        return undefined;
    }
    return { path, remove: () => removeCgroup(path) };
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
    /** Added to the process's environment (it and its children inherit it, as in a container). */
    env?: Record<string, string>;
    /** Run as this uid/gid (after joining the cgroups, which needs root). */
    ids?: { uid: number; gid: number };
}): Promise<PinnedProcess> {
    const out = openSync(options.stdoutFile, "a");
    const label = options.what.replace(/[^A-Za-z0-9-]/g, "");
    const group = options.quota ? oneCpuCgroup(label) : undefined;
    const memory = options.quota ? memoryCgroup(label) : undefined;
    const drop = options.ids
        ? ["setpriv", `--reuid=${options.ids.uid}`, `--regid=${options.ids.gid}`, "--clear-groups"]
        : [];
    const argv = [...drop, "taskset", "-c", options.cpu, ...options.argv];
    const joins = [group, memory].filter((g) => g !== undefined).map((g) => `echo $$ > ${g.path}/cgroup.procs && `);
    const spawnOptions = {
        stdio: ["ignore", out, "pipe"] as ["ignore", number, "pipe"],
        env: { ...process.env, ...options.env },
    };
    // The shell joins the cgroups, then becomes the process (exec), so they hold it from its start.
    const child =
        joins.length > 0
            ? spawn("sh", ["-c", `${joins.join("")}exec "$@"`, "sh", ...argv], spawnOptions)
            : spawn(argv[0], argv.slice(1), spawnOptions);
    closeSync(out);
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr = (stderr + String(d)).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    running.add(child);
    child.once("exit", () => running.delete(child));
    await waitForPorts(child, options.ports, options.what, () => stderr);
    return {
        pid: child.pid as number,
        quota: group !== undefined,
        memoryCgroup: memory?.path,
        stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
            await exited;
            clearTimeout(timer);
            // nginx workers may outlive the master by a moment.
            await new Promise((r) => setTimeout(r, 200));
            group?.remove();
            memory?.remove();
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
    env?: Record<string, string>;
    /** Run nginx as this uid/gid (see `unprivilegedIds`); `prefix` is handed to it. */
    ids?: { uid: number; gid: number };
}): Promise<PinnedProcess> {
    chmodSync(options.prefix, 0o755);
    const conf = join(options.prefix, "nginx.conf");
    writeFileSync(conf, options.config);
    // `nginx -t` opens the access log too; /dev/stdout must be a file, not Node's pipe (a socket).
    const out = openSync(join(options.prefix, "stdout.log"), "a");
    // After creating stdout.log: nginx reopens /dev/stdout by path, which checks its owner.
    if (options.ids) execFileSync("chown", ["-R", `${options.ids.uid}:${options.ids.gid}`, options.prefix]);
    try {
        execFileSync(
            nginxBinary(),
            ["-t", "-q", "-p", options.prefix, "-c", conf, "-e", join(options.prefix, "nginx-t.log")],
            { stdio: ["ignore", out, "pipe"], uid: options.ids?.uid, gid: options.ids?.gid },
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
        env: options.env,
        ids: options.ids,
    });
}

/**
 * Compiles `bench/support/<name>.c` into `dir` (linked with `libs`); throws how to get a compiler
 * (and OpenSSL's headers) otherwise.
 */
export function buildC(dir: string, name: string, libs: string[] = []): string {
    const bin = join(dir, name);
    try {
        execFileSync("gcc", ["-O2", "-pthread", join(__dirname, `${name}.c`), "-o", bin, ...libs], {
            stdio: ["ignore", "ignore", "pipe"],
        });
    } catch (e) {
        throw new Error(
            `cannot build bench/support/${name}.c (apt-get install -y gcc libssl-dev): ${(e as Error).message}`,
            {
                cause: e,
            },
        );
    }
    return bin;
}

/** Compiles loadgen.c (the gateway's TLS load generator) into `dir`. */
export const buildLoadgen = (dir: string): string => buildC(dir, "loadgen", ["-lssl", "-lcrypto"]);

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
