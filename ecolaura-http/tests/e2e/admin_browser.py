"""The staff admin page in a real browser: headless Chromium driven by
WebDriver (Debian's chromium and chromium-driver, Selenium's client).

    admin_browser.py BASE_URL EMAIL PASSWORD PRODUCT_ID ORDER_ID SCREENSHOT_DIR

Signs in as staff, searches and edits a product (price, stock, metrics) and
checks the change through the API; moves an order from confirmed to shipped
and checks it through the API; reads the job queue's health. Takes a
screenshot of each screen into SCREENSHOT_DIR, and fails on any message the
page logged to the console (a Content-Security-Policy violation included).
Prints "all admin checks passed" at the end.
"""

import json
import pathlib
import shutil
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def api(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method)
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, data=data, timeout=10) as response:
        return json.loads(response.read() or b"null")


def main():
    base, email, password, product_id, order_id, shots = sys.argv[1:7]
    shots = pathlib.Path(shots)
    shots.mkdir(parents=True, exist_ok=True)

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,860", "--lang=en-GB"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    wait = WebDriverWait(driver, 15)
    by_id = lambda i: driver.find_element(By.ID, i)  # noqa: E731

    def message_contains(text):
        wait.until(ec.text_to_be_present_in_element((By.ID, "message"), text))

    try:
        # Sign in.
        driver.get(base + "/admin")
        wait.until(ec.visibility_of_element_located((By.ID, "email")))
        driver.save_screenshot(str(shots / "admin-sign-in.png"))
        by_id("email").send_keys("not-staff@example.com")
        by_id("password").send_keys("wrong password")
        by_id("sign-in").click()
        wait.until(lambda d: "error" in by_id("message").get_attribute("class"))
        by_id("email").clear()
        by_id("email").send_keys(email)
        by_id("password").clear()
        by_id("password").send_keys(password)
        by_id("sign-in").click()
        wait.until(ec.visibility_of_element_located((By.ID, "screen-products")))
        wait.until(ec.presence_of_element_located((By.ID, f"edit-{product_id}")))

        # Search, then edit price, stock and metrics.
        by_id("search").send_keys("bottle")
        by_id("search-button").click()
        message_contains("1 product.")
        by_id(f"edit-{product_id}").click()
        wait.until(ec.visibility_of_element_located((By.ID, "edit-form")))
        for field, value in (("edit-price", "12.34"), ("edit-stock", "42"), ("edit-carbon", "0.8")):
            by_id(field).clear()
            by_id(field).send_keys(value)
        if not by_id("edit-recyclable").is_selected():
            by_id("edit-recyclable").click()
        by_id("save").click()
        message_contains("Saved Eco Bottle: 12.34")
        driver.save_screenshot(str(shots / "admin-products.png"))
        product = api(base, "GET", f"/api/v1/products/{product_id}")
        assert product["price"] == "12.34", product
        assert product["stock"] == 42, product
        assert product["sustainability"]["carbon_footprint_kg"] == 0.8, product
        assert product["sustainability"]["recyclable"] is True, product
        row = driver.find_element(By.CSS_SELECTOR, f'#products tr[data-id="{product_id}"]').text
        assert "12.34" in row and "42" in row, row

        # Orders: confirmed -> shipped.
        driver.find_element(By.CSS_SELECTOR, 'nav [data-screen="orders"]').click()
        wait.until(ec.element_to_be_clickable((By.ID, f"move-{order_id}")))
        driver.save_screenshot(str(shots / "admin-orders.png"))
        by_id(f"move-{order_id}").click()
        message_contains("is shipped")
        token = api(base, "POST", "/api/v1/auth/token", body={"email": email, "password": password})["access"]
        order = api(base, "GET", f"/api/v1/orders/{order_id}", token)
        assert order["status"] == "shipped", order
        status = driver.find_element(By.CSS_SELECTOR, f'#orders tr[data-id="{order_id}"] .status').text
        assert status == "shipped", status

        # The queue's health.
        driver.find_element(By.CSS_SELECTOR, 'nav [data-screen="queue"]').click()
        message_contains("Queue read at")
        kinds = [r.text.split()[0] for r in driver.find_elements(By.CSS_SELECTOR, "#queue tr")]
        assert "process_order" in kinds and "send_order_confirmation" in kinds, kinds
        driver.save_screenshot(str(shots / "admin-queue.png"))

        # Sign out: the screens are gone.
        by_id("sign-out").click()
        wait.until(ec.visibility_of_element_located((By.ID, "screen-sign-in")))

        # The one expected console error is the refused sign-in's 401.
        logged = [e for e in driver.get_log("browser")
                  if not ("/api/v1/auth/token" in e["message"] and "401" in e["message"])]
        assert not logged, logged
        print("all admin checks passed")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
