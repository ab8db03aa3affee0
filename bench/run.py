#!/usr/bin/env python3
"""g3k side by side with its peers on loopback, in one run; prints a Markdown table and writes bench/results/.

Proxies run pinned to one core, load generators and the origin to the other, so a proxy cannot steal the
client's CPU. Each scenario measures the direct (no proxy) baseline, g3k and each peer the same way.
"""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()  # for the progress lines
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# s_time's window: 3 s as with 6 s runs; 2 s (run 2049Z) put a JVM's background work into fewer handshakes
HANDSHAKE_SECONDS = max(3, SECONDS // 2)
IDLE_TUNNELS = int(os.environ.get("BENCH_IDLE_TUNNELS", "2000"))
# seconds of handshakes before the measured run, in three bursts (the ends of runs are transitions too: see bursts).
# g3k's JIT needs about 10k handshakes: 30 s at the usual ~450/s; 24 s in a slow minute (run 1649Z, 330/s) left it
# compiling in the measured run (8.3% of its CPU). 36 s until run 1757Z; since, 30 s and more bursts while its JIT still
# compiles, as far as JIT_BUDGET allows (see bursts). The peers have no JIT to wait for: a few seconds warm them.
TLS_WARM_UP = int(os.environ.get("BENCH_TLS_WARM_UP", "30"))
PEER_TLS_WARM_UP = int(os.environ.get("BENCH_PEER_TLS_WARM_UP", "9"))
BULK_WARM_UP = int(os.environ.get("BENCH_BULK_WARM_UP", "3"))  # transfers before a measured bulk transfer
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "10"))  # seconds of wrk load, in bursts, before a measured wrk run
# and before the run's first, where g3k starts cold: its JIT needs 20-30 s of load (see bursts). 20 s took run 1231Z
# past its ten minutes (609 s); since the TLS warm-up split (run 1659Z: 535 s) it fits. At 15 s the JIT still took
# 0.8-7.0% of g3k's CPU in the measured run (runs 1638Z-1711Z; p99 0.92-4.17 ms). The peers have no JIT to wait for:
# they get WARM_UP (they had 20 s too until run 2131Z, which took 608 s on a slower machine)
FIRST_WARM_UP = int(os.environ.get("BENCH_FIRST_WARM_UP", "20"))
CHURN_WARM_UP = int(os.environ.get("BENCH_CHURN_WARM_UP", "3"))  # and of a connection a request, in between
# g3k's load bursts go on past the above while its JIT compiler took more than JIT_QUIET % of its CPU in the last one,
# for at most JIT_MORE seconds more, JIT_BUDGET in a whole run (which keeps it under ten minutes): see bursts
JIT_QUIET = float(os.environ.get("BENCH_JIT_QUIET", "0.5"))
JIT_MORE = int(os.environ.get("BENCH_JIT_MORE", "15"))
JIT_BUDGET = int(os.environ.get("BENCH_JIT_BUDGET", "20"))
ONLY = os.environ.get("BENCH_ONLY", "")  # runs only the scenarios whose name contains this text
CORES = os.cpu_count() or 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROXY_CPU = str(CORES - 1)
LOAD_CPU = "0"

ORIGIN, ORIGIN_TLS, IPERF = 19080, 19081, 19201
PORTS = {
    "g3k http": 19101, "g3k socks": 19102, "g3k tcp": 19103, "g3k tls": 19104, "g3k rproxy": 19105, "g3k sni": 19106,
    "squid": 19111, "tinyproxy": 19112, "dante": 19121, "microsocks": 19122,
    "haproxy tcp": 19131, "nginx tcp": 19132, "socat": 19133,
    "haproxy tls": 19141, "nginx tls": 19142, "stunnel": 19143,
    "haproxy http": 19151, "nginx http": 19152,
    "haproxy sni": 19161, "nginx sni": 19162,
}


def pinned(cpu, cmd):
    return ["taskset", "-c", cpu] + cmd


