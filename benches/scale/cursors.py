#!/usr/bin/env python3
"""API v2 cursors for the scale benchmark (run.sh), made by walking the lists
through the host as a client would.

  cursors.py BASE urls FILE COUNT
      Write COUNT request paths of /api/v2/products for a category, a price
      range and an ordering (random ones), each the first page of its list or
      a page reached by following next_cursor up to 9 times.
  cursors.py BASE deep PAGES
      Walk the whole catalog (-created_at) by next_cursor in pages of 100 to
      the position PAGES pages of 20 deep, and print the path of page 1 and
      of page PAGES (both of 20), and the time the walk took.
"""
import http.client
import json
import random
import sys
import time
import urllib.parse

ORDERINGS = ["price", "-price", "sustainability_score", "-sustainability_score",
             "name", "-name", "created_at", "-created_at"]


class Client:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def page(self, path):
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"{path}: {response.status} {body[:300]!r}")
        return json.loads(body)


def path(params):
    return "/api/v2/products?" + urllib.parse.urlencode(params)


def urls(client, out, count):
    random.seed(7)
    written = 0
    with open(out, "w") as f:
        while written < count:
            low = random.randint(0, 400)
            params = [("category", f"category-{random.randint(0, 49)}"),
                      ("min_price", str(low)), ("max_price", str(low + random.randint(10, 100))),
                      ("ordering", random.choice(ORDERINGS)), ("limit", str(random.randint(11, 30)))]
            page = client.page(path(params))
            f.write(path(params) + "\n")
            written += 1
            for _ in range(random.randint(0, 9)):
                cursor = page["next_cursor"]
                if cursor is None or written >= count:
                    break
                following = params + [("cursor", cursor)]
                page = client.page(path(following))
                f.write(path(following) + "\n")
                written += 1


def deep(client, pages):
    target = pages * 20 - 20  # products before page `pages` of 20
    start = time.time()
    page = client.page(path([("limit", "100")]))
    read = len(page["results"])
    while read + 100 <= target:
        page = client.page(path([("limit", "100"), ("cursor", page["next_cursor"])]))
        read += len(page["results"])
    rest = target - read
    if rest:
        page = client.page(path([("limit", str(rest)), ("cursor", page["next_cursor"])]))
        read += len(page["results"])
    walked = time.time() - start
    print(path([("limit", "20")]))
    print(path([("limit", "20"), ("cursor", page["next_cursor"])]))
    print(f"walked {read} products in {walked:.1f} s", file=sys.stderr)


def main():
    base, command = sys.argv[1], sys.argv[2]
    client = Client(base)
    if command == "urls":
        urls(client, sys.argv[3], int(sys.argv[4]))
    elif command == "deep":
        deep(client, int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
