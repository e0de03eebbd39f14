#!/usr/bin/env python3
"""Start Ecolaura behind nginx and check it, the way it is deployed.

    deploy/nginx/check.py --ecolaura target/release/ecolaura \\
        --database-url postgres://postgres@127.0.0.1:5432/some_fresh_database

Starts, in a temporary directory:
- Debian's nginx with deploy/nginx/templates/ecolaura.conf.template and a
  self-signed certificate made on the spot;
- two `ecolaura serve` hosts on the one Postgres database given (it must be
  empty: the first host migrates it), each with its job workers;
- a separate `ecolaura worker`.

Then checks, through nginx:
1. plain HTTP is redirected to HTTPS, and HTTPS answers with HSTS;
2. the API docs are served with cache headers and from nginx's cache, and
   /metrics is not served at the edge;
3. a write on one host is seen by the very next read on the other (the
   hosts' caches are warm first);
4. the login throttle is shared: 10 failures spread over both hosts lock
   the account on both;
5. concurrent orders each run their jobs exactly once, across both hosts'
   workers and the worker process (every job done after one attempt, the
   jobs counted in the three processes' metrics add up);
6. nginx's own rate limit on /api/v1/auth/ answers 429 as problem+json;
7. one host killed (SIGKILL), the other keeps answering every request.

Prints each check as it passes; exits 1 at the first that fails. Only the
Python standard library, openssl, nginx and psql are used.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent
TEMPLATE = ROOT / "templates" / "ecolaura.conf.template"
SECRET = "a secret for the nginx check, long enough for HS256"
STAFF = ("staff@shop.example", "staff password")


class CheckFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise CheckFailed(f"{what} did not listen on {port} within {timeout:.0f} s")


def render(template: str, values: dict[str, str]) -> str:
    text = template
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    left = re.findall(r"\$\{ECOLAURA_[A-Z0-9_]+\}", text)
    check(not left, f"placeholders left in the nginx config: {left}")
    return text


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"{self.status} {self.headers.get('content-type')} {self.body[:300]!r}"


class Edge:
    """A client of nginx over HTTPS, trusting only the certificate made here."""

    def __init__(self, port: int, cert: pathlib.Path):
        self.port = port
        self.tls = ssl.create_default_context(cafile=str(cert))

    def request(self, method: str, path: str, body=None, token: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPSConnection("localhost", self.port, context=self.tls, timeout=30)
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=all_headers)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def login(self, email: str, password: str) -> str:
        r = self.request("POST", "/api/v1/auth/token", {"email": email, "password": password})
        check(r.status == 200, f"login of {email}: {r}")
        return r.json()["access"]


class Deployment:
    def __init__(self, ecolaura: str, database_url: str, workdir: pathlib.Path):
        self.ecolaura = ecolaura
        self.database_url = database_url
        self.dir = workdir
        self.processes: list[subprocess.Popen] = []
        self.https_port = free_port()
        self.http_port = free_port()
        self.host_ports = [free_port(), free_port()]
        self.metrics_ports = [free_port(), free_port(), free_port()]
        self.hosts: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "ECOLAURA_DATABASE_URL": self.database_url,
            "ECOLAURA_JWT_SECRET": SECRET,
            "ECOLAURA_PUBLIC_URL": f"https://localhost:{self.https_port}",
            "ECOLAURA_TRUSTED_PROXIES": "127.0.0.1",
            "ECOLAURA_LOG": "warn",
            "ECOLAURA_WORKERS": "4",
        }
        env.update(extra)
        return env

    def start(self, args: list[str], env: dict[str, str], name: str) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "wb")
        p = subprocess.Popen([self.ecolaura, *args], env=env, cwd=self.dir,
                             stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(p)
        return p

    def start_hosts_and_worker(self) -> None:
        for i, port in enumerate(self.host_ports):
            host = self.start(["serve"], self.env(
                ECOLAURA_BIND=f"127.0.0.1:{port}",
                ECOLAURA_WORKER_METRICS_BIND=f"127.0.0.1:{self.metrics_ports[i]}",
            ), f"host{i + 1}")
            self.hosts.append(host)
            # The first host migrates the database; the second starts after.
            wait_for_port(port, f"host {i + 1}")
        self.start(["worker"], self.env(
            ECOLAURA_WORKER_METRICS_BIND=f"127.0.0.1:{self.metrics_ports[2]}",
        ), "worker")
        wait_for_port(self.metrics_ports[2], "the worker's metrics")

    def make_certificate(self) -> pathlib.Path:
        cert, key = self.dir / "tls.crt", self.dir / "tls.key"
        subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ], check=True, capture_output=True)
        self.cert, self.key = cert, key
        return cert

    def start_nginx(self, nginx: str) -> None:
        prefix = self.dir / "nginx"
        for sub in ("logs", "cache", "client_body", "proxy", "conf"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        site = render(TEMPLATE.read_text(), {
            "ECOLAURA_SERVER_NAME": "localhost",
            "ECOLAURA_HTTPS_PORT": str(self.https_port),
            "ECOLAURA_HTTP_PORT": str(self.http_port),
            "ECOLAURA_UPSTREAM_1": f"127.0.0.1:{self.host_ports[0]}",
            "ECOLAURA_UPSTREAM_2": f"127.0.0.1:{self.host_ports[1]}",
            "ECOLAURA_TLS_CERT": str(self.cert),
            "ECOLAURA_TLS_KEY": str(self.key),
            "ECOLAURA_NGINX_CACHE": str(prefix / "cache"),
        })
        (prefix / "conf" / "ecolaura.conf").write_text(site)
        # What Debian's /etc/nginx/nginx.conf gives the site, in a prefix of
        # our own so that nothing of the machine's nginx is touched.
        main = f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    # Which host answered each request, for the checks.
    log_format check '$status $request_method $uri $upstream_addr';
    access_log {prefix}/logs/access.log check;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/proxy;
    uwsgi_temp_path {prefix}/proxy;
    scgi_temp_path {prefix}/proxy;
    default_type application/octet-stream;
    include {prefix}/conf/ecolaura.conf;
}}
"""
        if os.geteuid() == 0:
            # Workers of a root master run as nobody: let them write here.
            main = "user root;\n" + main
        (prefix / "conf" / "nginx.conf").write_text(main)
        conf = str(prefix / "conf" / "nginx.conf")
        test = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", conf],
                              capture_output=True, text=True)
        check(test.returncode == 0, f"nginx -t refused the config:\n{test.stderr}")
        log = open(self.dir / "nginx.log", "wb")
        p = subprocess.Popen([nginx, "-p", str(prefix), "-c", conf, "-g", "daemon off;"],
                             stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(p)
        wait_for_port(self.https_port, "nginx")

    def staff_account(self) -> None:
        out = subprocess.run([self.ecolaura, "users", "add", "--email", STAFF[0],
                              "--password", STAFF[1], "--staff"],
                             env=self.env(), cwd=self.dir, capture_output=True, text=True)
        check(out.returncode == 0, f"ecolaura users add: {out.stderr}")

    def psql(self, sql: str) -> str:
        out = subprocess.run(["psql", self.database_url, "-AtXc", sql],
                             capture_output=True, text=True)
        check(out.returncode == 0, f"psql: {out.stderr}")
        return out.stdout.strip()

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()

    def served(self) -> list[tuple[str, str, str, str]]:
        """(status, method, path, host) of every request so far, in order."""
        log = (self.dir / "nginx" / "logs" / "access.log").read_text()
        return [tuple(line.split(" ", 3)) for line in log.splitlines() if line.count(" ") >= 3]

    def logs(self) -> str:
        parts = []
        for f in sorted(self.dir.glob("*.log")) + sorted((self.dir / "nginx" / "logs").glob("error.log")):
            text = f.read_text(errors="replace").strip()
            if text:
                parts.append(f"--- {f.name}\n{text[-4000:]}")
        return "\n".join(parts)


def metric_sum(port: int, name: str, labels: dict[str, str]) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_checks(d: Deployment, edge: Edge) -> None:
    # 1. HTTPS, HSTS, and the redirect from HTTP.
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=10)
    conn.request("GET", "/api/v1/products?page=1", headers={"Host": "localhost"})
    r = conn.getresponse()
    check(r.status == 301, f"plain HTTP: {r.status}")
    check(r.headers["Location"] == f"https://localhost:{d.https_port}/api/v1/products?page=1",
          f"redirect to {r.headers['Location']}")
    r = edge.request("GET", "/healthz")
    check(r.status == 200, f"/healthz over HTTPS: {r}")
    hsts = r.headers.get_all("Strict-Transport-Security") or []
    check(len(hsts) == 1 and "max-age=" in hsts[0], f"HSTS: {hsts}")
    print("ok: HTTP redirects to HTTPS; HTTPS answers with HSTS", hsts[0])

    # 2. Docs cached at the edge; no /metrics there.
    first = edge.request("GET", "/api/v1/openapi.json")
    second = edge.request("GET", "/api/v1/openapi.json")
    check(first.status == second.status == 200, f"openapi.json: {first}")
    check(second.headers["Cache-Control"] == "public, max-age=300",
          f"Cache-Control: {second.headers['Cache-Control']}")
    check(second.headers["X-Cache-Status"] == "HIT", f"X-Cache-Status: {second.headers['X-Cache-Status']}")
    check(second.body == first.body, "the cached document differs")
    docs = edge.request("GET", "/docs")
    check(docs.status == 200 and b"<html" in docs.body.lower(), f"/docs: {docs}")
    check(len(docs.headers.get_all("Strict-Transport-Security") or []) == 1, "HSTS on /docs")
    check(edge.request("GET", "/metrics").status == 404, "/metrics is served at the edge")
    print("ok: /docs and the OpenAPI document are cached by nginx (HIT on the second read); /metrics is 404")

    # 3. A write on one host, read on the other.
    d.staff_account()
    staff = edge.login(*STAFF)
    r = edge.request("POST", "/api/v1/categories", {"slug": "bottles", "name": "Bottles"}, staff)
    check(r.status == 201, f"category: {r}")
    r = edge.request("POST", "/api/v1/products", {
        "name": "Eco Bottle", "price": "19.99", "stock": 1000, "category": "bottles",
        "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": True, "biodegradable": False},
    }, staff)
    check(r.status == 201, f"product: {r}")
    product = r.json()["id"]
    path = f"/api/v1/products/{product}"
    listing = "/api/v1/products?category=bottles"
    for _ in range(4):  # both hosts cache the product and the list
        check(edge.request("GET", path).json()["price"] == "19.99", "price before")
        check(edge.request("GET", listing).json()["results"][0]["price"] == "19.99", "list before")
    for n, price in enumerate(["17.50", "18.25", "16.00"]):
        r = edge.request("PATCH", path, {"price": price}, staff)
        check(r.status == 200, f"patch: {r}")
        # Round robin: the first read goes to the other host, the second to
        # the one that wrote; then the list, on both.
        for _ in range(2):
            seen = edge.request("GET", path).json()["price"]
            check(seen == price, f"write {n + 1}: a read after the write saw {seen}, not {price}")
        for _ in range(2):
            seen = edge.request("GET", listing).json()["results"][0]["price"]
            check(seen == price, f"write {n + 1}: the list after the write showed {seen}, not {price}")
    # The access log shows which host answered: the read right after each
    # write went to the other host, and the two reads of each went to both.
    log = d.served()
    writes = [i for i, r in enumerate(log) if r[1] == "PATCH" and r[2] == path]
    check(len(writes) == 3, f"{len(writes)} writes in the access log")
    for i in writes:
        reads = [r[3] for r in log[i + 1:i + 5] if r[1] == "GET" and r[2] == path]
        lists = [r[3] for r in log[i + 1:i + 5] if r[1] == "GET" and r[2] == "/api/v1/products"]
        check(reads[0] != log[i][3] and len(set(reads)) == 2 and len(set(lists)) == 2,
              f"after the write on {log[i][3]}, reads went to {reads} and lists to {lists}")
    print("ok: 3 price changes, each seen by the very next reads on both hosts (product and list)")

    # 4. The login throttle is shared by the hosts.
    r = edge.request("POST", "/api/v1/auth/register",
                     {"email": "bob@example.com", "password": "bob's password", "name": "Bob"})
    check(r.status == 201, f"register: {r}")
    for i in range(10):
        r = edge.request("POST", "/api/v1/auth/token",
                         {"email": "bob@example.com", "password": f"wrong {i}"})
        check(r.status == 401, f"failure {i + 1}: {r}")
    for _ in range(2):  # whichever host answers
        r = edge.request("POST", "/api/v1/auth/token",
                         {"email": "bob@example.com", "password": "bob's password"})
        check(r.status == 429, f"after 10 failures over both hosts: {r}")
        check(r.headers.get_content_type() == "application/problem+json", f"429: {r}")
    failed_on = {r[3] for r in d.served() if r[1:3] == ("POST", "/api/v1/auth/token") and r[0] == "401"}
    check(len(failed_on) == 2, f"the failed logins went to {failed_on} only")
    print("ok: 10 failed logins spread over both hosts lock the account on both (429)")
    time.sleep(4.5)  # let nginx's auth zone refill

    # 5. Orders' jobs run exactly once across all workers.
    customers = []
    for i in range(4):
        email = f"buyer{i}@example.com"
        r = edge.request("POST", "/api/v1/auth/register",
                         {"email": email, "password": "a buyer's password", "name": f"Buyer {i}"})
        check(r.status == 201, f"register {email}: {r}")
        customers.append(edge.login(email, "a buyer's password"))
    time.sleep(4.5)
    orders_per_customer = 10

    def place(token: str) -> list[str]:
        ids = []
        for _ in range(orders_per_customer):
            r = edge.request("POST", "/api/v1/orders",
                             {"lines": [{"product_id": product, "quantity": 1}]}, token)
            check(r.status == 201, f"order: {r}")
            ids.append(r.json()["id"])
        return ids

    with concurrent.futures.ThreadPoolExecutor(len(customers)) as pool:
        orders = [i for ids in pool.map(place, customers) for i in ids]
    total = len(orders)
    deadline = time.monotonic() + 60
    while True:
        done = int(d.psql("SELECT count(*) FROM orders WHERE status = 'confirmed' "
                          "AND confirmation_sent_at IS NOT NULL"))
        if done == total:
            break
        check(time.monotonic() < deadline, f"only {done} of {total} orders confirmed and mailed in 60 s")
        time.sleep(0.2)
    jobs = d.psql("SELECT kind, status, attempts, count(*) FROM jobs "
                  "WHERE kind IN ('process_order', 'send_order_confirmation') "
                  "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
    check(jobs == f"process_order|done|1|{total}\nsend_order_confirmation|done|1|{total}",
          f"the orders' jobs, by kind, status and attempts:\n{jobs}")
    check(d.psql("SELECT count(*) FROM sent_emails") == str(total), "one e-mail per order")
    ran = {}
    for kind in ("process_order", "send_order_confirmation"):
        per_process = [metric_sum(p, "ecolaura_jobs_total", {"kind": kind, "outcome": "done"})
                       for p in [*d.host_ports, d.metrics_ports[2]]]
        check(sum(per_process) == total, f"{kind} ran {per_process} times per process, not {total} in all")
        ran[kind] = per_process
    stock = edge.request("GET", path).json()["stock"]
    check(stock == 1000 - total, f"stock {stock} after {total} orders")
    print(f"ok: {total} concurrent orders; every job done after exactly one attempt; "
          f"runs per process (host 1, host 2, worker): {ran}")

    # 6. nginx's rate limit on the login routes.
    def attempt(i):
        # A different address each: the hosts' per-address lock stays out of it.
        return edge.request("POST", "/api/v1/auth/token",
                            {"email": f"nobody{i}@example.com", "password": "wrong"})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(60)))
    limited = [a for a in answers if a.status == 429]
    check(limited, f"60 logins at once were not limited: {sorted({a.status for a in answers})}")
    body = limited[0].json()
    check(limited[0].headers.get_content_type() == "application/problem+json"
          and body["status"] == 429 and "/api/v1/auth/" in body["detail"], f"nginx's 429: {limited[0]}")
    check(all(a.status in (401, 429) for a in answers), f"statuses: {sorted({a.status for a in answers})}")
    print(f"ok: nginx limits /api/v1/auth/: {len(limited)} of 60 simultaneous logins got its 429 problem+json")

    # 7. One host killed; the other answers everything.
    d.hosts[0].kill()
    d.hosts[0].wait()
    statuses = [edge.request("GET", path).status for _ in range(20)]
    statuses += [edge.request("GET", listing).status for _ in range(10)]
    check(statuses == [200] * 30, f"with host 1 killed: {statuses}")
    r = edge.request("POST", "/api/v1/orders",
                     {"lines": [{"product_id": product, "quantity": 1}]}, customers[0])
    check(r.status == 201, f"an order with host 1 killed: {r}")
    print("ok: host 1 killed; 30 reads and an order through nginx all answered by host 2")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ecolaura", required=True, help="the ecolaura binary")
    parser.add_argument("--database-url", required=True, help="an empty Postgres database")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="ecolaura-nginx-"))
    os.chmod(workdir, 0o755)
    d = Deployment(os.path.abspath(args.ecolaura), args.database_url, workdir)
    try:
        cert = d.make_certificate()
        d.start_hosts_and_worker()
        d.start_nginx(args.nginx)
        run_checks(d, Edge(d.https_port, cert))
        print("all nginx checks passed")
        return 0
    except (CheckFailed, OSError, subprocess.CalledProcessError, KeyError, ValueError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(d.logs(), file=sys.stderr)
        return 1
    finally:
        d.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