class Bench:
    def __init__(self, work: Path):
        self.work = work
        self.procs = {}

    # ---- set-up -------------------------------------------------------------------------------------------
    def write(self, name, text):
        path = self.work / name
        path.write_text(text)
        return path

    def start(self, name, cmd, port=None, cpu=PROXY_CPU):
        log = self.work / (name.replace(" ", "_") + ".log")
        self.procs[name] = subprocess.Popen(pinned(cpu, cmd), stdout=open(log, "w"), stderr=subprocess.STDOUT)
        if port:
            try:
                wait_port(port, name)
            except RuntimeError as e:
                raise RuntimeError(f"{e}: {log.read_text()[-600:]}") from None

    def pki(self):
        cert, key = self.work / "server.pem", self.work / "server.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        self.write("server-and-key.pem", cert.read_text() + key.read_text())
        return cert, key

    def start_all(self):
        ports_free([ORIGIN, ORIGIN_TLS, IPERF, *PORTS.values()])
        os.chmod(self.work, 0o755)
        www = self.work / "www"
        www.mkdir()
        with open(www / "big", "wb") as f:
            f.truncate(1 << 30)
        cert, key = self.pki()
        self.start("origin", ["nginx", "-c", str(self.write("origin.conf", f"""
            user root; worker_processes 1; daemon off; pid {self.work}/origin.pid; error_log {self.work}/origin.err;
            events {{ worker_connections 16384; }}
            http {{ access_log off; sendfile on; keepalive_requests 1000000; client_header_timeout 600s;
              server {{ listen 127.0.0.1:{ORIGIN} backlog=4096; root {www};
                location = /small {{ return 200 "hello\\n"; }} }}
              server {{ listen 127.0.0.1:{ORIGIN_TLS} ssl backlog=4096; ssl_certificate {cert}; ssl_certificate_key {key};
                location = /small {{ return 200 "hello\\n"; }} }} }}
            """)), "-e", str(self.work / "origin.err")], ORIGIN, cpu=LOAD_CPU)
        self.start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(IPERF)], IPERF, cpu=LOAD_CPU)
        # without an AOT cache (bin/g3k train) even if one was made: it speeds up start-up, not what is measured
        # here after the warm-ups, and a run must not depend on what an earlier command left behind
        os.environ["G3K_AOT_CACHE"] = str(self.work / "none.aot")
        self.start("g3k", [str(ROOT / "bin" / "g3k"), "run", "-G", "bench", "-C", str(self.work), "-c", str(self.write("g3k.yml", f"""
resolver:
  - {{name: default, type: c-ares, server: 127.0.0.1:9}}
escaper:
  - {{name: default, type: direct_fixed, resolver: default, egress_network_filter: {{default: allow, allow: 127.0.0.1}}}}
server:
  - {{name: http, type: http_proxy, escaper: default, listen: "127.0.0.1:{PORTS['g3k http']}"}}
  - {{name: socks, type: socks_proxy, escaper: default, listen: "127.0.0.1:{PORTS['g3k socks']}"}}
  - {{name: tcp, type: tcp_stream, escaper: default, listen: "127.0.0.1:{PORTS['g3k tcp']}", proxy_pass: "127.0.0.1:{IPERF}"}}
  - name: tls
    type: tls_stream
    escaper: default
    listen: "127.0.0.1:{PORTS['g3k tls']}"
    proxy_pass: "127.0.0.1:{ORIGIN}"
    tls_server: {{cert_pairs: {{certificate: {cert}, private_key: {key}}}}}
  - name: rproxy
    type: http_rproxy
    escaper: default
    listen: "127.0.0.1:{PORTS['g3k rproxy']}"
    append_forwarded_for: none  # as haproxy and nginx here: neither adds X-Forwarded-For unless told to
    hosts:
      - {{set_default: true, upstream: "127.0.0.1:{ORIGIN}"}}
  - name: sni
    type: sni_proxy
    escaper: default
    listen: "127.0.0.1:{PORTS['g3k sni']}"
    allowed_hosts:
      - {{exact_match: localhost, redirect_host: 127.0.0.1, redirect_port: {ORIGIN_TLS}}}
"""))], PORTS["g3k rproxy"])
        self.start("squid", ["squid", "-N", "-f", str(self.write("squid.conf", f"""
http_port 127.0.0.1:{PORTS['squid']}
http_access allow all
cache deny all
access_log none
cache_log {self.work}/squid-cache.log
pid_filename {self.work}/squid.pid
coredump_dir {self.work}
max_filedescriptors 65536
shutdown_lifetime 0 seconds
"""))], PORTS["squid"])
        self.start("tinyproxy", ["tinyproxy", "-d", "-c", str(self.write("tinyproxy.conf", f"""
User nobody
Group nogroup
Port {PORTS['tinyproxy']}
Listen 127.0.0.1
Timeout 600
MaxClients 8192
LogLevel Critical
Allow 127.0.0.1
DisableViaHeader Yes
"""))], PORTS["tinyproxy"])
        self.start("dante", ["danted", "-f", str(self.write("danted.conf", f"""
logoutput: {self.work}/dante.log
internal: 127.0.0.1 port = {PORTS['dante']}
external: 127.0.0.1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}
socks pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}
""")), "-N", "1"], PORTS["dante"])
        self.start("microsocks", ["microsocks", "-i", "127.0.0.1", "-p", str(PORTS["microsocks"])], PORTS["microsocks"])
        self.start("haproxy", ["haproxy", "-db", "-f", str(self.write("haproxy.cfg", f"""
global
  nbthread 1
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 600s
  timeout server 600s
listen tcp
  bind 127.0.0.1:{PORTS['haproxy tcp']}
  server s 127.0.0.1:{IPERF}
listen tls
  bind 127.0.0.1:{PORTS['haproxy tls']} ssl crt {self.work}/server-and-key.pem
  server s 127.0.0.1:{ORIGIN}
frontend sni
  bind 127.0.0.1:{PORTS['haproxy sni']}
  tcp-request inspect-delay 5s
  tcp-request content accept if {{ req_ssl_hello_type 1 }}
  use_backend tls_origin if {{ req_ssl_sni -i localhost }}
backend tls_origin
  server s 127.0.0.1:{ORIGIN_TLS}
listen http
  mode http
  option http-keep-alive
  bind 127.0.0.1:{PORTS['haproxy http']}
  server s 127.0.0.1:{ORIGIN}
"""))], PORTS["haproxy http"])
        self.start("nginx", ["nginx", "-c", str(self.write("nginx-stream.conf", f"""
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
user root; worker_processes 1; daemon off; pid {self.work}/nginx.pid; error_log {self.work}/nginx.err;
events {{ worker_connections 16384; }}
stream {{
  server {{ listen 127.0.0.1:{PORTS['nginx tcp']}; proxy_pass 127.0.0.1:{IPERF}; }}
  server {{ listen 127.0.0.1:{PORTS['nginx tls']} ssl; ssl_certificate {cert}; ssl_certificate_key {key};
           ssl_protocols TLSv1.2 TLSv1.3; proxy_pass 127.0.0.1:{ORIGIN}; }}
  map $ssl_preread_server_name $sni_backend {{ localhost 127.0.0.1:{ORIGIN_TLS}; default 127.0.0.1:1; }}
  server {{ listen 127.0.0.1:{PORTS['nginx sni']}; ssl_preread on; proxy_pass $sni_backend; }}
}}
http {{
  access_log off;
  upstream origin {{ server 127.0.0.1:{ORIGIN}; keepalive 64; }}
  server {{ listen 127.0.0.1:{PORTS['nginx http']};
    location / {{ proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }} }}
}}
""")), "-e", str(self.work / "nginx.err")], PORTS["nginx http"])
        self.start("socat", ["socat", f"TCP-LISTEN:{PORTS['socat']},bind=127.0.0.1,fork,reuseaddr",
                             f"TCP:127.0.0.1:{IPERF}"], PORTS["socat"])
        self.start("stunnel", ["stunnel4", str(self.write("stunnel.conf", f"""
foreground = yes
pid =
[tls]
accept = 127.0.0.1:{PORTS['stunnel']}
connect = 127.0.0.1:{ORIGIN}
cert = {cert}
key = {key}
"""))], PORTS["stunnel"])
        tls_versions_alike(["g3k tls", "haproxy tls", "nginx tls", "stunnel"])

    def stop_all(self):
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()

    def family(self, name):
        """The peer's processes: multi-process peers (squid's helpers, forking servers) count as a whole."""
        root = self.procs[name].pid
        return [root] + descendants(root)


