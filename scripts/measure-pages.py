#!/usr/bin/env python3
"""Measures Suivi pages on a running server: server time (median of several
requests), raw and gzip weight, and the time of a bulk save of every row of a
plan's grid. Usage: measure-pages.py BASE_URL LOGIN PASSWORD PATH... [--grid PLAN_ID]

Figures only: nothing here is a test (the machines are shared and noisy)."""
import gzip, http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request

args = sys.argv[1:]
base, login, password = args[:3]
grid_plan = None
paths = []
rest = args[3:]
while rest:
    a = rest.pop(0)
    if a == "--grid":
        grid_plan = rest.pop(0)
    else:
        paths.append(a)

jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

def fetch(path, data=None, gz=False):
    req = urllib.request.Request(base + path, data=data)
    if gz:
        req.add_header("Accept-Encoding", "gzip")
    t = time.perf_counter()
    try:
        resp = opener.open(req)
    except urllib.error.HTTPError as e:
        resp = e
    body = resp.read()
    return resp.status, body, time.perf_counter() - t

_, page, _ = fetch("/login")
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
status, _, _ = fetch("/login", urllib.parse.urlencode(
    {"csrf": csrf, "login": login, "password": password, "next": "/"}).encode())
assert status == 303, f"login answered {status}"

def measure(path):
    times = []
    for _ in range(7):
        status, body, t = fetch(path)
        times.append(t)
    _, zipped, _ = fetch(path, gz=True)
    print(f"{path}: HTTP {status}, median {statistics.median(times)*1000:.1f} ms "
          f"(min {min(times)*1000:.1f}), {len(body)/1024:.1f} KB raw, {len(zipped)/1024:.1f} KB gzip")
    return body

for p in paths:
    measure(p)

if grid_plan:
    path = f"/plans/{grid_plan}/grid"
    for round_ in range(3):
        body = measure(path).decode()
        fields = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body)
        selects = re.findall(r'<select name="([^"]+)"[^>]*>.*?<option value="([^"]+)" selected', body, re.S)
        form = dict(fields)
        form.update(dict(selects))
        rows = [k.split(".")[0] for k in form if k.endswith(".comment")]
        for r in rows:
            form[f"{r}.comment"] = f"Mesure {round_} {time.time()}"
        data = urllib.parse.urlencode(form).encode()
        status, _, t = fetch(path, data)
        print(f"bulk save of {len(rows)} rows: HTTP {status} in {t*1000:.0f} ms")