# ---- measurements -------------------------------------------------------------------------------------------
def wrk(port, absolute, close=False, tls=False, seconds=None):
    """req/s and latency; with {@code close}, a new client connection per request (new connections/s); with
    {@code tls}, HTTPS with the server name localhost (the SNI routing scenario)."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text((f'wrk.path = "http://127.0.0.1:{ORIGIN}/small"\nwrk.headers["Host"] = "127.0.0.1:{ORIGIN}"\n'
                       if absolute else "") + ('wrk.headers["Connection"] = "close"\n' if close else ""))
    try:
        out = run(pinned(LOAD_CPU, ["wrk", "-t1", "-c32", f"-d{seconds or SECONDS}s", "--latency", "-s", str(script),
                                    f"https://localhost:{port}/small" if tls else f"http://127.0.0.1:{port}/small"]))
    finally:
        script.unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"req/s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50 ms": latency(out, "50%"), "p99 ms": latency(out, "99%"), "errors": errors.group(0) if errors else "",
            "requests": int(re.search(r"(\d+) requests in", out).group(1))}


def wrk_cpu(bench, name, load):
    """A load's figures (wrk, s_time) and the proxy's CPU time per request (or handshake). Where the client and
    origin are what is busy (SNI routing: TLS on both ends, the proxy only relays records) every proxy gets the same
    req/s and the ratios say nothing; the proxy's own CPU per request still does."""
    result, seconds = cpu_seconds(bench, name, load)
    result["CPU µs/req"] = seconds * 1e6 / result["requests"]
    return result


def latency(out, pct):
    value, unit = re.search(pct + r"\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def curl_bulk(proxy):
    out = run(pinned(LOAD_CPU, ["curl", "-sS", "--noproxy", "", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}"]
                     + proxy + [f"http://127.0.0.1:{ORIGIN}/big"]))
    speed, size = out.split()
    return {"MB/s": float(speed) / 1e6, "bytes": int(size)}


def iperf(port):
    out = json.loads(run(pinned(LOAD_CPU, ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(SECONDS // 2 or 1),
                                           "-J"])))
    received = out["end"]["sum_received"]
    return {"MB/s": received["bits_per_second"] / 8e6, "bytes": received["bytes"]}


def with_cpu(bench, name, transfer):
    """A bulk transfer's MB/s and the proxy's CPU time per GiB relayed. MB/s alone swings with the VM and with the
    client; CPU per GiB is what the proxy costs (still in this minute's CPU speed, like every figure here)."""
    result, seconds = cpu_seconds(bench, name, transfer)
    result["CPU s/GiB"] = seconds / (result.pop("bytes") / (1 << 30))
    return result  # MB/s, CPU s/GiB and, for g3k, JIT %


def cpu_seconds(bench, name, load):
    """load()'s result and the CPU seconds the peer's processes spent meanwhile; for g3k also the share of them its
    JIT compiler threads took ("JIT %"): compiling on the pinned core counts as the proxy's CPU."""
    before, jit_before = cpu_ticks(bench, name), jit_ticks(bench, name)
    result = load()
    ticks = cpu_ticks(bench, name) - before
    if name == "g3k":
        result["JIT %"] = 100 * (jit_ticks(bench, name) - jit_before) / max(1, ticks)
    return result, ticks / CLOCK_TICKS


def process(name):
    """The process behind a peer's name: "haproxy tcp" is one of haproxy's listeners."""
    return name.split()[0]


def cpu_ticks(bench, name):
    """User and system CPU of the peer's processes, including children that ended and were reaped (socat forks
    one a connection)."""
    root, *kids = bench.family(name)
    return stat_ticks(root, children=True) + sum(stat_ticks(k) for k in kids)


def jit_ticks(bench, name):
    """User and system CPU of a JVM's compiler threads ("C1 CompilerThre", "C2 CompilerThre"); 0 for the others."""
    root = bench.family(name)[0]
    total = 0
    for task in Path(f"/proc/{root}/task").glob("*"):
        try:
            if task.joinpath("comm").read_text().startswith(("C1 ", "C2 ")):
                total += stat_ticks(f"{root}/task/{task.name}")
        except OSError:
            pass  # a thread that just ended
    return total


def steal_and_total():
    """The machine's stolen and total CPU ticks so far (/proc/stat): time the VM's host gave to someone else."""
    fields = [int(f) for f in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return fields[7], sum(fields[:8])


def open_files(bench, name):
    """The descriptors a peer's processes hold. Against the count at start-up, what is left after the run (beyond
    pooled upstream connections) is connections both ends had closed but the proxy never let go of."""
    total = 0
    for pid in bench.family(name):
        try:
            total += len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            pass  # a forked helper that just ended
    return total


def files_report(before, after):
    lines = ["| proxy | at start | after the run |", "|---|---|---|"]
    lines += [f"| {name} | {before[name]} | {after[name]} |" for name in before]
    return ("\n\n## Open files\n\nEach proxy's open descriptors (all its processes) after start-up and 2 s after "
            "the last load: growth beyond its pooled upstream connections would be closed connections it still "
            "holds.\n\n" + "\n".join(lines))


def stat_ticks(pid, children=False):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    # after the command: state is field 3, utime/stime 14/15 and cutime/cstime 16/17 (1-based)
    return sum(int(f) for f in fields[11:15 if children else 13])


def tls_versions_alike(names):
    """TLS offload compares like with like: every proxy must negotiate the same version. nginx 1.22 offers TLS 1.2
    only unless told otherwise, and its handshakes then cost it less than the others' TLS 1.3 ones (until run
    2026-12-07T0004Z it was measured so: ×1.14 of g3k's CPU per handshake there, ×0.77-0.80 on TLS 1.3)."""
    versions = {}
    for name in names:
        out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{PORTS[name]}"], input="",
                             capture_output=True, text=True, timeout=10).stdout
        found = re.search(r"^New, (\S+),", out, re.M)
        versions[name] = found.group(1) if found else "none"
    if len(set(versions.values())) != 1:
        raise RuntimeError(f"TLS offload peers negotiate different versions: {versions}")


def handshakes(port, seconds=None):
    """s_time's own "real seconds" are whole seconds and always one more than it ran (it stops once the clock's
    second passes its end, having started part way into a second): 3.6-3.7 s reported as 4, a rate off by 0-25%
    at random. The rate here is over the wall-clock time the command took.

    Each connection makes one request (-www) after its full handshake (-new), as a client of a TLS offload does:
    closed right after the handshake, a connection reached the origin or not by chance (haproxy never connected to
    its server for it, g3k and nginx mostly did) and g3k's relay ran only now and then, the first time mid-run,
    where loading its classes threw away the compiled handshake code (duel rounds at ×1.6-2.3 haproxy's CPU)."""
    started = time.monotonic()
    out = run(pinned(LOAD_CPU, ["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-www", "/small",
                                "-time", str(seconds or HANDSHAKE_SECONDS)]))
    elapsed = time.monotonic() - started
    count = int(re.search(r"(\d+) connections in [\d.]+ real seconds", out).group(1))
    return {"handshakes/s": count / elapsed, "requests": count}


def idle_tunnels(bench, name, port):
    """Memory per idle CONNECT tunnel, at the margin: with IDLE_TUNNELS tunnels open (so one-off costs and pools
    reused from earlier are behind), the growth from opening IDLE_TUNNELS more. Measured once: a second round
    would reuse the first round's freed memory (squid: 31 KiB a tunnel the first time, 0.1 KiB the next).

    RSS alone says little of a JVM: the heap is reserved up front and tunnel objects land in pages it already
    holds, so g3k's figure is its live heap (after a full collection) plus its RSS outside the heap."""
    socks = []
    try:
        open_tunnels(socks, name, port)
        before = settled_memory_kib(bench, name)
        open_tunnels(socks, name, port)
        after = settled_memory_kib(bench, name)
    finally:
        for s in socks:
            s.close()
    return {"KiB/tunnel": (after[0] - before[0]) / IDLE_TUNNELS, "RSS KiB/tunnel": (after[1] - before[1]) / IDLE_TUNNELS}


def settled_memory_kib(bench, name, settle_kib=512, tries=5):
    """memory_kib once two readings a second apart agree to within settle_kib: memory a proxy is still giving back
    meanwhile is not the tunnels' (run 2026-12-07T0502Z read -0.06 KiB a tunnel for g3k, where the runs before
    read 2.1, and 3.6 the next time the same scenarios ran before it)."""
    last = memory_kib(bench, name)
    for _ in range(tries):
        time.sleep(1)
        now = memory_kib(bench, name)
        if abs(now[0] - last[0]) <= settle_kib:
            return now
        last = now
    return last


def open_tunnels(socks, name, port):
    fresh = []
    for _ in range(IDLE_TUNNELS):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
        s.sendall(f"CONNECT 127.0.0.1:{ORIGIN} HTTP/1.1\r\nHost: 127.0.0.1:{ORIGIN}\r\n\r\n".encode())
        fresh.append(s)
    for s in fresh:
        reply = s.recv(256)
        if b" 200" not in reply.split(b"\r\n")[0]:
            raise RuntimeError(f"{name}: CONNECT refused: {reply[:60]!r}")
    time.sleep(1)


def memory_kib(bench, name):
    """(memory held, RSS) of the peer's processes in KiB; for g3k memory held is live heap plus RSS outside it."""
    family = bench.family(name)
    if name != "g3k":
        rss = sum(map(rss_kib, family))
        return rss, rss
    pid = family[0]
    run(["jcmd", str(pid), "GC.run"])  # first: a full collection can touch heap pages it had not used before
    rss = rss_kib(pid)
    info = run(["jcmd", str(pid), "GC.heap_info"])
    # generation lines: "DefNew  total 78720K, used 6825K [0x..e0000000, 0x..e5560000, 0x..eaaa0000)"
    generations = re.findall(r"^\s*\S+\s+total \d+K, used (\d+)K \[(0x[0-9a-f]+), 0x[0-9a-f]+, (0x[0-9a-f]+)\)",
                             info, re.M)
    live = sum(int(used) for used, _, _ in generations)
    heap = (min(int(lo, 16) for _, lo, _ in generations), max(int(hi, 16) for _, _, hi in generations))
    return rss - rss_in(pid, *heap) + live, rss


def rss_in(pid, lo, hi):
    """RSS in KiB of the process's mappings inside [lo, hi)."""
    total, inside = 0, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
        if head:
            inside = lo <= int(head.group(1), 16) and int(head.group(2), 16) <= hi
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def descendants(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids + [g for k in kids for g in descendants(k)]


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr.strip()[:300]}")
    return result.stdout


def ports_free(ports):
    """Refuses to start on a port something already answers on: g3k and haproxy bind with SO_REUSEPORT, so a proxy
    left over from another run would share the port without an error and take part of the load."""
    taken = []
    for port in ports:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            taken.append(port)
        except OSError:
            pass
    if taken:
        raise RuntimeError(f"ports in use by another process: {taken} (a proxy left running?)")


def wait_port(port, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen on {port}")


# ---- report ---------------------------------------------------------------------------------------------------
LOWER_IS_BETTER = {"p50 ms", "p99 ms", "KiB/tunnel", "RSS KiB/tunnel", "CPU s/GiB", "CPU µs/req"}


def scenarios(bench):
    socks5 = lambda name: ["-x", f"socks5://127.0.0.1:{PORTS[name]}"]
    tunnel = lambda name: ["-p", "-x", f"http://127.0.0.1:{PORTS[name]}"]
    # a load run with the proxy's CPU per request (and g3k's JIT share, which its warm-up bursts go by)
    metered = lambda name, load: wrk_cpu(bench, process(name), load)
    # every proxy gets the same WARM_UP seconds of the scenario's load first, in bursts, with CHURN_WARM_UP seconds
    # of new connections between them (see bursts); the direct baseline, with no proxy to warm, a short run
    warmed_wrk = lambda name, warm_up=WARM_UP, **kw: Warmed(
        lambda: metered(name, lambda: wrk(PORTS[name], **kw)),
        lambda: bursts(lambda s: metered(name, lambda: wrk(PORTS[name], seconds=s, **kw)),
                       churn=lambda: wrk(PORTS[name], close=True, seconds=CHURN_WARM_UP, **kw), seconds=warm_up))
    direct_wrk = lambda port, **kw: Warmed(lambda: wrk(port, False, **kw), lambda: wrk(port, False, seconds=2, **kw))
    conns = lambda result: {("conns/s" if k == "req/s" else k): v for k, v in result.items() if k in ("req/s", "CPU µs/req")}
    speed = lambda result: {"MB/s": result["MB/s"]}
    # a GiB is about 16k reads of 64 KiB: about when the JIT's C2 compiles the relay loop, so a first GiB measures
    # the compiler; three before the measured one, for every proxy (SOCKS5 bulk would otherwise run warmer for g3k
    # than CONNECT bulk, as both use the same relay). An iperf3 run moves several GiB: one is enough there.
    bulk = lambda fn, rounds=BULK_WARM_UP: Warmed(fn, lambda: [fn() for _ in range(rounds)])
    return [
        ("HTTP forward (wrk, 32 conns)", direct_wrk(ORIGIN),
         {n: warmed_wrk(n, FIRST_WARM_UP if n.startswith("g3k") else WARM_UP, absolute=True)
          for n in ["g3k http", "squid", "tinyproxy"]}),
        # each connection runs its set-up code once, so from cold g3k's JIT takes many seconds to compile it
        # (1.0k, 2.5k, 6.0k, 9.1k conns/s in four 8 s runs): bursts here too, for every proxy
        ("HTTP forward, new connection per request (wrk)",
         Warmed(lambda: conns(wrk(ORIGIN, False, True)), lambda: wrk(ORIGIN, False, True, seconds=2)),
         {n: Warmed(lambda n=n: conns(metered(n, lambda: wrk(PORTS[n], True, True))),
                    lambda n=n: bursts(lambda s: metered(n, lambda: wrk(PORTS[n], True, True, seconds=s))))
          for n in ["g3k http", "squid", "tinyproxy"]}),
        ("HTTP reverse proxy (wrk, 32 conns)", direct_wrk(ORIGIN),
         {n: warmed_wrk(n, absolute=False) for n in ["g3k rproxy", "haproxy http", "nginx http"]}),
        ("SNI routing, TLS passed through (wrk https, 32 conns)", direct_wrk(ORIGIN_TLS, tls=True),
         {n: warmed_wrk(n, absolute=False, tls=True) for n in ["g3k sni", "haproxy sni", "nginx sni"]}),
        ("CONNECT bulk (curl, 1 GiB)", lambda: speed(curl_bulk([])),
         {n: bulk(lambda n=n: with_cpu(bench, process(n), lambda: curl_bulk(tunnel(n))))
          for n in ["g3k http", "squid", "tinyproxy"]}),
        ("SOCKS5 bulk (curl, 1 GiB)", lambda: speed(curl_bulk([])),
         {n: bulk(lambda n=n: with_cpu(bench, process(n), lambda: curl_bulk(socks5(n))))
          for n in ["g3k socks", "dante", "microsocks"]}),
        ("TCP mapping (iperf3)", lambda: speed(iperf(IPERF)),
         {n: bulk(lambda n=n: with_cpu(bench, process(n), lambda: iperf(PORTS[n])), 1)
          for n in ["g3k tcp", "haproxy tcp", "nginx tcp", "socat"]}),
        # the handshake path runs once per connection: g3k's JIT needs ~10k handshakes to finish compiling it
        ("TLS offload handshakes (openssl s_time, a request each)", None,
         {n: Warmed(lambda n=n: metered(n, lambda: handshakes(PORTS[n])),
                    lambda n=n, warm_up=TLS_WARM_UP if n.startswith("g3k") else PEER_TLS_WARM_UP:
                        bursts(lambda s: metered(n, lambda: handshakes(PORTS[n], s)), burst=max(1, warm_up // 3),
                               seconds=warm_up))
          for n in ["g3k tls", "haproxy tls", "nginx tls", "stunnel"]}),
        # measured once (no warm-up run): see idle_tunnels
        (f"Idle CONNECT tunnels ({IDLE_TUNNELS} more on {IDLE_TUNNELS} open)", None,
         {n: Warmed(lambda n=n: idle_tunnels(bench, process(n), PORTS[n]), lambda: None)
          for n in ["g3k http", "squid", "tinyproxy"]}),
    ]


# (scenario, g3k, peer, metric, load): where sequential runs left g3k and a peer close, or swung from one run to the
# next. In the SNI duels the TLS client and origin are what is busy (g3k and its peer relay about the same req/s),
# so there the CPU each proxy spent per request, measured in the same seconds, is what ranks them.
plain = lambda port, seconds=None: wrk(port, False, seconds=seconds)
https = lambda port, seconds=None: wrk(port, False, tls=True, seconds=seconds)
DUELS = [("HTTP reverse proxy", "g3k rproxy", "haproxy http", "req/s", plain),
         ("HTTP reverse proxy", "g3k rproxy", "nginx http", "req/s", plain),
         ("SNI routing", "g3k sni", "haproxy sni", "req/s", https),
         ("SNI routing", "g3k sni", "nginx sni", "req/s", https),
         ("HTTP forward, new connection per request", "g3k http", "squid", "req/s",
          lambda port, seconds=None: wrk(port, True, True, seconds=seconds)),
         ("TLS offload handshakes", "g3k tls", "haproxy tls", "handshakes/s", handshakes)]
DUEL_ROUNDS = 2
# an unmeasured round first: a duel comes minutes after its scenario, and its first measured round had cost g3k
# more than its second in nearly every run (reverse proxy ×1.02-1.89 haproxy's CPU per request, then ×0.91-1.02).
# As long as a measured round: after a 3 s one, g3k's JIT still took 20% of its CPU in a first SNI round (run
# 1624Z, ×1.09 haproxy's CPU per request, then 0% and ×0.85): each round opens its own connections, and the code
# that runs once a connection only reaches the compiler's thresholds round by round
DUEL_WARM_UP = int(os.environ.get("BENCH_DUEL_WARM_UP", str(SECONDS)))


def duels(bench):
    """g3k and one peer loaded at once, each by its own client. Both proxies are pinned to the same core and busy,
    so the scheduler gives each half of it: the ratio of their rates is the inverse ratio of their CPU cost per
    request, however fast the VM happens to be at that moment (sequential runs swing by ±15% here). Each side's
    CPU per request, measured over the same seconds, says the same where the proxies are the bottleneck, and is
    the only fair figure where they are not."""
    rows = []
    for scenario, mine, peer, metric, load in DUELS:
        if ONLY.lower() not in scenario.lower():
            continue
        progress(f"duel: {scenario}, {mine} and {peer}")
        if DUEL_WARM_UP > 0:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda name: load(PORTS[name], DUEL_WARM_UP), [mine, peer]))
        for _ in range(DUEL_ROUNDS):
            measured = lambda name: wrk_cpu(bench, process(name), lambda: load(PORTS[name]))
            with ThreadPoolExecutor(2) as pool:
                a, b = pool.map(measured, [mine, peer])
            rows.append((scenario, peer, metric, a[metric], b[metric], a["CPU µs/req"], b["CPU µs/req"], a["JIT %"],
                         a.get("p99 ms"), b.get("p99 ms")))
    return rows


def duel_report(rows):
    lines = ["| Scenario | peer | metric | g3k | peer | g3k ÷ peer | CPU µs/req g3k | peer | g3k ÷ peer | p99 ms g3k | peer "
             "| g3k ÷ peer | g3k's JIT |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    p99 = lambda pa, pb: f"{pa:.2f} | {pb:.2f} | ×{pa / pb:.2f}" if pa and pb else "– | – | –"  # s_time gives none
    lines += [f"| {s} | {peer} | {metric} | {a:.0f} | {b:.0f} | ×{a / b:.3f} | {ca:.1f} | {cb:.1f} | ×{ca / cb:.3f} | "
              f"{p99(pa, pb)} | {jit:.1f}% |"
              for s, peer, metric, a, b, ca, cb, jit, pa, pb in rows]
    return ("\n\n## Equal-CPU duels\n\ng3k and the peer loaded at the same time (each by its own client: wrk -c32, "
            "openssl s_time), sharing the pinned core: the rate each got, the CPU each spent per request over the "
            "same seconds (lower is better), each one's p99 latency under the same load (wrk), and the share of g3k's "
            f"CPU its JIT compiler threads took; {DUEL_ROUNDS} rounds each.\n\n" + "\n".join(lines))


def progress(step):
    """What the run is at, and when (the whole run must stay under ten minutes: this shows where they go)."""
    print(f"-- {time.monotonic() - STARTED:4.0f} s: {step}", file=sys.stderr, flush=True)


def bursts(load, churn=None, burst=5, seconds=None):
    """seconds (WARM_UP unless given) of load in bursts, idle half a second after each, and churn (if given) after the
    first burst.

    A long-running proxy goes from idle to busy all day; g3k's JIT compiles the event loop while it is busy, and the
    first few times the loop goes idle it throws that code away ("made not entrant: uncommon trap": the idle path
    was never seen) and the next burst runs while it recompiles. Bursts put those transitions into the warm-up.
    And a long-running proxy has accepted many connections: keep-alive bursts alone open 32 each, so g3k's
    connection set-up code was still interpreted when the measured run opened its 32, all at once (each first
    response took 30-50 ms, against 7 ms once a few thousand connections had been through). churn is that.
    The run's first scenario warms FIRST_WARM_UP seconds: from a cold start, HTTP forward's p99 through g3k was 142,
    11, 10, 3.8, 1.5, then 1.0 ms in consecutive 5 s runs while C2 compiled (160, 17, 14, 2 ticks of its thread a
    run), so 10 s measured the compiler sharing the pinned core (p99 3.9-4.7 ms in the runs before, squid 3.1).
    Half a second idle is a transition as much as a whole one, and the ten minutes a run may take are full.

    load returns its figures; where they give g3k's JIT share (wrk_cpu, cpu_seconds), bursts go on, for at most
    JIT_MORE seconds more (and what is left of JIT_BUDGET), until one in which the JIT took at most JIT_QUIET % of
    g3k's CPU. The JIT's share in a measured run goes with g3k's p99 (run 1757Z: 1.1% in the reverse proxy's, p99
    1.19 ms against nginx's 0.70; with 0.0%, 0.70 against 0.72), and a burst that still compiles says the measured
    run would too. A quiet burst promises less: run 2014Z measured 2.4% after one. The peers have no JIT: theirs
    stop on time. Bulk transfers are too short for the rule (a tick of the JIT's CPU is 2-3% of one): after
    a transfer with none, the measured one had 33% in run 1951Z.
    Returns the load added, for the report ("+5 s"; "" if none)."""
    global jit_budget
    runs = max(1, (WARM_UP if seconds is None else seconds) // burst)
    for i in range(runs + min(-(-JIT_MORE // burst), jit_budget // burst)):
        quiet = load(burst).get("JIT %", 0) <= JIT_QUIET
        time.sleep(0.5)
        if churn and i == 0 and CHURN_WARM_UP > 0:
            churn()
            time.sleep(1)
        if i >= runs - 1 and quiet:
            break
    added = max(0, i + 1 - runs) * burst
    jit_budget -= added
    return f"+{added} s" if added else ""


jit_budget = JIT_BUDGET  # what is left of it


class Warmed:
    """A measurement with its own, longer warm-up run."""
    def __init__(self, fn, warm_up):
        self.fn, self.warm_up = fn, warm_up

    def __call__(self):
        return self.fn()


def measure(fn):
    """The second of two runs: the first warms caches, connection pools and g3k's JIT alike for every peer. What a
    warm-up added for g3k's JIT (bursts) goes with the result ("warm-up added")."""
    try:
        added = (fn.warm_up if isinstance(fn, Warmed) else fn)()
        result = fn()
        if isinstance(added, str) and added:  # from bursts
            result["warm-up added"] = added
        return result
    except Exception as e:  # a peer that fails is reported, not fatal
        return {"error": str(e)[:120]}


NOT_METRICS = ("errors", "error", "requests", "JIT %", "warm-up added")


def report(results):
    lines = [f"| Scenario | Metric | direct | g3k | peers (g3k ÷ peer; {'/'.join(sorted(LOWER_IS_BETTER))}: lower is better) |",
             "|---|---|---|---|---|"]
    for scenario, direct, by_name in results:
        g3k_name = next(n for n in by_name if n.startswith("g3k"))
        g3k = by_name[g3k_name]
        # every metric anyone measured: one that failed (g3k included) shows its error in its cell
        metrics = list(dict.fromkeys(k for value in by_name.values() for k in value if k not in NOT_METRICS))
        for metric in metrics or ["error"]:
            cells = []
            for name, value in by_name.items():
                if name == g3k_name:
                    continue
                if metric not in value or metric == "error":
                    cells.append(f"{name}: {value.get('error', 'n/a')}")
                    continue
                if metric not in g3k:
                    cells.append(f"{name} {value[metric]:.2f}")
                    continue
                if value[metric] < 0.01 or g3k[metric] < 0:
                    cells.append(f"{name} {value[metric]:.2f} (no ratio: no growth measured)")
                    continue
                cells.append(f"{name} {value[metric]:.2f} (×{g3k[metric] / value[metric]:.2f})")
            base = f"{direct[metric]:.2f}" if direct and metric in direct else "–"
            mine = f"{g3k[metric]:.2f}" if metric in g3k and metric != "error" else g3k.get("error", "n/a")
            if direct and direct.get(metric) and metric in g3k:
                mine += f" (×{g3k[metric] / direct[metric]:.2f} of direct)"
            lines.append(f"| {scenario} | {metric} | {base} | {mine} | {'; '.join(cells)} |")
    jit = [f"{scenario} {v['JIT %']:.1f}%" + (f" ({v['warm-up added']})" if "warm-up added" in v else "")
           for scenario, _, by_name in results for v in by_name.values() if "JIT %" in v]
    if jit:
        lines.append("\nThe share of g3k's CPU its JIT compiler threads took in each measured run (and the warm-up "
                     f"its JIT added, at most {JIT_MORE} s a scenario and {JIT_BUDGET} s a run: see bursts): "
                     + "; ".join(jit) + ".")
    return "\n".join(lines)


def main():
    # a stopped run still stops its peers (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    started, steal_before = time.time(), steal_and_total()
    with tempfile.TemporaryDirectory(prefix="g3k-bench-") as tmp:
        bench = Bench(Path(tmp))
        try:
            bench.start_all()
            proxies = [name for name in bench.procs if name not in ("origin", "iperf3")]
            files_before = {name: open_files(bench, name) for name in proxies}
            results = []
            for scenario, direct, peers in scenarios(bench):
                if ONLY.lower() not in scenario.lower():
                    continue
                progress(scenario)
                base = measure(direct) if direct else None
                results.append((scenario, base, {name: measure(fn) for name, fn in peers.items()}))
            duel_rows = duels(bench)  # after the scenarios: every proxy in them is warm
            time.sleep(2)
            files_after = {name: open_files(bench, name) for name in proxies}
        finally:
            bench.stop_all()
    # the raw figures first: a report that fails must not lose a ten-minute run
    raw = {"scenarios": results, "duels": duel_rows, "open files": {"at start": files_before, "after": files_after}}
    Path(tempfile.gettempdir(), "g3k-bench-last.json").write_text(json.dumps(raw))
    table = report(results) + (duel_report(duel_rows) if duel_rows else "") + files_report(files_before, files_after)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%MZ")
    steal = [after - before for before, after in zip(steal_before, steal_and_total())]
    header = (f"# g3k bench {stamp}\n\n{CORES} CPUs; proxies on CPU {PROXY_CPU}, clients and origin on CPU {LOAD_CPU}; "
              f"{SECONDS}s per load run; took {time.time() - started:.0f}s; the VM's host took "
              f"{100 * steal[0] / max(1, steal[1]):.1f}% of the CPU time (steal): a slow minute is slow for everyone "
              "in it, so compare ratios, and above all the duels (below).\n\n")
    print(header + table)
    if ONLY:
        return  # a partial run is for tuning; bench/results keeps whole runs only
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{stamp}.md").write_text(header + table + "\n")
    (out / f"{stamp}.json").write_text(json.dumps(raw, indent=1) + "\n")
    (out / "latest.md").write_text(header + table + "\n")


if __name__ == "__main__":
    main()
